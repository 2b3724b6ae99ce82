// What every domain service is given: the databases, the clock, the keys and
// the event bus. Built once by startServer() and by tests.
import type { Db } from './db/open.ts';
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
  now(): number;
}

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
