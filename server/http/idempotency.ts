// Idempotency-Key on every mutating call (DESIGN section 10): the same key and
// body replay the first answer; the same key with another body is a 422; a
// duplicate that arrives while the first is still running is a 409.
import { createHmac } from 'node:crypto';
import { seal, unseal } from '../keys/master-key.ts';
import { PaydeskError } from '../errors.ts';
import type { Db } from '../db/open.ts';

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
/** Keys are kept a day, like Stripe's. */
const RETENTION_MS = 24 * 3600_000;

/**
 * Requests can carry secrets (a PIN, a card number) and replies can too (a new
 * app secret), so neither is kept in clear: the fingerprint is an HMAC under a
 * key derived from the master key, and the stored reply is sealed.
 */
export class IdempotencyStore {
  constructor(private readonly db: Db, private readonly now: () => number, private readonly key: Buffer) {
    // Requests that were running when the server stopped never answered; their keys may be used again.
    db.prepare("DELETE FROM idempotency_keys WHERE state = 'in_progress'").run();
  }

  fingerprint(method: string, path: string, body: string): string {
    return createHmac('sha256', this.key).update(`${method} ${path}\n${body}`).digest('base64url');
  }

  /** Returns the stored answer to replay, or undefined after claiming the key for this request. */
  begin(scope: string, key: string, fingerprint: string): StoredResponse | undefined {
    if (!KEY_RE.test(key)) throw new PaydeskError('idempotency_key_invalid');
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT fingerprint, state, status, response_json, created_at FROM idempotency_keys WHERE scope = ? AND key = ?').get(scope, key) as
        { fingerprint: string; state: string; status: number; response_json: string; created_at: number } | undefined;
      if (!row || row.created_at < this.now() - RETENTION_MS) {
        this.db.prepare(`INSERT INTO idempotency_keys (scope, key, fingerprint, state, created_at) VALUES (?, ?, ?, 'in_progress', ?)
          ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, response_json = NULL, created_at = excluded.created_at`)
          .run(scope, key, fingerprint, this.now());
        return undefined;
      }
      if (row.fingerprint !== fingerprint) throw new PaydeskError('idempotency_key_reused');
      if (row.state === 'in_progress') throw new PaydeskError('idempotency_in_progress');
      return { status: row.status, body: JSON.parse(unseal(this.key, row.response_json, `idem:${scope}:${key}`)) as unknown };
    }).immediate();
  }

  /** Server faults are not remembered: the client may retry them with the same key. */
  finish(scope: string, key: string, response: StoredResponse): void {
    if (response.status >= 500) {
      this.db.prepare('DELETE FROM idempotency_keys WHERE scope = ? AND key = ?').run(scope, key);
      return;
    }
    this.db.prepare("UPDATE idempotency_keys SET state = 'done', status = ?, response_json = ? WHERE scope = ? AND key = ?")
      .run(response.status, seal(this.key, JSON.stringify(response.body), `idem:${scope}:${key}`), scope, key);
  }

  /** Drops keys past their day; run from a timer, not on every request (it scans the table). */
  sweep(): number {
    return this.db.prepare("DELETE FROM idempotency_keys WHERE state = 'done' AND created_at < ?").run(this.now() - RETENTION_MS).changes;
  }
}
