// Verifying a notice (DESIGN section 6): the provider's signed word that a
// purchase completed or was charged back. This is threat 5 of DESIGN section 9
// (fake provider, fake payment), so everything is checked and nothing is
// guessed: the algorithm is chosen by the keys the merchant configured, never
// by the token, and every refusal has its own code.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { NoticeError } from './errors.ts';
import { DEFAULT_AUDIENCE, secretKey, type ChargebackReason, type SimulateOption } from './request.ts';

export const POSTBACK_TYP = 'mozilla/payments/pay/postback/v1';
export const CHARGEBACK_TYP = 'mozilla/payments/pay/chargeback/v1';
/** Transaction ids of simulated purchases carry this prefix (DESIGN section 6). */
export const SIMULATED_PREFIX = 'simulate:';
/** Refused before any decoding: a notice is a request echo plus a few claims. */
export const MAX_NOTICE_BYTES = 16 * 1024;

const HMAC_ALGS: readonly string[] = ['HS256'];
// EdDSA and its fully specified name (RFC 9864) are the same Ed25519 signature.
const JWKS_ALGS: readonly string[] = ['EdDSA', 'Ed25519'];

/**
 * What the buyer paid, as the provider sends it: `amount` is a decimal string
 * with "." and exactly the currency's ISO 4217 minor digits ("0.99" USD,
 * "100" JPY, "1.500" KWD), never a JSON number, so no float ever touches money.
 * Minor units are the digits without the dot: "0.99" → 99.
 */
export interface NoticePrice {
  readonly amount: string;
  readonly currency: string;
}

/** The payment request echoed back as the merchant signed it; fields not checked here stay `unknown`. */
export interface EchoedRequest {
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly pricePoint?: number | string;
  readonly price?: number | string;
  readonly currency?: string;
  readonly productData?: string;
  /** mozPay's spelling of productData. */
  readonly productdata?: string;
  readonly postbackURL?: string;
  readonly chargebackURL?: string;
  readonly simulate?: SimulateOption;
  readonly [field: string]: unknown;
}

interface NoticeFields {
  readonly transactionID: string;
  readonly price: NoticePrice;
  readonly request: EchoedRequest;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  /** No money moved: a `simulate:` transaction id or a request that asked to simulate. Never deliver for free on these in production. */
  readonly simulated: boolean;
}

export interface PostbackNotice extends NoticeFields {
  readonly typ: 'postback';
}

export interface ChargebackNotice extends NoticeFields {
  readonly typ: 'chargeback';
  readonly reason: ChargebackReason;
}

export type Notice = PostbackNotice | ChargebackNotice;

export interface NoticeKeys {
  /** Your app key; notices must have it as `aud`. */
  readonly appKey: string;
  /** The app secret string: enables HS256 notices. */
  readonly secret?: string;
  /** The provider's JWKS, or its URL (`/.well-known/jwks.json`): enables EdDSA notices. */
  readonly jwks?: JSONWebKeySet | URL;
  /** The provider audience the notice's `iss` must equal; "paydesk" by default. */
  readonly issuer?: string | readonly string[];
  /** Seconds of clock difference tolerated on exp, nbf and iat. */
  readonly clockTolerance?: number;
}

export interface VerifyNoticeOptions extends NoticeKeys {
  readonly now?: Date;
}

// A remote JWKS is fetched lazily and cached by jose; keep one per URL so every
// notice does not refetch it.
const remoteSets = new Map<string, JWTVerifyGetKey>();

function jwksResolver(jwks: JSONWebKeySet | URL): JWTVerifyGetKey {
  if (!(jwks instanceof URL)) return createLocalJWKSet(jwks);
  let set = remoteSets.get(jwks.href);
  if (!set) {
    set = createRemoteJWKSet(jwks);
    remoteSets.set(jwks.href, set);
  }
  return set;
}

