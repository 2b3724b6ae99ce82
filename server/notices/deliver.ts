// One delivery attempt over node:http/https, and its verdict. Deliberately not
// fetch(): redirects must not be followed (a notice is only good at the URL the
// merchant registered), the connection must use the addresses target.ts
// checked, and a merchant that connects but never answers, or answers forever,
// must cost a bounded time and memory.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
const RECORDED_BODY_BYTES = 8 * 1024;

export type Verdict = 'delivered' | 'http_status' | 'wrong_echo' | 'redirect_not_followed' | 'response_too_large' | 'timeout' | 'connect_refused'
  | 'connection_reset' | 'dns_failed' | 'network_error' | 'forbidden_target' | 'interrupted';

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

/**
 * The verdict names what went wrong and the reason adds only what the verdict does not say
 * (the address, the system's code), without parentheses: whoever shows them writes
 * "<verdict in words> (<reason>)", and a reason that restated the verdict or wrapped
 * Node's message read "connection refused (connection refused (connect ECONNREFUSED …))".
 */
function networkVerdict(e: NodeJS.ErrnoException & { address?: string; port?: number }): { verdict: Verdict; reason: string } {
  switch (e.code) {
    case 'ECONNREFUSED': return { verdict: 'connect_refused', reason: e.address ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port} answered that nothing listens on that port` : 'nothing listens on that port' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED': return { verdict: 'connection_reset', reason: `the merchant closed the connection before answering, ${e.code}` };
    case 'ETIMEDOUT': return { verdict: 'timeout', reason: 'the connection timed out' };
    default: return { verdict: 'network_error', reason: e.message || String(e.code) };
  }
}

/** Connects only to the addresses target.ts checked, whatever the name would resolve to now. */
function pinnedLookup(pinned: ResolvedTarget['addresses']): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, pinned.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, pinned[0]!.address, pinned[0]!.family);
  };
}

export interface ConnectionLimits {
  /** Idle connections kept per target; more in use at once are closed when done. */
  readonly idlePerTarget: number;
  /** An idle connection is closed after this long (sooner when the merchant's Keep-Alive header says so). */
  readonly idleTimeoutMs: number;
  /** Targets with kept connections; past this the least recently used target's are closed. */
  readonly targets: number;
}

export const defaultConnectionLimits: ConnectionLimits = { idlePerTarget: 2, idleTimeoutMs: 5_000, targets: 64 };

interface TargetPool {
  readonly agent: HttpAgent;
  /** Attempts using the pool now: a pool pushed out of the cache is closed when the last one ends. */
  active: number;
  retired: boolean;
}

/**
 * Kept-alive connections to merchant servers. Attempts once each opened their
 * own, so that nothing from one attempt could reach the next; but the only
 * thing a kept connection carries is the open TCP (or TLS) connection itself:
 * no cookie or header is kept, and no TLS session is cached for new
 * connections (maxCachedSessions: 0). Every webhook sender keeps connections
 * alive, and a new one per notice cost more CPU than the rest of the delivery.
 *
 * One pool per checked target: protocol, host name, port and the addresses
 * target.ts pinned, so a kept connection can only ever be one made to
 * addresses that passed the check (another DNS answer is another target).
 * Idle connections are few (idlePerTarget), short-lived (idleTimeoutMs), and
 * kept for a bounded number of targets. The dispatcher's slots (per app and in
 * all) bound the connections in use, so a pool never queues a request: with a
 * limit of its own, an app whose requests hang would hold up another app's
 * notices to the same host.
 */
export class MerchantConnections {
  private readonly pools = new Map<string, TargetPool>();

  constructor(private readonly limits: ConnectionLimits = defaultConnectionLimits) {}

  /** The agent for this target; call release() once the attempt has ended. */
  acquire(target: ResolvedTarget): { readonly agent: HttpAgent; release(): void } {
    const key = `${target.url.protocol}//${target.url.hostname}:${target.port} ${target.addresses.map((a) => a.address).join(' ')}`;
    let pool = this.pools.get(key);
    if (pool) {
      // Moved to the end: the map's order is least recently used first.
      this.pools.delete(key);
    } else {
      const options = {
        keepAlive: true, maxFreeSockets: this.limits.idlePerTarget, timeout: this.limits.idleTimeoutMs, scheduling: 'lifo' as const,
        lookup: pinnedLookup(target.addresses),
      };
      pool = { agent: target.url.protocol === 'https:' ? new HttpsAgent({ ...options, maxCachedSessions: 0 }) : new HttpAgent(options), active: 0, retired: false };
    }
    this.pools.set(key, pool);
    for (const [k, old] of this.pools) {
      if (this.pools.size <= this.limits.targets) break;
      this.pools.delete(k);
      old.retired = true;
      if (old.active === 0) old.agent.destroy();
    }
    const p = pool;
    p.active++;
    let released = false;
    return {
      agent: p.agent,
      release: () => {
        if (released) return;
        released = true;
        p.active--;
        if (p.retired && p.active === 0) p.agent.destroy();
      },
    };
  }

  /** Closes every kept connection, idle or not; the dispatcher calls it when it stops. */
  close(): void {
    for (const p of this.pools.values()) {
      p.retired = true;
      p.agent.destroy();
    }
    this.pools.clear();
  }
}

