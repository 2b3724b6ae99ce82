// Writes a notice to the outbox (the notices table), inside the transaction of
// the change it reports: a completed purchase, a refund, a resend. The
// dispatcher (dispatcher.ts) sends what is here.
import { newOrderedId } from '../ids.ts';
import type { Tx } from '../db/tx.ts';
import { appendPurchaseEvent } from '../purchases/timeline.ts';
import type { NoticePayload, NoticeType } from './signing.ts';

export interface NewNotice {
  /** null for a test notice, which belongs to no purchase. */
  readonly purchaseId: string | null;
  readonly appKey: string;
  readonly type: NoticeType;
  readonly url: string;
  /** seq is added. */
  readonly payload: NoticePayload;
  readonly at: number;
  /** A resend names the notice it edits; a test notice is tried once. Default: the purchase's own notice. */
  readonly origin?: { readonly kind: 'resend'; readonly parentId: string; readonly maxAttempts: number | null } | { readonly kind: 'test' };
  /** Where url came from; default: the request's own URL when it named one (it overrides the app's), else the app's. */
  readonly urlSource?: URLSource;
}

export type URLSource = 'app' | 'request' | 'other';

/** The payment request's own postbackURL or chargebackURL, when it named one: it overrides the app's (DESIGN section 3). */
export function requestNoticeURL(type: NoticeType, request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const v = (request as Record<string, unknown>)[type === 'postback' ? 'postbackURL' : 'chargebackURL'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The notice's id and its place (seq) among the purchase's notices; a purchase's notice is due at once, on the default schedule. */
export function enqueueNotice(tx: Tx, n: NewNotice): { readonly id: string; readonly seq: number } {
  const seq = n.purchaseId === null ? 1
    : (tx.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM notices WHERE purchase_id = ?').get(n.purchaseId) as { n: number }).n;
  const id = newOrderedId('ntc');
  const o = n.origin;
  const urlSource = n.urlSource ?? (requestNoticeURL(n.type, n.payload.request) !== undefined ? 'request' : 'app');
  tx.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, url_source, payload_json, created_at, origin, parent_id, next_attempt_at, max_attempts)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, n.purchaseId, n.appKey, n.type, seq, n.url, urlSource, JSON.stringify({ ...n.payload, seq }), n.at,
    o?.kind ?? 'purchase', o?.kind === 'resend' ? o.parentId : null, o ? n.at : 0, o?.kind === 'resend' ? o.maxAttempts : o ? 1 : null);
  if (n.purchaseId !== null) {
    appendPurchaseEvent(tx, n.purchaseId, 'notice.queued', n.at, { noticeId: id, type: n.type, seq, ...(o?.kind === 'resend' ? { resendOf: o.parentId } : {}) });
  }
  return { id, seq };
}
