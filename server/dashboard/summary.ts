// The dashboard's numbers (GET /api/summary), from the rollups migration 006
// keeps: purchase_rollup and notice_rollup, counters per
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

/** Upper bounds of the latency histogram's buckets lat_0 … lat_13 (lat_14 is longer), as migration 006 wrote them. */
export const latencyBounds: readonly number[] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 3600000];
const latencyColumns = [...latencyBounds, Infinity].map((_, k) => `lat_${k}`);

/**
 * The p-quantile of a latency histogram (counts per bucket), at rank floor(p × n)
 * as the console always took it, placed linearly within its bucket.
 */
export function latencyPercentile(counts: readonly number[], p: number): number | null {
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  const rank = Math.min(n - 1, Math.floor(p * n));
  let below = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (below + c > rank) {
      const lo = k === 0 ? 0 : latencyBounds[k - 1]!;
      const hi = latencyBounds[k];
      return hi === undefined ? lo : Math.round(lo + ((hi - lo) * (rank - below + 0.5)) / c);
    }
    below += c;
  }
  return null;
}

const rate = (delivered: number, failed: number) => (delivered + failed === 0 ? null : delivered / (delivered + failed));
const add = (a: number[], b: readonly number[]) => b.forEach((v, k) => (a[k] = (a[k] ?? 0) + v));

const statusNames = ['started', 'pending', 'completed', 'declined', 'cancelled', 'expired', 'simulated'] as const;
// [lo, hi) per day, joined against the slots: one primary-key range scan per day.
const dayRanges = 'WITH d(i, lo, hi) AS (SELECT key, value ->> 0, value ->> 1 FROM json_each(?))';

export class DashboardSummaries {
  private readonly purchasesByDay;
  private readonly noticesByDay;
  /** Day boundaries are pure functions of the dates and the zone; the dashboard asks for the same ones again and again. */
  private readonly dayCache = new Map<string, ReturnType<typeof localDays>>();

  constructor(db: Db) {
    this.purchasesByDay = db.prepare(`${dayRanges}
      SELECT d.i, r.currency, ${statusNames.map((c) => `SUM(r.${c})`).join(', ')}, SUM(r.sales_amount), SUM(r.sales_count), SUM(r.refund_amount)
      FROM d JOIN purchase_rollup r ON r.slot >= d.lo AND r.slot < d.hi GROUP BY d.i, r.currency`).raw();
    this.noticesByDay = db.prepare(`${dayRanges}
      SELECT d.i, SUM(n.pending), SUM(n.delivered), SUM(n.failed), ${latencyColumns.map((c) => `SUM(n.${c})`).join(', ')}
      FROM d JOIN notice_rollup n ON n.slot >= d.lo AND n.slot < d.hi GROUP BY d.i`).raw();
  }

  private days(from: string, to: string, timeZone: string) {
    const key = `${from} ${to} ${timeZone}`;
    let d = this.dayCache.get(key);
    if (!d) {
      if (this.dayCache.size >= 256) this.dayCache.clear();
      d = localDays(from, to, timeZone);
      this.dayCache.set(key, d);
    }
    return d;
  }

  summary(q: Query): Summary {
    const { days, starts } = this.days(q.from, q.to, q.timeZone);
    const ranges = JSON.stringify(days.map((_, i) => [starts[i], starts[i + 1]]));

    // Per day and currency: the counts of purchases started, then sales and refunds.
    const purchaseRows = this.purchasesByDay.all(ranges) as [number, string, ...number[]][];
    const salesByCurrency = new Map<string, number>();
    for (const [, currency, ...v] of purchaseRows) salesByCurrency.set(currency, (salesByCurrency.get(currency) ?? 0) + v[7]!);
    const currencies = [...salesByCurrency].filter(([, sales]) => sales > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
    const currency = q.currency ?? currencies[0] ?? 'USD';

    const counts = days.map(() => new Array<number>(statusNames.length).fill(0));
    const money = days.map(() => ({ sales: 0, completed: 0, refunds: 0 }));
    for (const [i, c, ...v] of purchaseRows) {
      add(counts[i]!, v.slice(0, statusNames.length));
      if (c === currency) money[i] = { sales: v[7]!, completed: v[8]!, refunds: v[9]! };
    }
    const total = new Array<number>(statusNames.length).fill(0);
    counts.forEach((c) => add(total, c));
    const [all, pending, completed, declined, cancelled, expired, simulated] = total as [number, number, number, number, number, number, number];

    const noticeDays = days.map(() => ({ pending: 0, delivered: 0, failed: 0, latency: new Array<number>(latencyColumns.length).fill(0) }));
    for (const [i, p, d, f, ...latency] of this.noticesByDay.all(ranges) as number[][]) noticeDays[i!] = { pending: p!, delivered: d!, failed: f!, latency };
    const noticeTotal = { pending: 0, delivered: 0, failed: 0, latency: new Array<number>(latencyColumns.length).fill(0) };
    for (const n of noticeDays) {
      noticeTotal.pending += n.pending;
      noticeTotal.delivered += n.delivered;
      noticeTotal.failed += n.failed;
      add(noticeTotal.latency, n.latency);
    }

    return {
      from: q.from, to: q.to, timeZone: q.timeZone, currency, currencies,
      days: days.map((day, i) => ({ day, ...money[i]!, started: counts[i]![0]! })),
      totals: {
        sales: money.reduce((a, m) => a + m.sales, 0), refunds: money.reduce((a, m) => a + m.refunds, 0),
        completed, pending, declined, cancelled, expired, all, simulated,
      },
      notices: {
        days: days.map((day, i) => {
          const n = noticeDays[i]!;
          return { day, delivered: n.delivered, failed: n.failed, successRate: rate(n.delivered, n.failed), p50Ms: latencyPercentile(n.latency, 0.5), p95Ms: latencyPercentile(n.latency, 0.95) };
        }),
        delivered: noticeTotal.delivered, failed: noticeTotal.failed, pending: noticeTotal.pending,
        successRate: rate(noticeTotal.delivered, noticeTotal.failed), p50Ms: latencyPercentile(noticeTotal.latency, 0.5), p95Ms: latencyPercentile(noticeTotal.latency, 0.95),
      },
    };
  }
}
