// Refunds (merchant or console) and reversals (the buyer disputes a purchase).
// Never more than was captured in total: the check runs inside an IMMEDIATE
// transaction that also reserves the amount (a 'pending' refunds row), so two
// refunds racing cannot both pass. Then the vault returns the money, and one
// IMMEDIATE transaction writes the purchase's refunded total, the negative
// ledger entry, the timeline event and the chargeback notice's outbox row. The
// vault is a separate database (it stands in for the processor), so a crash
// between its refund and our commit is settled on restart by recover(), which
// compares the two records.
import { PaydeskError } from '../../contract/errors.ts';
import { newOrderedId } from '../ids.ts';
import { immediate } from '../db/open.ts';
import { iso, type Context, type RequestKey } from '../context.ts';
import { formatAmount, parseAmount } from '../../contract/money.ts';
import { acceptedAudiences, defaultLimits } from '../requests/verify.ts';
import type { Apps } from '../apps/apps.ts';
import type { Purchases } from '../purchases/purchases.ts';
import { claimRequestId } from '../purchases/request-ids.ts';
import { enqueueNotice } from '../notices/outbox.ts';
import type { Vault } from '../vault/vault.ts';
import type { Wallet } from '../wallet/wallet.ts';
import { verifyRefundToken } from './token.ts';

export type RefundKind = 'refund' | 'reversal';
export type RefundSource = 'console' | 'merchant' | 'buyer';

interface RefundRow {
  id: string; purchase_id: string; app_key: string; kind: RefundKind; amount: number; currency: string; reason: string | null;
  source: RefundSource; status: 'pending' | 'completed' | 'failed'; notice_id: string | null; created_at: number; completed_at: number | null;
}

interface RefundInput {
  readonly purchaseId: string;
  readonly kind: RefundKind;
  /** Minor units; undefined = all that is still refundable. */
  readonly amount: number | undefined;
  readonly reason: string | undefined;
  readonly source: RefundSource;
  /** A merchant token's jti, claimed in the same transaction as the reservation. */
  readonly jti?: { readonly appKey: string; readonly jti: string; readonly expiresAt: number };
  /** The request's Idempotency-Key, claimed with the reservation: the same key never refunds twice, even across a crash. */
  readonly request?: RequestKey;
}

