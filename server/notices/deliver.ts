// One delivery attempt over node:http/https, and its verdict. Deliberately not
// fetch(): redirects must not be followed (a notice is only good at the URL the
// merchant registered), the connection must use the addresses target.ts
// checked, and a merchant that connects but never answers, or answers forever,
// must cost a bounded time and memory.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { ResolvedTarget } from './target.ts';

export interface DeliveryLimits {
  /** From the start of the attempt until the TCP connection is up. */
  readonly connectTimeoutMs: number;
  /** From the start of the attempt until the whole response is read. */
  readonly responseTimeoutMs: number;
  /** Bytes of response body read at most; past this the connection is cut. */
  readonly maxResponseBytes: number;
}

export const defaultDeliveryLimits: DeliveryLimits = { connectTimeoutMs: 5_000, responseTimeoutMs: 15_000, maxResponseBytes: 64 * 1024 };

/** Response bytes kept in the attempt record; the echo is checked on all that was read. */
export const RECORDED_BODY_BYTES = 8 * 1024;

export const verdicts = [
  'delivered', 'http_status', 'wrong_echo', 'redirect_not_followed', 'response_too_large', 'timeout', 'connect_refused',
  'connection_reset', 'dns_failed', 'network_error', 'forbidden_target', 'interrupted',
] as const;
export type Verdict = (typeof verdicts)[number];

export interface RecordedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: string;
  readonly truncated: boolean;
}

export interface AttemptOutcome {
  readonly verdict: Verdict;
  readonly reason: string;
  readonly response: RecordedResponse | null;
  readonly durationMs: number;
}

function headersOf(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out;
}

function networkVerdict(e: NodeJS.ErrnoException): { verdict: Verdict; reason: string } {
  switch (e.code) {
    case 'ECONNREFUSED': return { verdict: 'connect_refused', reason: `connection refused (${e.message})` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED': return { verdict: 'connection_reset', reason: `the merchant closed the connection before answering (${e.code})` };
    case 'ETIMEDOUT': return { verdict: 'timeout', reason: 'the connection timed out' };
    default: return { verdict: 'network_error', reason: e.message || String(e.code) };
  }
}

/**
 * Posts `body` to the checked target and classifies the answer. Success is a
 * 2xx whose body, whitespace trimmed, is exactly `expectedEcho` (the
 * transaction id): a merchant that answers 200 from a catch-all route has not
 * necessarily processed the notice.
 */
export function sendNotice(o: {
  readonly target: ResolvedTarget;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly expectedEcho: string;
  readonly limits: DeliveryLimits;
  readonly signal?: AbortSignal;
}): Promise<AttemptOutcome> {
  const started = performance.now();
  const { url } = o.target;
  const pinned = o.target.addresses;
  // Connect only to the addresses that were checked (see target.ts).
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, pinned.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, pinned[0]!.address, pinned[0]!.family);
  };
  return new Promise<AttemptOutcome>((resolve) => {
    if (o.signal?.aborted) {
      // Stopped before the request was made: nothing was sent.
      resolve({ verdict: 'interrupted', reason: 'Paydesk stopped during this attempt; the notice is sent again with the same webhook-id', response: null, durationMs: 0 });
      return;
    }
    let settled = false;
    let response: RecordedResponse | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (verdict: Verdict, reason: string) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ verdict, reason, response, durationMs: Math.round((performance.now() - started) * 100) / 100 });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: o.target.port,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...o.headers },
      lookup,
      // A fresh connection per attempt: no pooled socket from a previous attempt can carry state over.
      agent: false,
    });
    const fail = (verdict: Verdict, reason: string) => {
      finish(verdict, reason);
      req.destroy();
    };
    const onAbort = () => fail('interrupted', 'Paydesk stopped during this attempt; the notice is sent again with the same webhook-id');
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });

    timers.push(setTimeout(() => fail('timeout', `no complete answer within ${o.limits.responseTimeoutMs} ms`), o.limits.responseTimeoutMs));
    req.on('socket', (socket: Socket) => {
      if (!socket.connecting) return;
      const t = setTimeout(() => fail('timeout', `could not connect within ${o.limits.connectTimeoutMs} ms`), o.limits.connectTimeoutMs);
      timers.push(t);
      socket.once('connect', () => clearTimeout(t));
    });
    // After fail() has settled the attempt, destroy() may still surface a "socket hang up" here: ignored by finish().
    req.on('error', (e: NodeJS.ErrnoException) => {
      const v = networkVerdict(e);
      finish(v.verdict, v.reason);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const record = (truncated: boolean) => {
        const all = Buffer.concat(chunks);
        response = {
          status: res.statusCode ?? 0,
          headers: headersOf(res.headers),
          body: all.subarray(0, RECORDED_BODY_BYTES).toString('utf8'),
          truncated: truncated || all.length > RECORDED_BODY_BYTES,
        };
        return all;
      };
      res.on('data', (c: Buffer) => {
        if (settled) return;
        size += c.length;
        if (size > o.limits.maxResponseBytes) {
          chunks.push(c.subarray(0, Math.max(0, o.limits.maxResponseBytes - (size - c.length))));
          record(true);
          fail('response_too_large', `the answer was larger than ${o.limits.maxResponseBytes} bytes; a postback answer is just the transaction id`);
          return;
        }
        chunks.push(c);
      });
      res.on('aborted', () => {
        record(true);
        fail('connection_reset', 'the merchant closed the connection in the middle of its answer');
      });
      res.on('error', () => {
        record(true);
        fail('connection_reset', 'the merchant closed the connection in the middle of its answer');
      });
      res.on('end', () => {
        if (settled) return;
        const body = record(false).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          if (body.trim() === o.expectedEcho) finish('delivered', `HTTP ${status} with the transaction id`);
          else finish('wrong_echo', `HTTP ${status}, but the body is not the transaction id ${JSON.stringify(o.expectedEcho)}`);
        } else if (status >= 300 && status < 400) {
          const location = res.headers.location;
          finish('redirect_not_followed', `HTTP ${status} redirect${location ? ` to ${location}` : ''}; notices are not sent on to another URL: register the final URL`);
        } else {
          finish('http_status', `HTTP ${status}`);
        }
      });
    });
    req.end(o.body);
  });
}
