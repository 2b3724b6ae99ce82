// oidc-provider's storage (its Adapter interface) over ledger.db, so grants,
// codes, tokens, sessions and interactions survive a restart and a crash. The
// library has no SQLite adapter of its own: this is the small part it leaves
// to the host (docs: "adapter"), kept to its documented methods.
//
// An opaque access token, a refresh token, an authorization code and a session
// id ARE the model's id: whoever reads them can use them. Only their HMAC is
// stored (id_hash), so a copy of ledger.db holds no usable token; the payload
// keeps the rest (who, which client, scopes, expiry), which is not secret.
import { createHmac } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/open.ts';
import { seal, unseal } from '../keys/master-key.ts';
import { immediate } from '../db/open.ts';

interface ModelRow {
  payload: string;
  consumed_at: number | null;
  expires_at: number | null;
}

/** The models whose payload carries a grantId: revoking the grant deletes them (revokeByGrantId). */
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export class OidcStore {
  constructor(
    private readonly db: Db,
    private readonly hashKey: Buffer,
    private readonly sealKey: Buffer,
    private readonly now: () => number,
  ) {}

  private hash(model: string, value: string): string {
    return createHmac('sha256', this.hashKey).update(`${model}\0${value}`).digest('base64url');
  }

  /** The Adapter class oidc-provider constructs once per model name; clients are the apps' OAuth settings (clients.ts), never stored here. */
  adapterClass(clientMetadata: (id: string) => object | undefined): new (model: string) => Adapter {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the library constructs the class itself; the store is its closure
    const store = this;
    return class SqliteAdapter implements Adapter {
      constructor(private readonly model: string) {}
      upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
        store.upsert(this.model, id, payload, expiresIn);
        return Promise.resolve();
      }
      find(id: string): Promise<AdapterPayload | undefined> {
        if (this.model === 'Client') return Promise.resolve(clientMetadata(id) as AdapterPayload | undefined);
        return Promise.resolve(store.find(this.model, 'id_hash', store.hash(this.model, id)));
      }
      findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve(store.find(this.model, 'user_code_hash', store.hash('userCode', userCode)));
      }
      findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve(store.find(this.model, 'uid', uid));
      }
      consume(id: string): Promise<void> {
        store.db.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id_hash = ?').run(store.now(), this.model, store.hash(this.model, id));
        return Promise.resolve();
      }
      destroy(id: string): Promise<void> {
        store.db.prepare('DELETE FROM oidc_models WHERE model = ? AND id_hash = ?').run(this.model, store.hash(this.model, id));
        return Promise.resolve();
      }
      revokeByGrantId(grantId: string): Promise<void> {
        store.revokeGrant(grantId);
        return Promise.resolve();
      }
    };
  }

  private upsert(model: string, id: string, payload: AdapterPayload, expiresIn?: number): void {
    // The id is the secret: the row's key is its hash, and it is kept only sealed.
    const { jti: _jti, ...rest } = payload;
    const stored = { ...rest, sealedId: seal(this.sealKey, id, `oidc:${model}`) };
    const grantId = model === 'Grant' ? id : grantable.has(model) ? payload.grantId ?? null : null;
    this.db.prepare(`INSERT INTO oidc_models (model, id_hash, payload, grant_id, uid, user_code_hash, expires_at)
      VALUES (@model, @id_hash, @payload, @grant_id, @uid, @user_code_hash, @expires_at)
      ON CONFLICT (model, id_hash) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
        user_code_hash = excluded.user_code_hash, expires_at = excluded.expires_at`).run({
      model, id_hash: this.hash(model, id), payload: JSON.stringify(stored), grant_id: grantId,
      uid: payload.uid ?? null, user_code_hash: payload.userCode ? this.hash('userCode', payload.userCode) : null,
      expires_at: expiresIn === undefined ? null : this.now() + expiresIn * 1000,
    });
  }

  private find(model: string, column: 'id_hash' | 'uid' | 'user_code_hash', value: string): AdapterPayload | undefined {
    const row = this.db.prepare(`SELECT payload, consumed_at, expires_at FROM oidc_models WHERE model = ? AND ${column} = ?`).get(model, value) as ModelRow | undefined;
    if (!row || (row.expires_at !== null && row.expires_at <= this.now())) return undefined;
    const { sealedId, ...payload } = JSON.parse(row.payload) as AdapterPayload & { sealedId: string };
    return {
      ...payload,
      jti: unseal(this.sealKey, sealedId, `oidc:${model}`),
      // The library marks a reused code or refresh token by this field, and revokes its grant.
      ...(row.consumed_at !== null ? { consumed: Math.floor(row.consumed_at / 1000) } : {}),
    };
  }

  /** Every token, code and the grant itself, at once: what disconnecting an app and a reused refresh token do. */
  revokeGrant(grantId: string): void {
    this.db.prepare('DELETE FROM oidc_models WHERE grant_id = ?').run(grantId);
  }

  grantExists(grantId: string): boolean {
    const row = this.db.prepare("SELECT expires_at FROM oidc_models WHERE model = 'Grant' AND grant_id = ?").get(grantId) as { expires_at: number | null } | undefined;
    return row !== undefined && (row.expires_at === null || row.expires_at > this.now());
  }

  /** Rows past their expiry; the library never asks for them again. */
  sweep(): number {
    return immediate(this.db, (tx) => tx.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?').run(this.now()).changes);
  }
}
