// Verification of a merchant's payment request (DESIGN section 3). A pure
// function of the token, the app records it may name, and the clock: the caller
// writes nothing unless this returns. jose does the signature and the
// registered-claim checks with explicit options; what jose does not check (the
// size cap before any parsing, a future iat, the lifetime cap, the payload typ,
// jti replay, the request's fields) is checked here, each with its own code.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { UnsecuredJWT, decodeProtectedHeader, decodeJwt, errors as joseErrors } from 'jose';
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { PAY_TYP, type RequestCheckId } from '../../contract/api.ts';
import { parsePaymentRequest, type PaymentRequest } from './payment-request.ts';

export { PAY_TYP };
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

/**
 * The checks of a payment request, in the order the code below runs them (object
 * keys keep their order). The verifier reports each as it starts (`reach`), which
 * is how the Request lab's dry run shows them one by one without a second
 * implementation; traceRequestChecks refuses a check reached out of this order.
 */
export const requestCheckLabels: Readonly<Record<RequestCheckId, string>> = {
  size: 'Size',
  format: 'Compact JWS',
  alg: 'Algorithm (HS256)',
  issuer: 'Issuer (iss)',
  app: 'App active',
  signature: 'Signature',
  claims: 'Audience and times (aud, iat, exp, nbf)',
  secret: 'Secret state',
  typ: 'Type (typ)',
  lifetime: 'Issued at and lifetime',
  jti: 'Request id (jti)',
  item: 'Item (id, name, description)',
  price: 'Price',
  fields: 'Other request fields',
  access: 'Live or simulate-only app',
};

/** Called as each check starts; the last one reached when verification throws is the one that failed. */
export type ReachCheck = (check: RequestCheckId) => void;
const unobserved: ReachCheck = () => undefined;

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
  /** Observes the checks of a payment request (the Request lab); refund tokens leave it out. */
  readonly reach?: ReachCheck;
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
  const reach = ctx.reach ?? unobserved;
  reach('size');
  if (typeof token === 'string' && Buffer.byteLength(token) > ctx.limits.maxTokenBytes) return fail('request_too_large', { limit: ctx.limits.maxTokenBytes });
  reach('format');
  if (typeof token !== 'string' || token.length === 0) return fail(kind.missingCode);
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return fail('request_malformed');
  const { header, payload } = peekRequest(token);

  reach('alg');
  if (header.alg !== 'HS256') return fail('request_alg_not_allowed', { alg: header.alg ?? null });
  reach('issuer');
  if (typeof payload.iss !== 'string' || payload.iss === '') return fail('request_issuer_missing');
  const app = ctx.findApp(payload.iss);
  if (!app) return fail('request_issuer_unknown');
  reach('app');
  if (app.status !== 'active') return fail('request_app_disabled');

  const { secretId, claims } = await verifySignatureAndClaims(token, header, payload.iss, app, ctx);

  reach('typ');
  if (claims.typ !== kind.typ) return fail(kind.typCode, { typ: claims.typ ?? null });
  reach('lifetime');
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
  const reach = ctx.reach ?? unobserved;
  reach('jti');
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
    reach,
  });
  reach('access');
  if (app.access === 'simulate' && !request.simulate) return fail('request_simulate_required');

  return { appKey: app.key, secretId, jti, iat, exp, request, claims };
}

// A secret's key, made once per secret and kept (bounded, dropped wholesale when full).
const secretKeys = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    if (secretKeys.size >= 1024) secretKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}

/**
 * The HS256 signature, checked with node:crypto on this thread. jose 6 checks it
 * through WebCrypto only, which runs every HMAC as a job on the thread pool and
 * answers through a promise: that job alone costs about five raw HMACs here
 * (docs/PERFORMANCE.md, section 2). The MAC is compared in constant time; the
 * segments are base64url already (verifyAppToken's pattern).
 */
function signatureValid(token: string, key: KeyObject): boolean {
  const dot = token.lastIndexOf('.');
  const mac = createHmac('sha256', key).update(token.slice(0, dot)).digest();
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  return signature.length === mac.length && timingSafeEqual(signature, mac);
}

