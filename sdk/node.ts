// Adapters for Node's http server and for Express. Both are typed with Node's
// own request/response types (Express extends them), so using the SDK never
// requires Express or its types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNoticeHandler, MAX_BODY_BYTES, type NoticeHandler, type NoticeHandlerOptions, type NoticeReply } from './handler.ts';

/** Options, or a handler from createNoticeHandler to share one store between routes. */
export type NoticeHandlerInput = NoticeHandlerOptions | NoticeHandler;

export function toNoticeHandler(input: NoticeHandlerInput): NoticeHandler {
  return typeof input === 'function' ? input : createNoticeHandler(input);
}

/** Reads the body as UTF-8, or undefined past MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering but keep draining, so the 413 can still be written.
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, { status, body }: NoticeReply): void {
  // Plain text: the provider compares the trimmed body with the transaction id.
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Turns what a body parser left in `req.body` back into the raw form body.
 * express.urlencoded() / @fastify/formbody give `{notice: "<JWT>"}`; the JWT
 * alphabet needs no escaping, so this rebuilds Paydesk's `notice=<JWT>` byte for
 * byte and the webhook signature still verifies. Raw parsers give a Buffer or string.
 */
export function rawBodyFrom(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof body !== 'object' || body === null || Object.keys(body).length === 0) return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') return undefined;
    form.append(name, value);
  }
  return form.toString();
}

/** `http.createServer(nodeHandler({...}))`, or call it from your own router for POSTs to the postback URL. */
export function nodeHandler(input: NoticeHandlerInput): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = toNoticeHandler(input);
  return (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, { status: 405, body: 'method_not_allowed' });
      return;
    }
    readBody(req)
      .then((raw) => (raw === undefined ? { status: 413, body: 'notice_too_large' } : handle(raw, req.headers)))
      .then((reply) => send(res, reply), () => send(res, { status: 400, body: 'notice_missing' }));
  };
}

/**
 * `app.post('/paydesk/notices', expressHandler({...}))`. Works with no body
 * parser (it reads the stream), express.raw()/express.text(), or
 * express.urlencoded() (see rawBodyFrom).
 */
export function expressHandler(input: NoticeHandlerInput): (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => void {
  const handle = toNoticeHandler(input);
  return (req, res) => {
    const parsed = rawBodyFrom(req.body);
    // An empty parsed body with the stream still unread means no parser matched this content type.
    const raw = parsed !== undefined ? Promise.resolve(parsed) : req.readableEnded ? Promise.resolve('') : readBody(req);
    raw
      .then((body) => (body === undefined ? { status: 413, body: 'notice_too_large' } : handle(body, req.headers)))
      .then((reply) => send(res, reply), () => send(res, { status: 400, body: 'notice_missing' }));
  };
}