export class Refunds {
  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
    private readonly purchases: Purchases,
    private readonly vault: Vault,
    private readonly wallet: Wallet,
  ) {}

  private row(id: string): RefundRow {
    return this.ctx.db.prepare('SELECT * FROM refunds WHERE id = ?').get(id) as RefundRow;
  }

  private view(r: RefundRow) {
    const p = this.purchases.row(r.purchase_id);
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      source: r.source,
      purchaseId: r.purchase_id,
      transactionID: p.transaction_id,
      amount: { amount: r.amount, currency: r.currency, display: formatAmount(r.amount, r.currency) },
      reason: r.reason,
      noticeId: r.notice_id,
      refundedTotal: p.refunded_amount,
      refundable: p.amount - p.refunded_amount,
      createdAt: iso(r.created_at)!,
      completedAt: iso(r.completed_at),
    };
  }

  list(purchaseId: string) {
    return (this.ctx.db.prepare('SELECT * FROM refunds WHERE purchase_id = ? ORDER BY created_at, rowid').all(purchaseId) as RefundRow[]).map((r) => this.view(r));
  }

  /** From the console: by purchase id or transaction id; amount in minor units. */
  refundFromConsole(id: string, input: { amount?: number; reason?: string }, request?: RequestKey) {
    return this.execute({ purchaseId: this.purchases.idByAnyId(id), kind: 'refund', amount: input.amount, reason: input.reason, source: 'console', ...(request ? { request } : {}) });
  }

  /** The merchant API: a refund token signed with the app's secret. */
  async refundFromMerchant(jwt: unknown, request?: RequestKey) {
    const t = await verifyRefundToken(jwt, {
      // The merchant's iat and exp, by the machine's clock (Context.wallNow).
      now: this.ctx.wallNow(),
      audiences: acceptedAudiences(this.ctx.config.audience),
      defaultCurrency: this.ctx.config.defaultCurrency,
      limits: defaultLimits,
      findApp: (key) => this.apps.forVerification(key),
      // Replay is checked where it is claimed, under the write lock (execute).
      jtiSeen: () => false,
    });
    const p = this.purchases.completedByTransaction(t.transactionID, t.appKey);
    if (!p) throw new PaydeskError('refund_transaction_not_found');
    let amount: number | undefined;
    if (t.amount !== undefined) {
      amount = parseAmount(t.amount, p.currency);
      if (amount === undefined) throw new PaydeskError('refund_amount_invalid', { currency: p.currency });
    }
    return this.execute({
      purchaseId: p.id, kind: 'refund', amount, reason: t.reason, source: 'merchant',
      jti: { appKey: t.appKey, jti: t.jti, expiresAt: (t.exp + defaultLimits.clockSkewSeconds) * 1000 },
      ...(request ? { request } : {}),
    });
  }

  /** The signed-in buyer disputes their own completed purchase: everything still refundable is reversed. */
  dispute(purchaseId: string, input: { reason?: string }, request?: RequestKey) {
    const p = this.purchases.row(purchaseId);
    this.wallet.requireSignedIn(p.buyer_id ?? undefined);
    return this.execute({ purchaseId, kind: 'reversal', amount: undefined, reason: input.reason, source: 'buyer', ...(request ? { request } : {}) });
  }

  private execute(input: RefundInput) {
    const now = this.ctx.now();
    const id = newOrderedId('ref');
    // 1. Check and reserve, under the write lock.
    const reserved = immediate(this.ctx.db, (tx) => {
      const resumes = input.request?.resumes;
      if (resumes !== undefined) {
        // A retry whose first answer was lost in a crash: the refund was made (or is settled by recover()).
        // A failed one moved nothing: the key may try again.
        const prior = this.ctx.db.prepare('SELECT status FROM refunds WHERE id = ?').get(resumes) as { status: RefundRow['status'] } | undefined;
        if (prior && prior.status !== 'failed') return { replay: resumes };
      }
      // A separate namespace from payment requests' jtis: a refund token is never a payment request.
      if (input.jti && !claimRequestId(tx, input.jti.appKey, `refund:${input.jti.jti}`, input.jti.expiresAt)) throw new PaydeskError('request_jti_replayed');
      const p = this.purchases.row(input.purchaseId);
      if (p.status !== 'completed') throw new PaydeskError('refund_not_refundable', { status: p.status });
      const reserved = (this.ctx.db.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM refunds WHERE purchase_id = ? AND status = 'pending'").get(p.id) as { s: number }).s;
      const refundable = p.amount - p.refunded_amount - reserved;
      const amount = input.amount ?? refundable;
      if (amount > refundable || amount <= 0) {
        throw new PaydeskError('refund_exceeds_refundable', { refundable: Math.max(refundable, 0), currency: p.currency });
      }
      tx.prepare(`INSERT INTO refunds (id, purchase_id, app_key, kind, amount, currency, reason, source, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`).run(id, p.id, p.app_key, input.kind, amount, p.currency, input.reason ?? null, input.source, now);
      input.request?.claim(tx, id);
      return { p, amount };
    });
    if (reserved.replay !== undefined) return this.view(this.row(reserved.replay));
    const { p, amount } = reserved;

    // 2. The processor returns the money (simulated purchases moved none).
    if (p.simulate_json === null) {
      try {
        const charge = this.vault.chargeFor(p.id);
        if (charge?.outcome !== 'success') throw new Error(`no successful charge for ${p.id}`);
        this.vault.refund(charge.id, amount);
      } catch {
        this.ctx.db.prepare("UPDATE refunds SET status = 'failed', completed_at = ? WHERE id = ?").run(this.ctx.now(), id);
        throw new PaydeskError('processor_error');
      }
    }

    // 3. Ledger, timeline and the chargeback notice, in one transaction.
    const noticeId = this.complete(id);
    this.ctx.events.emit('purchase.refunded', { id: p.id, refundId: id, kind: input.kind, amount, currency: p.currency, transactionID: p.transaction_id });
    this.ctx.events.emit('notice.queued', { id: noticeId, appKey: p.app_key, type: 'chargeback', purchaseId: p.id });
    return this.view(this.row(id));
  }

  private complete(refundId: string): string {
    const now = this.ctx.now();
    return immediate(this.ctx.db, (tx) => {
      const r = this.row(refundId);
      const p = this.purchases.row(r.purchase_id);
      this.purchases.recordRefund(tx, p, { refundId, kind: r.kind, amount: r.amount, currency: r.currency, source: r.source, reason: r.reason, at: now });
      const { id: noticeId } = enqueueNotice(tx, {
        purchaseId: p.id, appKey: p.app_key, type: 'chargeback', url: p.chargeback_url, at: this.ctx.now(),
        payload: {
          request: JSON.parse(p.request_json) as unknown,
          // price is the amount of this chargeback (a partial refund names only its own part).
          response: { transactionID: p.transaction_id, price: { amount: formatAmount(r.amount, r.currency), currency: r.currency }, reason: r.kind },
        },
      });
      tx.prepare("UPDATE refunds SET status = 'completed', notice_id = ?, completed_at = ? WHERE id = ?").run(noticeId, now, refundId);
      return noticeId;
    });
  }

  /**
   * Refunds left 'pending' by a crash: the vault's refunded total tells whether
   * the money went back. If it did, finish the refund (ledger, notice); if not,
   * mark it failed, and the merchant or console may refund again.
   */
  recover(): number {
    const pending = this.ctx.db.prepare("SELECT * FROM refunds WHERE status = 'pending' ORDER BY created_at, rowid").all() as RefundRow[];
    const surplus = new Map<string, number>();
    let completed = 0;
    for (const r of pending) {
      const p = this.purchases.row(r.purchase_id);
      let done: boolean;
      if (p.simulate_json !== null) done = true;
      else {
        if (!surplus.has(p.id)) surplus.set(p.id, (this.vault.chargeFor(p.id)?.refunded ?? 0) - p.refunded_amount);
        const left = surplus.get(p.id)!;
        done = left >= r.amount;
        if (done) surplus.set(p.id, left - r.amount);
      }
      if (done) {
        this.complete(r.id);
        completed++;
      } else {
        this.ctx.db.prepare("UPDATE refunds SET status = 'failed', completed_at = ? WHERE id = ?").run(this.ctx.now(), r.id);
      }
    }
    return completed;
  }
}

export type RefundView = ReturnType<Refunds['list']>[number];
