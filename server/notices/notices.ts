// The notice inspector behind the console API: list and filter notices, one
// notice with every attempt, redeliver (to where it would go today, the app's
// current URL or another), cancel, resend an edited payload, copy the last
// request as curl, and send a test notice to an app's URL. Delivery itself is
// the dispatcher's; this module only reads the record and writes outbox rows.
import { PaydeskError } from '../../contract/errors.ts';
import { newId } from '../ids.ts';
import { immediate } from '../db/open.ts';
import { iso, type Context } from '../context.ts';
import type { Apps } from '../apps/apps.ts';
import { defaultMaxAttempts } from './schedule.ts';
import type { Dispatcher, NoticeRow, PreparedRequest } from './dispatcher.ts';
import type { NoticePayload, NoticeType } from './signing.ts';
import type { NoticeTargets } from './target.ts';
import { curlCommand } from './curl.ts';
import { enqueueNotice, requestNoticeURL, type URLSource } from './outbox.ts';
import type { Tx } from '../db/tx.ts';
import type { Db } from '../db/open.ts';
import { appendPurchaseEvent } from '../purchases/timeline.ts';
import { encodeCursor, decodeCursor } from '../db/cursor.ts';
import { idPrefixRange, searchText } from '../db/search.ts';

export interface NoticeFilter {
  readonly appKey?: string;
  readonly type?: NoticeType;
  /** 'failed' leaves cancelled notices out; 'cancelled' is only those. */
  readonly status?: NoticeRow['status'] | 'cancelled';
  readonly transactionID?: string;
  /** ISO dates; `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** The start of a notice id, transaction id or purchase id. */
  readonly q?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

interface AttemptRow {
  id: number; notice_id: string; number: number; url: string; started_at: number; duration_ms: number | null; request_headers_json: string;
  request_body: string; notice_json: string; response_status: number | null; response_headers_json: string | null; response_body: string | null;
  response_truncated: number; verdict: string | null; reason: string | null; url_source: URLSource | null;
}

/** Where a redelivery goes: where the notice would go today (the request's own URL if it named one, else the app's), the app's current URL, or another. */
export interface Destination {
  readonly to?: 'current' | 'app';
  readonly url?: string;
}

/** The WHERE clause of a notice filter (bound by name; the cursor aside), shared by the list, the export's count and the bulk retry. */
export function noticeWhere(f: Omit<NoticeFilter, 'cursor' | 'limit'>): { readonly where: string[]; readonly args: Record<string, unknown> } {
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  if (f.appKey) { where.push('app_key = @appKey'); args.appKey = f.appKey; }
  if (f.type) { where.push('type = @type'); args.type = f.type; }
  if (f.status === 'cancelled') where.push("status = 'failed' AND cancelled_at IS NOT NULL");
  else if (f.status === 'failed') where.push("status = 'failed' AND cancelled_at IS NULL");
  else if (f.status) { where.push('status = @status'); args.status = f.status; }
  if (f.from) { where.push('created_at >= @from'); args.from = Date.parse(f.from); }
  if (f.to) { where.push('created_at < @to'); args.to = Date.parse(f.to); }
  if (f.transactionID) { where.push('transaction_id = @txn'); args.txn = f.transactionID.trim(); }
  if (f.q !== undefined && f.q.trim() !== '') {
    // The start of a notice, transaction or purchase id, each a range on its own index
    // (server/db/search.ts: the same short-text rule as the transactions' search).
    const { text } = searchText(f.q);
    [args.lo, args.hi] = idPrefixRange(text);
    where.push(`rowid IN (${['id', 'transaction_id', 'purchase_id'].map((c) => `SELECT rowid FROM notices WHERE ${c} >= @lo AND ${c} < @hi`).join(' UNION ')})`);
  }
  return { where, args };
}

/** Sends a notice again now (one more attempt if it had finished), to `dest`; inside the caller's transaction. */
export function requeueNotice(tx: Tx, row: NoticeRow, dest: { readonly url: string; readonly source: URLSource }, now: number): void {
  if (row.status === 'pending') {
    tx.prepare('UPDATE notices SET next_attempt_at = ?, url = ?, url_source = ? WHERE id = ?').run(now, dest.url, dest.source, row.id);
  } else {
    tx.prepare(`UPDATE notices SET status = 'pending', next_attempt_at = ?, max_attempts = attempts + 1, failed_at = NULL, cancelled_at = NULL,
      url = ?, url_source = ? WHERE id = ?`).run(now, dest.url, dest.source, row.id);
  }
  if (row.purchase_id !== null) {
    appendPurchaseEvent(tx, row.purchase_id, 'notice.redeliver', now, { noticeId: row.id, ...(dest.url !== row.url ? { url: dest.url, urlSource: dest.source } : {}) });
  }
}

/** A notice row by id, read with the handle given (a transaction's or the plain one). */
export function noticeRow(db: Db, id: string): NoticeRow {
  const row = db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as NoticeRow | undefined;
  if (!row) throw new PaydeskError('notice_not_found');
  return row;
}


/** A notice as the list shows it (and the export writes it). */
export type NoticeSummaryView = ReturnType<Notices['list']>['items'][number];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An edited payload must still be a notice a merchant's verifier accepts in
 * shape (sdk/notice.ts), or resending it tests nothing but the validator.
 */
function checkPayload(type: NoticeType, payload: { request?: unknown; response?: unknown }): NoticePayload {
  const bad = (detail: string): never => {
    throw new PaydeskError('notice_payload_invalid', { detail });
  };
  if (!isRecord(payload.request)) return bad('request must be an object');
  const r = payload.response;
  if (!isRecord(r)) return bad('response must be an object');
  if (typeof r.transactionID !== 'string' || r.transactionID.trim() === '' || r.transactionID.length > 255) return bad('response.transactionID must be a string of 1 to 255 characters');
  if (!isRecord(r.price) || typeof r.price.amount !== 'string' || !/^(0|[1-9][0-9]{0,14})(\.[0-9]{1,3})?$/.test(r.price.amount)
    || typeof r.price.currency !== 'string' || !/^[A-Z]{3}$/.test(r.price.currency)) {
    return bad('response.price must be {amount: a decimal string such as "0.99", currency: an ISO 4217 code}');
  }
  if (type === 'chargeback' && r.reason !== 'refund' && r.reason !== 'reversal') return bad('a chargeback\'s response.reason is "refund" or "reversal"');
  if (type === 'postback' && r.reason !== undefined) return bad('response.reason belongs on chargebacks only');
  return { request: payload.request, response: r };
}

export class Notices {
  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
    private readonly dispatcher: Dispatcher,
    private readonly targets: NoticeTargets,
  ) {}

