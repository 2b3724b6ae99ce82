// Buyers, the wallet session, PINs and preauthorized payment methods
// (DESIGN section 5). The PIN is checked here and nowhere else.
import { PaydeskError } from '../../contract/errors.ts';
import { newId } from '../ids.ts';
import { immediate } from '../db/open.ts';
import type { Tx } from '../db/tx.ts';
import { iso, type Context } from '../context.ts';
import type { Vault, CardInput } from '../vault/vault.ts';
import { hashPin, verifyPin } from './pin-hash.ts';
import { isPinFormat, isTrivialPin } from '../../contract/pin.ts';
import {
  afterFailure, afterSuccess, beforeAttempt, isLocked, triesLeft,
  RESET_SIGNIN_WINDOW_MS, type LockState,
} from './pin-policy.ts';

interface BuyerRow {
  id: string; email: string; name: string; created_at: number; pin_hash: string | null; pin_set_at: number | null;
  pin_failures: number; pin_locked_until: number | null; pin_lockouts: number; unlock_window_seconds: number; unlocked_until: number | null;
}
interface PaymentMethodRow {
  id: string; buyer_id: string; vault_token: string; brand: string; last4: string; exp_month: number; exp_year: number;
  currency: string; limit_per_purchase: number; limit_per_month: number; created_at: number; removed_at: number | null;
}

export interface NewPaymentMethod {
  readonly card: CardInput;
  readonly currency: string;
  readonly limitPerPurchase: number;
  readonly limitPerMonth: number;
}

const lockState = (b: BuyerRow): LockState => ({ failures: b.pin_failures, lockouts: b.pin_lockouts, lockedUntil: b.pin_locked_until });

export class Wallet {
  /**
   * The tail of each buyer's queue of PIN checks and changes. scrypt runs off the
   * event loop, so without the queue a check could start while another's try was
   * still reserved: right PINs sent together locked each other out.
   */
  private readonly pinTurns = new Map<string, Promise<void>>();

  constructor(private readonly ctx: Context, private readonly vault: Vault) {}

  // --- buyers ---------------------------------------------------------------

  createBuyer(input: { email: string; name: string }) {
    const id = newId('buy', 16);
    try {
      this.ctx.db.prepare('INSERT INTO buyers (id, email, name, created_at) VALUES (?, ?, ?, ?)').run(id, input.email, input.name, this.ctx.now());
    } catch (e) {
      if (e instanceof Error && /UNIQUE/.test(e.message)) throw new PaydeskError('buyer_email_taken');
      throw e;
    }
    this.ctx.events.emit('buyer.created', { id });
    return this.getBuyer(id);
  }

  private row(id: string): BuyerRow {
    const row = this.ctx.db.prepare('SELECT * FROM buyers WHERE id = ?').get(id) as BuyerRow | undefined;
    if (!row) throw new PaydeskError('buyer_not_found');
    return row;
  }

  private view(b: BuyerRow) {
    const now = this.ctx.now();
    const s = beforeAttempt(lockState(b), now);
    const session = this.session();
    return {
      id: b.id,
      email: b.email,
      name: b.name,
      createdAt: iso(b.created_at)!,
      signedIn: session?.buyerId === b.id,
      pin: {
        set: b.pin_hash !== null,
        setAt: iso(b.pin_set_at),
        locked: isLocked(s, now),
        lockedUntil: isLocked(s, now) ? iso(s.lockedUntil) : null,
        triesLeft: triesLeft(s),
        unlockWindowSeconds: b.unlock_window_seconds,
        unlockedUntil: b.unlocked_until !== null && b.unlocked_until > now ? iso(b.unlocked_until) : null,
      },
      paymentMethods: this.paymentMethods(b.id),
    };
  }

  getBuyer(id: string) {
    return this.view(this.row(id));
  }

  listBuyers() {
    return (this.ctx.db.prepare('SELECT * FROM buyers ORDER BY created_at, rowid').all() as BuyerRow[]).map((b) => this.view(b));
  }

  /** Who a purchase was made by, as its view shows them. */
  buyerContact(id: string): { id: string; email: string; name: string } | undefined {
    return this.ctx.db.prepare('SELECT id, email, name FROM buyers WHERE id = ?').get(id) as { id: string; email: string; name: string } | undefined;
  }

