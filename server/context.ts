// What every domain service is given: the databases, the clock, the keys and
// the event bus. Built once by startServer() and by tests.
import type { Db } from './db/open.ts';
import type { Tx } from './db/tx.ts';
import type { DerivedKeys } from './keys/master-key.ts';
import type { EventBus } from './events/bus.ts';

export interface Config {
  /** The audience payment requests must name, and the `iss` of notices. */
  readonly audience: string;
  /** Currency a pricePoint resolves to when the request names none. */
  readonly defaultCurrency: string;
  /** How long a pending purchase waits for the buyer. */
  readonly purchaseTtlMs: number;
  /** Default grace period of a rotated secret. */
  readonly defaultGraceSeconds: number;
}

export const defaultConfig: Config = {
  audience: 'paydesk',
  defaultCurrency: 'USD',
  purchaseTtlMs: 15 * 60_000,
  defaultGraceSeconds: 24 * 3600,
};

export interface Context {
  readonly db: Db;
  readonly vaultDb: Db;
  readonly keys: DerivedKeys;
  readonly events: EventBus;
  readonly config: Config;
  /**
   * Paydesk's time, in ms: what purchases expire by, PIN lockouts end by, notice
   * retries fall due by and secrets' grace periods end by. Ahead of the machine's
   * clock when the test clock is on (server/clock/test-clock.ts); the same otherwise.
   */
  now(): number;
  /**
   * The machine's clock, which the test clock never moves: for times another party
   * checks against its own clock (a payment request's or refund token's iat and exp,
   * the request ids kept until that exp, a notice's iat and webhook-timestamp), and
   * for limits on the person at the keyboard (console login codes and sessions, the
   * public rate limit, how long an Idempotency-Key is kept).
   */
  wallNow(): number;
}

/**
 * The Idempotency-Key a change is made under (kept by server/http/idempotency.ts,
 * the one place keys live). A service writes the key inside the transaction that
 * makes the change, so a retry after a crash that lost the reply finds the change
 * instead of making it twice.
 */
export interface RequestKey {
  /** A change made in one transaction: its answer is stored there, and a retry replays it. */
  answer(tx: Tx, answer: unknown): void;
  /** A change made over several transactions (a refund): the key is bound to it in the first. */
  claim(tx: Tx, changeId: string): void;
  /** The change an earlier try with this key claimed and never answered for (it crashed), if any. */
  readonly resumes: string | undefined;
}

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