  private summary(n: NoticeRow) {
    return {
      id: n.id,
      webhookId: n.id,
      type: n.type,
      status: n.status === 'failed' && n.cancelled_at !== null ? 'cancelled' as const : n.status,
      origin: n.origin,
      parentId: n.parent_id,
      appKey: n.app_key,
      purchaseId: n.purchase_id,
      transactionID: n.transaction_id,
      seq: n.seq,
      url: n.url,
      urlSource: n.url_source,
      cancelledAt: iso(n.cancelled_at),
      attempts: n.attempts,
      maxAttempts: n.max_attempts ?? defaultMaxAttempts,
      nextAttemptAt: n.status === 'pending' ? iso(n.next_attempt_at) : null,
      lastAttemptAt: iso(n.last_attempt_at),
      lastVerdict: n.last_verdict,
      lastReason: n.last_reason,
      deliveredAt: iso(n.delivered_at),
      failedAt: iso(n.failed_at),
      createdAt: iso(n.created_at)!,
    };
  }

  private attemptView(a: AttemptRow) {
    return {
      number: a.number,
      url: a.url,
      urlSource: a.url_source,
      startedAt: iso(a.started_at)!,
      durationMs: a.duration_ms,
      request: { headers: JSON.parse(a.request_headers_json) as Record<string, string>, body: a.request_body },
      notice: JSON.parse(a.notice_json) as { header: Record<string, unknown>; claims: Record<string, unknown> },
      response: a.response_status === null ? null : {
        status: a.response_status,
        headers: JSON.parse(a.response_headers_json ?? '{}') as Record<string, string | string[]>,
        body: a.response_body ?? '',
        truncated: a.response_truncated === 1,
      },
      verdict: a.verdict ?? 'in_flight',
      reason: a.reason,
    };
  }

