// The load generator's parts, shared by the end-to-end benchmarks: a Paydesk
// server as its own process (so its CPU is its own), the typed client as the
// bench uses it, merchant request signing, a cheap postback receiver, and CPU accounting.
// Everything is loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, request, Agent, type Server } from 'node:http';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createClient, isApiError, type Client } from '../contract/client.ts';

export const root = join(import.meta.dirname, '..');

export interface ChildServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly proc: ChildProcess;
  /** Milliseconds from spawn until the server printed its address. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point (`server/cli.ts serve …` or the reference) and waits for "listening on <url>". */
export function spawnListening(script: string, args: readonly string[], options: { root?: string; env?: Record<string, string> } = {}): Promise<ChildServer> {
  const t0 = performance.now();
  const from = options.root ?? root;
  // PAYDESK_BENCH_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.PAYDESK_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(from, script), ...args], {
    cwd: from, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        proc.stdout!.removeAllListeners('data');
        proc.stdout!.resume();
        resolve({
          url: m[1]!, port: Number(m[2]), pid: proc.pid!, proc, readyMs: performance.now() - t0,
          stop: async () => {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            const exited = once(proc, 'exit');
            proc.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

/**
 * `paydesk serve` as a child. PAYDESK_BENCH_SERVER_ROOT runs the server of another
 * checkout (e.g. a `git worktree` of an older commit) under the same load, for
 * before/after figures.
 */
export function spawnPaydesk(dataDir: string, extraArgs: readonly string[] = []): Promise<ChildServer> {
  const other = process.env.PAYDESK_BENCH_SERVER_ROOT;
  // The load comes from one client without an Origin, far above what a page may ask of the public
  // API: lift its per-origin limits (an older checkout has none, and no flags for them).
  // The flags live in cli/serve.ts since the command moved to cli/; an older checkout has them in server/cli.ts.
  const cli = ['cli/serve.ts', 'server/cli.ts'].map((f) => join(other ?? root, f)).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
  const unlimited = cli.includes('--public-rate') ? ['--public-rate', '1000000', '--public-keys', '100000000'] : [];
  return spawnListening('server/cli.ts', ['serve', '--port', '0', '--data-dir', dataDir, ...unlimited, ...extraArgs], other ? { root: other } : {});
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), here at 11 and 12; in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function rssMbOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The part of an answer the typed client and postJson read: no Headers, no body stream. */
interface Answer {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
}

/**
 * The typed client's transport over node:http with a pool of kept-alive connections (one per
 * concurrent caller, as a browser or a merchant server keeps), for Paydesk and the bare servers
 * alike. Node's own fetch (undici) costs the load generator far more per call: measured with
 * `bench/run.ts purchases --quick --buyers=16`, 0.53 cores against 0.25 at the Paydesk points and
 * the HTTP floor down from ~1150 to ~260 purchases/s, CPU that on a shared machine comes off the
 * server's figures. It carries what createClient sends: a method, a header record, a string body.
 */
export class KeepAlive {
  private readonly agent: Agent;

  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  readonly fetch = (url: string, init: RequestInit): Promise<Answer> => {
    const u = new URL(url);
    const { body, headers } = init;
    if ((body !== undefined && body !== null && typeof body !== 'string') || headers instanceof Headers || Array.isArray(headers)) {
      throw new TypeError('KeepAlive.fetch sends a header record and a string body only');
    }
    return new Promise((resolve, reject) => {
      const req = request({
        host: u.hostname, port: u.port, method: init.method ?? 'GET', path: u.pathname + u.search, agent: this.agent,
        headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '', text: () => Promise.resolve(text) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  };

  /** One JSON POST to a bare server (not Paydesk's API). */
  async postJson<T>(url: string, body: unknown): Promise<T> {
    const res = await this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The typed client (contract/client.ts) as the bench uses it, over `transport`. Answers are
 * not checked against their schemas: the bench measures the server, and a parse per call
 * would add the load generator's cost to every figure.
 */
export function benchClient(baseUrl: string, transport: KeepAlive, token: string | null = null): Client {
  return createClient({ baseUrl, token, fetch: transport.fetch });
}

/** HS256 the way a merchant server signs a payment request; node:crypto, so the load generator spends little on it. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

let jtiCounter = 0;

export function payRequest(appKey: string, secret: string, productData: string, request: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  return signHs256({
    iss: appKey, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat, exp: iat + 600, jti: `bench-${process.pid}-${++jtiCounter}`,
    request: { id: 'pony-1', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', price: '1.99', currency: 'USD', productData, ...request },
  }, secret);
}

export interface Delivery {
  readonly webhookId: string;
  readonly transactionID: string;
  /** Wall clock (ms, fractional) when the whole request had arrived. */
  readonly at: number;
}

/**
 * A merchant's postback endpoint that answers like a good one (200 and the
 * transaction id) at the least cost: it reads the JWT's payload without
 * verifying it (the SDK's verifier is measured by the sdk tests, not here).
 */
export class Receiver {
  readonly deliveries = new Map<string, Delivery>();
  private readonly waiting = new Map<string, (d: Delivery) => void>();
  private readonly byTxn = new Map<string, Delivery>();
  private server: Server | undefined;
  url = '';
  /** When set, requests are read and never answered (a merchant that hangs). */
  hang = false;

  async start(): Promise<this> {
    this.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.timeOrigin + performance.now();
        if (this.hang) return;
        const body = Buffer.concat(chunks).toString('utf8');
        const jwt = decodeURIComponent(body.slice(body.indexOf('=') + 1));
        const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { response?: { transactionID?: string } };
        const transactionID = claims.response?.transactionID ?? '';
        const webhookId = String(req.headers['webhook-id'] ?? '');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(transactionID);
        const d: Delivery = { webhookId, transactionID, at };
        if (!this.deliveries.has(webhookId)) this.deliveries.set(webhookId, d);
        const w = this.waiting.get(transactionID);
        if (w) {
          this.waiting.delete(transactionID);
          w(d);
        } else this.byTxn.set(transactionID, d);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves when the postback carrying this transaction id has been answered (at once if it came first). */
  postbackFor(transactionID: string): Promise<Delivery> {
    const d = this.byTxn.get(transactionID);
    if (d) {
      this.byTxn.delete(transactionID);
      return Promise.resolve(d);
    }
    return new Promise((resolve) => this.waiting.set(transactionID, resolve));
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Runs `workers` loops of `step` until the deadline; each finished step's latency (ms) is recorded. */
export async function runLoad(workers: number, durationMs: number, step: (worker: number) => Promise<void>): Promise<{ latencies: number[]; errors: number; elapsedMs: number; firstError?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (performance.now() < end) {
      const s = performance.now();
      try {
        await step(w);
        latencies.push(performance.now() - s);
      } catch (e) {
        errors++;
        firstError ??= isApiError(e) ? `${e.status} ${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
      }
    }
  }));
  return { latencies, errors, elapsedMs: performance.now() - t0, ...(firstError ? { firstError } : {}) };
}

/** A postback body the Receiver reads (a JWT-shaped `notice=` carrying the transaction id), for the bare servers. */
export function bareNotice(transactionID: string): string {
  return `notice=x.${Buffer.from(JSON.stringify({ response: { transactionID } })).toString('base64url')}.x`;
}

/** The bare servers' postback: one POST on a kept-alive connection, its answer drained. */
export function postBareNotice(agent: Agent, to: URL, notice: string, webhookId: string): void {
  const post = request({ host: to.hostname, port: to.port, path: to.pathname, method: 'POST', agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(notice.length), 'webhook-id': webhookId } }, (r) => r.resume());
  post.on('error', () => {});
  post.end(notice);
}

/** Listens on a free loopback port, prints "<name> listening on <url>" for spawnListening(), and stops on SIGTERM. */
export function serveBare(server: Server, name: string, onStop: () => void = () => {}): void {
  server.listen(0, '127.0.0.1', () => console.log(`${name} listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    onStop();
    process.exit(0);
  });
}
