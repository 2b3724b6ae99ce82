// The crash harness: a load of purchases, refunds and notice deliveries runs
// against `paydesk serve` (a child process) while the server is killed with
// SIGKILL at random moments and restarted on the same data folder. After every
// restart the load is held back and the money invariants are checked on the
// database files; at the end the outbox is left to drain and checked again.
//
// `npm run test:crash` runs it at full length (at least 50 kills);
// test/crash/crash.test.ts runs a short version inside `npm test`.
//
// The load generator remembers which calls were acknowledged (a 2xx reached
// it): only those are promises the server must keep. Every mutating call
// carries an Idempotency-Key and is retried with the same key until it gets
// an answer, across kills, as a careful client would. It calls through the
// typed client (contract/client.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomInt } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import * as oidc from 'openid-client';
import { createClient, isApiError, type CallArgs, type Client, type RouteName, type RouteResult } from '../../contract/client.ts';
import { Browser } from '../helpers/sign-in.ts';

const root = join(import.meta.dirname, '..', '..');

export interface CrashOptions {
  /** SIGKILLs to deliver. */
  readonly kills: number;
  /** The whole run stops by then, with a violation if it had to stop early. */
  readonly timeLimitMs: number;
  /** Concurrent clients. */
  readonly workers: number;
  /** Where ledger.db and vault.db live; kept after the run when given. */
  readonly dataDir?: string;
  /** A kill comes this long (ms, uniformly random) after the server is ready again. */
  readonly killAfterMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly kills: number;
  readonly checks: number;
  readonly acknowledged: { readonly purchases: number; readonly refunds: number; readonly deliveries: number };
  readonly violations: readonly string[];
  readonly elapsedMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the server under test --------------------------------------------------------

class ServerUnderTest {
  private child: ChildProcess | undefined;
  private upResolve: (() => void) | undefined;
  /** Resolves while the server is up; replaced by a pending one when it goes down. */
  up: Promise<void>;
  token = '';
  /**
   * Where the server listens since its last start: a port the OS picks each time. A port
   * kept across restarts is free while the server is down, and anything may take it then.
   */
  url = '';
  /** The server's `response check:` lines (it runs with --dev): an answer its contract refuses is a defect even when no invariant breaks. */
  readonly contractBreaks: string[] = [];

  constructor(readonly dataDir: string, private readonly log: (line: string) => void) {
    this.up = new Promise((r) => (this.upResolve = r));
  }

  /** Starts the server; the load stays held back until open(). */
  async start(): Promise<void> {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/cli.ts'), 'serve', '--port', '0', '--data-dir', this.dataDir,
      // One client without an Origin drives the public API far above a page's limits: lift them.
      // --dev: every answer is checked against the contract, as in the other tests.
      '--notice-time-scale', '0.00001', '--public-rate', '1000000', '--public-keys', '100000000', '--dev'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = proc;
    let output = '';
    let reported = 0;
    proc.stderr!.on('data', (c: Buffer) => {
      const text = c.toString();
      output += text;
      // A 500 is a defect even when no invariant breaks: show what the server said (a few per run).
      for (const m of text.matchAll(/internal error: [^\n]*(\n +at [^\n]*){0,6}/g)) if (reported++ < 3) this.log(`server: ${m[0]}`);
      for (const m of text.matchAll(/response check: [^\n]*/g)) this.contractBreaks.push(m[0]);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s: ${output}`)), 30_000);
      proc.stdout!.on('data', (c: Buffer) => {
        output += c.toString();
        const listening = /Paydesk listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
        if (listening) {
          this.url = listening[1]!;
          clearTimeout(timer);
          proc.stdout!.removeAllListeners('data');
          proc.stdout!.resume();
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) while starting: ${output}`));
      });
    });
    this.token = readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  /** Lets the load through. */
  open(): void {
    this.upResolve?.();
  }

  async kill(): Promise<void> {
    this.up = new Promise((r) => (this.upResolve = r));
    const proc = this.child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const proc = this.child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
    this.log('server stopped');
  }
}