function joseCode(e: unknown): NoticeError | undefined {
  if (e instanceof errors.JWSSignatureVerificationFailed) return new NoticeError('notice_signature');
  if (e instanceof errors.JWTExpired) return new NoticeError('notice_expired');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return new NoticeError('notice_key');
  if (e instanceof errors.JOSEAlgNotAllowed) return new NoticeError('notice_alg');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return new NoticeError('notice_iss', e.reason);
    if (e.claim === 'aud') return new NoticeError('notice_aud', e.reason);
    return new NoticeError('notice_claims', `${e.claim} ${e.reason}`);
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return new NoticeError('notice_malformed');
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const optional = (v: unknown, ok: (x: unknown) => boolean): boolean => v === undefined || ok(v);
const isString = (x: unknown): boolean => typeof x === 'string';
const isStringOrNumber = (x: unknown): boolean => typeof x === 'string' || typeof x === 'number';

function echoedRequest(v: unknown): EchoedRequest {
  const shape = (detail: string): never => { throw new NoticeError('notice_shape', detail); };
  if (!isRecord(v)) return shape('request must be an object');
  for (const field of ['id', 'name', 'description', 'currency', 'productData', 'productdata', 'postbackURL', 'chargebackURL']) {
    if (!optional(v[field], isString)) shape(`request.${field} must be a string`);
  }
  if (!optional(v.pricePoint, isStringOrNumber)) shape('request.pricePoint must be a number or string');
  if (!optional(v.price, isStringOrNumber)) shape('request.price must be a number or string');
  if (!optional(v.simulate, (s) => isRecord(s) && (s.result === 'postback' || s.result === 'chargeback'))) {
    shape('request.simulate must be {result: "postback" | "chargeback"}');
  }
  return v as EchoedRequest;
}

type RegisteredClaims = Pick<NoticeFields, 'jti' | 'iat' | 'exp'>;

function noticeFields(payload: JWTPayload, typ: 'postback' | 'chargeback', claims: RegisteredClaims): Notice {
  const shape = (detail: string): never => { throw new NoticeError('notice_shape', detail); };
  const { response } = payload;
  if (!isRecord(response)) return shape('response must be an object');
  const { transactionID, price, reason } = response;
  if (typeof transactionID !== 'string' || transactionID.length === 0 || transactionID.length > 255) {
    return shape('response.transactionID must be a string of 1 to 255 characters');
  }
  if (!isRecord(price)) return shape('response.price must be {amount, currency}');
  // At most 3 minor digits (ISO 4217's largest in use); the provider writes the currency's exact count.
  if (typeof price.amount !== 'string' || !/^(0|[1-9][0-9]{0,14})(\.[0-9]{1,3})?$/.test(price.amount)) {
    return shape('response.price.amount must be a decimal string such as "0.99"');
  }
  if (typeof price.currency !== 'string' || !/^[A-Z]{3}$/.test(price.currency)) {
    return shape('response.price.currency must be an ISO 4217 code such as "USD"');
  }
  const request = echoedRequest(payload.request);
  const fields: NoticeFields = {
    transactionID,
    price: { amount: price.amount, currency: price.currency },
    request,
    ...claims,
    simulated: transactionID.startsWith(SIMULATED_PREFIX) || request.simulate !== undefined,
  };
  if (typ === 'postback') {
    if (reason !== undefined) return shape('response.reason belongs on chargebacks only');
    return { typ, ...fields };
  }
  if (reason !== 'refund' && reason !== 'reversal') return shape('response.reason must be "refund" or "reversal"');
  return { typ, reason, ...fields };
}

/** Verifies a notice JWT and returns it typed, or throws NoticeError with a stable code. */
export async function verifyNotice(token: string, options: VerifyNoticeOptions): Promise<Notice> {
  const { appKey, secret, jwks, issuer = DEFAULT_AUDIENCE, now = new Date(), clockTolerance = 60 } = options;
  if (secret === undefined && jwks === undefined) throw new TypeError('verifyNotice needs `secret` (HS256) or `jwks` (EdDSA).');
  if (typeof token !== 'string') throw new NoticeError('notice_malformed');
  if (token.length > MAX_NOTICE_BYTES) throw new NoticeError('notice_too_large');

  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new NoticeError('notice_malformed');
  }
  if (typeof alg !== 'string') throw new NoticeError('notice_alg', 'no alg');
  const verifyOptions = {
    algorithms: [alg],
    issuer: typeof issuer === 'string' ? issuer : [...issuer],
    audience: appKey,
    currentDate: now,
    clockTolerance,
    requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
  };
  // The configured key decides which algorithm may be used, never the token:
  // HS256 is refused when only a JWKS is configured, which closes the "public
  // key used as HMAC secret" hole, and EdDSA is refused without a JWKS.
  const verify = HMAC_ALGS.includes(alg) && secret !== undefined ? () => jwtVerify(token, secretKey(secret), verifyOptions)
    : JWKS_ALGS.includes(alg) && jwks !== undefined ? () => jwtVerify(token, jwksResolver(jwks), verifyOptions)
      : undefined;
  if (verify === undefined) throw new NoticeError('notice_alg', `alg ${JSON.stringify(alg)}`);

  let payload: JWTPayload;
  try {
    ({ payload } = await verify());
  } catch (e) {
    // Anything unmapped (a JWKS URL that does not answer) is not the notice's
    // fault: rethrow, so the handler answers 5xx and the provider retries.
    throw joseCode(e) ?? e;
  }

  const { jti, iat, exp, typ } = payload;
  if (typeof jti !== 'string' || jti.length === 0) throw new NoticeError('notice_claims', 'jti must be a non-empty string');
  // jose checked exp and nbf; it checks iat only for its type, and a notice from the future is a clock or a forgery.
  if (typeof iat !== 'number' || iat > now.getTime() / 1000 + clockTolerance) throw new NoticeError('notice_claims', 'iat is in the future');
  if (typeof exp !== 'number') throw new NoticeError('notice_claims', 'exp must be a number');
  if (typ === POSTBACK_TYP) return noticeFields(payload, 'postback', { jti, iat, exp });
  if (typ === CHARGEBACK_TYP) return noticeFields(payload, 'chargeback', { jti, iat, exp });
  throw new NoticeError('notice_typ', `typ ${JSON.stringify(typ)}`);
}
