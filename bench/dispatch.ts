// Notice dispatch under a merchant that hangs: purchases spread over 10 apps
// write 10,000 postbacks to the outbox; one merchant reads each request and
// never answers. Measured: how long each of the other nine merchants' notices
// took from the outbox row (its created_at, written in the purchase's commit)
// to arriving at the merchant, with the server as its own process on the same
// wall clock.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KeepAlive, Receiver, benchClient, cpuSecondsOf, payRequest, spawnPaydesk } from './load.ts';
import { summarize, type Row } from './report.ts';

export async function benchDispatch(opts: { notices: number; buyers: number; progress: (m: string) => void }): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paydesk-bench-dispatch-'));
  const merchants = await Promise.all(Array.from({ length: 10 }, () => new Receiver().start()));
  const hung = merchants[9]!;
  hung.hang = true;
  const server = await spawnPaydesk(dataDir);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const transport = new KeepAlive(opts.buyers + 4);
  const client = benchClient(server.url, transport, token);
  try {
    const apps: { app: { key: string }; secret: { secret: string } }[] = [];
    for (const [i, m] of merchants.entries()) {
      apps.push(await client.call('createApp', {
        body: { name: `Shop ${i}`, homepage: 'http://127.0.0.1:9/', contactEmail: 'shop@example.com', postbackURL: `${m.url}/postback`, chargebackURL: `${m.url}/chargeback` },
      }));
    }
    const buyer = await client.call('createBuyer', { body: { email: 'dispatch@example.com', name: 'Bench Buyer' } });
    await client.call('signIn', { body: { buyerId: buyer.id } });
    await client.call('setPin', { params: { id: buyer.id }, body: { pin: '2468', unlockWindowSeconds: 300 } });
    const cards: string[] = [];
    for (let i = 0; i < opts.buyers; i++) {
      cards.push((await client.call('addPaymentMethod', {
        params: { id: buyer.id },
        body: {
          card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' },
          limits: { perPurchase: 100_000, perMonth: 1_000_000_000 },
        },
      })).id);
    }
    const first = await client.call('pay', { body: { jwts: [payRequest(apps[0]!.app.key, apps[0]!.secret.secret, 'unlock')] } });
    await client.call('confirmPurchase', { params: { id: first.id }, body: { pin: '2468', paymentMethodId: cards[0] } });

    opts.progress(`dispatch: ${opts.notices} purchases over 10 apps, one merchant hangs...`);
    let next = 1;
    const t0 = performance.now();
    const cpu0 = cpuSecondsOf(server.pid);
    await Promise.all(Array.from({ length: opts.buyers }, async (_, w) => {
      while (next < opts.notices) {
        const n = next++;
        const app = apps[n % apps.length]!;
        const created = await client.call('pay', { body: { jwts: [payRequest(app.app.key, app.secret.secret, `d-${n}`)] } });
        await client.call('confirmPurchase', { params: { id: created.id }, body: { paymentMethodId: cards[w] } });
      }
    }));
    const loadSeconds = (performance.now() - t0) / 1000;
    const serverCores = (cpuSecondsOf(server.pid) - cpu0) / loadSeconds;

    const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
    const healthyApps = new Set(apps.slice(0, 9).map((a) => a.app.key));
    const rows = (db.prepare("SELECT id, app_key, created_at FROM notices WHERE type = 'postback'").all() as { id: string; app_key: string; created_at: number }[]);
    const healthy = rows.filter((r) => healthyApps.has(r.app_key));
    const received = () => healthy.filter((r) => merchants.some((m) => m.deliveries.has(r.id))).length;
    const waitUntil = Date.now() + 30_000;
    while (received() < healthy.length && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
    const latencies: number[] = [];
    for (const r of healthy) {
      const d = merchants.find((m) => m.deliveries.has(r.id))?.deliveries.get(r.id);
      if (d) latencies.push(Math.max(0, d.at - r.created_at));
    }
    const hungPending = (db.prepare("SELECT COUNT(*) AS n FROM notices WHERE app_key = ? AND status = 'pending'").get(apps[9]!.app.key) as { n: number }).n;
    db.close();
    const s = summarize(latencies);
    return [
      { name: 'notices written', value: rows.length, unit: 'notices', note: `${(rows.length / loadSeconds).toFixed(0)}/s through purchases; server ${serverCores.toFixed(2)} cores` },
      { name: 'healthy merchants: delivered', value: latencies.length, unit: 'notices', ok: latencies.length === healthy.length, note: `of ${healthy.length}` },
      { name: 'healthy merchants: latency p50', value: s.p50, unit: 'ms', note: 'outbox row written -> merchant has the request' },
      { name: 'healthy merchants: latency p99', value: s.p99, unit: 'ms', goal: '< 50 ms', ok: s.p99 < 50 },
      { name: 'healthy merchants: latency max', value: s.max, unit: 'ms' },
      { name: 'hanging merchant: still pending', value: hungPending, unit: 'notices', note: 'its delivery slots wait out the 15 s response timeout' },
    ];
  } finally {
    transport.close();
    await server.stop();
    for (const m of merchants) await m.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
