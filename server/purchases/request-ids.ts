// Seen request ids (used_jtis): a signed payment request or refund token
// cannot be used twice before it expires. Owned by purchases; refunds claim
// their tokens' ids here too, under a prefix of their own.
import type { Db } from '../db/open.ts';
import type { Tx } from '../db/tx.ts';

/** Claims the id inside the change it authorizes; false when it was claimed before (a replay). */
export function claimRequestId(tx: Tx, appKey: string, jti: string, expiresAt: number): boolean {
  return tx.prepare('INSERT INTO used_jtis (app_key, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(appKey, jti, expiresAt).changes === 1;
}

export function requestIdSeen(db: Db, appKey: string, jti: string): boolean {
  return db.prepare('SELECT 1 FROM used_jtis WHERE app_key = ? AND jti = ?').get(appKey, jti) !== undefined;
}

/** Forgets ids past their token's expiry (a replay of those is refused as expired anyway). */
export function sweepRequestIds(tx: Tx, now: number): number {
  return tx.prepare('DELETE FROM used_jtis WHERE expires_at < ?').run(now).changes;
}
