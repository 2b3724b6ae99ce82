// The transactions list: keyset pages over purchases, newest first, so page N
// costs the same as page 1 at a million rows.
import { iso } from '../context.ts';
import { formatAmount } from '../../contract/money.ts';
import type { Db } from '../db/open.ts';
import type { Apps } from '../apps/apps.ts';
import type { Wallet } from '../wallet/wallet.ts';
import type { PurchaseStatus } from './purchases.ts';
import { encodeCursor, decodeCursor } from '../db/cursor.ts';

export interface TransactionFilter {
  readonly appKey?: string;
  readonly status?: PurchaseStatus;
  /** ISO dates; `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Transaction id, purchase id, productData, product id or buyer email. */
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
  readonly wallet: Pick<Wallet, 'emails' | 'buyerIdByEmail'>;
}

export function listTransactions(db: Db, lookups: TransactionLookups, f: TransactionFilter) {
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  if (f.appKey) { where.push('p.app_key = @appKey'); args.appKey = f.appKey; }
  if (f.status) { where.push('p.status = @status'); args.status = f.status; }
  if (f.from) { where.push('p.created_at >= @from'); args.from = Date.parse(f.from); }
  if (f.to) { where.push('p.created_at < @to'); args.to = Date.parse(f.to); }
  if (f.q) {
    // Exact matches on indexed columns, so a search stays fast at any size.
    // One indexed lookup per column, so the planner starts from the few matches instead of scanning by date.
    args.q = f.q.trim();
    const buyerId = lookups.wallet.buyerIdByEmail(args.q as string);
    if (buyerId !== undefined) args.buyerId = buyerId;
    where.push(`p.rowid IN (SELECT rowid FROM purchases WHERE transaction_id = @q UNION SELECT rowid FROM purchases WHERE id = @q
      UNION SELECT rowid FROM purchases WHERE product_data = @q${buyerId !== undefined ? ' UNION SELECT rowid FROM purchases WHERE buyer_id = @buyerId' : ''})`);
  }
  if (f.cursor) {
    const [c, id] = decodeCursor(f.cursor);
    where.push('(p.created_at, p.id) < (@cAt, @cId)');
    args.cAt = c; args.cId = id;
  }
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  // Only purchases in FROM: joining apps would let the planner drive the scan from the (small) apps table.
  const sql = `SELECT p.id, p.app_key, p.status, p.transaction_id, p.product_id,
      p.name, p.product_data, p.amount, p.currency, p.refunded_amount, p.buyer_id, p.created_at, p.completed_at
    FROM purchases p
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit + 1}`;
  const rows = db.prepare(sql).all(args) as Row[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const appNames = lookups.apps.names(page.map((r) => r.app_key));
  const emails = lookups.wallet.emails(page.flatMap((r) => (r.buyer_id === null ? [] : [r.buyer_id])));
  return {
    items: page.map((r) => ({
      id: r.id, transactionID: r.transaction_id, status: r.status, appKey: r.app_key, appName: appNames.get(r.app_key)!,
      item: { id: r.product_id || null, name: r.name, productData: r.product_data },
      price: { amount: r.amount, currency: r.currency, display: formatAmount(r.amount, r.currency) },
      refundedAmount: r.refunded_amount, buyerEmail: r.buyer_id === null ? null : emails.get(r.buyer_id) ?? null, createdAt: iso(r.created_at)!, completedAt: iso(r.completed_at),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
