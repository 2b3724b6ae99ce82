// The key that signs ID tokens (RS256: what every OpenID Connect client must
// accept), made once and kept sealed with the secrets key like the notice keys.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { seal, unseal } from '../keys/master-key.ts';
import type { Context } from '../context.ts';

export type PrivateJwk = Readonly<Record<string, string>>;

export function loadSigningKey(ctx: Context): PrivateJwk {
  const row = ctx.db.prepare('SELECT kid, jwk_sealed FROM oidc_signing_keys ORDER BY created_at DESC LIMIT 1').get() as { kid: string; jwk_sealed: string } | undefined;
  if (row) return JSON.parse(unseal(ctx.keys.secretsKey, row.jwk_sealed, `oidc-signing-key:${row.kid}`)) as PrivateJwk;
  const kid = randomBytes(8).toString('base64url');
  const jwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as PrivateJwk;
  ctx.db.prepare('INSERT INTO oidc_signing_keys (kid, jwk_sealed, created_at) VALUES (?, ?, ?)').run(kid, seal(ctx.keys.secretsKey, JSON.stringify(jwk), `oidc-signing-key:${kid}`), ctx.now());
  return jwk;
}
