// End-to-end purchases: create through /v1/pay, confirm through the console API
// (the buyer inside an unlock window), durable commit, postback delivered to a
// local receiver and acknowledged; with 1, 16 and 64 concurrent buyers. In the
// same run the bare reference (bench/reference-server.ts) does the same durable
// work, and our throughput is printed as a ratio of it.
//
// The server runs as its own process, so the CPU it uses is its own; the load
// generator (this process: clients and the receiver) shares the same cores, and
// its CPU is reported so the reader can judge.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepAlive, Receiver, benchClient, cpuSecondsOf, payRequest, runLoad, selfCpuSeconds, signHs256, spawnListening, spawnPaydesk, type ChildServer } from './load.ts';
import { summarize, type Row } from './report.ts';

export interface PointResult {
  readonly buyers: number;
  readonly purchases: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Cores used over the point: 1.0 is one core busy all the time. */
  readonly serverCores: number;
  readonly loadCores: number;
  readonly firstError?: string;
}

export interface PurchaseBenchOptions {
  readonly pointMs: number;
  readonly warmupMs: number;
  readonly buyers: readonly number[];
  readonly progress: (m: string) => void;
}

async function measure(server: ChildServer, buyers: number, opts: PurchaseBenchOptions, step: (w: number) => Promise<void>): Promise<PointResult> {
  await runLoad(buyers, opts.warmupMs, step);
  const cpu0 = cpuSecondsOf(server.pid);
  const self0 = selfCpuSeconds();
  const r = await runLoad(buyers, opts.pointMs, step);
  const seconds = r.elapsedMs / 1000;
  const s = summarize(r.latencies);
  return {
    buyers, purchases: r.latencies.length, perSecond: r.latencies.length / seconds, p50: s.p50, p99: s.p99, errors: r.errors,
    serverCores: (cpuSecondsOf(server.pid) - cpu0) / seconds, loadCores: (selfCpuSeconds() - self0) / seconds,
    ...(r.firstError ? { firstError: r.firstError } : {}),
  };
}

