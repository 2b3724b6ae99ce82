// The dashboard's numbers. loadDashboardSummary() is the one place they come
// from: today it pages through GET /api/transactions and GET /api/notices and
// aggregates in the browser (capped, and says so when it hits the cap). When
// the server grows a summary route (proposed: GET /api/summary?from&to&bucket=day,
// aggregated in SQL), replace the body of loadDashboardSummary with one call.
import { call, type RouteResult, type TransactionSummary } from './api.ts';

type NoticeSummary = RouteResult<'listNotices'>['items'][number];

export interface DayBucket {
  /** Local yyyy-mm-dd. */
  readonly day: string;
  readonly sales: number;
  readonly refunds: number;
  readonly completed: number;
  readonly started: number;
}

export interface NoticeDay {
  readonly day: string;
  readonly delivered: number;
  readonly failed: number;
  readonly successRate: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface DashboardSummary {
  readonly from: string;
  readonly currency: string;
  /** Currencies seen in the range, most sales first. */
  readonly currencies: readonly string[];
  readonly days: readonly DayBucket[];
  readonly totals: {
    readonly sales: number; readonly refunds: number; readonly completed: number; readonly pending: number; readonly declined: number;
    readonly cancelled: number; readonly expired: number; readonly all: number; readonly simulated: number;
  };
  readonly notices: {
    readonly days: readonly NoticeDay[]; readonly delivered: number; readonly failed: number; readonly pending: number;
    readonly successRate: number | null; readonly p50Ms: number | null; readonly p95Ms: number | null;
  };
  /** True when the page cap was reached and older rows were not counted. */
  readonly truncated: boolean;
}

const MAX_PAGES = 25;
const PAGE = 200;

function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function daysBack(n: number, now: Date): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - i)));
  return out;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function transactionsSince(fromISO: string, signal: AbortSignal): Promise<{ items: TransactionSummary[]; truncated: boolean }> {
  const items: TransactionSummary[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r: RouteResult<'listTransactions'> = await call('listTransactions', { query: { from: fromISO, limit: PAGE, ...(cursor ? { cursor } : {}) }, signal });
    items.push(...r.items);
    cursor = r.nextCursor;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

async function noticesSince(fromMs: number, signal: AbortSignal): Promise<{ items: NoticeSummary[]; truncated: boolean }> {
  const items: NoticeSummary[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r: RouteResult<'listNotices'> = await call('listNotices', { query: { limit: PAGE, ...(cursor ? { cursor } : {}) }, signal });
    for (const n of r.items) {
      if (Date.parse(n.createdAt) < fromMs) return { items, truncated: false };
      items.push(n);
    }
    cursor = r.nextCursor;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

/** Sales, refunds, purchase outcomes and notice delivery for the last `rangeDays` days. */
export async function loadDashboardSummary(rangeDays: number, currencyPick: string | null, signal: AbortSignal, now = new Date()): Promise<DashboardSummary> {
  const dayList = daysBack(rangeDays, now);
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (rangeDays - 1));
  const [tx, notices] = await Promise.all([transactionsSince(from.toISOString(), signal), noticesSince(from.getTime(), signal)]);

  const salesByCurrency = new Map<string, number>();
  for (const t of tx.items) if (t.status === 'completed') salesByCurrency.set(t.price.currency, (salesByCurrency.get(t.price.currency) ?? 0) + t.price.amount);
  const currencies = [...salesByCurrency.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const currency = currencyPick && currencies.includes(currencyPick) ? currencyPick : currencies[0] ?? 'USD';

  const buckets = new Map(dayList.map((d) => [d, { day: d, sales: 0, refunds: 0, completed: 0, started: 0 }]));
  const totals = { sales: 0, refunds: 0, completed: 0, pending: 0, declined: 0, cancelled: 0, expired: 0, all: 0, simulated: 0 };
  for (const t of tx.items) {
    totals.all++;
    if (t.status in totals) totals[t.status as 'completed']++;
    if (t.transactionID?.startsWith('simulate:')) totals.simulated++;
    const started = buckets.get(localDay(new Date(t.createdAt)));
    if (started) started.started++;
    if (t.status !== 'completed' || t.price.currency !== currency) continue;
    // Refunds are counted on the day of the sale: the transaction list has no refund dates (a summary route would bucket by refund time).
    const b = buckets.get(localDay(new Date(t.completedAt ?? t.createdAt)));
    totals.sales += t.price.amount;
    totals.refunds += t.refundedAmount;
    if (b) {
      b.sales += t.price.amount;
      b.refunds += t.refundedAmount;
      b.completed++;
    }
  }

  const nb = new Map(dayList.map((d) => [d, { delivered: 0, failed: 0, latencies: [] as number[] }]));
  const latencies: number[] = [];
  let delivered = 0;
  let failed = 0;
  let pending = 0;
  for (const n of notices.items) {
    const b = nb.get(localDay(new Date(n.createdAt)));
    if (n.status === 'delivered') {
      delivered++;
      if (n.deliveredAt) {
        const ms = Date.parse(n.deliveredAt) - Date.parse(n.createdAt);
        latencies.push(ms);
        b?.latencies.push(ms);
      }
      if (b) b.delivered++;
    } else if (n.status === 'failed') {
      failed++;
      if (b) b.failed++;
    } else pending++;
  }
  latencies.sort((a, b) => a - b);
  const noticeDays: NoticeDay[] = dayList.map((d) => {
    const b = nb.get(d)!;
    const l = [...b.latencies].sort((x, y) => x - y);
    const done = b.delivered + b.failed;
    return { day: d, delivered: b.delivered, failed: b.failed, successRate: done === 0 ? null : b.delivered / done, p50Ms: percentile(l, 0.5), p95Ms: percentile(l, 0.95) };
  });

  return {
    from: from.toISOString(),
    currency,
    currencies,
    days: dayList.map((d) => buckets.get(d)!),
    totals,
    notices: {
      days: noticeDays, delivered, failed, pending,
      successRate: delivered + failed === 0 ? null : delivered / (delivered + failed),
      p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95),
    },
    truncated: tx.truncated || notices.truncated,
  };
}
