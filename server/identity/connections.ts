// Connections: a merchant holding a grant of one buyer ("Connected apps").
// Revoking one deletes its grants with every code and token (OidcStore), so a
// token of it is refused on its next use, not at its expiry.
import { PaydeskError } from '../../contract/errors.ts';
import { iso, type Context } from '../context.ts';
import type { Apps } from '../apps/apps.ts';
import type { Wallet } from '../wallet/wallet.ts';
import type { OidcStore } from './adapter.ts';
import { scopeWords } from './authorizations.ts';

interface ConnectionRow {
  grant_id: string; buyer_id: string; app_key: string; scopes: string; remember: number; granted_at: number; last_used_at: number | null;
}

export class Connections {
  constructor(private readonly ctx: Context, private readonly apps: Apps, private readonly wallet: Wallet, private readonly store: OidcStore) {}

  /** A grant the wallet approved; `remember` false makes the next sign-in ask again. */
  record(grantId: string, buyerId: string, appKey: string, scopes: readonly string[], remember: boolean): void {
    const now = this.ctx.now();
    this.ctx.db.prepare(`INSERT INTO oidc_connections (grant_id, buyer_id, app_key, scopes, remember, granted_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (grant_id) DO UPDATE SET scopes = excluded.scopes, remember = excluded.remember, last_used_at = excluded.last_used_at`)
      .run(grantId, buyerId, appKey, JSON.stringify(scopes), Number(remember), now, now);
  }

  /** Whether a grant may be reused without asking (consent remembered, not revoked). */
  remembered(grantId: string): boolean {
    const row = this.ctx.db.prepare('SELECT remember FROM oidc_connections WHERE grant_id = ?').get(grantId) as { remember: number } | undefined;
    return row?.remember === 1;
  }

  /** A token of this grant was issued or accepted. */
  touch(grantId: string): void {
    this.ctx.db.prepare('UPDATE oidc_connections SET last_used_at = ? WHERE grant_id = ?').run(this.ctx.now(), grantId);
  }

  /** The signed-in buyer's, or `buyerId`'s; one per merchant (its newest grant), live grants only. */
  list(buyerId?: string) {
    const who = buyerId ?? this.wallet.requireSignedIn();
    const rows = (this.ctx.db.prepare('SELECT * FROM oidc_connections WHERE buyer_id = ? ORDER BY granted_at DESC').all(who) as ConnectionRow[])
      .filter((r) => this.store.grantExists(r.grant_id));
    const newest = new Map<string, ConnectionRow>();
    for (const r of rows) if (!newest.has(r.app_key)) newest.set(r.app_key, r);
    const buyer = this.wallet.buyerContact(who);
    if (!buyer) throw new PaydeskError('buyer_not_found');
    return [...newest.values()].map((r) => {
      const seller = this.apps.seller(r.app_key);
      const used = rows.filter((x) => x.app_key === r.app_key).map((x) => x.last_used_at ?? 0);
      return {
        clientId: r.app_key, seller: { appKey: seller.appKey, name: seller.name, homepage: seller.homepage }, buyer,
        scopes: scopeWords(JSON.parse(r.scopes) as string[]), grantedAt: iso(r.granted_at)!, lastUsedAt: iso(Math.max(...used) || null),
      };
    });
  }

  /** Every grant of this merchant for the buyer, with its tokens, at once. */
  revoke(appKey: string, buyerId?: string): void {
    const who = buyerId ?? this.wallet.requireSignedIn();
    const rows = this.ctx.db.prepare('SELECT grant_id FROM oidc_connections WHERE buyer_id = ? AND app_key = ?').all(who, appKey) as { grant_id: string }[];
    if (rows.length === 0) throw new PaydeskError('connection_not_found');
    for (const r of rows) this.store.revokeGrant(r.grant_id);
    this.ctx.db.prepare('DELETE FROM oidc_connections WHERE buyer_id = ? AND app_key = ?').run(who, appKey);
    this.ctx.events.emit('connection.revoked', { appKey, buyerId: who });
  }
}
