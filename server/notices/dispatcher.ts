// The outbox dispatcher (DESIGN section 6). Notices are rows written in the
// same transaction as the change they report; this reads the due ones, signs
// each at send time, posts it, and records the attempt. Guarantees:
//  - none lost: a row stays 'pending' until an attempt is recorded as
//    delivered, so a crash anywhere (before the send, or after the merchant's
//    2xx but before our record) means it is sent again on restart, with the
//    same webhook-id (the notice id), which the merchant de-duplicates on;
//  - isolation: each app has its own small concurrency budget and nothing ever
//    awaits one app's delivery before starting another's, so a merchant that
//    hangs uses at most its own slots until the response timeout;
//  - prompt: an enqueue wakes the dispatcher at once (events, or kick()).
import { PaydeskError } from '../../contract/errors.ts';
import { commit, whenDurable } from '../db/group-commit.ts';
import type { Context } from '../context.ts';
import type { Apps } from '../apps/apps.ts';
import type { ProviderKeys } from './provider-keys.ts';
import type { NoticeTargets } from './target.ts';
import { appendPurchaseEvent } from '../purchases/timeline.ts';
import { insertAttempt, type SignedRequest } from './outbox.ts';
import { MerchantConnections, defaultConnectionLimits, defaultDeliveryLimits, sendNotice, type AttemptOutcome, type DeliveryLimits } from './deliver.ts';
import { defaultMaxAttempts, retryDelayMs } from './schedule.ts';
import { EndpointWatch } from './health.ts';
import type { URLSource } from './outbox.ts';
import { deliveryHeaders, noticeBody, noticeClaims, signNotice, type NoticeKey, type NoticePayload, type NoticeType } from './signing.ts';

export interface NoticeRow {
  id: string; purchase_id: string | null; app_key: string; type: NoticeType; seq: number; url: string; url_source: URLSource | null; payload_json: string;
  status: 'pending' | 'delivered' | 'failed'; cancelled_at: number | null; created_at: number; origin: 'purchase' | 'resend' | 'test'; parent_id: string | null;
  transaction_id: string | null; attempts: number; max_attempts: number | null; next_attempt_at: number; last_attempt_at: number | null;
  last_verdict: string | null; last_reason: string | null; delivered_at: number | null; failed_at: number | null;
}

/** What an attempt needs of a notice: read with the pick, in the turn the attempt starts. */
type DueNotice = Pick<NoticeRow, 'id' | 'purchase_id' | 'app_key' | 'type' | 'seq' | 'url' | 'url_source' | 'payload_json'>;

/** A test hook for the crash tests: SIGKILL this process at one point of a delivery. */
export type NoticeFault = 'kill-before-send' | 'kill-after-response';

export interface DispatcherOptions {
  /** Multiplies every retry wait; 1 in production, e.g. 0.001 in development. */
  readonly timeScale: number;
  readonly limits: DeliveryLimits;
  /** Requests to one app's servers at a time (a slot is held from connect to the answer read, not while it is recorded). */
  readonly perAppConcurrency: number;
  /** Deliveries in flight in all; high enough that hung merchants cannot use it up before their timeouts. */
  readonly globalConcurrency: number;
  readonly log: (line: string) => void;
  readonly fault?: NoticeFault;
  readonly random?: () => number;
}

export const defaultDispatcherOptions: DispatcherOptions = {
  timeScale: 1,
  limits: defaultDeliveryLimits,
  perAppConcurrency: 8,
  globalConcurrency: 256,
  log: (line) => console.error(line),
};

/** One request as it is (or would be) sent: what the attempt record and "copy as curl" show. */
export interface PreparedRequest extends SignedRequest {
  readonly transactionID: string;
}

/**
 * How old an attempt opened with its notice (enqueueNotice with a signer) may be and
 * still go out as signed: well inside the receivers' timestamp tolerance (Standard
 * Webhooks: 5 minutes). An older one, held back by a busy merchant, is signed again.
 */