  /** Buyers' emails by id, for a page of transactions (one query). */
  emails(ids: readonly string[]): ReadonlyMap<string, string> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = this.ctx.db.prepare(`SELECT id, email FROM buyers WHERE id IN (${unique.map(() => '?').join(', ')})`).all(...unique) as { id: string; email: string }[];
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  /** The buyer with this email (emails are unique, compared without case), for a sign-in's login_hint. */
  buyerIdByEmail(email: string): string | undefined {
    return (this.ctx.db.prepare('SELECT id FROM buyers WHERE email = ?').get(email) as { id: string } | undefined)?.id;
  }

  // --- session --------------------------------------------------------------

  session(): { buyerId: string; signedInAt: number } | undefined {
    const row = this.ctx.db.prepare('SELECT buyer_id, signed_in_at FROM wallet_session WHERE id = 1').get() as { buyer_id: string; signed_in_at: number } | undefined;
    return row && { buyerId: row.buyer_id, signedInAt: row.signed_in_at };
  }

  signIn(buyerId: string) {
    this.row(buyerId);
    const now = this.ctx.now();
    immediate(this.ctx.db, () => {
      // Whoever was signed in loses any open unlock window.
      this.ctx.db.prepare('UPDATE buyers SET unlocked_until = NULL WHERE id IN (SELECT buyer_id FROM wallet_session)').run();
      this.ctx.db.prepare('INSERT INTO wallet_session (id, buyer_id, signed_in_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET buyer_id = excluded.buyer_id, signed_in_at = excluded.signed_in_at').run(buyerId, now);
    });
    this.ctx.events.emit('wallet.signed_in', { buyerId });
    return { buyer: this.getBuyer(buyerId), signedInAt: iso(now)! };
  }

  signOut() {
    const s = this.session();
    immediate(this.ctx.db, () => {
      if (s) this.ctx.db.prepare('UPDATE buyers SET unlocked_until = NULL WHERE id = ?').run(s.buyerId);
      this.ctx.db.prepare('DELETE FROM wallet_session').run();
    });
    this.ctx.events.emit('wallet.signed_out', { buyerId: s?.buyerId ?? null });
  }

  /** The signed-in buyer, who alone may use the PIN and confirm purchases. */
  requireSignedIn(buyerId?: string): string {
    const s = this.session();
    if (!s) throw new PaydeskError('wallet_signed_out');
    if (buyerId !== undefined && s.buyerId !== buyerId) throw new PaydeskError('wallet_wrong_buyer');
    return s.buyerId;
  }

  // --- PIN ------------------------------------------------------------------

  /**
   * Set a first PIN, change it (with the current PIN), or reset a forgotten one
   * (only within minutes of a fresh sign-in).
   */
  async setPin(buyerId: string, input: { pin: string; currentPin?: string; unlockWindowSeconds?: number }) {
    this.requireSignedIn(buyerId);
    this.row(buyerId);
    if (!isPinFormat(input.pin)) throw new PaydeskError('pin_invalid_format');
    if (isTrivialPin(input.pin)) throw new PaydeskError('pin_too_simple');
    // In the buyer's PIN queue as a whole: a change racing another is checked against the PIN the other set.
    await this.inPinTurn(buyerId, () => this.replacePin(buyerId, input));
    this.ctx.events.emit('buyer.pin_set', { id: buyerId });
    return this.getBuyer(buyerId);
  }

  private async replacePin(buyerId: string, input: { pin: string; currentPin?: string; unlockWindowSeconds?: number }): Promise<void> {
    // Again: the wallet may have been signed out while this waited its turn.
    this.requireSignedIn(buyerId);
    const b = this.row(buyerId);
    if (b.pin_hash !== null) {
      if (input.currentPin !== undefined) {
        await this.verifyInTurn(buyerId, input.currentPin);
      } else {
        // Signing in takes no credential in a developer's wallet, so a reset must not
        // be a way around a lock: it waits the lock out, and keeps the escalation.
        const now = this.ctx.now();
        const state = beforeAttempt(lockState(b), now);
        if (isLocked(state, now)) throw new PaydeskError('pin_locked', { lockedUntil: iso(state.lockedUntil) });
        const s = this.session()!;
        if (now - s.signedInAt > RESET_SIGNIN_WINDOW_MS) throw new PaydeskError('pin_reset_needs_signin');
      }
    }
    const hash = await hashPin(input.pin, this.ctx.keys.pinPepper);
    // A new PIN starts with a full set of tries; the escalation level stays until a right PIN is typed.
    this.ctx.db.prepare(`UPDATE buyers SET pin_hash = ?, pin_set_at = ?, pin_failures = 0, pin_locked_until = NULL,
      unlocked_until = NULL, unlock_window_seconds = COALESCE(?, unlock_window_seconds) WHERE id = ?`)
      .run(hash, this.ctx.now(), input.unlockWindowSeconds ?? null, buyerId);
  }

