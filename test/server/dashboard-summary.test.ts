// GET /api/summary: the dashboard from the ledger's rollups. Days are the
// viewer's local days (a DST day has 23 or 25 hours), a refund counts on the day
// it happened, not on the day of the sale, and the rollups agree with the rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, readyBuyer, signRequest, pay, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { latencyPercentile, localDays, slotRanges, SLOT_SPANS_MS } from '../../server/dashboard/summary.ts';
import type { RouteResult } from '../../contract/api.ts';

type Summary = RouteResult<'getSummary'>;
const HOUR = 3_600_000;

let t: TestServer;
let app: CreatedApp;
let buyer: { pin: string };
const bought: { purchaseId: string; transactionID: string }[] = [];

async function buyAt(at: number, price = '1.99', currency = 'USD', as = buyer) {
  t.clock.advance(at - t.clock.now);
  const created = await pay(t, await signRequest(app, { request: { id: 'pony', name: 'Pony', description: 'A pony.', price, currency } }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const confirmed = await t.api<{ status: string; transactionID: string }>('POST', `/api/purchases/${created.body.id}/confirm`, { pin: as.pin });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  bought.push({ purchaseId: created.body.id, transactionID: confirmed.body.transactionID });
}

const summary = async (query: Record<string, string>) => {
  const r = await t.api<Summary>('GET', `/api/summary?${new URLSearchParams(query)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const byDay = (s: Summary) => Object.fromEntries(s.days.map((d) => [d.day, [d.started, d.completed, d.sales, d.refunds]]));

before(async () => {
  // 00:30 in Paris on 30 March 2025, the day its clocks go forward: a 23-hour day.
  t = await startTestServer({ startAt: Date.UTC(2025, 2, 29, 23, 30) });
  app = await createApp(t);
  buyer = await readyBuyer(t);
  await buyAt(Date.UTC(2025, 2, 29, 23, 30));
  // 23 hours later it is 00:30 on 31 March in Paris; a 24-hour day would still say 30 March.
  await buyAt(Date.UTC(2025, 2, 30, 22, 30));
  // Three days after the first sale, refund it in full.
  t.clock.advance(Date.UTC(2025, 3, 2, 10) - t.clock.now);
  const refund = await t.api('POST', `/api/transactions/${bought[0]!.transactionID}/refunds`, { reason: 'never arrived' });
  assert.equal(refund.status, 201, JSON.stringify(refund.body));
});
after(() => t.close());

test('local days come from the time zone: a DST day is 23 or 25 hours long', () => {
  const paris = localDays('2025-03-29', '2025-03-31', 'Europe/Paris');
  assert.deepEqual(paris.days, ['2025-03-29', '2025-03-30', '2025-03-31']);
  assert.deepEqual(paris.starts.map((s, i) => (i === 0 ? 0 : (s - paris.starts[i - 1]!) / HOUR)), [0, 24, 23, 24]);
  assert.equal(paris.starts[0], Date.UTC(2025, 2, 28, 23), 'midnight in Paris is 23:00 UTC in winter');
  const ny = localDays('2025-11-02', '2025-11-02', 'America/New_York');
  assert.equal((ny.starts[1]! - ny.starts[0]!) / HOUR, 25);
  assert.deepEqual(localDays('2025-06-01', '2025-06-01', 'Asia/Kathmandu').starts, [Date.UTC(2025, 4, 31, 18, 15), Date.UTC(2025, 5, 1, 18, 15)]);
});

test('a refund counts on the day it happened, and sales on the viewer\'s local day, DST day included', async () => {
  const s = await summary({ from: '2025-03-29', to: '2025-04-02', timeZone: 'Europe/Paris' });
  assert.equal(s.currency, 'USD');
  assert.deepEqual(s.currencies, ['USD']);
  // [started, completed, sales, refunds]
  assert.deepEqual(byDay(s), {
    '2025-03-29': [0, 0, 0, 0],
    '2025-03-30': [1, 1, 199, 0],
    '2025-03-31': [1, 1, 199, 0],
    '2025-04-01': [0, 0, 0, 0],
    '2025-04-02': [0, 0, 0, 199],
  });
  assert.deepEqual({ ...s.totals }, { sales: 398, refunds: 199, completed: 2, pending: 0, declined: 0, cancelled: 0, expired: 0, all: 2, simulated: 0 });
  assert.equal(s.notices.delivered + s.notices.failed + s.notices.pending, 3, 'two postbacks and a chargeback were queued');
  assert.equal(s.notices.days.length, 5);

  // The same instants, seen from UTC: both sales fall a day earlier.
  const utc = await summary({ from: '2025-03-29', to: '2025-04-02', timeZone: 'UTC' });
  assert.deepEqual(byDay(utc)['2025-03-29'], [1, 1, 199, 0]);
  assert.deepEqual(byDay(utc)['2025-03-30'], [1, 1, 199, 0]);
  assert.deepEqual(byDay(utc)['2025-04-02'], [0, 0, 0, 199]);
  // A range that holds the refund but not the sale still shows the refund.
  const later = await summary({ from: '2025-04-01', to: '2025-04-02', timeZone: 'Europe/Paris' });
  assert.deepEqual({ sales: later.totals.sales, refunds: later.totals.refunds, all: later.totals.all }, { sales: 0, refunds: 199, all: 0 });
});

test('sales and refunds are per currency; the default is the one sold most', async () => {
  await buyAt(Date.UTC(2025, 3, 2, 11), '9.00', 'EUR', await readyBuyer(t, { currency: 'EUR' }));
  const s = await summary({ from: '2025-04-02', to: '2025-04-02', timeZone: 'Europe/Paris' });
  assert.equal(s.currency, 'EUR');
  assert.deepEqual(s.currencies, ['EUR']);
  assert.deepEqual({ sales: s.totals.sales, refunds: s.totals.refunds, all: s.totals.all }, { sales: 900, refunds: 0, all: 1 });
  const usd = await summary({ from: '2025-04-02', to: '2025-04-02', timeZone: 'Europe/Paris', currency: 'USD' });
  assert.deepEqual({ sales: usd.totals.sales, refunds: usd.totals.refunds, all: usd.totals.all }, { sales: 0, refunds: 199, all: 1 });
});

test('the rollups hold what the rows say, at every slot length', async () => {
  const db = t.server.services.ctx.db;
  const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM purchases GROUP BY status ORDER BY status`).all();
  const sales = db.prepare(`SELECT currency, SUM(amount) AS amount FROM purchases WHERE status = 'completed' GROUP BY currency ORDER BY currency`).all();
  const notices = db.prepare(`SELECT status, COUNT(*) AS n FROM notices GROUP BY status ORDER BY status`).all() as { status: string; n: number }[];
  assert.deepEqual(db.prepare('SELECT DISTINCT span FROM purchase_rollup ORDER BY span DESC').pluck().all(), SLOT_SPANS_MS);
  for (const span of SLOT_SPANS_MS) {
    const rolled = db.prepare(`SELECT 'completed' AS status, SUM(completed) AS n FROM purchase_rollup WHERE span = ?`).all(span);
    assert.deepEqual(rolled, rows.filter((r) => (r as { status: string }).status === 'completed'), `span ${span}`);
    assert.deepEqual(db.prepare(`SELECT currency, SUM(sales_amount) AS amount FROM purchase_rollup WHERE span = ? GROUP BY currency HAVING amount > 0 ORDER BY currency`).all(span), sales);
    const n = db.prepare('SELECT SUM(pending) AS pending, SUM(delivered) AS delivered, SUM(failed) AS failed FROM notice_rollup WHERE span = ?').get(span) as Record<string, number>;
    for (const r of notices) assert.equal(n[r.status], r.n, `${r.status}, span ${span}`);
  }
});

test('the query is checked: dates, the time zone, the range', async () => {
  for (const q of <Record<string, string>[]>[
    { from: '2025-04-02', to: '2025-04-01', timeZone: 'UTC' },
    { from: '2024-01-01', to: '2025-04-01', timeZone: 'UTC' },
    { from: '2025-04-01', to: '2025-04-01', timeZone: 'Mars/Olympus_Mons' },
    { from: '2025-04-01', to: '2025-04-01' },
    { from: 'yesterday', to: '2025-04-01', timeZone: 'UTC' },
  ]) {
    const r = await t.api<{ error: { code: string } }>('GET', `/api/summary?${new URLSearchParams(q)}`);
    assert.equal(r.status, 400, JSON.stringify(q));
    assert.equal(r.body.error.code, 'validation_failed');
  }
});

test('latency percentiles come from the histogram, placed within their bucket', () => {
  // The bounds the migration's triggers bucket by, which the summary reads too.
  const bounds = t.server.services.ctx.db.prepare('SELECT below_ms FROM notice_latency_bounds ORDER BY bucket').pluck().all() as number[];
  const counts = new Array<number>(15).fill(0);
  assert.equal(latencyPercentile(bounds, counts, 0.5), null);
  counts[2] = 10; // 10 notices between 25 and 50 ms
  assert.equal(latencyPercentile(bounds, counts, 0.5), 39);
  counts[7] = 1; // one slow one, 1 to 2.5 s
  assert.equal(latencyPercentile(bounds, counts, 0.95), 1750);
  counts[14] = 1; // and one over an hour: only its lower bound is known
  assert.equal(latencyPercentile(bounds, counts, 0.99), 3_600_000);
});

test('a day reads 6-hour slots inside, hours at its edges, and quarters only where its midnight is not on the hour', () => {
  const [six, hour, quarter] = SLOT_SPANS_MS as [number, number, number];
  const at = (h: number, m = 0) => Date.UTC(2025, 5, 1, h, m);
  // UTC: one 6-hour slot run.
  assert.deepEqual(slotRanges(at(0), at(24)), [[six, at(0), at(24)]]);
  // Paris in summer: midnight is 22:00 UTC, exactly on an hour: no quarters.
  assert.deepEqual(slotRanges(at(-2), at(22)), [[hour, at(-2), at(0)], [six, at(0), at(18)], [hour, at(18), at(22)]]);
  // Kathmandu (+5:45): both levels below the 6-hour one, quarters at each edge.
  assert.deepEqual(slotRanges(at(-6, 15), at(18, 15)), [
    [quarter, at(-6, 15), at(-5)], [hour, at(-5), at(0)], [six, at(0), at(18)], [quarter, at(18), at(18, 15)],
  ]);
  // Shorter than 6 hours, from an India (+5:30) midnight: quarters and hours only.
  assert.deepEqual(slotRanges(at(18, 30), at(23, 45)), [[quarter, at(18, 30), at(19)], [hour, at(19), at(23)], [quarter, at(23), at(23, 45)]]);
});

test('purchases a few minutes either side of a :45 or :30 midnight count on their own local day', async () => {
  // Kathmandu's 2 June starts at 18:15 UTC on 1 June, India's at 18:30, Paris's at 22:00.
  const as = await readyBuyer(t);
  for (const at of [Date.UTC(2025, 5, 1, 18, 10), Date.UTC(2025, 5, 1, 18, 20), Date.UTC(2025, 5, 1, 18, 35), Date.UTC(2025, 5, 2, 6)]) await buyAt(at, '1.99', 'USD', as);
  const started = async (timeZone: string) => byDay(await summary({ from: '2025-06-01', to: '2025-06-02', timeZone }));
  assert.deepEqual(await started('Asia/Kathmandu'), { '2025-06-01': [1, 1, 199, 0], '2025-06-02': [3, 3, 597, 0] });
  assert.deepEqual(await started('Asia/Kolkata'), { '2025-06-01': [2, 2, 398, 0], '2025-06-02': [2, 2, 398, 0] });
  assert.deepEqual(await started('Europe/Paris'), { '2025-06-01': [3, 3, 597, 0], '2025-06-02': [1, 1, 199, 0] });
});

test('a day already read is read again when a change reaches it after its midnight, and only then', async () => {
  // 23:55 in Paris on 1 July: a purchase nobody confirms; it expires after midnight, on 2 July.
  t.clock.advance(Date.UTC(2025, 6, 1, 21, 55) - t.clock.now);
  const created = await pay(t, await signRequest(app, { request: { id: 'pony', name: 'Pony', description: 'A pony.', price: '1.99', currency: 'USD' } }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const july1 = { from: '2025-07-01', to: '2025-07-01', timeZone: 'Europe/Paris' };
  const counts = (s: Summary) => ({ all: s.totals.all, pending: s.totals.pending, expired: s.totals.expired });
  assert.deepEqual(counts(await summary(july1)), { all: 1, pending: 1, expired: 0 });

  t.clock.advance(Date.UTC(2025, 6, 2, 6) - t.clock.now);
  // Read again before anything changed: the same answer (from the day's kept rows).
  assert.deepEqual(counts(await summary(july1)), { all: 1, pending: 1, expired: 0 });
  // A sale today changes today, and 1 July still says what it said.
  await buyAt(Date.UTC(2025, 6, 2, 7));
  assert.deepEqual(counts(await summary(july1)), { all: 1, pending: 1, expired: 0 });
  // Now the purchase of 1 July expires: its day counts it expired.
  const expired = await t.api<{ status: string }>('GET', `/api/purchases/${created.body.id}`);
  assert.equal(expired.body.status, 'expired');
  assert.deepEqual(counts(await summary(july1)), { all: 1, pending: 0, expired: 1 });
  assert.deepEqual(counts(await summary({ ...july1, to: '2025-07-02' })), { all: 2, pending: 0, expired: 1 });
});