/** The protected header jose's claim checks are handed: the real one was checked here (alg, crit, b64). */
const NONE_HEADER = Buffer.from('{"alg":"none"}').toString('base64url');

/**
 * Signature and registered claims (iss, aud, iat, exp, nbf) of an HS256 token from an app; shared with refund tokens.
 * The claims are jose's own checks (UnsecuredJWT.decode runs the same validateClaimsSet as
 * jwtVerify, with the same options), over the payload once its signature is known good.
 */
export async function verifySignatureAndClaims(token: string, header: Readonly<Record<string, unknown>>, iss: string, app: AppForVerification, ctx: VerifyContext) {
  const reach = ctx.reach ?? unobserved;
  const options = {
    issuer: iss,
    audience: [...ctx.audiences],
    requiredClaims: ['iat', 'exp'],
    clockTolerance: ctx.limits.clockSkewSeconds,
    currentDate: new Date(ctx.now),
  };
  // What jwtVerify refused in the header besides alg (checked by the caller): critical
  // extensions it does not know, and an unencoded payload (b64), which a JWT must not use.
  if (header.crit !== undefined || header.b64 !== undefined) return fail('request_malformed');
  const payloadSegment = token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'));
  // Active secrets first: only when none of them verifies do we look at retired
  // ones, to say precisely why a correctly signed request is refused.
  reach('signature');
  for (const s of app.secrets) {
    if (!signatureValid(token, hmacKey(s.secret))) continue;
    let payload: Record<string, unknown>;
    try {
      payload = UnsecuredJWT.decode(`${NONE_HEADER}.${payloadSegment}.`, options).payload;
    } catch (e) {
      // The registered claims are checked only once this secret made the signature.
      if (e instanceof joseErrors.JWTClaimValidationFailed || e instanceof joseErrors.JWTExpired) reach('claims');
      throw mapJoseError(e);
    }
    reach('claims');
    reach('secret');
    if (s.state === 'revoked') return fail('request_secret_revoked');
    if (s.state === 'expired') return fail('request_secret_expired');
    return { secretId: s.id, claims: payload };
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

export interface RequestCheck {
  readonly id: RequestCheckId;
  readonly label: string;
  readonly status: 'passed' | 'failed' | 'not_reached';
  /** On the failed check: the body of /v1/pay's refusal. */
  readonly error: Refusal | null;
}

export type Refusal = Readonly<Record<string, unknown>> & { readonly code: ErrorCode; readonly message: string };

export const refusalOf = (e: PaydeskError): Refusal => ({ ...e.details, code: e.code, message: e.message });

export type TracedVerification<T> =
  | { readonly ok: true; readonly value: T; readonly checks: RequestCheck[] }
  | { readonly ok: false; readonly error: PaydeskError; readonly checks: RequestCheck[] };

/**
 * Runs a payment request's verification (`run` passes `reach` into its context)
 * and lists every check with what became of it: passed up to the one that threw,
 * that one failed with the error /v1/pay would answer, the rest not reached.
 */
export async function traceRequestChecks<T>(run: (reach: ReachCheck) => Promise<T>): Promise<TracedVerification<T>> {
  const order = Object.keys(requestCheckLabels) as RequestCheckId[];
  let reached = 0;
  const reach: ReachCheck = (id) => {
    // The list is the order the code runs: a check out of turn means the two drifted apart.
    if (order[reached] !== id) throw new Error(`verification reached check ${id} where ${order[reached] ?? 'the end'} comes next`);
    reached++;
  };
  const list = (failed: PaydeskError | null): RequestCheck[] => order.map((id, i) => ({
    id, label: requestCheckLabels[id],
    status: i < reached - (failed ? 1 : 0) ? 'passed' : failed && i === reached - 1 ? 'failed' : 'not_reached',
    error: failed && i === reached - 1 ? refusalOf(failed) : null,
  }));
  try {
    const value = await run(reach);
    if (reached !== order.length) throw new Error(`verification accepted after ${reached} of ${order.length} checks`);
    return { ok: true, value, checks: list(null) };
  } catch (e) {
    if (!(e instanceof PaydeskError)) throw e;
    return { ok: false, error: e, checks: list(e) };
  }
}
