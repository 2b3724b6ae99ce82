// Writes a notice to the outbox (the notices table), inside the transaction of
// the change it reports: a completed purchase, a refund, a resend. The
// dispatcher (dispatcher.ts) sends what is here.
import { newOrderedId } from '../ids.ts';
import type { Tx } from '../db/tx.ts';
import { appendPurchaseEvent } from '../purchases/timeline.ts';
import type { NoticePayload, NoticeType } from './signing.ts';

/** A notice's request as it goes out: signed for one attempt (Dispatcher.prepare). */
export interface SignedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly notice: { readonly header: Readonly<Record<string, unknown>>; readonly claims: Readonly<Record<string, unknown>> };
}

/** Signs a notice as it would go out now (the dispatcher's prepare()). */
export type NoticeSigner = (n: { readonly id: string; readonly app_key: string; readonly type: NoticeType; readonly seq: number; readonly url: string; readonly payload_json: string }) => SignedRequest;

/** Opens an attempt: what is sent, before it is sent. Returns its id. */
export function insertAttempt(tx: Tx, noticeId: string, r: SignedRequest, startedAt: number): number {
  // The app and where the URL came from are the notice's own (the endpoint view reads them per attempt).
  return Number(tx.prepare(`INSERT INTO notice_attempts (notice_id, app_key, number, url, url_source, started_at, request_headers_json, request_body, notice_json)
      SELECT n.id, n.app_key, (SELECT COALESCE(MAX(a.number), 0) + 1 FROM notice_attempts a WHERE a.notice_id = n.id), ?, n.url_source, ?, ?, ?, ?
      FROM notices n WHERE n.id = ?`)
    .run(r.url, startedAt, JSON.stringify(r.headers), r.body, JSON.stringify(r.notice), noticeId).lastInsertRowid);
}

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

/**
 * The notice's id and its place (seq) among the purchase's notices; a purchase's notice is due at once, on the default schedule.
 * With `sign`, its first attempt is opened in the same transaction, signed now: the dispatcher
 * sends it once this transaction is durable, without a commit of its own (Dispatcher.attempt).
 */
export function enqueueNotice(tx: Tx, n: NewNotice, sign?: NoticeSigner): { readonly id: string; readonly seq: number } {
  const seq = n.purchaseId === null ? 1
    : (tx.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM notices WHERE purchase_id = ?').get(n.purchaseId) as { n: number }).n;
  const id = newOrderedId('ntc');
  const o = n.origin;
  const urlSource = n.urlSource ?? (requestNoticeURL(n.type, n.payload.request) !== undefined ? 'request' : 'app');
  const payloadJson = JSON.stringify({ ...n.payload, seq });
  tx.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, url_source, payload_json, created_at, origin, parent_id, next_attempt_at, max_attempts)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, n.purchaseId, n.appKey, n.type, seq, n.url, urlSource, payloadJson, n.at,
    o?.kind ?? 'purchase', o?.kind === 'resend' ? o.parentId : null, o ? n.at : 0, o?.kind === 'resend' ? o.maxAttempts : o ? 1 : null);
  if (sign) insertAttempt(tx, id, sign({ id, app_key: n.appKey, type: n.type, seq, url: n.url, payload_json: payloadJson }), n.at);
  if (n.purchaseId !== null) {
    appendPurchaseEvent(tx, n.purchaseId, 'notice.queued', n.at, { noticeId: id, type: n.type, seq, ...(o?.kind === 'resend' ? { resendOf: o.parentId } : {}) });
  }
  return { id, seq };
}
