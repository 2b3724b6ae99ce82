// Idempotency-Key on every mutating call (DESIGN section 10): the same key and
// body replay the first answer; the same key with another body is a 422; a
// duplicate that arrives while the first is still running is a 409.
import { createHmac } from 'node:crypto';
import { seal, unseal } from '../keys/master-key.ts';
import { PaydeskError } from '../../contract/errors.ts';
import type { Db } from '../db/open.ts';
import { commit } from '../db/group-commit.ts';

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
/** Keys are kept a day, like Stripe's. */
const RETENTION_MS = 24 * 3600_000;

/**
 * A copy of a parsed JSON body without the fields at `paths` (dotted, e.g.
 * "card.cvc"): what the fingerprint of a body with secrets covers.
 */
export function withoutSecretFields(body: unknown, paths: readonly string[]): unknown {
  const strip = (value: unknown, path: readonly string[]): unknown => {
    if (path.length === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const [head, ...rest] = path as [string, ...string[]];
    if (!Object.hasOwn(value, head)) return value;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (rest.length === 0) delete copy[head];
    else copy[head] = strip(copy[head], rest);
    return copy;
  };
  return paths.reduce((v, p) => strip(v, p.split('.')), body);
}

/**
 * What is kept, and what a copy of the data folder learns from it. The HMAC key
 * and the seal key derive from the master key, which headless sits in the same
 * folder: a copy can recompute any fingerprint and unseal any stored answer.
 * So a fingerprint never covers a PIN, card number or CVC (the route's
 * secretFields, server/http/contract.ts): over a secret that short an HMAC
 * falls to brute force in seconds. A retry with the same key and another
 * secret replays the first answer; that is no PIN oracle and no way around a
 * lockout, because a replay checks no PIN: it repeats what the first PIN got
 * ("wrong PIN" stays wrong, "completed" was already true), and every new
 * guess needs a new key, which counts against the lockout like any try.
 * Stored answers hold no PIN, card number or CVC (a buyer, a payment method's
 * brand and last 4, a purchase); the only secrets in them are a new app's or a
 * rotation's secret, sealed with the same master key that seals the apps table.
 */
export class IdempotencyStore {
  /**
   * Keys whose first request is still running, with its fingerprint. Kept in
   * memory, not in the database: one server owns a data folder (data-dir.ts),
   * and a key left running by a crash is free again after a restart either way.
   * Claiming one therefore costs no commit; the answer is stored durably.
   */
  private readonly running = new Map<string, string>();
  /** Keys each scope holds (stored rows, recounted by sweep(), and running ones): a scope's limit is checked without a query. */
  private readonly stored = new Map<string, number>();
  private readonly runningPerScope = new Map<string, number>();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly key: Buffer) {
    // Rows of a version that stored running keys in the table: they never answered, so they may be used again.
    db.prepare("DELETE FROM idempotency_keys WHERE state = 'in_progress'").run();
    this.recount();
  }

  /**
   * HMAC of the request. `secret` names the body's secret fields (the route's
   * secretFields): the fingerprint then covers the parsed body without them.
   */
  fingerprint(method: string, path: string, raw: string, secret?: { readonly body: unknown; readonly fields: readonly string[] }): string {
    const body = secret ? JSON.stringify(withoutSecretFields(secret.body, secret.fields)) : raw;
    return createHmac('sha256', this.key).update(`${method} ${path}\n${body}`).digest('base64url');
  }

  /**
   * Returns the stored answer to replay, or undefined after claiming the key for
   * this request. `limit` caps the keys the scope may hold (a day's worth):
   * past it a new key is refused, a stored one still replays.
   */
  begin(scope: string, key: string, fingerprint: string, limit?: number): StoredResponse | undefined {
    if (!KEY_RE.test(key)) throw new PaydeskError('idempotency_key_invalid');
    const id = `${scope}\n${key}`;
    const running = this.running.get(id);
    if (running !== undefined) {
      if (running !== fingerprint) throw new PaydeskError('idempotency_key_reused');
      throw new PaydeskError('idempotency_in_progress');
    }
    const row = this.db.prepare("SELECT fingerprint, status, response_json, created_at FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'done'").get(scope, key) as
      { fingerprint: string; status: number; response_json: string; created_at: number } | undefined;
    if (row && row.created_at >= this.now() - RETENTION_MS) {
      // '': a fingerprint erased by ledger migration 005 (it covered secrets); such a key replays on the key alone, for its last day.
      if (row.fingerprint !== '' && row.fingerprint !== fingerprint) throw new PaydeskError('idempotency_key_reused');
      return { status: row.status, body: JSON.parse(unseal(this.key, row.response_json, `idem:${scope}:${key}`)) as unknown };
    }
    if (limit !== undefined && this.held(scope) >= limit) this.checkLimit(scope, limit);
    this.running.set(id, fingerprint);
    this.runningPerScope.set(scope, (this.runningPerScope.get(scope) ?? 0) + 1);
    return undefined;
  }

  /**
   * Stores the answer, durably, before it is sent (group commit): a client that
   * saw it and retries gets it again. Server faults are not remembered: the
   * client may retry them with the same key.
   */
  async finish(scope: string, key: string, response: StoredResponse): Promise<void> {
    const fingerprint = this.running.get(`${scope}\n${key}`);
    try {
      if (fingerprint === undefined || response.status >= 500) return;
      await commit(this.db, () => this.write(scope, key, fingerprint, response));
    } finally {
      this.release(scope, key);
    }
  }

  /**
   * Stores the answer inside the caller's open transaction, the one that makes
   * the change it answers for: if a crash eats the reply, the retry finds the
   * change and its answer together, and replays it. finish() is then not needed:
   * release() frees the key.
   */
  storeInTransaction(scope: string, key: string, response: StoredResponse): void {
    const fingerprint = this.running.get(`${scope}\n${key}`);
    if (fingerprint === undefined) throw new Error('storeInTransaction() for a key that is not running');
    if (!this.db.inTransaction) throw new Error('storeInTransaction() outside a transaction');
    this.write(scope, key, fingerprint, response);
  }

  /** Frees a running key without storing anything more. */
  release(scope: string, key: string): void {
    if (!this.running.delete(`${scope}\n${key}`)) return;
    const n = (this.runningPerScope.get(scope) ?? 1) - 1;
    if (n === 0) this.runningPerScope.delete(scope);
    else this.runningPerScope.set(scope, n);
  }

  private write(scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    const sealed = seal(this.key, JSON.stringify(response.body), `idem:${scope}:${key}`);
    this.db.prepare(`INSERT INTO idempotency_keys (scope, key, fingerprint, state, status, response_json, created_at)
        VALUES (?, ?, ?, 'done', ?, ?, ?)
        ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
          response_json = excluded.response_json, created_at = excluded.created_at`)
      .run(scope, key, fingerprint, response.status, sealed, this.now());
    // Counted even when it replaced an expired row or its transaction rolls back: an overcount only costs checkLimit() a query.
    this.stored.set(scope, (this.stored.get(scope) ?? 0) + 1);
  }

  private held(scope: string): number {
    return (this.stored.get(scope) ?? 0) + (this.runningPerScope.get(scope) ?? 0);
  }

  /** The in-memory count says the scope is full: count its live keys (one index range) and refuse when it really is. */
  private checkLimit(scope: string, limit: number): void {
    const cutoff = this.now() - RETENTION_MS;
    const live = this.db.prepare('SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM idempotency_keys WHERE scope = ? AND created_at >= ?').get(scope, cutoff) as
      { n: number; oldest: number | null };
    this.stored.set(scope, live.n);
    if (this.held(scope) < limit) return;
    // The oldest key frees its place when its day ends; running keys free theirs in moments.
    const retryAfterSeconds = live.oldest === null ? 1 : Math.max(1, Math.ceil((live.oldest - cutoff) / 1000));
    throw new PaydeskError('idempotency_key_limit', { limit, retryAfterSeconds });
  }

  private recount(): void {
    this.stored.clear();
    for (const r of this.db.prepare('SELECT scope, COUNT(*) AS n FROM idempotency_keys GROUP BY scope').all() as { scope: string; n: number }[]) this.stored.set(r.scope, r.n);
  }

  /** Drops keys past their day; run from a timer, not on every request (it scans the table). */
  sweep(): number {
    const dropped = this.db.prepare("DELETE FROM idempotency_keys WHERE state = 'done' AND created_at < ?").run(this.now() - RETENTION_MS).changes;
    this.recount();
    return dropped;
  }
}