// --- merchants ---------------------------------------------------------------------

interface Receipt {
  readonly webhookId: string;
  readonly jti: string;
  readonly type: string;
  readonly transactionID: string;
}

/** A merchant's notice endpoint: answers 200 + the transaction id, or (now and then) 500 to force a retry. */
class Merchant {
  readonly receipts: Receipt[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const jwt = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('notice') ?? '';
        const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { jti?: string; typ?: string; response?: { transactionID?: string } };
        const txn = claims.response?.transactionID ?? '';
        if (randomInt(10) === 0) {
          res.writeHead(500).end('try again');
          return;
        }
        this.receipts.push({ webhookId: header(req.headers, 'webhook-id'), jti: claims.jti ?? '', type: claims.typ ?? '', transactionID: txn });
        res.writeHead(200, { 'content-type': 'text/plain' }).end(txn);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

function header(h: IncomingHttpHeaders, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v ?? '';
}

// --- the client ------------------------------------------------------------------

/** What a call came to: the answer, or the server's refusal by its status and code. */
type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly code: string };

/**
 * The typed client of the server under test, wherever it listens since its last start. A call
 * that hangs 20 s counts as unanswered. Answers are not parsed again here: the server runs with
 * --dev and checks each one against the contract itself (its refusals are violations), and a
 * second parse cost the load about a fifth of its acknowledged purchases per run.
 */
function harnessClient(s: ServerUnderTest): Client {
  return createClient({
    baseUrl: async () => s.url, token: async () => s.token,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(20_000) }),
  });
}

/**
 * One call, retried with the same Idempotency-Key until the server answers it:
 * through kills (the connection dies, a network_error: wait until it is back) and
 * through 409 idempotency_in_progress. Returns the first real answer.
 */
async function call<N extends RouteName>(s: ServerUnderTest, client: Client, deadline: number, name: N, ...args: CallArgs<N>): Promise<Outcome<RouteResult<N>> | undefined> {
  for (;;) {
    if (Date.now() > deadline) return undefined;
    await s.up;
    try {
      return { ok: true, value: await client.call(name, ...args) };
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (e.code === 'network_error') await sleep(5);
      else if (e.code === 'idempotency_in_progress') await sleep(20);
      else return { ok: false, status: e.status, code: e.code };
    }
  }
}

// --- HS256 payment requests, the way a merchant server signs them ---------------------

