// The dashboard's numbers (GET /api/summary), from the rollups migration 006
// keeps: purchase_rollup, notice_rollup and notice_latency_rollup, counters per
// 15-minute slot written by triggers in the transaction of each change. This
// module owns their reads. Days are the viewer's: their boundaries are the
// midnights of its time zone, which always fall on a slot boundary.
import type { Db } from '../db/open.ts';
import type { RouteInput, RouteOutput } from '../../contract/api.ts';

type Query = RouteInput<'getSummary'>['query'];
type Summary = RouteOutput<'getSummary'>;

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(timeZone: string, t: number): number {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000;
}

/** The instant a local day starts in `timeZone` (its midnight; the next instant where a DST jump skips it). */
export function localMidnight(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // Twice: the offset at the first guess may be the other side of a DST change.
  const first = wall - offsetAt(timeZone, wall);
  return wall - offsetAt(timeZone, first);
}

/** The days from `from` to `to` (inclusive) and the instants that bound them: starts[i] to starts[i + 1]. */
export function localDays(from: string, to: string, timeZone: string): { readonly days: readonly string[]; readonly starts: readonly number[] } {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return { days, starts: [...days, next].map((d) => localMidnight(d, timeZone)) };
}

/** The value at rank floor(p × n) of a histogram sorted by value, as the console's percentile always took it. */
function percentile(bins: readonly (readonly [number, number])[], p: number): number | null {
  const n = bins.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return null;
  const rank = Math.min(n - 1, Math.floor(p * n));
  let seen = 0;
  for (const [value, count] of bins) {
    seen += count;
    if (seen > rank) return value;
  }
  return bins[bins.length - 1]![0];
}

const rate = (delivered: number, failed: number) => (delivered + failed === 0 ? null : delivered / (delivered + failed));

interface PurchaseDay { i: number; started: number; pending: number; completed: number; declined: number; cancelled: number; expired: number; simulated: number; sales: number; salesCount: number; refunds: number }
interface NoticeDay { i: number; pending: number; delivered: number; failed: number }

export class DashboardSummaries {
  constructor(private readonly db: Db) {}

  summary(q: Query): Summary {
    const { days, starts } = localDays(q.from, q.to, q.timeZone);
    // [lo, hi) per day, joined against the slots: one index range scan per day.
    const ranges = JSON.stringify(days.map((_, i) => [starts[i], starts[i + 1]]));
    const dayRanges = 'WITH d(i, lo, hi) AS (SELECT key, value ->> 0, value ->> 1 FROM json_each(?))';

    const currencies = (this.db.prepare(`SELECT currency FROM purchase_rollup WHERE slot >= ? AND slot < ?
      GROUP BY currency HAVING SUM(sales_amount) > 0 ORDER BY SUM(sales_amount) DESC, currency`).all(starts[0], starts[days.length]) as { currency: string }[]).map((r) => r.currency);
    const currency = q.currency ?? currencies[0] ?? 'USD';

    const purchaseRows = this.db.prepare(`${dayRanges}
      SELECT d.i AS i, SUM(r.started) AS started, SUM(r.pending) AS pending, SUM(r.completed) AS completed, SUM(r.declined) AS declined,
        SUM(r.cancelled) AS cancelled, SUM(r.expired) AS expired, SUM(r.simulated) AS simulated,
        TOTAL(CASE WHEN r.currency = ? THEN r.sales_amount END) AS sales, TOTAL(CASE WHEN r.currency = ? THEN r.sales_count END) AS salesCount,
        TOTAL(CASE WHEN r.currency = ? THEN r.refund_amount END) AS refunds
      FROM d JOIN purchase_rollup r ON r.slot >= d.lo AND r.slot < d.hi GROUP BY d.i`).all(ranges, currency, currency, currency) as PurchaseDay[];
    const noticeRows = this.db.prepare(`${dayRanges}
      SELECT d.i AS i, SUM(n.pending) AS pending, SUM(n.delivered) AS delivered, SUM(n.failed) AS failed
      FROM d JOIN notice_rollup n ON n.slot >= d.lo AND n.slot < d.hi GROUP BY d.i`).all(ranges) as NoticeDay[];
    const latencyRows = this.db.prepare(`${dayRanges}
      SELECT d.i AS i, l.floor_ms AS ms, SUM(l.count) AS count
      FROM d JOIN notice_latency_rollup l ON l.slot >= d.lo AND l.slot < d.hi GROUP BY d.i, l.floor_ms HAVING SUM(l.count) > 0 ORDER BY d.i, l.floor_ms`).all(ranges) as { i: number; ms: number; count: number }[];

    const byDay = new Map(purchaseRows.map((r) => [r.i, r]));
    const noticesByDay = new Map(noticeRows.map((r) => [r.i, r]));
    const latencyByDay = new Map<number, [number, number][]>();
    const allLatencies = new Map<number, number>();
    for (const r of latencyRows) {
      latencyByDay.set(r.i, [...(latencyByDay.get(r.i) ?? []), [r.ms, r.count]]);
      allLatencies.set(r.ms, (allLatencies.get(r.ms) ?? 0) + r.count);
    }
    const overall = [...allLatencies.entries()].sort((a, b) => a[0] - b[0]);

    const sum = <K extends keyof PurchaseDay>(k: K) => purchaseRows.reduce((a, r) => a + r[k], 0);
    const noticeSum = (k: 'pending' | 'delivered' | 'failed') => noticeRows.reduce((a, r) => a + r[k], 0);
    return {
      from: q.from, to: q.to, timeZone: q.timeZone, currency, currencies,
      days: days.map((day, i) => {
        const r = byDay.get(i);
        return { day, sales: r?.sales ?? 0, refunds: r?.refunds ?? 0, completed: r?.salesCount ?? 0, started: r?.started ?? 0 };
      }),
      totals: {
        sales: sum('sales'), refunds: sum('refunds'), completed: sum('completed'), pending: sum('pending'), declined: sum('declined'),
        cancelled: sum('cancelled'), expired: sum('expired'), all: sum('started'), simulated: sum('simulated'),
      },
      notices: {
        days: days.map((day, i) => {
          const n = noticesByDay.get(i);
          const bins = latencyByDay.get(i) ?? [];
          return { day, delivered: n?.delivered ?? 0, failed: n?.failed ?? 0, successRate: rate(n?.delivered ?? 0, n?.failed ?? 0), p50Ms: percentile(bins, 0.5), p95Ms: percentile(bins, 0.95) };
        }),
        delivered: noticeSum('delivered'), failed: noticeSum('failed'), pending: noticeSum('pending'),
        successRate: rate(noticeSum('delivered'), noticeSum('failed')), p50Ms: percentile(overall, 0.5), p95Ms: percentile(overall, 0.95),
      },
    };
  }
}
