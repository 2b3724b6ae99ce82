// Idempotency-Key on every mutating call (DESIGN section 10): the same key and
// body replay the first answer; the same key with another body is a 422; a
// duplicate that arrives while the first is still running is a 409. The one
// place keys are kept (the idempotency_keys table): services bind a key to
// their change through a RequestKey (server/context.ts), inside its transaction.
import { createHmac } from 'node:crypto';
import { seal, unseal } from '../keys/master-key.ts';
import { PaydeskError } from '../../contract/errors.ts';
import type { Db } from '../db/open.ts';
import type { Tx } from '../db/tx.ts';
import type { RequestKey } from '../context.ts';
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
 * secretFields, contract/api.ts): over a secret that short an HMAC
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
  private readonly running = new Map<string, { readonly fingerprint: string; readonly resumes: string | undefined }>();
  /** Keys each scope holds (stored rows, recounted by sweep(), and running ones): a scope's limit is checked without a query. */
  private readonly stored = new Map<string, number>();
  private readonly runningPerScope = new Map<string, number>();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly key: Buffer) {
    // Rows of a version that stored running keys in the table: they never answered, so they may be used again.
    // A running row naming a change is a claim (claimInTransaction) and stays.
    db.prepare("DELETE FROM idempotency_keys WHERE state = 'in_progress' AND resource_id IS NULL").run();
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
      if (running.fingerprint !== fingerprint) throw new PaydeskError('idempotency_key_reused');
      throw new PaydeskError('idempotency_in_progress');
    }
    const row = this.db.prepare('SELECT fingerprint, state, status, response_json, resource_id, created_at FROM idempotency_keys WHERE scope = ? AND key = ?').get(scope, key) as
      { fingerprint: string; state: 'in_progress' | 'done'; status: number; response_json: string; resource_id: string | null; created_at: number } | undefined;
    const live = row !== undefined && row.created_at >= this.now() - RETENTION_MS;
    if (live) {
      // '': a fingerprint erased by ledger migration 005 (it covered secrets); such a key replays on the key alone, for its last day.
      if (row.fingerprint !== '' && row.fingerprint !== fingerprint) throw new PaydeskError('idempotency_key_reused');
      if (row.state === 'done') return { status: row.status, body: JSON.parse(unseal(this.key, row.response_json, `idem:${scope}:${key}`)) as unknown };
    }
    if (limit !== undefined && this.held(scope) >= limit) this.checkLimit(scope, limit);
    // A claim whose answer was never stored (a crash): this try resumes the change it names.
    this.running.set(id, { fingerprint, resumes: live ? row.resource_id ?? undefined : undefined });
    this.runningPerScope.set(scope, (this.runningPerScope.get(scope) ?? 0) + 1);
    return undefined;
  }

  /**
   * Stores the answer, durably, before it is sent (group commit): a client that
   * saw it and retries gets it again. Server faults are not remembered: the
   * client may retry them with the same key.
   */
  async finish(scope: string, key: string, response: StoredResponse): Promise<void> {
    const fingerprint = this.running.get(`${scope}\n${key}`)?.fingerprint;
    try {
      if (fingerprint === undefined || response.status >= 500) return;
      await commit(this.db, (tx) => this.write(tx, scope, key, fingerprint, response));
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
  storeInTransaction(tx: Tx, scope: string, key: string, response: StoredResponse): void {
    this.write(tx, scope, key, this.runningFingerprint(tx, scope, key), response);
  }

  /**
   * Binds the key to a change that takes several transactions (a refund reserves,
   * the processor is asked, then it completes), inside the first of them: a retry
   * after a crash that lost the answer resumes that change (RequestKey.resumes)
   * instead of making another. finish() stores the answer over it as usual.
   */
  claimInTransaction(tx: Tx, scope: string, key: string, changeId: string): void {
    const fingerprint = this.runningFingerprint(tx, scope, key);
    tx.prepare(`INSERT INTO idempotency_keys (scope, key, fingerprint, state, resource_id, created_at) VALUES (?, ?, ?, 'in_progress', ?, ?)
        ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, response_json = NULL,
          resource_id = excluded.resource_id, created_at = excluded.created_at`)
      .run(scope, key, fingerprint, changeId, this.now());
    this.stored.set(scope, (this.stored.get(scope) ?? 0) + 1);
  }

  /** What a service is handed for a running key; `answered` is told when the answer was stored with the change. */
  forRequest(scope: string, key: string, successStatus: number, answered: () => void): RequestKey {
    return {
      answer: (tx, body) => {
        this.storeInTransaction(tx, scope, key, { status: successStatus, body });
        answered();
      },
      claim: (tx, changeId) => this.claimInTransaction(tx, scope, key, changeId),
      resumes: this.running.get(`${scope}\n${key}`)?.resumes,
    };
  }

  private runningFingerprint(tx: Tx, scope: string, key: string): string {
    const running = this.running.get(`${scope}\n${key}`);
    if (running === undefined) throw new Error('an Idempotency-Key written for a key that is not running');
    // The type says so already; a Tx that is not in a transaction would be a forged one.
    if (!tx.inTransaction) throw new Error('an Idempotency-Key written outside a transaction');
    return running.fingerprint;
  }

  /** Frees a running key without storing anything more. */
  release(scope: string, key: string): void {
    if (!this.running.delete(`${scope}\n${key}`)) return;
    const n = (this.runningPerScope.get(scope) ?? 1) - 1;
    if (n === 0) this.runningPerScope.delete(scope);
    else this.runningPerScope.set(scope, n);
  }

  private write(tx: Tx, scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    const sealed = seal(this.key, JSON.stringify(response.body), `idem:${scope}:${key}`);
    tx.prepare(`INSERT INTO idempotency_keys (scope, key, fingerprint, state, status, response_json, created_at)
        VALUES (?, ?, ?, 'done', ?, ?, ?)
        ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
          response_json = excluded.response_json, resource_id = NULL, created_at = excluded.created_at`)
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
    const dropped = this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(this.now() - RETENTION_MS).changes;
    this.recount();
    return dropped;
  }
}