function signRequest(appKey: string, secret: string, jti: string, productData: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: appKey, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat, exp: iat + 3600, jti,
    request: { id: 'pony-1', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', price: '1.99', currency: 'USD', productData },
  };
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

// --- what the clients were told -----------------------------------------------------------

interface Acked {
  /** purchase id -> transaction id, for every confirm that was answered 200 completed. */
  readonly purchases: Map<string, { transactionID: string; productData: string; refunded: number }>;
  /** refund id -> amount, for every refund answered 201. */
  readonly refunds: Map<string, { purchaseId: string; amount: number }>;
  /** Refunds answered 201, per Idempotency-Key: a key may stand for one refund only. */
  readonly refundKeys: Map<string, string>;
}

// --- the checks -------------------------------------------------------------------------

function checkFiles(dataDir: string, acked: Acked, merchants: readonly Merchant[], final: boolean): string[] {
  const v: string[] = [];
  const ledger = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  const vault = new Database(join(dataDir, 'vault.db'), { readonly: true });
  try {
    for (const [name, db] of [['ledger.db', ledger], ['vault.db', vault]] as const) {
      const r = db.pragma('integrity_check', { simple: true });
      if (r !== 'ok') v.push(`${name}: PRAGMA integrity_check says ${String(r)}`);
    }
    // One snapshot of each file; with the load held back and recover() done, the two agree.
    ledger.exec('BEGIN');
    vault.exec('BEGIN');
    const purchases = new Map((ledger.prepare('SELECT id, status, transaction_id, product_data, app_key, amount, refunded_amount FROM purchases').all() as
      { id: string; status: string; transaction_id: string | null; product_data: string; app_key: string; amount: number; refunded_amount: number }[]).map((p) => [p.id, p]));

    // 1. Every acknowledged purchase exists exactly once, completed, with the transaction id the client was given.
    const perOrder = new Map<string, number>();
    for (const p of purchases.values()) perOrder.set(p.product_data, (perOrder.get(p.product_data) ?? 0) + 1);
    for (const [order, n] of perOrder) if (n > 1 && order.startsWith('crash-')) v.push(`order ${order} was made into ${n} purchases`);
    for (const [id, a] of acked.purchases) {
      const p = purchases.get(id);
      if (!p) v.push(`acknowledged purchase ${id} is missing`);
      else if (p.status !== 'completed' || p.transaction_id !== a.transactionID) v.push(`acknowledged purchase ${id} is ${p.status} with ${p.transaction_id}, the client was told completed with ${a.transactionID}`);
      else if (perOrder.get(a.productData) !== 1) v.push(`acknowledged purchase ${id} exists ${perOrder.get(a.productData)} times`);
    }

    // 2. No idempotency key charged twice: one vault charge per purchase, one ledger charge per purchase,
    //    every successful charge belongs to a completed purchase, every refund key to one refund.
    const charges = vault.prepare("SELECT idempotency_key AS key, amount, refunded, outcome FROM charges").all() as { key: string; amount: number; refunded: number; outcome: string }[];
    const chargesPer = new Map<string, number>();
    for (const c of charges) chargesPer.set(c.key, (chargesPer.get(c.key) ?? 0) + 1);
    for (const [key, n] of chargesPer) if (n > 1) v.push(`purchase ${key} was charged ${n} times`);
    for (const r of ledger.prepare("SELECT purchase_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'charge' GROUP BY purchase_id HAVING n > 1").all() as { purchase_id: string; n: number }[]) {
      v.push(`purchase ${r.purchase_id} has ${r.n} charge entries in the ledger`);
    }
    for (const c of charges) {
      if (c.outcome !== 'success') continue;
      const p = purchases.get(c.key);
      if (!p || p.status !== 'completed') v.push(`the card was charged for ${c.key}, which is ${p?.status ?? 'missing'} (recovery should have completed it)`);
    }
    const refundRows = new Map((ledger.prepare('SELECT id, purchase_id, amount, status, reason FROM refunds').all() as
      { id: string; purchase_id: string; amount: number; status: string; reason: string | null }[]).map((r) => [r.id, r]));
    const perKey = new Map<string, number>();
    for (const r of refundRows.values()) if (r.status !== 'failed' && r.reason) perKey.set(r.reason, (perKey.get(r.reason) ?? 0) + 1);
    for (const [key, n] of perKey) if (n > 1) v.push(`Idempotency-Key ${key} refunded ${n} times`);
    for (const [id, a] of acked.refunds) {
      const r = refundRows.get(id);
      if (!r || r.status !== 'completed' || r.amount !== a.amount) v.push(`acknowledged refund ${id} is ${r ? `${r.status} of ${r.amount}` : 'missing'}`);
    }
    const seenRefund = new Map<string, string>();
    for (const [key, id] of acked.refundKeys) {
      const other = seenRefund.get(id);
      if (other) v.push(`refund ${id} was answered to two keys (${other}, ${key})`);
      seenRefund.set(id, key);
    }
    for (const p of purchases.values()) {
      const completedRefunds = [...refundRows.values()].filter((r) => r.purchase_id === p.id && r.status === 'completed').reduce((s, r) => s + r.amount, 0);
      if (completedRefunds !== p.refunded_amount) v.push(`purchase ${p.id}: refunded_amount ${p.refunded_amount} but completed refunds add up to ${completedRefunds}`);
      if (p.refunded_amount > p.amount) v.push(`purchase ${p.id}: refunded ${p.refunded_amount} of ${p.amount}`);
      const acks = [...acked.refunds.values()].filter((r) => r.purchaseId === p.id).reduce((s, r) => s + r.amount, 0);
      if (acks > p.refunded_amount) v.push(`purchase ${p.id}: clients were told of ${acks} refunded, the ledger says ${p.refunded_amount}`);
    }

    // 3. Charges minus refunds per app (the processor's record) equal the ledger's balance per app.
    const processor = new Map<string, number>();
    for (const c of charges) {
      if (c.outcome !== 'success') continue;
      const app = purchases.get(c.key)?.app_key ?? '(no purchase)';
      processor.set(app, (processor.get(app) ?? 0) + c.amount - c.refunded);
    }
    const books = new Map((ledger.prepare('SELECT app_key, SUM(amount) AS s FROM ledger_entries GROUP BY app_key').all() as { app_key: string; s: number }[]).map((r) => [r.app_key, r.s]));
    for (const app of new Set([...processor.keys(), ...books.keys()])) {
      if ((processor.get(app) ?? 0) !== (books.get(app) ?? 0)) v.push(`app ${app}: charges minus refunds are ${processor.get(app) ?? 0}, the ledger says ${books.get(app) ?? 0}`);
    }

    // 4. Every completed purchase has its postback delivered or pending (one, not two).
    const notices = ledger.prepare("SELECT id, purchase_id, type, status, json_extract(payload_json, '$.response.transactionID') AS txn FROM notices").all() as
      { id: string; purchase_id: string; type: string; status: string; txn: string }[];
    const postbacks = new Map<string, { id: string; status: string }[]>();
    for (const n of notices) if (n.type === 'postback') postbacks.set(n.purchase_id, [...(postbacks.get(n.purchase_id) ?? []), n]);
    for (const p of purchases.values()) {
      if (p.status !== 'completed') continue;
      const list = postbacks.get(p.id) ?? [];
      if (list.length !== 1) v.push(`completed purchase ${p.id} has ${list.length} postbacks`);
      else if (final ? list[0]!.status !== 'delivered' : !['delivered', 'pending'].includes(list[0]!.status)) v.push(`the postback of ${p.id} is ${list[0]!.status}`);
    }

    // 5. Every delivery carried its notice's id as webhook-id (and as the JWT's jti), for a notice that exists,
    //    and every notice recorded as delivered reached its merchant.
    const byId = new Map(notices.map((n) => [n.id, n]));
    const received = new Set<string>();
    for (const m of merchants) {
      for (const r of m.receipts) {
        received.add(r.webhookId);
        const n = byId.get(r.webhookId);
        if (!n) v.push(`a merchant received webhook-id ${r.webhookId}, which is no notice`);
        else if (r.jti !== r.webhookId || r.transactionID !== n.txn) v.push(`notice ${n.id} arrived with webhook-id ${r.webhookId}, jti ${r.jti}, transaction ${r.transactionID}`);
      }
    }
    for (const n of notices) if (n.status === 'delivered' && !received.has(n.id)) v.push(`notice ${n.id} is recorded delivered but its merchant never received it`);
  } finally {
    ledger.close();
    vault.close();
  }
  return v;
}

// --- the run --------------------------------------------------------------------------

export async function runCrashHarness(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const t0 = Date.now();
  const deadline = t0 + opts.timeLimitMs;
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'paydesk-crash-'));
  const [killMin, killMax] = opts.killAfterMs ?? [50, 700];
  const merchants = await Promise.all([new Merchant().start(), new Merchant().start()]);
  const server = new ServerUnderTest(dataDir, log);
  const client = harnessClient(server);
  const acked: Acked = { purchases: new Map(), refunds: new Map(), refundKeys: new Map() };
  const violations: string[] = [];
  let kills = 0;
  let checks = 0;
  /** Answers that were not a success, by code: expected after kills (a purchase a restart completed), and shown in the progress lines. */
  const refused = new Map<string, number>();
  const note = (r: Outcome<unknown> | undefined) => {
    const code = r === undefined ? 'no answer' : r.ok ? 'answered, not completed' : `${r.status} ${r.code}`;
    refused.set(code, (refused.get(code) ?? 0) + 1);
  };
  let stopping = false;
  /** Access tokens a sign-in got to the client: each must stay valid across every kill. */
  const signedIn: string[] = [];
  /** The acknowledged tokens that no longer verify (POST /v1/verify), as violations. */
  const lostSignIns = async (): Promise<string[]> => {
    const lost: string[] = [];
    for (const token of signedIn) {
      const r = await fetch(`${server.url}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      if (r.status !== 200) lost.push(`an acknowledged sign-in's access token no longer verifies (HTTP ${r.status})`);
      await r.body?.cancel();
    }
    return lost;
  };
  try {
    await server.start();
    server.open();
    const setupDeadline = Date.now() + 30_000;
    const must = async <N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResult<N>> => {
      const r = await call(server, client, setupDeadline, name, ...args);
      if (!r || !r.ok) throw new Error(`setup ${name}: ${r ? `HTTP ${r.status} ${r.code}` : 'no answer'}`);
      return r.value;
    };
    const apps = await Promise.all(merchants.map((m, i) => must('createApp', {
      body: { name: `Crash Shop ${i}`, homepage: 'http://127.0.0.1:9/', contactEmail: 'crash@example.com', postbackURL: `${m.url}/postback`, chargebackURL: `${m.url}/chargeback` },
      idempotencyKey: `setup-app-${i}`,
    })));
    const redirectURI = 'http://127.0.0.1:9/callback';
    await must('setOAuthClient', { params: { key: apps[0]!.app.key }, body: { type: 'public', redirectURIs: [redirectURI], allowedScopes: ['openid', 'profile', 'payments'] }, idempotencyKey: 'setup-oauth' });
    const buyer = await must('createBuyer', { body: { email: 'crash@example.com', name: 'Crash Buyer' }, idempotencyKey: 'setup-buyer' });
    await must('signIn', { body: { buyerId: buyer.id }, idempotencyKey: 'setup-session' });
    await must('setPin', { params: { id: buyer.id }, body: { pin: '2468', unlockWindowSeconds: 300 }, idempotencyKey: 'setup-pin' });
    const cards: string[] = [];
    for (let i = 0; i < opts.workers; i++) {
      cards.push((await must('addPaymentMethod', {
        params: { id: buyer.id },
        body: {
          card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' },
          limits: { perPurchase: 100_000, perMonth: 1_000_000_000 },
        },
        idempotencyKey: `setup-card-${i}`,
      })).id);
    }

    // The first purchase is confirmed with the PIN, which opens the unlock window the rest confirm in.
    const first = await must('pay', { body: { jwts: [signRequest(apps[0]!.app.key, apps[0]!.secret.secret, 'jti-setup', 'setup')] }, idempotencyKey: 'setup-pay' });
    await must('confirmPurchase', { params: { id: first.id }, body: { pin: '2468', paymentMethodId: cards[0] }, idempotencyKey: 'setup-confirm' });
    // Should the window close, one PIN confirmation at a time: PINs sent in parallel count as guesses.
    let pinTurn: Promise<unknown> = Promise.resolve();
    /** Resolves at the next acknowledged purchase. */
    let acknowledged: () => void = () => {};
    const nextAcknowledged = () => new Promise<void>((resolve) => (acknowledged = resolve));

    let op = 0;
    const purchase = async (w: number) => {
      const n = ++op;
      const app = apps[n % apps.length]!;
      const order = `crash-${n}`;
      const created = await call(server, client, deadline, 'pay', { body: { jwts: [signRequest(app.app.key, app.secret.secret, `jti-${n}`, order)] }, idempotencyKey: `pay-${n}` });
      // Not acknowledged (a kill ate the answer and the replay found the jti used): the pending purchase just expires.
      if (!created?.ok) {
        note(created);
        return;
      }
      const purchaseId = created.value.id;
      let pin: string | undefined;
      for (let tries = 0; tries < 2; tries++) {
        const key = `confirm-${n}${pin ? '-pin' : ''}`;
        const send = () => call(server, client, deadline, 'confirmPurchase', { params: { id: purchaseId }, body: { paymentMethodId: cards[w], ...(pin ? { pin } : {}) }, idempotencyKey: key });
        const confirmed = pin ? await (pinTurn = pinTurn.then(send, send)) as Awaited<ReturnType<typeof send>> : await send();
        if (!confirmed) return;
        if (!confirmed.ok && confirmed.code === 'pin_required') {
          pin = '2468';
          continue;
        }
        if (confirmed.ok && confirmed.value.status === 'completed' && confirmed.value.transactionID !== null) {
          acked.purchases.set(purchaseId, { transactionID: confirmed.value.transactionID, productData: order, refunded: 0 });
          acknowledged();
        } else note(confirmed);
        return;
      }
    };
    const refund = async () => {
      const candidates = [...acked.purchases.entries()].filter(([, a]) => a.refunded + 50 <= 199);
      if (candidates.length === 0) return;
      const [id, a] = candidates[randomInt(candidates.length)]!;
      const key = `refund-${++op}`;
      a.refunded += 50;
      // The key is also the reason, so the check can tell which refunds one key made.
      const r = await call(server, client, deadline, 'refundTransaction', { params: { id }, body: { amount: 50, reason: key }, idempotencyKey: key });
      if (r?.ok) {
        acked.refunds.set(r.value.id, { purchaseId: id, amount: 50 });
        acked.refundKeys.set(key, r.value.id);
      } else note(r);
    };
    /**
     * A whole sign-in (issue 12): the page, the wallet's approval, the code exchanged by
     * openid-client from discovery. A kill anywhere in it just abandons it (the browser's
     * part is not retried, as a buyer would start again); an access token that reached
     * the client is a promise: it must still verify after every restart.
     */
    const signInOnce = async () => {
      await server.up;
      try {
        const config = await oidc.discovery(new URL(server.url), apps[0]!.app.key, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectURI, scope: 'openid profile', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
        const browser = new Browser();
        const page = await browser.walk(url.href, redirectURI);
        const code = /id="code">([A-Z0-9-]+)</.exec(await page.res!.text())?.[1];
        const pending = await client.call('listAuthorizations', { query: { status: 'pending' } });
        const mine = pending.items.find((a) => a.code === code);
        if (!mine) {
          note({ ok: false, status: page.res?.status ?? 0, code: 'sign-in page without a pending sign-in' });
          return;
        }
        await client.call('approveAuthorization', { params: { id: mine.id }, body: {}, idempotencyKey: `approve-${mine.id}` });
        const back = await browser.walk(page.url, redirectURI);
        const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
        signedIn.push(tokens.access_token);
      } catch (e) {
        // Killed mid-way (a refused connection, a page of the old server): this sign-in is abandoned.
        note({ ok: false, status: 0, code: `sign-in abandoned (${e instanceof Error ? e.message.slice(0, 60) : 'error'})` });
      }
    };
    const worker = async (w: number) => {
      while (!stopping && Date.now() < deadline) {
        try {
          if (randomInt(5) === 0) await refund();
          else if (randomInt(6) === 0) await signInOnce();
          else await purchase(w);
        } catch (e) {
          violations.push(`client error: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w)));

    while (kills < opts.kills && Date.now() < deadline) {
      // First some progress (a purchase acknowledged since the restart), then a random moment:
      // the kill still lands anywhere in the work in flight, but a slow machine no longer
      // gets killed again and again before it has finished anything.
      let giveUp: NodeJS.Timeout | undefined;
      await Promise.race([nextAcknowledged(), new Promise((resolve) => (giveUp = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(giveUp);
      await sleep(killMin + randomInt(Math.max(1, killMax - killMin)));
      await server.kill();
      kills++;
      await server.start();
      // recover() has run; the load is still held back, so both files are at rest for the check.
      const found = checkFiles(dataDir, acked, merchants, false);
      checks++;
      for (const f of found) violations.push(`after kill ${kills}: ${f}`);
      // The sign-ins too, before the load resumes: checked while it runs, every token checked
      // would let more purchases in before the next kill, and each check would take longer.
      for (const f of await lostSignIns()) violations.push(`after kill ${kills}: ${f}`);
      log(`kill ${kills}/${opts.kills}: ${acked.purchases.size} purchases and ${acked.refunds.size} refunds acknowledged so far; ${found.length === 0 ? 'all invariants hold' : `${found.length} VIOLATION(S)`}${refused.size ? `; refused: ${[...refused].map(([c, n]) => `${c} x${n}`).join(', ')}` : ''}`);
      server.open();
      if (violations.length > 0) break;
    }
    stopping = true;
    await load;
    if (kills < opts.kills) violations.push(`only ${kills} of ${opts.kills} kills fit in ${opts.timeLimitMs} ms`);
    // A run in which nothing was acknowledged proves nothing.
    if (acked.purchases.size === 0) violations.push(`no purchase was acknowledged (refused: ${JSON.stringify([...refused])})`);
    for (const f of await lostSignIns()) violations.push(`at the end: ${f}`);
    log(`sign-ins: ${signedIn.length} acknowledged, checked after every kill and at the end`);
    // A pay's answer is stored with the purchase it created: a retry after a lost reply is
    // answered with it, never refused as a reused request.
    const replayedJti = refused.get('409 request_jti_replayed') ?? 0;
    if (replayedJti > 0) violations.push(`${replayedJti} retried pay call(s) refused as request_jti_replayed instead of answered with their first answer`);
    violations.push(...new Set(server.contractBreaks));

    // Let the outbox drain, then every completed purchase's postback must have arrived.
    const drainUntil = Date.now() + 20_000;
    for (;;) {
      const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
      const pending = (db.prepare("SELECT COUNT(*) AS n FROM notices WHERE status = 'pending'").get() as { n: number }).n;
      db.close();
      if (pending === 0 || Date.now() > drainUntil) break;
      await sleep(100);
    }
    await server.stop();
    const found = checkFiles(dataDir, acked, merchants, true);
    checks++;
    for (const f of found) violations.push(`at the end: ${f}`);
    const deliveries = merchants.reduce((s, m) => s + m.receipts.length, 0);
    log(`done: ${kills} kills, ${acked.purchases.size} purchases, ${acked.refunds.size} refunds acknowledged, ${deliveries} notices received; ${violations.length === 0 ? 'every invariant held' : `${violations.length} violation(s)`}`);
    return { kills, checks, acknowledged: { purchases: acked.purchases.size, refunds: acked.refunds.size, deliveries }, violations, elapsedMs: Date.now() - t0 };
  } finally {
    stopping = true;
    await server.stop().catch(() => {});
    for (const m of merchants) await m.close();
    if (ownDir && violations.length === 0) rmSync(dataDir, { recursive: true, force: true });
    else if (violations.length > 0) log(`data folder kept for inspection: ${dataDir}`);
  }
}

// `npm run test:crash`: the full run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kills = Number(process.env.PAYDESK_CRASH_KILLS ?? 50);
  const report = await runCrashHarness({ kills, timeLimitMs: Number(process.env.PAYDESK_CRASH_TIME_LIMIT_MS ?? 10 * 60_000), workers: 8 });
  for (const v of report.violations) console.error(`VIOLATION ${v}`);
  console.log(`${report.kills} SIGKILLs in ${(report.elapsedMs / 1000).toFixed(0)} s, ${report.checks} checks, ${report.acknowledged.purchases} purchases, ${report.acknowledged.refunds} refunds, ${report.acknowledged.deliveries} deliveries: ${report.violations.length === 0 ? 'PASS' : 'FAIL'}`);
  process.exit(report.violations.length === 0 ? 0 : 1);
}