/** Errors of a request written to a kept connection the merchant had already closed. */
const staleConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

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
  /** Kept-alive connections to use; without them, a connection of its own for this attempt. */
  readonly connections?: MerchantConnections;
}): Promise<AttemptOutcome> {
  const started = performance.now();
  const { url } = o.target;
  return new Promise<AttemptOutcome>((resolve) => {
    if (o.signal?.aborted) {
      // Stopped before the request was made: nothing was sent.
      resolve({ verdict: 'interrupted', reason: 'Paydesk stopped during this attempt; the notice is sent again with the same webhook-id', response: null, durationMs: 0 });
      return;
    }
    let settled = false;
    let response: RecordedResponse | null = null;
    const timers: NodeJS.Timeout[] = [];
    const pool = o.connections?.acquire(o.target);
    let req: ClientRequest;
    const finish = (verdict: Verdict, reason: string) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener('abort', onAbort);
      pool?.release();
      resolve({ verdict, reason, response, durationMs: Math.round((performance.now() - started) * 100) / 100 });
    };
    // An attempt that ends abnormally closes its connection: a half-read answer
    // or a request still being written must never go back to the pool.
    const fail = (verdict: Verdict, reason: string) => {
      finish(verdict, reason);
      req.destroy();
    };
    const onAbort = () => fail('interrupted', 'Paydesk stopped during this attempt; the notice is sent again with the same webhook-id');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => fail('timeout', `no complete answer within ${o.limits.responseTimeoutMs} ms`), o.limits.responseTimeoutMs));

    const send = (fresh: boolean) => {
      const r = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: o.target.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...o.headers },
        lookup: pinnedLookup(o.target.addresses),
        agent: fresh || !pool ? false : pool.agent,
      });
      req = r;
      // Whether anything came back on a reused connection: until then a reset means it was stale.
      let heard = false;
      r.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          const onData = () => {
            heard = true;
            socket.removeListener('data', onData);
          };
          socket.on('data', onData);
          return;
        }
        // Only a new connection can take long to connect; a reused one is already up.
        const t = setTimeout(() => fail('timeout', `could not connect within ${o.limits.connectTimeoutMs} ms`), o.limits.connectTimeoutMs);
        timers.push(t);
        socket.once('connect', () => clearTimeout(t));
      });
      // After fail() has settled the attempt, destroy() may still surface a "socket hang up" here: ignored by finish().
      r.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        if (!fresh && r.reusedSocket && !heard && staleConnectionCodes.has(e.code ?? '')) {
          // The merchant closed this kept connection while it sat idle, and the request
          // met the closed end: not an answer. Sent once more on a new connection, in
          // the same attempt (the pattern of Node's http docs, "request.reusedSocket").
          send(true);
          return;
        }
        const v = networkVerdict(e);
        finish(v.verdict, v.reason);
      });
      r.on('response', (res) => {
        heard = true;
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
          if (settled) return;
          record(true);
          fail('connection_reset', 'the merchant closed the connection in the middle of its answer');
        });
        res.on('error', () => {
          if (settled) return;
          record(true);
          fail('connection_reset', 'the merchant closed the connection in the middle of its answer');
        });
        // Read to the end (whatever the status): the connection may serve the next attempt.
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
      r.end(o.body);
    };
    send(pool === undefined);
  });
}
