// The merchant's postback/chargeback endpoint as one framework-free function:
// raw body and headers in, status and body out. Adapters (node.ts, fastify.ts)
// only move bytes. The provider counts a delivery as received only on 2xx with
// the transaction id as the body (DESIGN section 6); anything else is retried
// with the same webhook-id, so the callbacks must run at most once per notice.
import { NoticeError } from './errors.ts';
import { verifyNotice, type ChargebackNotice, type Notice, type NoticeKeys, type PostbackNotice } from './notice.ts';
import { verifyWebhookSignature } from './webhook.ts';

/** Bodies larger than this are refused (413) before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** State of a notice id in a NoticeIdStore. */
export type NoticeIdState = 'new' | 'pending' | 'done';

/**
 * Remembers which notices were handled so callbacks run at most once.
 * A durable store (a table with a unique id and a state column) must make
 * `begin` atomic, e.g. `INSERT … ON CONFLICT DO NOTHING`, and should treat a
 * `pending` entry older than your callback's longest run as abandoned (a
 * crash between begin and complete), or that notice is never handled.
 */
export interface NoticeIdStore {
  /** Claims `id` and returns 'new', or returns its current state without changing it. */
  begin(id: string): NoticeIdState | Promise<NoticeIdState>;
  /** The callback succeeded: later deliveries of `id` are acknowledged without running it. */
  complete(id: string): void | Promise<void>;
  /** The callback failed: forget the claim so the provider's retry runs it again. */
  abandon(id: string): void | Promise<void>;
}

export interface MemoryNoticeIdStoreOptions {
  /** The oldest ids are forgotten past this many. */
  readonly maxEntries?: number;
  /** A pending claim older than this is treated as abandoned. */
  readonly pendingTimeoutMs?: number;
}

/** The default store: one process, lost on restart. Use a durable one in production. */
export class MemoryNoticeIdStore implements NoticeIdStore {
  readonly #entries = new Map<string, { state: 'pending' | 'done'; since: number }>();
  readonly #maxEntries: number;
  readonly #pendingTimeoutMs: number;

  constructor(options: MemoryNoticeIdStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#pendingTimeoutMs = options.pendingTimeoutMs ?? 5 * 60_000;
  }

  begin(id: string): NoticeIdState {
    const entry = this.#entries.get(id);
    if (entry?.state === 'done') return 'done';
    if (entry?.state === 'pending' && Date.now() - entry.since < this.#pendingTimeoutMs) return 'pending';
    this.#entries.delete(id);
    this.#entries.set(id, { state: 'pending', since: Date.now() });
    // A Map iterates in insertion order, so the first key is the oldest.
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    return 'new';
  }

  complete(id: string): void {
    this.#entries.set(id, { state: 'done', since: Date.now() });
  }

  abandon(id: string): void {
    this.#entries.delete(id);
  }
}

export interface NoticeHandlerOptions extends NoticeKeys {
  /** `whsec_…`: when set, the Standard Webhooks headers are required and verified. */
  readonly webhookSecret?: string;
  readonly webhookToleranceSeconds?: number;
  /** Deliver the product. Throwing answers 500 and the provider retries. */
  readonly onPostback: (notice: PostbackNotice) => void | Promise<void>;
  /** Take the product back (refund or reversal). Throwing answers 500 and the provider retries. */
  readonly onChargeback: (notice: ChargebackNotice) => void | Promise<void>;
  readonly seen?: NoticeIdStore;
  /** Told about callback failures, which otherwise only reach the provider as a 500. */
  readonly onError?: (error: unknown, notice: Notice) => void;
  /** The clock, for tests. */
  readonly now?: () => Date;
}

/** Header names in lower case, as Node, Express and Fastify give them. */
export type NoticeHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface NoticeReply {
  readonly status: number;
  /** The transaction id on success, otherwise an error code. */
  readonly body: string;
}

export type NoticeHandler = (rawBody: string, headers: NoticeHeaders) => Promise<NoticeReply>;

function header(headers: NoticeHeaders, name: string): string | undefined {
  const v = headers[name];
  // Repeated webhook-signature lines carry one signature each; join them as the spec's list.
  return typeof v === 'string' ? v : v?.join(' ');
}

const reply = (status: number, body: string): NoticeReply => ({ status, body });

export function createNoticeHandler(options: NoticeHandlerOptions): NoticeHandler {
  const { webhookSecret, webhookToleranceSeconds, onPostback, onChargeback, onError, now = () => new Date() } = options;
  const seen = options.seen ?? new MemoryNoticeIdStore();
  if (typeof onPostback !== 'function' || typeof onChargeback !== 'function') {
    throw new TypeError('createNoticeHandler needs onPostback and onChargeback.');
  }

  const handle: NoticeHandler = async (rawBody, headers) => {
    if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) return reply(413, 'notice_too_large');
    let notice: Notice;
    let webhookId: string | undefined;
    try {
      if (webhookSecret !== undefined) {
        webhookId = header(headers, 'webhook-id');
        verifyWebhookSignature({
          id: webhookId,
          timestamp: header(headers, 'webhook-timestamp'),
          signature: header(headers, 'webhook-signature'),
          body: rawBody,
          secret: webhookSecret,
          now: now(),
          toleranceSeconds: webhookToleranceSeconds,
        });
      }
      const token = new URLSearchParams(rawBody).get('notice');
      if (!token) throw new NoticeError('notice_missing');
      notice = await verifyNotice(token, { ...options, now: now() });
    } catch (e) {
      if (e instanceof NoticeError) return reply(e.code === 'notice_too_large' ? 413 : 400, e.code);
      // A JWKS that cannot be fetched is our side's trouble: let the provider retry.
      return reply(503, 'verification_unavailable');
    }

    // webhook-id is stable across retries, but it is only trusted once its
    // signature checked out; otherwise anyone could replay a captured notice
    // under fresh ids. Without a webhook secret, the signed jti is the id.
    const id = webhookId !== undefined ? `webhook:${webhookId}` : `jti:${notice.jti}`;
    const state = await seen.begin(id);
    if (state === 'done') return reply(200, notice.transactionID);
    // Another delivery of this notice is running its callback right now: a
    // non-2xx makes the provider come back, when it has either succeeded or failed.
    if (state === 'pending') return reply(409, 'notice_in_progress');
    try {
      if (notice.typ === 'postback') await onPostback(notice);
      else await onChargeback(notice);
    } catch (e) {
      await seen.abandon(id);
      onError?.(e, notice);
      return reply(500, 'callback_failed');
    }
    await seen.complete(id);
    return reply(200, notice.transactionID);
  };

  // A store that throws (its database is down) must not crash the merchant's
  // server; a 500 makes the provider retry later.
  return (rawBody, headers) => handle(rawBody, headers).catch(() => reply(500, 'internal_error'));
}
