// The dashboard's numbers (GET /api/summary), from the rollups migration 007
// keeps: purchase_rollup, notice_rollup and notice_latency, counters per hour and
// per 15-minute slot written by triggers in the transaction of each change. This
// module owns their reads. Days are the viewer's: their boundaries are the
// midnights of its time zone, which always fall on a quarter hour and almost
// always on an hour.
//
// A day's rows are kept once read, with the change counters (migration 012) of the
// 6-hour slots it overlaps: the next request reads only those counters for its range
// and runs the sums again for the days whose counters moved. The dashboard asks for
// the same days again and again while only today changes.
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

/** The rollups' slot lengths (migration 007), longest first: 6 hours, an hour, a quarter of an hour. */
export const SLOT_SPANS_MS: readonly number[] = [21_600_000, 3_600_000, 900_000];

/**
 * [span, from, to) pieces that tile [lo, hi) with as few slots as can be: the longest
 * slots that fit inside, then shorter ones at the edges. A day whose midnights are
 * on the hour reads hours and 6-hour slots; a :30 or :45 zone's day, quarters at its edges.
 */
export function slotRanges(lo: number, hi: number, spans: readonly number[] = SLOT_SPANS_MS): readonly (readonly [number, number, number])[] {
  const [span, ...shorter] = spans;
  if (span === undefined || lo >= hi) return [];
  const first = Math.ceil(lo / span) * span;
  const last = Math.floor(hi / span) * span;
  if (shorter.length === 0) return [[span, lo, hi]];
  if (first >= last) return slotRanges(lo, hi, shorter);
  return [...slotRanges(lo, first, shorter), [span, first, last], ...slotRanges(last, hi, shorter)];
}

/**
 * The p-quantile of a latency histogram (counts per bucket; bucket k is under bounds[k],
 * the last one has no upper bound), at rank floor(p × n)
 * as the console always took it, placed linearly within its bucket.
 */
export function latencyPercentile(bounds: readonly number[], counts: readonly number[], p: number): number | null {
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  const rank = Math.min(n - 1, Math.floor(p * n));
  let below = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (below + c > rank) {
      const lo = k === 0 ? 0 : bounds[k - 1]!;
      const hi = bounds[k];
      return hi === undefined ? lo : Math.round(lo + ((hi - lo) * (rank - below + 0.5)) / c);
    }
    below += c;
  }
  return null;
}

/** The index of the first element of the ascending `xs` greater than `x`. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const rate = (delivered: number, failed: number) => (delivered + failed === 0 ? null : delivered / (delivered + failed));
const add = (a: number[], b: readonly number[]) => b.forEach((v, k) => (a[k] = (a[k] ?? 0) + v));

const statusNames = ['started', 'pending', 'completed', 'declined', 'cancelled', 'expired', 'simulated'] as const;
// [span, lo, hi) pieces of each day i, joined against the slots: one primary-key range scan per piece.
const dayRanges = 'WITH d(i, span, lo, hi) AS (SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?))';
const inDay = (t: string) => `${t}.span = d.span AND ${t}.slot >= d.lo AND ${t}.slot < d.hi`;

type PurchaseRow = readonly [currency: string, ...sums: number[]];
/** One local day's sums as the queries answered them, and the change counters they were read at. */
interface DayRows {
  readonly touched: string;
  readonly purchases: readonly PurchaseRow[];
  readonly notices: readonly number[] | undefined;
}
const SIX_HOURS = SLOT_SPANS_MS[0]!;
/** Days kept across requests (about ten years of one time zone's); beyond it the cache starts again. */
const CACHED_DAYS = 4096;

export class DashboardSummaries {
  private readonly purchasesByDay;
  private readonly noticesByDay;
  private readonly counters;
  private readonly dayRows = new Map<string, DayRows>();
  /** The histogram's bucket bounds, as migration 007 stored them for its triggers. */
  private readonly latencyBounds: readonly number[];
  /** Day boundaries are pure functions of the dates and the zone; the dashboard asks for the same ones again and again. */
  private readonly dayCache = new Map<string, ReturnType<typeof localDays>>();

