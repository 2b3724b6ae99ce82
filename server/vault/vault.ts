// The vault stands in for the card processor, with its own database file. It
// takes a card number and CVC only to check them, keeps a token, brand, last 4
// and expiry, and charges by token. The number and CVC are never written
// anywhere, by design (DESIGN section 5, threat 6).
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { newId, newOrderedId } from '../ids.ts';
import { immediate, type Db } from '../db/open.ts';
import { commitVisible } from '../db/group-commit.ts';
import { behaviourOf, cardBrand, cvcValid, expiryValid, luhnValid, normalizeCardNumber, type CardBehaviour } from './cards.ts';

export interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export interface CardToken {
  readonly token: string;
  readonly brand: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
}

export type ChargeResult = { readonly ok: true; readonly chargeId: string } | { readonly ok: false; readonly code: ErrorCode };

function chargeResult(row: { id: string; outcome: string }): ChargeResult {
  return row.outcome === 'success' ? { ok: true, chargeId: row.id } : { ok: false, code: row.outcome as ErrorCode };
}

const declineCodes: Partial<Record<CardBehaviour, ErrorCode>> = {
  decline: 'card_declined',
  insufficient_funds: 'card_insufficient_funds',
  expired_card: 'card_expired',
};

/** A successful charge the ledger recorded as completed, re-recorded after the vault lost it (Vault.restoreCharges). */
export interface LostCharge {
  readonly idempotencyKey: string;
  readonly token: string;
  readonly amount: number;
  readonly currency: string;
  /** What the ledger says came back already. */
  readonly refunded: number;
  /** When the ledger completed it: the charge committed just before, on the same clock. */
  readonly at: number;
}

export interface VaultOptions {
  readonly now: () => number;
  /**
   * What a charge of the "slow processor" test card waits for before the processor
   * answers. Default: 3 seconds. Tests hold it open to look at a purchase mid-charge.
   */
  readonly slowCharge?: () => Promise<void>;
}

const slowProcessorDelay = () => new Promise<void>((r) => setTimeout(r, 3000));

export class Vault {
  constructor(private readonly db: Db, private readonly options: VaultOptions) {}

  tokenize(card: CardInput): CardToken {
    const digits = normalizeCardNumber(card.number);
    if (!luhnValid(digits)) throw new PaydeskError('card_number_invalid');
    if (!expiryValid(card.expMonth, card.expYear, this.options.now())) throw new PaydeskError('card_expiry_invalid');
    const brand = cardBrand(digits);
    if (!cvcValid(card.cvc, brand)) throw new PaydeskError('card_cvc_invalid');
    const token: CardToken = { token: newId('tok', 24), brand, last4: digits.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
    this.db.prepare('INSERT INTO cards (token, brand, last4, exp_month, exp_year, behaviour, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(token.token, brand, token.last4, token.expMonth, token.expYear, behaviourOf(digits), this.options.now());
    return token;
  }

  /**
   * Charges a token once per idempotency key: a retried confirmation gets the
   * first answer back instead of a second charge. Processor errors are not
   * recorded, so a retry really retries.
   *
   * Resolves once the charge is committed, before it is on disk (commitVisible):
   * the ledger's transaction that records it may then commit alongside, and the
   * ledger's durability includes the vault's (followDurability, server/main.ts),
   * so one fdatasync of each file, side by side, covers both. Nobody may be told
   * of the charge before whenDurable(vault db); every HTTP answer waits for it.
   */
  async charge(token: string, amount: number, currency: string, idempotencyKey: string): Promise<ChargeResult> {
    const prior = this.chargeFor(idempotencyKey);
    if (prior) return chargeResult(prior);
    const card = this.db.prepare('SELECT behaviour FROM cards WHERE token = ?').get(token) as { behaviour: CardBehaviour } | undefined;
    if (!card) return { ok: false, code: 'card_declined' };
    if (card.behaviour === 'slow') await (this.options.slowCharge ?? slowProcessorDelay)();
    if (card.behaviour === 'processing_error') return { ok: false, code: 'processor_error' };
    const outcome = declineCodes[card.behaviour] ?? 'success';
    const id = newOrderedId('ch');
    // A concurrent charge under the same key wins the insert; both callers get its answer.
    return chargeResult(await commitVisible(this.db, () => {
      const inserted = this.db.prepare('INSERT INTO charges (id, token, idempotency_key, amount, currency, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING')
        .run(id, token, idempotencyKey, amount, currency, outcome, this.options.now());
      return inserted.changes === 1 ? { id, outcome } : this.chargeFor(idempotencyKey)!;
    }));
  }

  /** The charge already made under this key, if any (crash recovery). */
  chargeFor(idempotencyKey: string): { id: string; token: string; outcome: string; refunded: number } | undefined {
    // `refunded` lets refund recovery compare the processor's record with the ledger after a crash.
    return this.db.prepare('SELECT id, token, outcome, refunded FROM charges WHERE idempotency_key = ?').get(idempotencyKey) as
      { id: string; token: string; outcome: string; refunded: number } | undefined;
  }

  /**
   * created_at of the charge committed last (the highest rowid: rows are appended in
   * commit order, which created_at only follows as far as the clock never steps back).
   * What a power cut can take from vault.db is a tail of commits after it.
   */
  lastChargeAt(): number | undefined {
    return (this.db.prepare('SELECT created_at FROM charges ORDER BY rowid DESC LIMIT 1').get() as { created_at: number } | undefined)?.created_at;
  }

  /**
   * Re-records charges whose completion reached the ledger's disk while their row did
   * not reach the vault's (a power cut inside confirm's shared fdatasync window).
   * Charges are deterministic (the outcome depends only on the card), so the lost row
   * is rebuilt from the ledger: same key, token, amount, currency, success. One
   * transaction with synchronous=FULL (immediate), on disk before anything is sent;
   * an existing key is left alone. A card the vault does not know (its cards are
   * written with synchronous=FULL at tokenize, so only a vault.db replaced by hand)
   * cannot carry a charge: those keys are returned, not restored.
   */
  restoreCharges(lost: readonly LostCharge[]): { readonly restored: number; readonly unknownCard: readonly string[] } {
    if (lost.length === 0) return { restored: 0, unknownCard: [] };
    return immediate(this.db, (tx) => {
      const known = tx.prepare('SELECT 1 FROM cards WHERE token = ?');
      const insert = tx.prepare("INSERT INTO charges (id, token, idempotency_key, amount, currency, outcome, refunded, created_at) VALUES (?, ?, ?, ?, ?, 'success', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING");
      let restored = 0;
      const unknownCard: string[] = [];
      for (const c of lost) {
        if (known.get(c.token) === undefined) unknownCard.push(c.idempotencyKey);
        else restored += insert.run(newOrderedId('ch'), c.token, c.idempotencyKey, c.amount, c.currency, c.refunded, c.at).changes;
      }
      return { restored, unknownCard };
    });
  }

  /** Returns money to the card; the ledger decides how much may be refunded. */
  refund(chargeId: string, amount: number): void {
    const r = this.db.prepare('UPDATE charges SET refunded = refunded + ? WHERE id = ? AND outcome = \'success\' AND refunded + ? <= amount').run(amount, chargeId, amount);
    if (r.changes !== 1) throw new Error(`vault refused to refund ${amount} on ${chargeId}`);
  }
}