async function paydeskPoints(opts: PurchaseBenchOptions, receiver: Receiver): Promise<PointResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paydesk-bench-purchases-'));
  const server = await spawnPaydesk(dataDir);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const transport = new KeepAlive(Math.max(...opts.buyers) + 4);
  const client = benchClient(server.url, transport, token);
  try {
    const app = await client.call('createApp', {
      body: {
        name: 'Bench Shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'bench@example.com',
        postbackURL: `${receiver.url}/postback`, chargebackURL: `${receiver.url}/chargeback`,
      },
    });
    const buyer = await client.call('createBuyer', { body: { email: 'bench@example.com', name: 'Bench Buyer' } });
    await client.call('signIn', { body: { buyerId: buyer.id } });
    await client.call('setPin', { params: { id: buyer.id }, body: { pin: '2468', unlockWindowSeconds: 300 } });
    const addCard = async () => (await client.call('addPaymentMethod', {
      params: { id: buyer.id },
      body: {
        card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' },
        limits: { perPurchase: 100_000, perMonth: 1_000_000_000 },
      },
    })).id;

    let n = 0;
    const results: PointResult[] = [];
    for (const buyers of opts.buyers) {
      // A card per concurrent buyer, new for each point: the monthly-limit check sums a
      // card's spend this month, and one card carrying every benchmark purchase would
      // measure that sum instead of the purchase (see docs/PERFORMANCE.md).
      const cards = await Promise.all(Array.from({ length: buyers }, addCard));
      // The first purchase with the PIN opens the unlock window; the rest confirm inside it.
      const first = await client.call('pay', { body: { jwts: [payRequest(app.app.key, app.secret.secret, 'unlock')] } });
      await client.call('confirmPurchase', { params: { id: first.id }, body: { pin: '2468', paymentMethodId: cards[0] } });
      // A refusal throws (ApiError with its code), and runLoad counts it as an error.
      const step = async (w: number) => {
        const order = `order-${++n}`;
        const created = await client.call('pay', { body: { jwts: [payRequest(app.app.key, app.secret.secret, order)] }, idempotencyKey: `pay-${order}` });
        const confirmed = await client.call('confirmPurchase', { params: { id: created.id }, body: { paymentMethodId: cards[w] }, idempotencyKey: `confirm-${created.id}` });
        if (confirmed.status !== 'completed' || confirmed.transactionID === null) throw new Error(`confirm: ${confirmed.status}`);
        await receiver.postbackFor(confirmed.transactionID);
      };
      opts.progress(`purchases: Paydesk, ${buyers} buyer(s)...`);
      results.push(await measure(server, buyers, opts, step));
    }
    return results;
  } finally {
    transport.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Every point against one of the bare servers (the reference, the floor): `stepFor(url, transport)` makes one purchase from the server at `url`. */
async function barePoints(opts: PurchaseBenchOptions, label: string, script: string, args: readonly string[],
  stepFor: (url: string, transport: KeepAlive) => () => Promise<void>): Promise<PointResult[]> {
  const server = await spawnListening(script, args);
  const transport = new KeepAlive(Math.max(...opts.buyers) + 4);
  const step = stepFor(server.url, transport);
  try {
    const results: PointResult[] = [];
    for (const buyers of opts.buyers) {
      opts.progress(`purchases: ${label}, ${buyers} buyer(s)...`);
      results.push(await measure(server, buyers, opts, step));
    }
    return results;
  } finally {
    transport.close();
    await server.stop();
  }
}

async function referencePoints(opts: PurchaseBenchOptions, receiver: Receiver): Promise<PointResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paydesk-bench-reference-'));
  const secret = 'reference-secret-'.padEnd(43, 'x');
  let n = 0;
  try {
    return await barePoints(opts, 'reference', 'bench/reference-server.ts', ['--data-dir', dataDir, '--secret', secret, '--postback', `${receiver.url}/postback`], (url, transport) => async () => {
      const iat = Math.floor(Date.now() / 1000);
      const jwt = signHs256({ iss: 'app_ref', aud: 'paydesk', iat, exp: iat + 600, jti: `ref-${++n}`, request: { id: 'pony-1', price: '1.99', currency: 'USD', productData: `order-${n}` } }, secret);
      const r = await transport.postJson<{ transactionID: string }>(`${url}/buy`, { jwt });
      await receiver.postbackFor(r.transactionID);
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The same client steps against bench/floor-server.ts: three HTTP exchanges and nothing else.
 * The floor answers Paydesk's paths with only the fields read here, which the bench's unchecked client takes as they come.
 */
function floorPoints(opts: PurchaseBenchOptions, receiver: Receiver): Promise<PointResult[]> {
  return barePoints(opts, 'HTTP floor', 'bench/floor-server.ts', ['--postback', `${receiver.url}/postback`], (url, transport) => {
    const client = benchClient(url, transport);
    return async () => {
      const created = await client.call('pay', { body: { jwts: ['x'] } });
      const confirmed = await client.call('confirmPurchase', { params: { id: created.id }, body: {} });
      await receiver.postbackFor(confirmed.transactionID ?? '');
    };
  });
}

export async function benchPurchases(opts: PurchaseBenchOptions): Promise<{ rows: Row[]; paydesk: PointResult[]; reference: PointResult[]; floor: PointResult[] }> {
  const receiver = await new Receiver().start();
  try {
    const floor = await floorPoints(opts, receiver);
    const reference = await referencePoints(opts, receiver);
    const paydesk = await paydeskPoints(opts, receiver);
    const rows: Row[] = [];
    for (let i = 0; i < opts.buyers.length; i++) {
      const ours = paydesk[i]!;
      const ref = reference[i]!;
      const bare = floor[i]!;
      // Issue 16's goals: at least 0.7 of the reference at 16 and 64 buyers, 0.5 at one.
      const ratioGoal = ours.buyers >= 16 ? 0.7 : 0.5;
      const cpu = `server ${ours.serverCores.toFixed(2)} cores, load generator ${ours.loadCores.toFixed(2)}`;
      rows.push({ name: `${ours.buyers} buyer(s): HTTP floor`, value: Math.round(bare.perSecond), unit: 'purch/s',
        note: `p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms; server ${bare.serverCores.toFixed(2)} cores, load generator ${bare.loadCores.toFixed(2)}` });
      rows.push({ name: `${ours.buyers} buyer(s): reference`, value: Math.round(ref.perSecond), unit: 'purch/s',
        note: `p50 ${ref.p50.toFixed(1)} ms, p99 ${ref.p99.toFixed(1)} ms; server ${ref.serverCores.toFixed(2)} cores, load generator ${ref.loadCores.toFixed(2)}` });
      rows.push({ name: `${ours.buyers} buyer(s): Paydesk`, value: Math.round(ours.perSecond), unit: 'purch/s',
        note: `${ours.purchases} purchases, ${ours.errors} errors${ours.firstError ? ` (first: ${ours.firstError.slice(0, 120)})` : ''}; ${cpu}` });
      rows.push({ name: `${ours.buyers} buyer(s): Paydesk p50`, value: ours.p50, unit: 'ms' });
      rows.push({ name: `${ours.buyers} buyer(s): Paydesk p99`, value: ours.p99, unit: 'ms' });
      rows.push({ name: `${ours.buyers} buyer(s): ratio to reference`, value: ours.perSecond / ref.perSecond, unit: 'x',
        goal: `>= ${ratioGoal}`, ok: ours.perSecond / ref.perSecond >= ratioGoal });
      // Server CPU (all its threads) over the purchases of the point; the reference's beside it.
      const cpuPer = (r: PointResult) => (r.perSecond > 0 ? (r.serverCores / r.perSecond) * 1000 : Infinity);
      rows.push({ name: `${ours.buyers} buyer(s): server CPU per purchase`, value: cpuPer(ours), unit: 'ms', goal: '< 1.2 ms', ok: cpuPer(ours) < 1.2,
        note: `reference ${cpuPer(ref).toFixed(2)} ms, floor ${cpuPer(bare).toFixed(2)} ms` });
    }
    return { rows, paydesk, reference, floor };
  } finally {
    await receiver.close();
  }
}