const OPENED_ATTEMPT_FRESH_MS = 30_000;

interface InFlight {
  readonly appKey: string;
  readonly purchaseId: string | null;
  readonly controller: AbortController;
  done: Promise<void>;
  /** Whether it still holds one of its app's slots: given back once the merchant's answer is read. */
  holdsSlot: boolean;
  /** Redelivered (requeued) while this attempt was in flight: its record must not push the redelivery back. */
  redelivered: boolean;
}

/** How often due notices are looked for even without a wake-up (a clock moved by tests, a missed event). */
const POLL_MS = 1000;

/**
 * Per app with pending notices: the earliest next attempt, and the earliest
 * still to come after ?. A loose index scan of notices_due (status, app_key,
 * next_attempt_at): a few index seeks per app, however long an app's backlog.
 */
const SURVEY_SQL = `WITH RECURSIVE pending_apps(app) AS (
    SELECT (SELECT MIN(app_key) FROM notices WHERE status = 'pending')
    UNION ALL
    SELECT (SELECT MIN(app_key) FROM notices WHERE status = 'pending' AND app_key > app) FROM pending_apps WHERE app IS NOT NULL)
  SELECT app,
    (SELECT MIN(next_attempt_at) FROM notices WHERE status = 'pending' AND app_key = app) AS first,
    (SELECT MIN(next_attempt_at) FROM notices WHERE status = 'pending' AND app_key = app AND next_attempt_at > ?) AS later
  FROM pending_apps WHERE app IS NOT NULL`;

/**
 * An app's due notices, oldest due first and, when equally due, in the order
 * they were written (rowid), which is the index's own order: no sort, and the
 * scan stops at the limit. The limit is written into the SQL (one statement
 * per limit, two in all): as a bound parameter SQLite read the whole range.
 */
function pickSQL(limit: number): string {
  return `SELECT id, purchase_id FROM notices WHERE status = 'pending' AND app_key = ? AND next_attempt_at <= ?
  ORDER BY next_attempt_at, rowid LIMIT ${Math.trunc(limit)}`;
}

/** The whole of a picked notice, read for the ones launched only: the pick passes over those in flight, payload and all. */
const DUE_SQL = 'SELECT id, purchase_id, app_key, type, seq, url, url_source, payload_json FROM notices WHERE id = ?';

/** Rows read past an app's slots (its notices in flight come back too), for notices passed over because their purchase has one in flight. */
const PICK_SLACK = 2;
/** Rows read next when slots are still free after the first read: many of its rows were passed over. */
const PICK_MORE = 64;

