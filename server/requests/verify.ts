// Verification of a merchant's payment request (DESIGN section 3). A pure
// function of the token, the app records it may name, and the clock: the caller
// writes nothing unless this returns. jose does the signature and the
// registered-claim checks with explicit options; what jose does not check (the
// size cap before any parsing, a future iat, the lifetime cap, the payload typ,
// jti replay, the request's fields) is checked here, each with its own code.
import { jwtVerify, decodeProtectedHeader, decodeJwt, errors as joseErrors } from 'jose';
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { parsePaymentRequest, type PaymentRequest } from './payment-request.ts';

export const PAY_TYP = 'mozilla/payments/pay/v1';
/**
 * Accepted besides the configured audience: the Firefox Marketplace's, so existing
 * mozPay merchants work unchanged, and the design notes' own (seed 002), so their
 * example request buys as written.
 */
const LEGACY_AUDIENCES: readonly string[] = ['marketplace.firefox.com', 'marketplace.mozilla.org'];

/** Every `aud` a merchant's token may name here. */
export function acceptedAudiences(configured: string): readonly string[] {
  return [...new Set([configured, ...LEGACY_AUDIENCES])];
}

export interface VerifyLimits {
  /** Tokens larger than this are refused before any decoding. */
  readonly maxTokenBytes: number;
  /** The longest `exp - iat` a request may ask for. */
  readonly maxLifetimeSeconds: number;
  /** Tolerated clock difference between merchant and provider. */
  readonly clockSkewSeconds: number;
}

export const defaultLimits: VerifyLimits = { maxTokenBytes: 8192, maxLifetimeSeconds: 3600, clockSkewSeconds: 60 };

export type SecretState = 'active' | 'expired' | 'revoked';

export interface AppForVerification {
  readonly key: string;
  readonly status: 'active' | 'disabled';
  readonly access: 'live' | 'simulate';
  readonly postbackURL: string;
  readonly chargebackURL: string;
  /** Every secret the app ever had, with its state at `now`; active ones first. */
  readonly secrets: readonly { readonly id: string; readonly secret: string; readonly state: SecretState }[];
}

export interface VerifyContext {
  readonly now: number;
  readonly audiences: readonly string[];
  readonly defaultCurrency: string;
  readonly limits: VerifyLimits;
  findApp(key: string): AppForVerification | undefined;
  jtiSeen(appKey: string, jti: string): boolean;
}

export interface PaymentVerifyContext extends VerifyContext {
  /** Paydesk's own ports, for the notice address guard on postbackURL and chargebackURL. */
  readonly ownPorts: ReadonlySet<number>;
}

export interface VerifiedRequest {
  readonly appKey: string;
  readonly secretId: string;
  readonly jti: string | undefined;
  readonly iat: number;
  readonly exp: number;
  readonly request: PaymentRequest;
  /** The claims as signed, echoed in notices. */
  readonly claims: Readonly<Record<string, unknown>>;
}

const fail = (code: ErrorCode, details: Record<string, unknown> = {}): never => {
  throw new PaydeskError(code, details);
};

/** Header and payload decoded without trust, only to route the token to the right checks. */
export function peekRequest(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    const header = decodeProtectedHeader(token) as Record<string, unknown>;
    const payload = decodeJwt(token) as Record<string, unknown>;
    return { header, payload };
  } catch {
    return fail('request_malformed');
  }
}

export interface VerifiedAppToken {
  readonly app: AppForVerification;
  readonly secretId: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly iat: number;
  readonly exp: number;
}

/**
 * What every token an app signs goes through (payment requests, refund calls):
 * size cap before parsing, HS256 only, a known and active app, jose's signature
 * and claim checks, the payload typ, a future iat and the lifetime cap.
 */
