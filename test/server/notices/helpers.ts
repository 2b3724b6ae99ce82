// Fixtures for the notice tests: a Paydesk server on the real clock (retries
// are real timers, compressed by noticeTimeScale), merchant receivers on
// 127.0.0.1 whose behaviour a test switches at will, and the buy flow.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startServer, type ServerOptions } from '../../../server/main.ts';
import type { PaydeskEvent } from '../../../contract/events.ts';
import { HeldProcessor, createApp, freshDataDir, pay, rawApi, readyBuyer, serverLog, signRequest, ponyRequest, testClient, type CreatedApp, type TestServer } from '../../helpers/paydesk.ts';

export { createApp, readyBuyer, signRequest, ponyRequest, type CreatedApp, type TestServer };

/** Compresses ~3 days of retries to ~2.6 s. */
export const FAST = 0.00001;

export interface NoticeTestServer extends TestServer {
  readonly logs: string[];
  readonly events: PaydeskEvent[];
}

export async function startNoticeServer(opts: Partial<ServerOptions> = {}): Promise<NoticeTestServer> {
  const dataDir = opts.dataDir ?? freshDataDir('notices');
  const { logs, log } = serverLog();
  const slowProcessor = new HeldProcessor();
  const server = await startServer({ port: 0, noticeTimeScale: FAST, slowCharge: slowProcessor.slowCharge, checkResponses: true, ...opts, dataDir, log });
  const events: PaydeskEvent[] = [];
  server.events.subscribe((e) => events.push(e));
  return {
    server, url: server.url, dataDir, logs, events,
    clock: { get now() { return Date.now(); }, advance() { throw new Error('notice tests run on the real clock'); } },
    slowProcessor,
    api: rawApi(server),
    client: testClient(server),
    close: () => {
      slowProcessor.release();
      return server.close();
    },
  };
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Answers like a good merchant: 200 with the transaction id from the (unverified) notice. */
export const echo: Behaviour = (_req, res, body) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(transactionIDOf(body));
};

export function transactionIDOf(body: string): string {
  const jwt = new URLSearchParams(body).get('notice') ?? '';
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString() || '{}') as { response?: { transactionID?: string } };
  return claims.response?.transactionID ?? '';
}

export function claimsOf(body: string): Record<string, unknown> {
  const jwt = new URLSearchParams(body).get('notice') ?? '';
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export async function receiver(behaviour: Behaviour = echo, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = {
    url: '', port: 0, received, behaviour,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: performance.now() });
      r.behaviour(req, res, body);
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actual = (server.address() as AddressInfo).port;
  Object.assign(r, { url: `http://127.0.0.1:${actual}`, port: actual });
  return r;
}

/**
 * Polls until `probe` answers. The deadline only turns a wait that would never end
 * into a message; it is no speed limit, so it is set for a machine under heavy load.
 */
export const WAIT_LIMIT_MS = 60_000;

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = WAIT_LIMIT_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Creates a pending purchase and confirms it as a ready buyer; returns ids. */
export async function buy(t: TestServer, app: Pick<CreatedApp, 'key' | 'secret'>, buyer: { pin: string }, request: Record<string, unknown> = ponyRequest) {
  const created = await pay(t, await signRequest(app, { request }));
  if (created.status !== 201) throw new Error(`pay: ${created.status} ${JSON.stringify(created.body)}`);
  const confirmed = await t.api<{ status: string; transactionID: string }>('POST', `/api/purchases/${created.body.id}/confirm`, { pin: buyer.pin });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { purchaseId: created.body.id, transactionID: confirmed.body.transactionID };
}

export interface NoticeSummary {
  id: string; webhookId: string; type: string; status: string; origin: string; parentId: string | null; appKey: string; purchaseId: string | null;
  transactionID: string | null; seq: number; url: string; attempts: number; maxAttempts: number; lastVerdict: string | null; lastReason: string | null;
}

export interface NoticeDetail extends NoticeSummary {
  payload: { request: Record<string, unknown>; response: Record<string, unknown> };
  notice: { header: Record<string, unknown>; claims: Record<string, unknown> };
  attemptLog: {
    number: number; url: string; startedAt: string; durationMs: number | null; verdict: string; reason: string | null;
    request: { headers: Record<string, string>; body: string };
    response: { status: number; headers: Record<string, string | string[]>; body: string; truncated: boolean } | null;
    notice: { header: Record<string, unknown>; claims: Record<string, unknown> };
  }[];
}

export async function noticesOf(t: TestServer, query: string): Promise<NoticeSummary[]> {
  const r = await t.api<{ items: NoticeSummary[] }>('GET', `/api/notices?${query}`);
  if (r.status !== 200) throw new Error(`list notices: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.items;
}

export async function notice(t: TestServer, id: string): Promise<NoticeDetail> {
  const r = await t.api<NoticeDetail>('GET', `/api/notices/${id}`);
  if (r.status !== 200) throw new Error(`get notice: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Waits until the notice's status is one of `statuses`, and returns it with its attempts. */
export async function settled(t: TestServer, id: string, statuses: readonly string[] = ['delivered', 'failed']): Promise<NoticeDetail> {
  return waitFor(`notice ${id} to be ${statuses.join(' or ')}`, async () => {
    const n = await notice(t, id);
    return statuses.includes(n.status) ? n : undefined;
  });
}

/**
 * A transaction's timeline types, keeping only those a notice test is about:
 * the purchase flow may add its own steps (e.g. "charging") without breaking these tests.
 */
export async function timelineOf(t: TestServer, id: string, only: readonly string[]): Promise<string[]> {
  const r = await t.api<{ timeline: { type: string }[] }>('GET', `/api/transactions/${id}`);
  if (r.status !== 200) throw new Error(`timeline: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.timeline.map((e) => e.type).filter((type) => only.includes(type));
}

/**
 * The usual stage of a notice test: a Paydesk, one well-behaved merchant
 * receiver, and an app whose postback and chargeback URLs point at it; all
 * closed when the test ends.
 */
export async function merchantStage(t: { after(fn: () => Promise<void>): void }, paths: { postback: string; chargeback: string } = { postback: '/postback', chargeback: '/chargeback' }) {
  const s = await startNoticeServer();
  const merchant = await receiver();
  t.after(async () => {
    await s.close();
    await merchant.close();
  });
  const app = await createApp(s, { postbackURL: `${merchant.url}${paths.postback}`, chargebackURL: `${merchant.url}${paths.chargeback}` });
  return { s, merchant, app };
}
