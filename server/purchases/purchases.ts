// Purchases: pending -> completed | cancelled | declined | expired (DESIGN section 4).
// Confirmation charges through the vault, then writes the purchase, the ledger
// entry and the postback's outbox row in one transaction, which commits right
// after the vault's and reaches the disk with it (see confirmOnce).
import { createHash } from 'node:crypto';
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { newConfirmationCode, newOrderedId } from '../ids.ts';
import { immediate } from '../db/open.ts';
import { commit } from '../db/group-commit.ts';
import type { Tx } from '../db/tx.ts';
import { iso, type Context, type RequestKey } from '../context.ts';
import { formatAmount } from '../../contract/money.ts';
import { PAY_TYP, peekRequest, verifyPaymentRequest, defaultLimits, acceptedAudiences, type ReachCheck, type VerifiedRequest, type PaymentVerifyContext } from '../requests/verify.ts';
import type { Apps } from '../apps/apps.ts';
import type { Wallet } from '../wallet/wallet.ts';
import type { LostCharge, Vault } from '../vault/vault.ts';
import type { NoticeTargets } from '../notices/target.ts';
import { enqueueNotice, type NoticeSigner } from '../notices/outbox.ts';
import { appendPurchaseEvent, purchaseTimeline, wasDisputed } from './timeline.ts';
import { claimRequestId, requestIdSeen, sweepRequestIds } from './request-ids.ts';
import { listTransactions, type TransactionFilter } from './transactions.ts';

export type PurchaseStatus = 'pending' | 'completed' | 'cancelled' | 'declined' | 'expired';

export interface PurchaseRow {
  id: string; app_key: string; code: string; status: PurchaseStatus; product_id: string; name: string; description: string;
  product_data: string; amount: number; currency: string; price_point: string | null; postback_url: string; chargeback_url: string;
  request_json: string; simulate_json: string | null; secret_id: string | null; buyer_id: string | null; signed_in_buyer_id: string | null; payment_method_id: string | null;
  transaction_id: string | null; failure_code: ErrorCode | null; refunded_amount: number; created_at: number; expires_at: number;
  completed_at: number | null; updated_at: number;
}

/** mozPay's error names, for the page's onerror/onFailure. */
const errorNames: Partial<Record<PurchaseStatus, string>> = {
  cancelled: 'USER_CANCELLED',
  declined: 'PAYMENT_DECLINED',
  expired: 'PAYMENT_TIMEOUT',
};

function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Binds a confirmation to what the buyer was shown: a PIN typed for one purchase cannot confirm another. */
function purchaseDigest(p: Pick<PurchaseRow, 'id' | 'amount' | 'currency' | 'app_key' | 'product_id' | 'name'>): string {
  return createHash('sha256').update(JSON.stringify([p.id, p.amount, p.currency, p.app_key, p.product_id, p.name])).digest('base64url').slice(0, 22);
}