export async function verifyAppToken(token: unknown, ctx: VerifyContext, kind: { readonly typ: string; readonly typCode: ErrorCode; readonly missingCode: ErrorCode }): Promise<VerifiedAppToken> {
  if (typeof token !== 'string' || token.length === 0) return fail(kind.missingCode);
  if (Buffer.byteLength(token) > ctx.limits.maxTokenBytes) return fail('request_too_large', { limit: ctx.limits.maxTokenBytes });
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return fail('request_malformed');

  const { header, payload } = peekRequest(token);
  if (header.alg !== 'HS256') return fail('request_alg_not_allowed', { alg: header.alg ?? null });
  if (typeof payload.iss !== 'string' || payload.iss === '') return fail('request_issuer_missing');

  const app = ctx.findApp(payload.iss);
  if (!app) return fail('request_issuer_unknown');
  if (app.status !== 'active') return fail('request_app_disabled');

  const { secretId, claims } = await verifySignatureAndClaims(token, payload.iss, app, ctx);

  if (claims.typ !== kind.typ) return fail(kind.typCode, { typ: claims.typ ?? null });
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  const nowSeconds = Math.floor(ctx.now / 1000);
  if (iat > nowSeconds + ctx.limits.clockSkewSeconds) return fail('request_iat_in_future');
  // A few seconds of slack: mozPay's signer takes iat and exp from two clock reads, each rounded.
  if (exp - iat > ctx.limits.maxLifetimeSeconds + 5) return fail('request_lifetime_too_long', { limitSeconds: ctx.limits.maxLifetimeSeconds });
  return { app, secretId, claims, iat, exp };
}

export async function verifyPaymentRequest(token: unknown, ctx: PaymentVerifyContext): Promise<VerifiedRequest> {
  const { app, secretId, claims, iat, exp } = await verifyAppToken(token, ctx, { typ: PAY_TYP, typCode: 'request_typ_invalid', missingCode: 'request_malformed' });
  if (claims.jti !== undefined && (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 255)) {
    return fail('request_claim_invalid', { claim: 'jti' });
  }
  const jti = claims.jti as string | undefined;
  if (jti !== undefined && ctx.jtiSeen(app.key, jti)) return fail('request_jti_replayed');

  const request = parsePaymentRequest(claims.request, {
    defaultCurrency: ctx.defaultCurrency,
    postbackURL: app.postbackURL,
    chargebackURL: app.chargebackURL,
    ownPorts: ctx.ownPorts,
  });
  if (app.access === 'simulate' && !request.simulate) return fail('request_simulate_required');

  return { appKey: app.key, secretId, jti, iat, exp, request, claims };
}

// Importing an HMAC key into WebCrypto costs more than the HMAC itself; keep the
// imported keys of recently used secrets (bounded, dropped wholesale when full).
const importedKeys = new Map<string, CryptoKey>();
async function hmacKey(secret: string): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    if (importedKeys.size >= 1024) importedKeys.clear();
    key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    importedKeys.set(secret, key);
  }
  return key;
}

/** Signature and registered claims (iss, aud, iat, exp, nbf) of an HS256 token from an app; shared with refund tokens. */
async function verifySignatureAndClaims(token: string, iss: string, app: AppForVerification, ctx: VerifyContext) {
  const options = {
    algorithms: ['HS256'],
    issuer: iss,
    audience: [...ctx.audiences],
    requiredClaims: ['iat', 'exp'],
    clockTolerance: ctx.limits.clockSkewSeconds,
    currentDate: new Date(ctx.now),
  };
  // Active secrets first: only when none of them verifies do we look at retired
  // ones, to say precisely why a correctly signed request is refused.
  for (const s of app.secrets) {
    try {
      const { payload } = await jwtVerify(token, await hmacKey(s.secret), options);
      if (s.state === 'revoked') return fail('request_secret_revoked');
      if (s.state === 'expired') return fail('request_secret_expired');
      return { secretId: s.id, claims: payload as Record<string, unknown> };
    } catch (e) {
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) continue;
      throw mapJoseError(e);
    }
  }
  return fail('request_signature_invalid');
}

function mapJoseError(e: unknown): unknown {
  if (e instanceof PaydeskError) return e;
  if (e instanceof joseErrors.JWTExpired) return new PaydeskError('request_expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    const claimCodes: Record<string, ErrorCode> = {
      aud: 'request_audience_invalid',
      nbf: e.reason === 'invalid' ? 'request_claim_invalid' : 'request_not_yet_valid',
      exp: e.reason === 'missing' ? 'request_exp_missing' : 'request_claim_invalid',
      iat: e.reason === 'missing' ? 'request_iat_missing' : 'request_claim_invalid',
    };
    return new PaydeskError(claimCodes[e.claim] ?? 'request_claim_invalid', { claim: e.claim });
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return new PaydeskError('request_alg_not_allowed');
  if (e instanceof joseErrors.JOSEError) return new PaydeskError('request_malformed');
  if (e instanceof TypeError) return new PaydeskError('request_claim_invalid');
  return e;
}