  setUnlockWindow(buyerId: string, seconds: number) {
    this.requireSignedIn(buyerId);
    this.row(buyerId);
    this.ctx.db.prepare('UPDATE buyers SET unlock_window_seconds = ?, unlocked_until = NULL WHERE id = ?').run(seconds, buyerId);
    return this.getBuyer(buyerId);
  }

  /** Checks a PIN, after every check of this buyer's PIN that arrived before it has finished. */
  checkPin(buyerId: string, pin: unknown): Promise<void> {
    return this.inPinTurn(buyerId, () => this.verifyInTurn(buyerId, pin));
  }

  /** Runs `step` once every earlier step queued for this buyer has settled. */
  private async inPinTurn<T>(buyerId: string, step: () => Promise<T>): Promise<T> {
    const before = this.pinTurns.get(buyerId) ?? Promise.resolve();
    let done!: () => void;
    const tail = before.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.pinTurns.set(buyerId, tail);
    await before;
    try {
      return await step();
    } finally {
      done();
      if (this.pinTurns.get(buyerId) === tail) this.pinTurns.delete(buyerId);
    }
  }

  /**
   * Only inside the buyer's PIN turn. The attempt is counted as a failure in the
   * database before the (slow) hash runs, so a crash or restart mid-check does
   * not hand out a fresh try; a right PIN then clears it. The turn makes sure no
   * other check sees that reservation.
   */
  private async verifyInTurn(buyerId: string, pin: unknown): Promise<void> {
    const reserved = immediate(this.ctx.db, () => {
      const b = this.row(buyerId);
      if (b.pin_hash === null) throw new PaydeskError('pin_not_set');
      const now = this.ctx.now();
      const state = beforeAttempt(lockState(b), now);
      if (isLocked(state, now)) throw new PaydeskError('pin_locked', { lockedUntil: iso(state.lockedUntil) });
      const next = afterFailure(state, now);
      this.ctx.db.prepare('UPDATE buyers SET pin_failures = ?, pin_lockouts = ?, pin_locked_until = ? WHERE id = ?')
        .run(next.failures, next.lockouts, next.lockedUntil, buyerId);
      return { hash: b.pin_hash, next };
    });
    const ok = isPinFormat(pin) && (await verifyPin(pin, reserved.hash, this.ctx.keys.pinPepper));
    if (ok) {
      this.ctx.db.prepare('UPDATE buyers SET pin_failures = ?, pin_lockouts = ?, pin_locked_until = ? WHERE id = ?')
        .run(afterSuccess.failures, afterSuccess.lockouts, afterSuccess.lockedUntil, buyerId);
      return;
    }
    const { next } = reserved;
    this.ctx.events.emit('buyer.pin_failed', { id: buyerId, locked: next.lockedUntil !== null });
    if (next.lockedUntil !== null) throw new PaydeskError('pin_locked', { lockedUntil: iso(next.lockedUntil) });
    throw new PaydeskError('pin_incorrect', { triesLeft: triesLeft(next) });
  }

  /** True when the buyer confirmed with the PIN recently enough that this confirmation may skip it. */
  inUnlockWindow(buyerId: string): boolean {
    const b = this.row(buyerId);
    return b.unlocked_until !== null && b.unlocked_until > this.ctx.now();
  }

  /** Opens the unlock window after a successful PIN, inside the confirming transaction. */
  openUnlockWindow(tx: Tx, buyerId: string): void {
    tx.prepare('UPDATE buyers SET unlocked_until = CASE WHEN unlock_window_seconds > 0 THEN ? + unlock_window_seconds * 1000 ELSE NULL END WHERE id = ?')
      .run(this.ctx.now(), buyerId);
  }

