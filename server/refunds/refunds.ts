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
import { iso, type Context } from '../context.ts';
import { formatAmount, parseAmount } from '../money/currency.ts';
import { acceptedAudiences, defaultLimits } from '../requests/verify.ts';
import type { Apps } from '../apps/apps.ts';
import type { Purchases, PurchaseRow } from '../purchases/purchases.ts';
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
  /** The request's Idempotency-Key, kept with the refund: the same key never refunds twice, even across a crash. */
  readonly request?: RequestKey;
}

/** An Idempotency-Key (scoped) and the fingerprint of the request that carried it. */
export interface RequestKey {
  readonly key: string;
  readonly fingerprint: string;
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
    const row = this.ctx.db.prepare('SELECT id FROM purchases WHERE id = ? OR transaction_id = ?').get(id, id) as { id: string } | undefined;
    if (!row) throw new PaydeskError('purchase_not_found');
    return this.execute({ purchaseId: row.id, kind: 'refund', amount: input.amount, reason: input.reason, source: 'console', ...(request ? { request } : {}) });
  }

  /** The merchant API: a refund token signed with the app's secret. */
  async refundFromMerchant(jwt: unknown, request?: RequestKey) {
    const t = await verifyRefundToken(jwt, {
      now: this.ctx.now(),
      audiences: acceptedAudiences(this.ctx.config.audience),
      defaultCurrency: this.ctx.config.defaultCurrency,
      limits: defaultLimits,
      findApp: (key) => this.apps.forVerification(key),
      // Replay is checked where it is claimed, under the write lock (execute).
      jtiSeen: () => false,
    });
    const p = this.ctx.db.prepare("SELECT * FROM purchases WHERE transaction_id = ? AND app_key = ? AND status = 'completed'").get(t.transactionID, t.appKey) as PurchaseRow | undefined;
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
    const reserved = immediate(this.ctx.db, () => {
      if (input.request) {
        // A retry whose first answer was lost in a crash: the refund was made (or is settled by recover()).
        const prior = this.ctx.db.prepare('SELECT id, status, request_fingerprint FROM refunds WHERE request_key = ?').get(input.request.key) as
          { id: string; status: RefundRow['status']; request_fingerprint: string } | undefined;
        if (prior && prior.request_fingerprint !== input.request.fingerprint) throw new PaydeskError('idempotency_key_reused');
        if (prior && prior.status !== 'failed') return { replay: prior.id };
        // A failed refund moved nothing: the key may try again.
        if (prior) this.ctx.db.prepare('UPDATE refunds SET request_key = NULL WHERE id = ?').run(prior.id);
      }
      if (input.jti) {
        // A separate namespace from payment requests' jtis: a refund token is never a payment request.
        const taken = this.ctx.db.prepare('INSERT INTO used_jtis (app_key, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
          .run(input.jti.appKey, `refund:${input.jti.jti}`, input.jti.expiresAt);
        if (taken.changes === 0) throw new PaydeskError('request_jti_replayed');
      }
      const p = this.purchases.row(input.purchaseId);
      if (p.status !== 'completed') throw new PaydeskError('refund_not_refundable', { status: p.status });
      const reserved = (this.ctx.db.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM refunds WHERE purchase_id = ? AND status = 'pending'").get(p.id) as { s: number }).s;
      const refundable = p.amount - p.refunded_amount - reserved;
      const amount = input.amount ?? refundable;
      if (amount > refundable || amount <= 0) {
        throw new PaydeskError('refund_exceeds_refundable', { refundable: Math.max(refundable, 0), currency: p.currency });
      }
      this.ctx.db.prepare(`INSERT INTO refunds (id, purchase_id, app_key, kind, amount, currency, reason, source, status, created_at, request_key, request_fingerprint)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`).run(id, p.id, p.app_key, input.kind, amount, p.currency, input.reason ?? null, input.source, now,
        input.request?.key ?? null, input.request?.fingerprint ?? null);
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
    return immediate(this.ctx.db, () => {
      const r = this.row(refundId);
      const p = this.purchases.row(r.purchase_id);
      const moved = this.ctx.db.prepare('UPDATE purchases SET refunded_amount = refunded_amount + ?, updated_at = ? WHERE id = ? AND refunded_amount + ? <= amount')
        .run(r.amount, now, p.id, r.amount);
      // Unreachable while the reservation holds; refusing is better than a ledger that says more came back than went in.
      if (moved.changes !== 1) throw new Error(`refund ${refundId} would exceed the captured amount of ${p.id}`);
      if (p.simulate_json === null) {
        this.ctx.db.prepare('INSERT INTO ledger_entries (purchase_id, app_key, kind, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(p.id, p.app_key, r.kind, -r.amount, r.currency, now);
        // The seller's refund rate counts refunded sales (apps.refunded_count), each once.
        if (p.refunded_amount === 0) this.ctx.db.prepare('UPDATE apps SET refunded_count = refunded_count + 1 WHERE key = ?').run(p.app_key);
      }
      this.ctx.db.prepare('INSERT INTO purchase_events (purchase_id, type, at, data_json) VALUES (?, ?, ?, ?)').run(p.id, r.kind === 'refund' ? 'refunded' : 'reversed', now,
        JSON.stringify({ refundId, amount: r.amount, currency: r.currency, source: r.source, reason: r.reason, refundedTotal: p.refunded_amount + r.amount }));
      const noticeId = this.purchases.enqueueNotice(p, 'chargeback', {
        request: JSON.parse(p.request_json) as unknown,
        // price is the amount of this chargeback (a partial refund names only its own part).
        response: { transactionID: p.transaction_id, price: { amount: formatAmount(r.amount, r.currency), currency: r.currency }, reason: r.kind },
      });
      this.ctx.db.prepare("UPDATE refunds SET status = 'completed', notice_id = ?, completed_at = ? WHERE id = ?").run(noticeId, now, refundId);
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
