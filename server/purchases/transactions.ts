// The transactions list: keyset pages over purchases, newest first, so page N
// costs the same as page 1 at a million rows. The export reads the same pages.
import { iso } from '../context.ts';
import { formatAmount } from '../../contract/money.ts';
import type { Db } from '../db/open.ts';
import type { Apps } from '../apps/apps.ts';
import type { Wallet } from '../wallet/wallet.ts';
import type { PurchaseStatus } from './purchases.ts';
import { encodeCursor, decodeCursor } from '../db/cursor.ts';
import { idPrefixRange, searchText, trigramTerms } from '../db/search.ts';

export interface TransactionFilter {
  readonly appKey?: string;
  readonly status?: PurchaseStatus;
  /** ISO dates; `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Part of a productData, product id, buyer email or confirmation code (dash or not), or the start of a purchase or transaction id. */
  readonly q?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

interface Row {
  id: string; app_key: string; status: string; transaction_id: string | null; product_id: string; name: string;
  product_data: string; amount: number; currency: string; refunded_amount: number; buyer_id: string | null; created_at: number; completed_at: number | null;
}

/** Apps and buyers are theirs to read: a page asks each once for the names and emails it shows. */
export interface TransactionLookups {
  readonly apps: Pick<Apps, 'names'>;
  readonly wallet: Pick<Wallet, 'emails'>;
}

/** The WHERE terms of a filter (the cursor aside), shared by the pages and the count. */
function filterTerms(db: Db, f: TransactionFilter, args: Record<string, unknown>): string[] {
  const where: string[] = [];
  if (f.appKey) { where.push('p.app_key = @appKey'); args.appKey = f.appKey; }
  if (f.status) { where.push('p.status = @status'); args.status = f.status; }
  if (f.from) { where.push('p.created_at >= @from'); args.from = Date.parse(f.from); }
  if (f.to) { where.push('p.created_at < @to'); args.to = Date.parse(f.to); }
  if (f.q !== undefined && f.q.trim() !== '') where.push(searchTerm(db, f.q, args));
  return where;
}

/** Index rows read per piece to judge how common it is (reading them all costs as much as the search). */
const SAMPLE_ROWS = 256;
/** Pieces a search asks the index for together: the rarest three narrow a text enough. */
const PIECES_ANDED = 3;
/** Pieces of a long text looked at (each look costs about a tenth of a millisecond). */
const PIECES_LOOKED_AT = 12;
/** A piece in fewer rows than this narrows enough alone: the others are not looked at. */
const RARE_ENOUGH = 16;
/**
 * A text expected in more rows than this share of them (and than a few pages) is checked
 * on rows newest first instead: a page then fills within a few thousand rows.
 */
const BROAD_SHARE = 0.02;
const BROAD_MIN_ROWS = 200;

/**
 * About how many rows hold `term`: exact below SAMPLE_ROWS; otherwise from how far into the
 * index (by rowid, which follows insertion) its first SAMPLE_ROWS rows reach, supposing it
 * is spread evenly. Enough to rank pieces: "der" is in every "order-…", "001" in few.
 */
function rowsHolding(db: Db, term: string, lastRowid: number): number {
  const r = db.prepare('SELECT COUNT(*) AS n, MAX(rowid) AS last FROM (SELECT rowid FROM purchase_search WHERE purchase_search MATCH ? LIMIT ?)')
    .get(term, SAMPLE_ROWS) as { n: number; last: number | null };
  return r.n < SAMPLE_ROWS || r.last === null ? r.n : (SAMPLE_ROWS * lastRowid) / r.last;
}

/** The index query for `s`: its rarest pieces together, and about how many rows it names. */
function narrowest(db: Db, s: string, lastRowid: number): { readonly match: string; readonly rows: number } {
  const pieces: { term: string; rows: number }[] = [];
  for (const term of trigramTerms(s, PIECES_LOOKED_AT)) {
    const rows = rowsHolding(db, term, lastRowid);
    if (rows < RARE_ENOUGH) return { match: term, rows };
    pieces.push({ term, rows });
  }
  const picked = pieces.sort((x, y) => x.rows - y.rows).slice(0, PIECES_ANDED);
  // Supposing the pieces independent: a guess, but one that tells "pony" (everywhere) from "der-500001".
  const rows = picked.reduce((n, p) => (n * p.rows) / Math.max(lastRowid, 1), Math.max(lastRowid, 1));
  return { match: `(${picked.map((p) => p.term).join(' AND ')})`, rows };
}

/**
 * A search: parts of values (productData, product id, buyer email, the code with or
 * without its dash) unioned with purchase and transaction id prefixes, which use the
 * ids' own indexes. Migration 010's trigram index names the rows holding the text's
 * rarest pieces, and the whole text is checked on those (FTS5 would otherwise read every
 * row of each common piece). A text expected in many rows is checked on rows newest
 * first instead, and the page stops once it is full.
 */
function searchTerm(db: Db, q: string, args: Record<string, unknown>): string {
  const { text, needle, codeNeedle } = searchText(q);
  Object.assign(args, { needle, codeNeedle });
  [args.lo, args.hi] = idPrefixRange(text);
  const holds = `(instr(lower(t.product_data), @needle) OR instr(lower(t.product_id), @needle) OR instr(lower(t.email), @needle) OR instr(lower(t.code), @codeNeedle))`;
  const ids = ['id', 'transaction_id'];
  const lastRowid = (db.prepare('SELECT MAX(rowid) AS n FROM purchases').get() as { n: number | null }).n ?? 0;
  const queries = [...new Set([needle, codeNeedle])].map((s) => narrowest(db, s, lastRowid));
  if (queries.reduce((n, x) => n + x.rows, 0) > Math.max(BROAD_SHARE * lastRowid, BROAD_MIN_ROWS)) {
    return `(${ids.map((c) => `(p.${c} >= @lo AND p.${c} < @hi)`).join(' OR ')} OR EXISTS (SELECT 1 FROM purchase_search_text t WHERE t.rowid = p.rowid AND ${holds}))`;
  }
  // A text with a piece no row holds is in no indexed value: only the id prefixes can find it.
  const found = queries.filter((x) => x.rows > 0);
  if (found.length === 0) return `p.rowid IN (${ids.map((c) => `SELECT rowid FROM purchases WHERE ${c} >= @lo AND ${c} < @hi`).join(' UNION ')})`;
  args.pieces = found.map((x) => x.match).join(' OR ');
  return `p.rowid IN (SELECT t.rowid FROM purchase_search s JOIN purchase_search_text t ON t.rowid = s.rowid WHERE purchase_search MATCH @pieces AND ${holds}
    ${ids.map((c) => `UNION SELECT rowid FROM purchases WHERE ${c} >= @lo AND ${c} < @hi`).join('\n    ')})`;
}

/** Rows of the API's list, largest allowed page; the export reads bigger ones. */
const MAX_PAGE = 200;

function page(db: Db, lookups: TransactionLookups, f: TransactionFilter, limit: number) {
  const args: Record<string, unknown> = {};
  const where = filterTerms(db, f, args);
  if (f.cursor) {
    const [c, id] = decodeCursor(f.cursor);
    where.push('(p.created_at, p.id) < (@cAt, @cId)');
    args.cAt = c; args.cId = id;
  }
  // Only purchases in FROM: joining apps would let the planner drive the scan from the (small) apps table.
  const sql = `SELECT p.id, p.app_key, p.status, p.transaction_id, p.product_id,
      p.name, p.product_data, p.amount, p.currency, p.refunded_amount, p.buyer_id, p.created_at, p.completed_at
    FROM purchases p
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit + 1}`;
  const rows = db.prepare(sql).all(args) as Row[];
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const appNames = lookups.apps.names(items.map((r) => r.app_key));
  const emails = lookups.wallet.emails(items.flatMap((r) => (r.buyer_id === null ? [] : [r.buyer_id])));
  return {
    items: items.map((r) => ({
      id: r.id, transactionID: r.transaction_id, status: r.status, appKey: r.app_key, appName: appNames.get(r.app_key)!,
      item: { id: r.product_id || null, name: r.name, productData: r.product_data },
      price: { amount: r.amount, currency: r.currency, display: formatAmount(r.amount, r.currency) },
      refundedAmount: r.refunded_amount, buyerEmail: r.buyer_id === null ? null : emails.get(r.buyer_id) ?? null, createdAt: iso(r.created_at)!, completedAt: iso(r.completed_at),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

export type TransactionItem = ReturnType<typeof page>['items'][number];

export function listTransactions(db: Db, lookups: TransactionLookups, f: TransactionFilter) {
  return page(db, lookups, f, Math.min(Math.max(f.limit ?? 50, 1), MAX_PAGE));
}

/** How many transactions the filter matches: the export's total, told before its first row. */
export function countTransactions(db: Db, f: TransactionFilter): number {
  const args: Record<string, unknown> = {};
  const where = filterTerms(db, f, args);
  return (db.prepare(`SELECT COUNT(*) AS n FROM purchases p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(args) as { n: number }).n;
}

/**
 * Every transaction the filter matches, newest first, a page at a time: each page is its
 * own short read, so a slow download holds no read transaction (and no checkpoint) open.
 */
export function* transactionPages(db: Db, lookups: TransactionLookups, f: Omit<TransactionFilter, 'cursor' | 'limit'>, pageSize = 1000): Generator<readonly TransactionItem[]> {
  let cursor: string | undefined;
  do {
    const p = page(db, lookups, { ...f, ...(cursor ? { cursor } : {}) }, pageSize);
    if (p.items.length > 0) yield p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
}