export class Purchases {
  private readonly confirming = new Set<string>();
  /**
   * What each payment method is being charged right now (confirmations between
   * the limit check and their completion): the monthly limit counts it, so
   * confirmations racing each other cannot overspend. In memory: one server owns
   * a data folder, and after a crash recover() completes what the vault charged.
   */
  private readonly charging = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
    private readonly wallet: Wallet,
    private readonly vault: Vault,
    private readonly targets: NoticeTargets,
    /** Signs a completed purchase's postback in its transaction, which then holds its first attempt (enqueueNotice). */
    private readonly signNotice?: NoticeSigner,
  ) {}

  // --- creation (public, from merchant pages) --------------------------------

  /** A pending purchase from the page's tokens; its public view is the request's answer, stored with it. */
  async createFromTokens(jwts: readonly unknown[], request?: RequestKey, signedIn?: (appKey: string) => Promise<string>) {
    if (jwts.length === 0) throw new PaydeskError('pay_no_request');
    // A page may offer several providers; we take the first token of our type.
    const ours = jwts.find((t) => {
      if (typeof t !== 'string') return false;
      try {
        return peekRequest(t).payload.typ === PAY_TYP;
      } catch {
        return false;
      }
    });
    if (ours === undefined) {
      // One token: report exactly why it is not ours (malformed, too large, ...).
      if (jwts.length === 1) await this.verify(jwts[0]);
      throw new PaydeskError('pay_no_supported_request');
    }
    const verified = await this.verify(ours);
    const buyerId = signedIn ? await signedIn(verified.appKey) : null;
    return await this.createPending(verified, request, buyerId);
  }

  private verify(token: unknown): Promise<VerifiedRequest> {
    return verifyPaymentRequest(token, this.verifyContext());
  }

  /**
   * Verifies a token exactly as createFromTokens would, and writes nothing: the
   * Request lab's dry run. A jti already used is refused (request_jti_replayed),
   * an unused one stays unused.
   */
  dryRun(token: unknown, reach?: ReachCheck): Promise<VerifiedRequest> {
    return verifyPaymentRequest(token, { ...this.verifyContext(), reach });
  }

  private verifyContext(): PaymentVerifyContext {
    return {
      // The merchant signed iat and exp by its own clock: checked by the machine's, never the test clock's.
      now: this.ctx.wallNow(),
      audiences: acceptedAudiences(this.ctx.config.audience),
      defaultCurrency: this.ctx.config.defaultCurrency,
      limits: defaultLimits,
      findApp: (key) => this.apps.forVerification(key),
      jtiSeen: (app, jti) => requestIdSeen(this.ctx.db, app, jti),
      ownPorts: this.targets.ownPorts,
    };
  }

  private async createPending(v: VerifiedRequest, request: RequestKey | undefined, signedInBuyerId: string | null) {
    const now = this.ctx.now();
    const id = newOrderedId('pur');
    const r = v.request;
    const view = await commit(this.ctx.db, (tx) => {
      // Checked again under the write lock: two copies of one token racing must not both pass.
      if (v.jti !== undefined && !claimRequestId(tx, v.appKey, v.jti, (v.exp + defaultLimits.clockSkewSeconds) * 1000)) {
        throw new PaydeskError('request_jti_replayed');
      }
      tx.prepare(`INSERT INTO purchases (id, app_key, secret_id, code, status, product_id, name, description, product_data, amount, currency,
          price_point, postback_url, chargeback_url, request_json, simulate_json, created_at, expires_at, updated_at, signed_in_buyer_id)
        VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        id, v.appKey, v.secretId, newConfirmationCode(), r.id ?? '', r.name, r.description, r.productData, r.price.amount, r.price.currency,
        r.pricePoint ?? null, r.postbackURL, r.chargebackURL, JSON.stringify(v.claims.request), r.simulate ? JSON.stringify(r.simulate) : null,
        now, now + this.ctx.config.purchaseTtlMs, now, signedInBuyerId);
      this.event(tx, id, 'created', { appKey: v.appKey, amount: r.price.amount, currency: r.price.currency });
      // Just written, with its expiry ahead of it: no need to look for expiry first (get()).
      const created = this.view(this.row(id));
      request?.answer(tx, publicView(created));
      return created;
    });
    this.ctx.events.emit('purchase.created', { id, appKey: v.appKey, status: 'pending' });
    return view;
  }

  // --- reading ------------------------------------------------------------------

  row(id: string): PurchaseRow {
    const row = this.ctx.db.prepare('SELECT * FROM purchases WHERE id = ?').get(id) as PurchaseRow | undefined;
    if (!row) throw new PaydeskError('purchase_not_found');
    return row;
  }

  private view(p: PurchaseRow) {
    const pm = p.payment_method_id ? this.wallet.paymentMethodLabel(p.payment_method_id) : undefined;
    const buyerId = p.buyer_id ?? p.signed_in_buyer_id;
    const buyer = buyerId ? this.wallet.buyerContact(buyerId) ?? null : null;
    return {
      id: p.id,
      code: p.code,
      status: p.status,
      // product_id is '' for a request without an id (the column predates optional ids).
      item: { id: p.product_id || null, name: p.name, description: p.description, productData: p.product_data },
      price: { amount: p.amount, currency: p.currency, display: formatAmount(p.amount, p.currency) },
      pricePoint: p.price_point,
      refundedAmount: p.refunded_amount,
      // Only a purchase with money back can have been disputed: no lookup for the others.
      disputed: p.refunded_amount > 0 && wasDisputed(this.ctx.db, p.id),
      simulate: p.simulate_json ? (JSON.parse(p.simulate_json) as Record<string, unknown>) : null,
      seller: this.apps.seller(p.app_key),
      buyer,
      signedIn: p.signed_in_buyer_id !== null,
      paymentMethod: pm ?? null,
      transactionID: p.transaction_id,
      failure: p.failure_code ? { code: p.failure_code } : null,
      errorName: errorNames[p.status] ?? (p.status === 'declined' ? 'PAYMENT_DECLINED' : null),
      digest: purchaseDigest(p),
      createdAt: iso(p.created_at)!,
      expiresAt: iso(p.expires_at)!,
      completedAt: iso(p.completed_at),
    };
  }

  get(id: string) {
    // A purchase being charged cannot expire under it: the money may already have moved.
    if (!this.confirming.has(id)) this.expireIfDue(id);
    return this.view(this.row(id));
  }

  list(filter: { status?: PurchaseStatus; limit?: number }) {
    this.expireDue();
    const rows = filter.status
      ? this.ctx.db.prepare('SELECT * FROM purchases WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(filter.status, filter.limit ?? 100)
      : this.ctx.db.prepare('SELECT * FROM purchases ORDER BY created_at DESC, id DESC LIMIT ?').all(filter.limit ?? 100);
    return (rows as PurchaseRow[]).map((r) => this.view(r));
  }

  /** What the merchant's page may know: status, and the transaction id or an error name. */
  publicStatus(id: string) {
    return publicView(this.get(id));
  }

  timeline(id: string) {
    this.row(id);
    return purchaseTimeline(this.ctx.db, id);
  }

  /** A purchase by its own id or its transaction id (the console takes either). */
  idByAnyId(id: string): string {
    const row = this.ctx.db.prepare('SELECT id FROM purchases WHERE id = ? OR transaction_id = ?').get(id, id) as { id: string } | undefined;
    if (!row) throw new PaydeskError('purchase_not_found');
    return row.id;
  }

  /** The app's completed purchase with this transaction id: what a merchant may refund. */
  completedByTransaction(transactionID: string, appKey: string): PurchaseRow | undefined {
    return this.ctx.db.prepare("SELECT * FROM purchases WHERE transaction_id = ? AND app_key = ? AND status = 'completed'").get(transactionID, appKey) as PurchaseRow | undefined;
  }

  /** The transactions list (keyset pages, newest first), with app names and buyer emails. */
  transactions(f: TransactionFilter) {
    return listTransactions(this.ctx.db, { apps: this.apps, wallet: this.wallet }, f);
  }

  /** Forgets request ids past their expiry; run from a timer. */
  sweepRequestIds(): number {
    // Kept until the token's own exp by the machine's clock: advancing the test clock must not let a token be replayed.
    return immediate(this.ctx.db, (tx) => sweepRequestIds(tx, this.ctx.wallNow()));
  }

  // --- state changes ------------------------------------------------------------

  private event(tx: Tx, purchaseId: string, type: string, data: Record<string, unknown> = {}): void {
    appendPurchaseEvent(tx, purchaseId, type, this.ctx.now(), data);
  }

  private expireIfDue(id: string): void {
    const now = this.ctx.now();
    // Read first: nearly every call finds nothing due, and then takes no write lock.
    const due = this.ctx.db.prepare("SELECT 1 FROM purchases WHERE id = ? AND status = 'pending' AND payment_method_id IS NULL AND expires_at <= ?").get(id, now);
    if (due === undefined) return;
    const changed = immediate(this.ctx.db, (tx) => {
      const r = tx.prepare("UPDATE purchases SET status = 'expired', updated_at = ? WHERE id = ? AND status = 'pending' AND payment_method_id IS NULL AND expires_at <= ?").run(now, id, now);
      if (r.changes === 1) this.event(tx, id, 'expired');
      return r.changes === 1;
    });
    if (changed) this.ctx.events.emit('purchase.expired', { id, status: 'expired' });
  }

  /** Marks every overdue pending purchase expired; run on a timer and before listing. */
  expireDue(): number {
    const now = this.ctx.now();
    const due = this.ctx.db.prepare("SELECT id FROM purchases WHERE status = 'pending' AND payment_method_id IS NULL AND expires_at <= ? LIMIT 1000").all(now) as { id: string }[];
    for (const { id } of due) if (!this.confirming.has(id)) this.expireIfDue(id);
    return due.length;
  }

  cancel(id: string) {
    if (this.confirming.has(id)) throw new PaydeskError('purchase_busy');
    this.expireIfDue(id);
    immediate(this.ctx.db, (tx) => {
      const p = this.row(id);
      if (p.status === 'expired') throw new PaydeskError('purchase_expired');
      if (p.status !== 'pending') throw new PaydeskError('purchase_not_pending', { status: p.status });
      if (p.payment_method_id !== null) throw new PaydeskError('purchase_busy');
      tx.prepare("UPDATE purchases SET status = 'cancelled', updated_at = ? WHERE id = ?").run(this.ctx.now(), id);
      this.event(tx, id, 'cancelled');
    });
    this.ctx.events.emit('purchase.cancelled', { id, status: 'cancelled' });
    return this.get(id);
  }

  /** Confirms as the signed-in buyer; the completed purchase's view is the request's answer, stored with it. */
  async confirm(id: string, input: { pin?: string; digest?: string; paymentMethodId?: string }, request?: RequestKey) {
    if (this.confirming.has(id)) throw new PaydeskError('purchase_busy');
    this.confirming.add(id);
    try {
      return await this.confirmOnce(id, input, request);
    } finally {
      this.confirming.delete(id);
    }
  }

  private async confirmOnce(id: string, input: { pin?: string; digest?: string; paymentMethodId?: string }, request?: RequestKey) {
    this.expireIfDue(id);
    const p = this.row(id);
    if (p.status === 'expired') throw new PaydeskError('purchase_expired');
    if (p.status !== 'pending') throw new PaydeskError('purchase_not_pending', { status: p.status });
    if (p.payment_method_id !== null) throw new PaydeskError('purchase_busy');
    if (input.digest !== undefined && input.digest !== purchaseDigest(p)) throw new PaydeskError('purchase_mismatch');
    // A seller disabled after the page opened (say, found fraudulent), or a secret revoked
    // as leaked since it signed this request, sells nothing more.
    const refusal = this.apps.saleRefusal(p.app_key, p.secret_id);
    if (refusal) throw new PaydeskError(refusal);
    // A purchase a payments token named is that buyer's: the wallet must be signed in as them.
    const buyerId = this.wallet.requireSignedIn(p.signed_in_buyer_id ?? undefined);

    const usedPin = input.pin !== undefined;
    if (usedPin) await this.wallet.checkPin(buyerId, input.pin);
    else if (!this.wallet.inUnlockWindow(buyerId)) {
      // Tell a buyer without a PIN to set one, rather than to type one.
      throw new PaydeskError(this.wallet.getBuyer(buyerId).pin.set ? 'pin_required' : 'pin_not_set');
    }

    // The PIN check awaited: the purchase may have run out of time meanwhile.
    if (p.expires_at <= this.ctx.now()) {
      this.expireIfDue(id);
      throw new PaydeskError('purchase_expired');
    }

    if (p.simulate_json !== null || p.amount === 0) return this.completeDurably(p, buyerId, null, usedPin, request);
    const pm = this.wallet.choosePaymentMethod(buyerId, input.paymentMethodId);
    if (pm.currency !== p.currency) throw new PaydeskError('payment_method_currency_mismatch', { paymentMethodCurrency: pm.currency, purchaseCurrency: p.currency });
    if (p.amount > pm.limit_per_purchase) throw new PaydeskError('limit_per_purchase_exceeded', { limit: pm.limit_per_purchase });
    this.holdMonthly(p, pm);
    try {
      // From here on the purchase cannot expire or be cancelled (this.confirming), and a
      // crash is finished by recover(), which finds the vault's charge under the purchase's id.
      const charge = await this.vault.charge(pm.vault_token, p.amount, p.currency, p.id);
      if (!charge.ok) return this.decline(p, buyerId, pm.id, charge.code);
      // The charge is committed in the vault, not yet on disk; the completion commits in the
      // ledger right after, and the ledger's fdatasync waits for the vault's
      // (followDurability): one durable step for both files instead of three in a row.
      return await this.completeDurably(p, buyerId, pm.id, usedPin, request);
    } finally {
      const left = (this.charging.get(pm.id) ?? 0) - p.amount;
      if (left <= 0) this.charging.delete(pm.id);
      else this.charging.set(pm.id, left);
    }
  }

  /**
   * The monthly limit, before the processor is asked: this month's completed spend
   * (a running total, ledger migration 011) and what is being charged right now.
   * Synchronous with its hold, so two confirmations cannot both pass on one margin.
   */
  private holdMonthly(p: Pick<PurchaseRow, 'amount'>, pm: { id: string; limit_per_month: number }): void {
    const month = this.ctx.db.prepare('SELECT amount FROM card_month_spend WHERE payment_method_id = ? AND month = ?').get(pm.id, monthStart(this.ctx.now())) as
      { amount: number } | undefined;
    const spent = (month?.amount ?? 0) + (this.charging.get(pm.id) ?? 0);
    if (spent + p.amount > pm.limit_per_month) throw new PaydeskError('limit_per_month_exceeded', { limit: pm.limit_per_month, spent });
    this.charging.set(pm.id, (this.charging.get(pm.id) ?? 0) + p.amount);
  }

  /** The processor said no: the purchase is declined, or stays pending after a processor error (nothing was charged). */
  private decline(p: Pick<PurchaseRow, 'id'>, buyerId: string, paymentMethodId: string | null, code: ErrorCode): never {
    if (code === 'processor_error') {
      // Nothing was charged: a claim left by a version that reserved durably is released; the purchase may be retried.
      immediate(this.ctx.db, (tx) => {
        tx.prepare("UPDATE purchases SET buyer_id = NULL, payment_method_id = NULL, updated_at = ? WHERE id = ? AND status = 'pending'").run(this.ctx.now(), p.id);
        this.event(tx, p.id, 'charging', { paymentMethodId });
        this.event(tx, p.id, 'processor_error');
      });
    } else {
      immediate(this.ctx.db, (tx) => {
        tx.prepare("UPDATE purchases SET status = 'declined', failure_code = ?, buyer_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'")
          .run(code, buyerId, this.ctx.now(), p.id);
        this.event(tx, p.id, 'charging', { paymentMethodId });
        this.event(tx, p.id, 'declined', { code });
      });
      this.ctx.events.emit('purchase.declined', { id: p.id, status: 'declined', code });
    }
    throw new PaydeskError(code);
  }

  /** complete() at start-up (recover), on its own transaction. */
  private complete(p: PurchaseRow, buyerId: string, paymentMethodId: string | null): void {
    const transactionID = immediate(this.ctx.db, (tx) => this.completeTx(tx, p, buyerId, paymentMethodId, false).transaction_id!);
    this.ctx.events.emit('purchase.completed', { id: p.id, status: 'completed', transactionID });
  }

  /** complete() while serving: in the next group commit, resolved with the completed view once that is durable. */
  private async completeDurably(p: PurchaseRow, buyerId: string, paymentMethodId: string | null, usedPin: boolean, request?: RequestKey) {
    const view = await commit(this.ctx.db, (tx) => {
      // Completed: past expiry for good, so no get(); the row as written, not read again.
      const completed = this.view(this.completeTx(tx, p, buyerId, paymentMethodId, usedPin, this.signNotice));
      request?.answer(tx, completed);
      return completed;
    });
    this.ctx.events.emit('purchase.completed', { id: p.id, status: 'completed', transactionID: view.transactionID! });
    return view;
  }

  /**
   * The one transaction that makes a purchase complete: state, ledger entry, postback
   * outbox row, timeline. `p` was read before the charge; what may have changed since
   * (its status) is read again here, under the write lock. Returns the row as written.
   */
  private completeTx(tx: Tx, p: PurchaseRow, buyerId: string, paymentMethodId: string | null, usedPin: boolean, sign?: NoticeSigner): PurchaseRow {
    const now = this.ctx.now();
    const id = p.id;
    const cur = tx.prepare('SELECT status FROM purchases WHERE id = ?').get(id) as Pick<PurchaseRow, 'status'>;
    if (cur.status !== 'pending') throw new PaydeskError('purchase_not_pending', { status: cur.status });
    // A charged purchase completes whatever the clock says: the money already moved.
    if (paymentMethodId === null && p.expires_at <= now) throw new PaydeskError('purchase_expired');
    const simulate = p.simulate_json ? (JSON.parse(p.simulate_json) as { result: 'postback' | 'chargeback'; reason?: string }) : null;
    const txn = simulate ? `simulate:${newOrderedId('txn')}` : newOrderedId('txn');
    if (paymentMethodId !== null) this.event(tx, id, 'charging', { paymentMethodId });
    tx.prepare("UPDATE purchases SET status = 'completed', transaction_id = ?, buyer_id = ?, payment_method_id = ?, completed_at = ?, updated_at = ? WHERE id = ?")
      .run(txn, buyerId, paymentMethodId, now, now, id);
    if (!simulate) this.apps.countSale(tx, p.app_key);
    if (!simulate && p.amount > 0) {
      tx.prepare("INSERT INTO ledger_entries (purchase_id, app_key, kind, amount, currency, created_at) VALUES (?, ?, 'charge', ?, ?, ?)")
        .run(id, p.app_key, p.amount, p.currency, now);
    }
    const type = simulate?.result ?? 'postback';
    const response: Record<string, unknown> = { transactionID: txn, price: { amount: formatAmount(p.amount, p.currency), currency: p.currency } };
    if (type === 'chargeback') response.reason = simulate?.reason ?? 'refund';
    enqueueNotice(tx, {
      purchaseId: id, appKey: p.app_key, type, url: type === 'postback' ? p.postback_url : p.chargeback_url,
      payload: { request: JSON.parse(p.request_json) as unknown, response }, at: now,
    }, sign);
    if (usedPin) this.wallet.openUnlockWindow(tx, buyerId);
    this.event(tx, id, 'completed', { transactionID: txn, buyerId, simulated: simulate !== null });
    return { ...p, status: 'completed', transaction_id: txn, buyer_id: buyerId, payment_method_id: paymentMethodId, completed_at: now, updated_at: now };
  }

  /**
   * A refund's part of the purchase's record, inside the refund's completing
   * transaction: the refunded total (never past what was captured), the negative
   * ledger entry and the seller's refund counter (real money only), the timeline.
   */
  recordRefund(tx: Tx, p: PurchaseRow, r: { readonly refundId: string; readonly kind: 'refund' | 'reversal'; readonly amount: number; readonly currency: string;
    readonly source: string; readonly reason: string | null; readonly at: number }): void {
    const moved = tx.prepare('UPDATE purchases SET refunded_amount = refunded_amount + ?, updated_at = ? WHERE id = ? AND refunded_amount + ? <= amount')
      .run(r.amount, r.at, p.id, r.amount);
    // Unreachable while the refund's reservation holds; refusing is better than a ledger that says more came back than went in.
    if (moved.changes !== 1) throw new Error(`refund ${r.refundId} would exceed the captured amount of ${p.id}`);
    if (p.simulate_json === null) {
      tx.prepare('INSERT INTO ledger_entries (purchase_id, app_key, kind, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(p.id, p.app_key, r.kind, -r.amount, r.currency, r.at);
      // The seller's refund rate counts refunded sales, each once.
      if (p.refunded_amount === 0) this.apps.countRefundedSale(tx, p.app_key);
    }
    appendPurchaseEvent(tx, p.id, r.kind === 'refund' ? 'refunded' : 'reversed', r.at,
      { refundId: r.refundId, amount: r.amount, currency: r.currency, source: r.source, reason: r.reason, refundedTotal: p.refunded_amount + r.amount });
  }

  /**
   * Start-up, before anything is sent: completions whose charge the vault lost in a
   * power cut get it back. Confirm commits the charge in vault.db and the completion
   * in ledger.db right after, and their fdatasyncs run side by side (followDurability);
   * a power cut in that window can keep the ledger's WAL tail and lose the vault's.
   * The ledger's completion is then true (the charge was made: its answer and
   * postback only waited for the disk), so the vault re-records it (restoreCharges).
   *
   * Which completions to look at, without reading a million: SQLite recovers a WAL as
   * a prefix of its commits, so what the vault lost was committed after the charge it
   * kept last (lastChargeAt). A lost charge's completion committed in the ledger after
   * that charge did, and its ledger entry is stamped by the same injected clock, later:
   * so the ledger's charge entries from that instant on, walked newest first by their
   * AUTOINCREMENT id (commit order, the table's own b-tree, no sort), and no further.
   * CLOCK_MARGIN_MS covers a clock that steps back a little between the two (NTP);
   * a clock set back by more than that between the two commits would be missed.
   * Simulated and zero-amount purchases have neither a charge entry nor a charge.
   * A vault with no charge at all gives no bound: every charge entry is looked at.
   */
  reconcileCharges(): { readonly restored: number; readonly unrestorable: readonly string[] } {
    const last = this.vault.lastChargeAt();
    const since = last === undefined ? -Infinity : last - CLOCK_MARGIN_MS;
    const recent: string[] = [];
    for (const e of this.ctx.db.prepare('SELECT purchase_id, kind, created_at FROM ledger_entries ORDER BY id DESC').iterate() as Iterable<{ purchase_id: string; kind: string; created_at: number }>) {
      if (e.created_at < since) break;
      if (e.kind === 'charge') recent.push(e.purchase_id);
    }
    const lost: LostCharge[] = [];
    const unrestorable: string[] = [];
    for (const id of recent) {
      if (this.vault.chargeFor(id)) continue;
      const p = this.row(id);
      const token = p.payment_method_id === null ? undefined : this.wallet.vaultTokenOf(p.payment_method_id);
      if (token === undefined || p.completed_at === null) unrestorable.push(id);
      else lost.push({ idempotencyKey: id, token, amount: p.amount, currency: p.currency, refunded: p.refunded_amount, at: p.completed_at });
    }
    const { restored, unknownCard } = this.vault.restoreCharges(lost);
    return { restored, unrestorable: [...unrestorable, ...unknownCard] };
  }

  /**
   * After a crash between the vault's charge and our commit, the purchase is
   * still pending but the card was charged: finish it rather than charge again.
   * The charge is found under the purchase's id, its card under its token. Every
   * pending purchase is looked at (they expire, so they are few), since no claim
   * is written before the charge.
   */
  recover(): number {
    const pending = this.ctx.db.prepare("SELECT * FROM purchases WHERE status = 'pending'").all() as PurchaseRow[];
    let recovered = 0;
    for (const p of pending) {
      const charge = this.vault.chargeFor(p.id);
      // Not charged, and not claimed by an older version's reservation: an ordinary pending purchase.
      if (!charge && p.payment_method_id === null) continue;
      recovered++;
      const pm = charge ? this.wallet.paymentMethodByToken(charge.token) : undefined;
      const buyerId = p.buyer_id ?? pm?.buyer_id ?? null;
      const paymentMethodId = p.payment_method_id ?? pm?.id ?? null;
      if (charge?.outcome === 'success' && buyerId !== null && paymentMethodId !== null) this.complete(p, buyerId, paymentMethodId);
      else {
        try {
          this.decline({ id: p.id }, buyerId ?? '', paymentMethodId, (charge?.outcome ?? 'processor_error') as ErrorCode);
        } catch {
          // decline() reports by throwing; at start-up there is nobody to tell
        }
      }
    }
    return recovered;
  }

}

/** How far back (ms) reconcileCharges() looks past the vault's last charge, for a clock that steps back. */
const CLOCK_MARGIN_MS = 60_000;

export type PurchaseView = ReturnType<Purchases['get']>;

/** The part of a purchase's view a merchant's page may see. */
export function publicView(v: PurchaseView) {
  return {
    id: v.id, status: v.status, code: v.code, item: { name: v.item.name, description: v.item.description },
    price: v.price, seller: { name: v.seller.name, homepage: v.seller.homepage },
    transactionID: v.status === 'completed' ? v.transactionID : null,
    error: v.errorName, expiresAt: v.expiresAt,
  };
}