  list(f: NoticeFilter) {
    return this.page(f, Math.min(Math.max(f.limit ?? 50, 1), 200));
  }

  /** How many notices the filter matches: the export's total, told before its first row. */
  count(f: Omit<NoticeFilter, 'cursor' | 'limit'>): number {
    const { where, args } = noticeWhere(f);
    return (this.ctx.db.prepare(`SELECT COUNT(*) AS n FROM notices ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(args) as { n: number }).n;
  }

  /** Every notice the filter matches, newest first, a page at a time (each its own short read, like transactionPages). */
  *pages(f: Omit<NoticeFilter, 'cursor' | 'limit'>, pageSize = 1000): Generator<readonly NoticeSummaryView[]> {
    let cursor: string | undefined;
    do {
      const p = this.page({ ...f, ...(cursor ? { cursor } : {}) }, pageSize);
      if (p.items.length > 0) yield p.items;
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
  }

  private page(f: NoticeFilter, limit: number) {
    const { where, args } = noticeWhere(f);
    if (f.cursor) {
      const [at, id] = decodeCursor(f.cursor);
      where.push('(created_at, id) < (@cAt, @cId)');
      args.cAt = at; args.cId = id;
    }
    const rows = this.ctx.db.prepare(`SELECT * FROM notices ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`).all(args) as NoticeRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map((r) => this.summary(r)), nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  private attempts(id: string): AttemptRow[] {
    return this.ctx.db.prepare('SELECT * FROM notice_attempts WHERE notice_id = ? ORDER BY number').all(id) as AttemptRow[];
  }

  async get(id: string) {
    const n = this.dispatcher.row(id);
    const attempts = this.attempts(id);
    const last = attempts[attempts.length - 1];
    // The notice as last sent; before any attempt, as it would be signed now.
    const notice = last ? (JSON.parse(last.notice_json) as PreparedRequest['notice']) : this.dispatcher.prepare(n).notice;
    // The stored payload also holds the seq, which the answer carries as the notice's own field (contract NoticeDetail).
    const { request, response } = JSON.parse(n.payload_json) as { request: unknown; response: Record<string, unknown> };
    return {
      ...this.summary(n),
      payload: { request, response },
      notice,
      attemptLog: attempts.map((a) => this.attemptView(a)),
    };
  }

  /**
   * Where a notice (or its edited copy, with `request`) goes when sent again,
   * through the address guard like every notice URL. 'current' resolves as a
   * purchase does: the request's own URL overrides the app's.
   */
  destination(n: Pick<NoticeRow, 'app_key' | 'type'>, request: unknown, d: Destination): { readonly url: string; readonly source: URLSource } {
    if (d.url !== undefined) return { url: this.targets.accept(d.url, 'url'), source: 'other' };
    const field = n.type === 'postback' ? 'postbackURL' : 'chargebackURL';
    const own = (d.to ?? 'current') === 'current' ? requestNoticeURL(n.type, request) : undefined;
    if (own !== undefined) return { url: this.targets.accept(own, `request.${field}`), source: 'request' };
    // The app's URL as it is now: the fix a merchant made after the notice failed.
    return { url: this.targets.accept(this.apps.get(n.app_key)[field], field), source: 'app' };
  }

  /** Sends again now, same notice and webhook-id, to `dest`; a finished or cancelled notice gets one more attempt. */
  redeliver(id: string, dest: Destination = {}) {
    const now = this.ctx.now();
    const n = immediate(this.ctx.db, (tx) => {
      const row = noticeRow(tx, id);
      requeueNotice(tx, row, this.destination(row, (JSON.parse(row.payload_json) as NoticePayload).request, dest), now);
      return noticeRow(tx, id);
    });
    this.dispatcher.requeued(id);
    this.ctx.events.emit('notice.queued', { id, appKey: n.app_key, type: n.type, redelivery: true });
    return this.summary(n);
  }

  /** Stops a notice's retries; cancelling again changes nothing. A delivered notice is the merchant's already. */
  cancel(id: string) {
    const now = this.ctx.now();
    const { n, changed } = immediate(this.ctx.db, (tx) => {
      const row = noticeRow(tx, id);
      if (row.status === 'delivered') throw new PaydeskError('notice_delivered_not_cancellable');
      if (row.cancelled_at !== null) return { n: row, changed: false };
      tx.prepare("UPDATE notices SET status = 'failed', cancelled_at = ?, failed_at = COALESCE(failed_at, ?) WHERE id = ?").run(now, now, id);
      if (row.purchase_id !== null) appendPurchaseEvent(tx, row.purchase_id, 'notice.cancelled', now, { noticeId: id });
      return { n: noticeRow(tx, id), changed: true };
    });
    if (changed) this.ctx.events.emit('notice.cancelled', { id, appKey: n.app_key, type: n.type, transactionID: n.transaction_id });
    return this.summary(n);
  }

  endpointHealth(appKey: string) {
    this.apps.get(appKey);
    return this.dispatcher.endpoints.health(appKey);
  }

  /**
   * A new notice (new id, next seq) with an edited payload, linked to the
   * original; signed when sent. It goes where the edited request says (its own
   * postbackURL or chargebackURL), else to the app's current URL.
   */
  async resend(id: string, edit: { request?: unknown; response?: unknown }) {
    const original = this.dispatcher.row(id);
    const before = JSON.parse(original.payload_json) as { request: unknown; response: unknown };
    const payload = checkPayload(original.type, { request: edit.request ?? before.request, response: edit.response ?? before.response });
    const dest = this.destination(original, payload.request, {});
    const { id: newIdValue } = immediate(this.ctx.db, (tx) => enqueueNotice(tx, {
      purchaseId: original.purchase_id, appKey: original.app_key, type: original.type, url: dest.url, urlSource: dest.source, payload, at: this.ctx.now(),
      origin: { kind: 'resend', parentId: id, maxAttempts: original.origin === 'test' ? 1 : null },
    }));
    this.ctx.events.emit('notice.queued', { id: newIdValue, appKey: original.app_key, type: original.type, resendOf: id });
    return this.get(newIdValue);
  }

  /** The last request exactly as sent (or, before any attempt, as it would be sent now) as a curl command. */
  async curl(id: string) {
    const n = this.dispatcher.row(id);
    const last = this.attempts(id).at(-1);
    const req = last
      ? { url: last.url, headers: JSON.parse(last.request_headers_json) as Record<string, string>, body: last.request_body }
      : this.dispatcher.prepare(n);
    return { curl: curlCommand(req.url, req.headers, req.body), attempt: last?.number ?? null };
  }

  /** A simulated notice to the app's URL, one attempt, answered once that attempt is recorded. */
  async sendTest(appKey: string, input: { type?: NoticeType; url?: string }) {
    const app = this.apps.get(appKey);
    const type = input.type ?? 'postback';
    const url = this.targets.accept(input.url ?? (type === 'postback' ? app.postbackURL : app.chargebackURL), 'url');
    const urlSource = input.url === undefined ? 'app' : 'other';
    const transactionID = `simulate:${newId('test', 16)}`;
    const response: Record<string, unknown> = { transactionID, price: { amount: '0.99', currency: 'USD' } };
    if (type === 'chargeback') response.reason = 'refund';
    const request = {
      id: 'paydesk-test-notice', name: 'Test notice', description: 'A test notice sent from the Paydesk console; no money moved.',
      price: '0.99', currency: 'USD', productData: '', simulate: type === 'postback' ? { result: 'postback' } : { result: 'chargeback', reason: 'refund' },
    };
    const { id } = immediate(this.ctx.db, (tx) => enqueueNotice(tx, { purchaseId: null, appKey, type, url, urlSource, payload: { request, response }, at: this.ctx.now(), origin: { kind: 'test' } }));
    const attempted = this.dispatcher.waitForAttempt(id);
    this.ctx.events.emit('notice.queued', { id, appKey, type, test: true });
    // Without a running dispatcher (services built for a unit test) the notice just stays queued.
    if (this.dispatcher.isRunning) await attempted;
    return this.get(id);
  }
}