  // --- payment methods (preauthorization) -------------------------------------

  private pmView(p: PaymentMethodRow) {
    return {
      id: p.id, brand: p.brand, last4: p.last4, expMonth: p.exp_month, expYear: p.exp_year, currency: p.currency,
      limits: { perPurchase: p.limit_per_purchase, perMonth: p.limit_per_month }, createdAt: iso(p.created_at)!,
    };
  }

  paymentMethods(buyerId: string) {
    return (this.ctx.db.prepare('SELECT * FROM payment_methods WHERE buyer_id = ? AND removed_at IS NULL ORDER BY created_at DESC, id').all(buyerId) as PaymentMethodRow[])
      .map((p) => this.pmView(p));
  }

  addPaymentMethod(buyerId: string, input: NewPaymentMethod) {
    this.row(buyerId);
    const card = this.vault.tokenize(input.card);
    const id = newId('pm', 16);
    this.ctx.db.prepare(`INSERT INTO payment_methods (id, buyer_id, vault_token, brand, last4, exp_month, exp_year, currency, limit_per_purchase, limit_per_month, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, buyerId, card.token, card.brand, card.last4, card.expMonth, card.expYear,
      input.currency, input.limitPerPurchase, input.limitPerMonth, this.ctx.now());
    this.ctx.events.emit('buyer.payment_method_added', { id: buyerId, paymentMethodId: id });
    return this.pmView(this.pmRow(buyerId, id));
  }

  /** How a purchase's card is shown (brand and last 4), even after the card was removed. */
  paymentMethodLabel(id: string): { brand: string; last4: string } | undefined {
    return this.ctx.db.prepare('SELECT brand, last4 FROM payment_methods WHERE id = ?').get(id) as { brand: string; last4: string } | undefined;
  }

  /** The payment method holding a vault token, removed or not: crash recovery finds a charge's card by it. */
  paymentMethodByToken(token: string): { id: string; buyer_id: string } | undefined {
    return this.ctx.db.prepare('SELECT id, buyer_id FROM payment_methods WHERE vault_token = ?').get(token) as { id: string; buyer_id: string } | undefined;
  }

  /** The vault token of a payment method, removed or not: start-up re-records a charge the vault lost under it. */
  vaultTokenOf(paymentMethodId: string): string | undefined {
    return (this.ctx.db.prepare('SELECT vault_token FROM payment_methods WHERE id = ?').get(paymentMethodId) as { vault_token: string } | undefined)?.vault_token;
  }

  private pmRow(buyerId: string, id: string): PaymentMethodRow {
    const row = this.ctx.db.prepare('SELECT * FROM payment_methods WHERE id = ? AND buyer_id = ? AND removed_at IS NULL').get(id, buyerId) as PaymentMethodRow | undefined;
    if (!row) throw new PaydeskError('payment_method_not_found');
    return row;
  }

  /** The card a confirmation charges: the one chosen, else the most recent. */
  choosePaymentMethod(buyerId: string, id: string | undefined): PaymentMethodRow {
    if (id !== undefined) return this.pmRow(buyerId, id);
    const row = this.ctx.db.prepare('SELECT * FROM payment_methods WHERE buyer_id = ? AND removed_at IS NULL ORDER BY created_at DESC, id LIMIT 1').get(buyerId) as PaymentMethodRow | undefined;
    if (!row) throw new PaydeskError('payment_method_missing');
    return row;
  }

  updateLimits(buyerId: string, id: string, limits: { perPurchase?: number; perMonth?: number }) {
    const p = this.pmRow(buyerId, id);
    this.ctx.db.prepare('UPDATE payment_methods SET limit_per_purchase = ?, limit_per_month = ? WHERE id = ?')
      .run(limits.perPurchase ?? p.limit_per_purchase, limits.perMonth ?? p.limit_per_month, id);
    return this.pmView(this.pmRow(buyerId, id));
  }

  removePaymentMethod(buyerId: string, id: string): void {
    this.pmRow(buyerId, id);
    this.ctx.db.prepare('UPDATE payment_methods SET removed_at = ? WHERE id = ?').run(this.ctx.now(), id);
    this.ctx.events.emit('buyer.payment_method_removed', { id: buyerId, paymentMethodId: id });
  }
}

export type BuyerView = ReturnType<Wallet['getBuyer']>;