  constructor(db: Db) {
    this.latencyBounds = db.prepare('SELECT below_ms FROM notice_latency_bounds ORDER BY bucket').pluck().all() as number[];
    this.purchasesByDay = db.prepare(`${dayRanges}
      SELECT d.i, r.currency, ${statusNames.map((c) => `SUM(r.${c})`).join(', ')}, SUM(r.sales_amount), SUM(r.sales_count), SUM(r.refund_amount)
      FROM d JOIN purchase_rollup r ON ${inDay('r')} GROUP BY d.i, r.currency`).raw();
    this.noticesByDay = db.prepare(`${dayRanges}
      SELECT d.i, SUM(n.pending), SUM(n.delivered), SUM(n.failed), ${[...this.latencyBounds, null].map((_, k) => `SUM(n.lat_${k})`).join(', ')}
      FROM d JOIN notice_rollup n ON ${inDay('n')} GROUP BY d.i`).raw();
    this.counters = db.prepare(`SELECT slot, touched FROM purchase_rollup WHERE span = ${SIX_HOURS} AND slot >= @lo AND slot < @hi
      UNION ALL SELECT slot, touched FROM notice_rollup WHERE span = ${SIX_HOURS} AND slot >= @lo AND slot < @hi`).raw();
  }

  /** Per day of the range: the change counters of the 6-hour slots it overlaps, as one comparable string. */
  private touched(starts: readonly number[]): string[] {
    const sums = starts.slice(1).map(() => [0, 0]);
    const first = Math.floor(starts[0]! / SIX_HOURS) * SIX_HOURS;
    for (const [slot, touched] of this.counters.all({ lo: first, hi: starts[starts.length - 1] }) as [number, number][]) {
      // A 6-hour slot overlaps one day, or two when a midnight falls inside it.
      let i = upperBound(starts, slot) - 1;
      for (i = Math.max(i, 0); i < sums.length && starts[i]! < slot + SIX_HOURS; i++) {
        sums[i]![0]! += touched;
        sums[i]![1]! += 1;
      }
    }
    return sums.map(([sum, rows]) => `${sum}/${rows}`);
  }

  /** Each day's rows, from the cache where its counters have not moved, else from the rollups. */
  private rowsOf(days: readonly string[], starts: readonly number[], timeZone: string): DayRows[] {
    const touched = this.touched(starts);
    const key = (i: number) => `${timeZone} ${days[i]}`;
    const stale = days.flatMap((_, i) => (this.dayRows.get(key(i))?.touched === touched[i] ? [] : [i]));
    if (stale.length > 0) {
      const ranges = JSON.stringify(stale.flatMap((i) => slotRanges(starts[i]!, starts[i + 1]!).map((r) => [i, ...r])));
      const fresh = new Map(stale.map((i) => [i, { touched: touched[i]!, purchases: [] as PurchaseRow[], notices: undefined as number[] | undefined }]));
      for (const [i, ...row] of this.purchasesByDay.all(ranges) as [number, string, ...number[]][]) fresh.get(i)!.purchases.push(row);
      for (const [i, ...row] of this.noticesByDay.all(ranges) as number[][]) fresh.get(i!)!.notices = row;
      if (this.dayRows.size + stale.length > CACHED_DAYS) this.dayRows.clear();
      for (const [i, rows] of fresh) this.dayRows.set(key(i), rows);
    }
    return days.map((_, i) => this.dayRows.get(key(i))!);
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
    const rows = this.rowsOf(days, starts, q.timeZone);
    const buckets = this.latencyBounds.length + 1;

    // Per day and currency: the counts of purchases started, then sales and refunds.
    const purchaseRows = rows.flatMap((r, i) => r.purchases.map(([currency, ...sums]) => [i, currency, ...sums] as const));
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

    const noticeDays = days.map(() => ({ pending: 0, delivered: 0, failed: 0, latency: new Array<number>(buckets).fill(0) }));
    rows.forEach(({ notices }, i) => {
      if (notices) noticeDays[i] = { pending: notices[0]!, delivered: notices[1]!, failed: notices[2]!, latency: notices.slice(3) };
    });
    const noticeTotal = { pending: 0, delivered: 0, failed: 0, latency: new Array<number>(buckets).fill(0) };
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
          return { day, delivered: n.delivered, failed: n.failed, successRate: rate(n.delivered, n.failed), p50Ms: latencyPercentile(this.latencyBounds, n.latency, 0.5), p95Ms: latencyPercentile(this.latencyBounds, n.latency, 0.95) };
        }),
        delivered: noticeTotal.delivered, failed: noticeTotal.failed, pending: noticeTotal.pending,
        successRate: rate(noticeTotal.delivered, noticeTotal.failed), p50Ms: latencyPercentile(this.latencyBounds, noticeTotal.latency, 0.5), p95Ms: latencyPercentile(this.latencyBounds, noticeTotal.latency, 0.95),
      },
    };
  }
}