export class Dispatcher {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly perApp = new Map<string, number>();
  /** Purchases with a notice in flight (never more than one each: see pump()). */
  private readonly purchasesInFlight = new Set<string>();
  private readonly connections: MerchantConnections;
  private readonly pickFirst: string;
  private readonly pickMore: string;
  private readonly waiters = new Map<string, (() => void)[]>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private poll: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private pumping = false;
  private pumpAgain = false;
  private kickQueued = false;
  /** The endpoint view and the "keeps failing" rule, judged after every recorded attempt. */
  readonly endpoints: EndpointWatch;

  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
    private readonly keys: ProviderKeys,
    private readonly targets: NoticeTargets,
    private readonly options: DispatcherOptions = defaultDispatcherOptions,
  ) {
    this.endpoints = new EndpointWatch(ctx);
    this.connections = new MerchantConnections({ ...defaultConnectionLimits, idlePerTarget: Math.max(options.perAppConcurrency, 1) });
    this.pickFirst = pickSQL(options.perAppConcurrency + PICK_SLACK);
    this.pickMore = pickSQL(Math.max(options.perAppConcurrency + PICK_SLACK, PICK_MORE));
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Attempts that were in flight when the process died: say so, and send again.
    const interrupted = this.ctx.db.prepare(`UPDATE notice_attempts SET verdict = 'interrupted',
        reason = 'Paydesk stopped during this attempt; the notice is sent again with the same webhook-id' WHERE verdict IS NULL`).run();
    if (interrupted.changes > 0) this.options.log(`notices: ${interrupted.changes} attempt(s) were cut short by a stop; sending again`);
    this.unsubscribe = this.ctx.events.subscribe((e) => {
      if (e.type === 'purchase.completed') {
        const id = e.data.id;
        if (typeof id === 'string') this.announce(id);
        this.kick();
      } else if (e.type === 'notice.queued') {
        this.kick();
      } else if (e.type === 'clock.advanced') {
        // The timer waits real milliseconds for a time that may now have passed: drop it,
        // so the pump looks again by the new time and starts what has fallen due.
        this.dropTimer();
        this.kick();
      }
    });
    this.poll = setInterval(() => this.kick(), POLL_MS);
    this.poll.unref();
    this.kick();
  }

  /** Emits notice.queued for the notices a completed purchase wrote (purchases.ts emits only purchase.completed). */
  private announce(purchaseId: string): void {
    const rows = this.ctx.db.prepare("SELECT id, app_key, type, seq FROM notices WHERE purchase_id = ? AND attempts = 0 AND status = 'pending' AND origin = 'purchase'")
      .all(purchaseId) as { id: string; app_key: string; type: NoticeType; seq: number }[];
    for (const r of rows) this.ctx.events.emit('notice.queued', { id: r.id, appKey: r.app_key, type: r.type, purchaseId });
  }

  /**
   * Looks for due notices once the I/O of this turn of the event loop has been
   * handled. Cheap; call it after writing a notice. All the calls of one turn (a
   * group commit completes many purchases, many answers come in) make one look.
   */
  kick(): void {
    if (!this.running || this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.pumpNow();
    });
  }

  private pumpNow(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pump();
      } while (this.pumpAgain);
    } catch (e) {
      // The database closing under us at shutdown, or a bug: never let it escape into an event emitter.
      if (this.running) this.options.log(`notices: dispatcher error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Starts what is due and has a free slot, and sets the timer for the next
   * notice that is not due yet: one survey query, and one pick per app that
   * has both due notices and a free slot.
   */
  private pump(): void {
    const now = this.ctx.now();
    const apps = this.ctx.db.prepare(SURVEY_SQL).all(now) as { app: string; first: number; later: number | null }[];
    let next: number | undefined;
    for (const { app: appKey, first, later } of apps) {
      if (later !== null && (next === undefined || later < next)) next = later;
      if (first > now || this.inFlight.size >= this.options.globalConcurrency) continue;
      let free = this.options.perAppConcurrency - (this.perApp.get(appKey) ?? 0);
      // Its notices in flight come back too (still pending, and the earliest due): they are passed over.
      for (const sql of [this.pickFirst, this.pickMore]) {
        if (free <= 0 || this.inFlight.size >= this.options.globalConcurrency) break;
        const rows = this.ctx.db.prepare(sql).all(appKey, now) as Pick<NoticeRow, 'id' | 'purchase_id'>[];
        for (const r of rows) {
          if (free <= 0 || this.inFlight.size >= this.options.globalConcurrency) break;
          if (this.inFlight.has(r.id)) continue;
          // One notice per purchase at a time, so a purchase's notices reach the merchant in order when all goes well.
          if (r.purchase_id !== null && this.purchasesInFlight.has(r.purchase_id)) continue;
          this.launch(this.ctx.db.prepare(DUE_SQL).get(r.id) as DueNotice);
          free--;
        }
        // Nothing more is due than what was read.
        if (rows.length < this.options.perAppConcurrency + PICK_SLACK) break;
      }
    }
    this.scheduleAt(next, now);
  }

  private dropTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  /** The timer wakes the dispatcher when the next notice not yet due becomes due; moved only when that changes. */
  private scheduleAt(due: number | undefined, now: number): void {
    if (due === this.timerAt && this.timer) return;
    this.dropTimer();
    this.timerAt = due;
    if (due === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.kick();
    }, Math.min(Math.max(due - now, 0), 2 ** 31 - 1));
    this.timer.unref();
  }

  private launch(n: DueNotice): void {
    const { id, app_key: appKey, purchase_id: purchaseId } = n;
    const controller = new AbortController();
    const entry: InFlight = { appKey, purchaseId, controller, done: Promise.resolve(), holdsSlot: true, redelivered: false };
    this.inFlight.set(id, entry);
    this.perApp.set(appKey, (this.perApp.get(appKey) ?? 0) + 1);
    if (purchaseId !== null) this.purchasesInFlight.add(purchaseId);
    entry.done = this.attempt(n, controller.signal)
      .catch((e: unknown) => {
        if (!this.running) return;
        this.options.log(`notices: attempt for ${id} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
        // Try again later rather than spin on a notice that cannot be attempted.
        try {
          this.ctx.db.prepare('UPDATE notices SET next_attempt_at = ? WHERE id = ?').run(this.ctx.now() + Math.max(1000 * this.options.timeScale, 10), id);
        } catch {
          // database closed: the row is still pending and is picked up on the next start
        }
      })
      .finally(() => {
        this.releaseSlot(id);
        this.inFlight.delete(id);
        if (purchaseId !== null) this.purchasesInFlight.delete(purchaseId);
        for (const w of this.waiters.get(id) ?? []) w();
        this.waiters.delete(id);
        this.kick();
      });
  }

  /**
   * Gives the app's slot back once the merchant's answer is in: the slots bound
   * the requests a merchant sees at once, and recording the answer (a commit, then
   * an fdatasync) need not hold up its next notice. The notice stays in flight,
   * so it is not picked again, until the record is made.
   */
  private releaseSlot(id: string): void {
    const entry = this.inFlight.get(id);
    if (!entry?.holdsSlot) return;
    entry.holdsSlot = false;
    const n = (this.perApp.get(entry.appKey) ?? 1) - 1;
    if (n <= 0) this.perApp.delete(entry.appKey);
    else this.perApp.set(entry.appKey, n);
    this.kick();
  }

  /** Resolves when the next attempt of this notice has been recorded (or the dispatcher stops). */
  waitForAttempt(id: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  /**
   * Call right after the transaction that requeued a notice (a redelivery), in
   * the same turn: an attempt of it still in flight then leaves it due, instead
   * of scheduling its own retry over the redelivery (or failing it at its last try).
   */
  requeued(id: string): void {
    const f = this.inFlight.get(id);
    if (f) f.redelivered = true;
  }

  row(id: string): NoticeRow {
    const row = this.ctx.db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as NoticeRow | undefined;
    if (!row) throw new PaydeskError('notice_not_found');
    return row;
  }

  private signingKey(appKey: string): NoticeKey {
    if (this.apps.noticeSigning(appKey) === 'eddsa') {
      const k = this.keys.current();
      return { alg: 'EdDSA', kid: k.kid, key: k.key };
    }
    // The app's newest active secret: after a rotation the merchant verifies with the new one.
    const app = this.apps.forVerification(appKey);
    const secret = app?.secrets.find((s) => s.state === 'active') ?? app?.secrets[0];
    if (!secret) throw new Error(`app ${appKey} has no secret to sign notices with`);
    return { alg: 'HS256', secret: secret.secret };
  }

  /** Signs the notice as it would go out now: used for each attempt and for "copy as curl". */
  prepare(n: Pick<NoticeRow, 'id' | 'app_key' | 'type' | 'seq' | 'url' | 'payload_json'>): PreparedRequest {
    // iat, exp and webhook-timestamp are checked by the merchant's clock: the machine's, never the test clock's.
    const nowMs = this.ctx.wallNow();
    const payload = JSON.parse(n.payload_json) as NoticePayload;
    const claims = noticeClaims({ id: n.id, type: n.type, seq: n.seq, issuer: this.ctx.config.audience, appKey: n.app_key, payload, nowMs });
    const { jwt, header } = signNotice(claims, this.signingKey(n.app_key));
    const body = noticeBody(jwt);
    const headers = deliveryHeaders({ id: n.id, timestampSeconds: Math.floor(nowMs / 1000), body, webhookSecret: this.apps.webhookSecret(n.app_key) });
    return { url: n.url, headers, body, notice: { header: { ...header }, claims }, transactionID: String(payload.response.transactionID ?? '') };
  }

  /** One attempt of a notice the pick has just read as pending and due. */
  private async attempt(n: DueNotice, signal: AbortSignal): Promise<void> {
    const { id } = n;
    // An attempt left open and not in flight was opened with the notice, in the transaction
    // that wrote it (start() closed those a stop cut short).
    const opened = this.ctx.db.prepare('SELECT id, started_at, request_headers_json, request_body FROM notice_attempts WHERE notice_id = ? AND verdict IS NULL')
      .get(id) as { id: number; started_at: number; request_headers_json: string; request_body: string } | undefined;
    let prepared: Pick<PreparedRequest, 'url' | 'headers' | 'body' | 'transactionID'>;
    let attemptId: number;
    if (opened && opened.started_at >= this.ctx.now() - OPENED_ATTEMPT_FRESH_MS) {
      // Its record is in the notice's own transaction: once that is durable, the request may leave.
      await whenDurable(this.ctx.db);
      const payload = JSON.parse(n.payload_json) as NoticePayload;
      prepared = { url: n.url, headers: JSON.parse(opened.request_headers_json) as Record<string, string>, body: opened.request_body, transactionID: String(payload.response.transactionID ?? '') };
      attemptId = opened.id;
    } else {
      const signed = this.prepare(n);
      prepared = signed;
      const startedAt = this.ctx.now();
      // Durable before the request leaves, so a crash mid-attempt shows as 'interrupted'; it
      // rides in the same group commit as whatever else is being written this turn.
      attemptId = await commit(this.ctx.db, (tx) => {
        if (!opened) return insertAttempt(tx, id, signed, startedAt);
        this.ctx.db.prepare('UPDATE notice_attempts SET started_at = ?, request_headers_json = ?, request_body = ?, notice_json = ? WHERE id = ?')
          .run(startedAt, JSON.stringify(signed.headers), signed.body, JSON.stringify(signed.notice), opened.id);
        return opened.id;
      });
    }

    const check = await this.targets.check(prepared.url);
    let outcome: AttemptOutcome;
    if (!check.ok) {
      outcome = { verdict: check.verdict, reason: check.reason, response: null, durationMs: 0 };
    } else {
      if (this.options.fault === 'kill-before-send') process.kill(process.pid, 'SIGKILL');
      outcome = await sendNotice({
        target: check.target, headers: prepared.headers, body: prepared.body, expectedEcho: prepared.transactionID, limits: this.options.limits, signal,
        connections: this.connections,
      });
      if (this.options.fault === 'kill-after-response' && outcome.verdict === 'delivered') process.kill(process.pid, 'SIGKILL');
    }
    this.releaseSlot(id);
    if (outcome.verdict === 'interrupted' && !this.running) {
      // Shutting down: leave the attempt open; start() marks it interrupted and the notice goes out again.
      return;
    }
    await this.record(n, attemptId, outcome);
  }

  private async record(before: DueNotice, attemptId: number, outcome: AttemptOutcome): Promise<void> {
    const now = this.ctx.now();
    const result = await commit(this.ctx.db, (tx) => {
      const r = outcome.response;
      this.ctx.db.prepare(`UPDATE notice_attempts SET duration_ms = ?, response_status = ?, response_headers_json = ?, response_body = ?,
          response_truncated = ?, verdict = ?, reason = ? WHERE id = ?`)
        .run(outcome.durationMs, r?.status ?? null, r ? JSON.stringify(r.headers) : null, r?.body ?? null, r?.truncated ? 1 : 0, outcome.verdict, outcome.reason, attemptId);
      const n = this.ctx.db.prepare(`SELECT id, purchase_id, app_key, type, seq, transaction_id, attempts, max_attempts, next_attempt_at, cancelled_at
        FROM notices WHERE id = ?`).get(before.id) as Pick<NoticeRow, 'id' | 'purchase_id' | 'app_key' | 'type' | 'seq' | 'transaction_id' | 'attempts' | 'max_attempts' | 'next_attempt_at' | 'cancelled_at'>;
      const attempts = outcome.verdict === 'interrupted' ? n.attempts : n.attempts + 1;
      let status: NoticeRow['status'] = 'pending';
      let nextAt = n.next_attempt_at;
      let maxAttempts = n.max_attempts;
      // Redelivered while this attempt was in flight (perhaps to a fixed URL): the redelivery stands, due when it asked.
      const redelivered = this.inFlight.get(before.id)?.redelivered === true;
      if (outcome.verdict === 'delivered') status = 'delivered';
      else if (redelivered) maxAttempts = Math.max(n.max_attempts ?? defaultMaxAttempts, attempts + 1);
      else if (outcome.verdict === 'forbidden_target') status = 'failed';
      else if (outcome.verdict === 'interrupted') nextAt = now;
      else {
        const delay = retryDelayMs(attempts, n.max_attempts ?? defaultMaxAttempts, this.options.timeScale, this.options.random);
        if (delay === undefined) status = 'failed';
        else nextAt = now + delay;
      }
      // Cancelled while this attempt was in flight: no more attempts. A delivery still counts (the merchant has it), and undoes the cancel.
      const cancelled = n.cancelled_at !== null && status !== 'delivered';
      if (cancelled) status = 'failed';
      this.ctx.db.prepare(`UPDATE notices SET status = ?, attempts = ?, max_attempts = ?, next_attempt_at = ?, last_attempt_at = ?, last_verdict = ?, last_reason = ?,
          delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
          failed_at = CASE WHEN ? = 'failed' THEN COALESCE(failed_at, ?) ELSE NULL END, cancelled_at = CASE WHEN ? THEN cancelled_at END WHERE id = ?`)
        .run(status, attempts, maxAttempts, nextAt, now, outcome.verdict, outcome.reason, status, now, status, now, cancelled ? 1 : 0, n.id);
      if (n.purchase_id !== null && status !== 'pending') {
        appendPurchaseEvent(tx, n.purchase_id, `notice.${status}`, now, { noticeId: n.id, type: n.type, seq: n.seq, attempts, verdict: outcome.verdict });
      }
      return { n, attempts, status, nextAt, cancelled };
    });
    const { n, attempts, status, cancelled } = result;
    if (outcome.verdict !== 'interrupted') this.endpoints.judge(n.app_key, outcome.verdict === 'delivered');
    const base = { id: n.id, appKey: n.app_key, type: n.type, transactionID: n.transaction_id };
    this.ctx.events.emit('notice.attempted', { ...base, attempt: attempts, verdict: outcome.verdict, reason: outcome.reason, durationMs: outcome.durationMs });
    if (status === 'delivered') this.ctx.events.emit('notice.delivered', { ...base, attempts });
    if (status === 'failed' && !cancelled) {
      this.ctx.events.emit('notice.failed', { ...base, attempts, verdict: outcome.verdict, reason: outcome.reason });
      this.options.log(`notices: ${n.type} ${n.id} to app ${n.app_key} failed after ${attempts} attempt(s): ${outcome.verdict}`);
    }
  }

  /** Stops starting deliveries and cuts the ones in flight; they are sent again on the next start. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.dropTimer();
    if (this.poll) clearInterval(this.poll);
    const pending = [...this.inFlight.values()];
    for (const f of pending) f.controller.abort();
    await Promise.all(pending.map((f) => f.done));
    this.connections.close();
    for (const list of this.waiters.values()) for (const w of list) w();
    this.waiters.clear();
  }
}
