// The provider's Ed25519 keys for apps that opt into provider-signed notices
// (DESIGN section 2). HMAC proves a notice to the merchant only, who holds the
// same secret and could have forged it; an EdDSA signature checked against the
// published JWKS is a receipt a third party can check. Private halves are
// sealed with the master-key-derived secrets key, like app secrets. Rotation
// overlaps: the new key signs at once, the old one stays published until
// `expires_at` so notices already in flight (and receipts kept a while) verify.
import { createHash, createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { seal, unseal } from '../keys/master-key.ts';
import { immediate } from '../db/open.ts';
import { iso, type Context } from '../context.ts';

/** How long a rotated-out key stays in the JWKS by default. */
const DEFAULT_KEY_OVERLAP_SECONDS = 7 * 24 * 3600;

/** An OKP public key as published in the JWKS. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

interface KeyRow { kid: string; public_jwk: string; private_sealed: string; created_at: number; retired_at: number | null; expires_at: number | null }

export interface SigningKey {
  readonly kid: string;
  readonly key: KeyObject;
}

export class ProviderKeys {
  private cache: SigningKey | undefined;

  constructor(private readonly ctx: Context) {}

  private context(kid: string): string {
    return `provider-key:${kid}`;
  }

  private generate(): { kid: string; publicJwk: string; sealed: string } {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
    // The RFC 7638 thumbprint as kid: SHA-256 of the required members in lexicographic order.
    const kid = createHash('sha256').update(JSON.stringify({ crv: pub.crv, kty: pub.kty, x: pub.x })).digest('base64url');
    const publicJwk: PublicJwk = { kty: pub.kty, crv: pub.crv, x: pub.x, kid, alg: 'EdDSA', use: 'sig' };
    const sealed = seal(this.ctx.keys.secretsKey, JSON.stringify(privateKey.export({ format: 'jwk' })), this.context(kid));
    return { kid, publicJwk: JSON.stringify(publicJwk), sealed };
  }

  /** Makes the first key on a fresh data folder, so the JWKS is never empty. */
  ensure(): void {
    if (this.ctx.db.prepare('SELECT 1 FROM provider_keys WHERE retired_at IS NULL').get()) return;
    const k = this.generate();
    this.ctx.db.prepare('INSERT INTO provider_keys (kid, public_jwk, private_sealed, created_at) VALUES (?, ?, ?, ?)').run(k.kid, k.publicJwk, k.sealed, this.ctx.now());
  }

  /** A new signing key; the current one stops signing now and leaves the JWKS after `overlapSeconds`. */
  rotate(overlapSeconds = DEFAULT_KEY_OVERLAP_SECONDS) {
    const k = this.generate();
    const now = this.ctx.now();
    immediate(this.ctx.db, () => {
      this.ctx.db.prepare('UPDATE provider_keys SET retired_at = @now, expires_at = @until WHERE retired_at IS NULL').run({ now, until: now + overlapSeconds * 1000 });
      this.ctx.db.prepare('INSERT INTO provider_keys (kid, public_jwk, private_sealed, created_at) VALUES (?, ?, ?, ?)').run(k.kid, k.publicJwk, k.sealed, now);
    });
    this.cache = undefined;
    this.ctx.events.emit('provider_key.rotated', { kid: k.kid });
    return this.list();
  }

  /** The key that signs now (the newest one not retired). */
  current(): SigningKey {
    const row = this.ctx.db.prepare('SELECT * FROM provider_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1').get() as KeyRow | undefined;
    if (!row) {
      this.ensure();
      return this.current();
    }
    if (this.cache?.kid !== row.kid) {
      const jwk = JSON.parse(unseal(this.ctx.keys.secretsKey, row.private_sealed, this.context(row.kid))) as JsonWebKey;
      this.cache = { kid: row.kid, key: createPrivateKey({ key: jwk, format: 'jwk' }) };
    }
    return this.cache;
  }

  /** What /.well-known/jwks.json serves: every key still published. */
  jwks(): { keys: PublicJwk[] } {
    const rows = this.ctx.db.prepare('SELECT public_jwk FROM provider_keys WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC').all(this.ctx.now()) as { public_jwk: string }[];
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as PublicJwk) };
  }

  list() {
    const now = this.ctx.now();
    const rows = this.ctx.db.prepare('SELECT * FROM provider_keys ORDER BY created_at DESC, kid').all() as KeyRow[];
    return {
      items: rows.map((r) => ({
        kid: r.kid,
        state: r.retired_at === null ? 'signing' as const : r.expires_at !== null && r.expires_at <= now ? 'expired' as const : 'published' as const,
        createdAt: iso(r.created_at)!,
        retiredAt: iso(r.retired_at),
        expiresAt: iso(r.expires_at),
        publicJwk: JSON.parse(r.public_jwk) as Record<string, string>,
      })),
    };
  }
}
