// The transaction timeline (purchase_events): every state change of a purchase,
// in order. Purchases own the table; the notice outbox, the dispatcher and
// refunds append to it inside the transaction of the change they record.
import type { Db } from '../db/open.ts';
import type { Tx } from '../db/tx.ts';
import { iso } from '../context.ts';

export function appendPurchaseEvent(tx: Tx, purchaseId: string, type: string, at: number, data: Readonly<Record<string, unknown>> = {}): void {
  tx.prepare('INSERT INTO purchase_events (purchase_id, type, at, data_json) VALUES (?, ?, ?, ?)').run(purchaseId, type, at, JSON.stringify(data));
}

export function purchaseTimeline(db: Db, purchaseId: string) {
  return (db.prepare('SELECT type, at, data_json FROM purchase_events WHERE purchase_id = ? ORDER BY id').all(purchaseId) as { type: string; at: number; data_json: string }[])
    .map((e) => ({ type: e.type, at: iso(e.at)!, data: JSON.parse(e.data_json) as Record<string, unknown> }));
}

/** Whether the buyer disputed the purchase: a reversal is on its timeline (refunds/ records it through recordRefund). */
export function wasDisputed(db: Db, purchaseId: string): boolean {
  return db.prepare("SELECT 1 FROM purchase_events WHERE purchase_id = ? AND type = 'reversed' LIMIT 1").get(purchaseId) !== undefined;
}
