// The Request lab's explanation of a payment request JWT: the same checks, in
// the same order, as server/requests/verify.ts and payment-request.ts, each with
// the error code the server would answer. Decoding happens here in the browser;
// the signature and the jti are left to the server, which alone holds the secrets.
// The lab pairs it with the server's own verdict (POST /api/requests/verify), a dry run.
import { byteLength, decodeJwt, type DecodedJwt } from './jwt.ts';
import { controlCharacterIn } from '../../contract/api.ts';

export const PAY_TYP = 'mozilla/payments/pay/v1';
export const DEFAULT_AUDIENCES: readonly string[] = ['paydesk', 'marketplace.firefox.com', 'marketplace.mozilla.org'];
const MAX_TOKEN_BYTES = 8192;
const MAX_LIFETIME_S = 3600;
const SKEW_S = 60;
const MAX_TEXT = 255;
const MAX_MAJOR = 10_000;

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'skipped';

export interface Check {
  readonly id: string;
  readonly label: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** The server's error code when this check fails. */
  readonly code?: string;
}

export interface LabApp {
  readonly key: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly access: 'live' | 'simulate';
}

export type SignatureResult = { readonly matched: { readonly id: string; readonly state: 'active' | 'expired' | 'revoked' } | null };

export interface CheckContext {
  readonly now: number;
  readonly audiences: readonly string[];
  readonly apps: readonly LabApp[];
  /** Price tiers: id → currency → minor units. */
  readonly tiers: readonly { readonly id: string; readonly prices: Readonly<Record<string, number>> }[];
  /** Supported currencies → minor digits. */
  readonly currencies: Readonly<Record<string, number>>;
  readonly defaultCurrency: string;
  /** Present once the merchant asked to check the signature against the app's secrets. */
  readonly signature?: SignatureResult;
}

export interface Explanation {
  readonly checks: readonly Check[];
  readonly verdict: 'accepted' | 'refused' | 'unknown';
  readonly failed?: Check;
  readonly decoded?: DecodedJwt;
  readonly app?: LabApp;
}

class Refused extends Error {
  constructor(readonly check: Check) {
    super(check.detail);
  }
}

const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function rel(seconds: number, nowS: number): string {
  const d = seconds - nowS;
  const abs = Math.abs(d);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export async function explainRequest(token: string, ctx: CheckContext): Promise<Explanation> {
  const checks: Check[] = [];
  let decoded: DecodedJwt | undefined;
  let app: LabApp | undefined;
  const pass = (id: string, label: string, detail: string) => checks.push({ id, label, status: 'pass', detail });
  const fail = (id: string, label: string, code: string, detail: string): never => {
    throw new Refused({ id, label, status: 'fail', detail, code });
  };

  try {
    const t = token.trim();
    const size = byteLength(t);
    if (t === '') fail('shape', 'Token present', 'request_malformed', 'Paste a payment request JWT.');
    if (size > MAX_TOKEN_BYTES) fail('size', 'Size', 'request_too_large', `${size} bytes; the limit is ${MAX_TOKEN_BYTES}.`);
    pass('size', 'Size', `${size} bytes (limit ${MAX_TOKEN_BYTES}).`);

    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(t)) {
      fail('shape', 'Compact JWS', 'request_malformed', 'Expected header.payload.signature in base64url (A–Z a–z 0–9 - _), separated by dots.');
    }
    const d = decodeJwt(t);
    if (!d.ok) fail('shape', 'Compact JWS', 'request_malformed', `Not a JWT: ${d.reason}.`);
    decoded = (d as { ok: true; jwt: DecodedJwt }).jwt;
    pass('shape', 'Compact JWS', 'Header and payload decode as JSON objects.');
    const { header, payload } = decoded;

    if (header.alg !== 'HS256') {
      fail('alg', 'Algorithm', 'request_alg_not_allowed', `alg is ${JSON.stringify(header.alg ?? null)}; only HS256 (signed with the app secret) is accepted. "none" never is.`);
    }
    pass('alg', 'Algorithm', 'HS256.');

    if (typeof payload.iss !== 'string' || payload.iss === '') fail('iss', 'Issuer (iss)', 'request_issuer_missing', 'No iss claim: set it to the app key.');
    const iss = payload.iss as string;
    app = ctx.apps.find((a) => a.key === iss);
    if (!app) fail('iss', 'Issuer (iss)', 'request_issuer_unknown', `No app has the key ${iss}.`);
    pass('iss', 'Issuer (iss)', `${iss} is “${app!.name}”.`);
    if (app!.status !== 'active') fail('app', 'App status', 'request_app_disabled', `“${app!.name}” is disabled; enable it in Apps.`);
    pass('app', 'App status', `Active, ${app!.access === 'live' ? 'live access' : 'simulate-only'}.`);

    // jwtVerify: the signature first, then the registered claims.
    const sig = ctx.signature;
    if (!sig) {
      checks.push({ id: 'sig', label: 'Signature', status: 'unknown', detail: 'Not checked yet: it needs the app\'s secrets. Use “Check signature”.' });
    } else if (!sig.matched) {
      fail('sig', 'Signature', 'request_signature_invalid', 'The signature does not match any secret of this app: the token was altered after signing, or signed with another secret.');
    } else {
      pass('sig', 'Signature', `Made with secret ${sig.matched.id}.`);
    }

    const nowS = Math.floor(ctx.now / 1000);
    if (!('aud' in payload)) fail('aud', 'Audience (aud)', 'request_audience_invalid', 'No aud claim.');
    if (!('exp' in payload)) fail('exp', 'Expiry (exp)', 'request_exp_missing', 'No exp claim: set it a few minutes after iat.');
    if (!('iat' in payload)) fail('iat', 'Issued at (iat)', 'request_iat_missing', 'No iat claim: set it to the current time in seconds.');
    const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!auds.some((a) => typeof a === 'string' && ctx.audiences.includes(a))) {
      fail('aud', 'Audience (aud)', 'request_audience_invalid', `aud is ${JSON.stringify(payload.aud)}; expected ${ctx.audiences.map((a) => `"${a}"`).join(' or ')}.`);
    }
    pass('aud', 'Audience (aud)', `${JSON.stringify(payload.aud)}.`);
    if (typeof payload.iat !== 'number') fail('iat', 'Issued at (iat)', 'request_claim_invalid', 'iat must be a number of seconds.');
    if (payload.nbf !== undefined) {
      if (typeof payload.nbf !== 'number') fail('nbf', 'Not before (nbf)', 'request_claim_invalid', 'nbf must be a number of seconds.');
      if ((payload.nbf as number) > nowS + SKEW_S) fail('nbf', 'Not before (nbf)', 'request_not_yet_valid', `nbf is ${isoOf(payload.nbf as number)} (${rel(payload.nbf as number, nowS)}).`);
      pass('nbf', 'Not before (nbf)', `${isoOf(payload.nbf as number)} (${rel(payload.nbf as number, nowS)}).`);
    }
    if (typeof payload.exp !== 'number') fail('exp', 'Expiry (exp)', 'request_claim_invalid', 'exp must be a number of seconds.');
    const exp = payload.exp as number;
    const iat = payload.iat as number;
    if (exp <= nowS - SKEW_S) fail('exp', 'Expiry (exp)', 'request_expired', `Expired ${isoOf(exp)} (${rel(exp, nowS)}).`);
    pass('exp', 'Expiry (exp)', `${isoOf(exp)} (${rel(exp, nowS)}).`);
    if (sig?.matched?.state === 'revoked') fail('sig', 'Secret state', 'request_secret_revoked', `Secret ${sig.matched.id} was revoked.`);
    if (sig?.matched?.state === 'expired') fail('sig', 'Secret state', 'request_secret_expired', `Secret ${sig.matched.id} was rotated and its grace period is over.`);

    if (payload.typ !== PAY_TYP) fail('typ', 'Type (typ)', 'request_typ_invalid', `typ is ${JSON.stringify(payload.typ ?? null)}; expected "${PAY_TYP}".`);
    pass('typ', 'Type (typ)', PAY_TYP);
    if (iat > nowS + SKEW_S) fail('iat', 'Issued at (iat)', 'request_iat_in_future', `iat is ${isoOf(iat)} (${rel(iat, nowS)}): check the merchant server's clock.`);
    pass('iat', 'Issued at (iat)', `${isoOf(iat)} (${rel(iat, nowS)}).`);
    if (exp - iat > MAX_LIFETIME_S) fail('lifetime', 'Lifetime', 'request_lifetime_too_long', `exp − iat is ${exp - iat} s; at most ${MAX_LIFETIME_S} s.`);
    pass('lifetime', 'Lifetime', `${exp - iat} s (at most ${MAX_LIFETIME_S}).`);
    if (payload.jti !== undefined) {
      if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 255) {
        fail('jti', 'Request id (jti)', 'request_claim_invalid', 'jti must be a string of 1 to 255 characters.');
      }
      checks.push({ id: 'jti', label: 'Request id (jti)', status: 'unknown', detail: `${payload.jti as string}: the server refuses a jti it has seen before (request_jti_replayed); only it knows which were used.` });
    } else {
      checks.push({ id: 'jti', label: 'Request id (jti)', status: 'warn', detail: 'No jti: the same token could be paid twice. Add a unique jti to every request.' });
    }

    const simulate = checkRequest(payload.request, ctx, pass, fail);
    if (app!.access === 'simulate' && !simulate) {
      fail('simulate', 'Simulate-only app', 'request_simulate_required', 'This app is simulate-only: add "simulate": {"result": "postback"} or give it live access.');
    }
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    checks.push(e.check);
    return { checks, verdict: 'refused', failed: e.check, ...(decoded ? { decoded } : {}), ...(app ? { app } : {}) };
  }
  const verdict = checks.some((c) => c.id === 'sig' && c.status === 'unknown') ? 'unknown' : 'accepted';
  return { checks, verdict, ...(decoded ? { decoded } : {}), ...(app ? { app } : {}) };
}

type Pass = (id: string, label: string, detail: string) => void;
type Fail = (id: string, label: string, code: string, detail: string) => never;

/** payment-request.ts, field by field. Returns whether `simulate` is present. */
function checkRequest(raw: unknown, ctx: CheckContext, pass: Pass, fail: Fail): boolean {
  const L = 'request';
  if (raw === undefined || raw === null) fail('request', 'request object', 'request_field_missing', 'The payload has no request object.');
  if (typeof raw !== 'object' || Array.isArray(raw)) fail('request', 'request object', 'request_field_invalid', 'request must be an object.');
  const r = raw as Record<string, unknown>;
  const text = (field: string, required: boolean, opts: { trim?: boolean; multiline?: boolean; opaque?: boolean } = {}): string | undefined => {
    const v = r[field];
    if (v === undefined || v === null || v === '') return required ? fail(`request.${field}`, `request.${field}`, 'request_field_missing', `${L}.${field} is required.`) : undefined;
    if (typeof v !== 'string') return fail(`request.${field}`, `request.${field}`, 'request_field_invalid', `${L}.${field} must be a string.`);
    const control = opts.opaque ? undefined : controlCharacterIn(v, { multiline: opts.multiline });
    if (control) fail(`request.${field}`, `request.${field}`, 'request_field_invalid', `${L}.${field} holds ${control}, a control or bidi character that could hide or reorder what the buyer reads.`);
    if (v.length > MAX_TEXT && !opts.trim) return fail(`request.${field}`, `request.${field}`, 'request_field_invalid', `${L}.${field} is ${v.length} characters; at most ${MAX_TEXT}.`);
    return v;
  };
  const id = text('id', false);
  const name = text('name', true)!;
  const description = text('description', true, { trim: true, multiline: true })!;
  pass('request.item', 'Item', `${name}${id === undefined ? ' (no id: optional)' : ` (id ${id})`}${description.length > MAX_TEXT ? '; the description will be trimmed to 255 characters' : ''}.`);

  const hasPoint = r.pricePoint !== undefined && r.pricePoint !== null;
  const hasPrice = r.price !== undefined && r.price !== null;
  if (hasPoint === hasPrice) fail('request.price', 'Price', 'request_price_conflict', hasPoint ? 'Both pricePoint and price are given; give one.' : 'Neither pricePoint nor price is given.');
  if (r.currency !== undefined && !(typeof r.currency === 'string' && Object.hasOwn(ctx.currencies, r.currency))) {
    fail('request.price', 'Price', 'request_currency_unknown', `${JSON.stringify(r.currency)} is not a supported currency.`);
  }
  if (hasPoint) {
    const idText = typeof r.pricePoint === 'number' && Number.isInteger(r.pricePoint) ? String(r.pricePoint)
      : typeof r.pricePoint === 'string' && /^\d{1,4}$/.test(r.pricePoint) ? String(Number(r.pricePoint)) : undefined;
    const tier = ctx.tiers.find((t) => t.id === idText);
    if (!tier) fail('request.price', 'Price', 'request_price_point_unknown', `pricePoint ${JSON.stringify(r.pricePoint)} is not a tier.`);
    const currency = (r.currency as string | undefined) ?? ctx.defaultCurrency;
    const amount = tier!.prices[currency];
    if (amount === undefined) fail('request.price', 'Price', 'request_currency_unknown', `Tier ${tier!.id} has no ${currency} price.`);
    pass('request.price', 'Price', `Tier ${tier!.id}: ${amount} minor units of ${currency}.`);
  } else {
    if (r.currency === undefined) fail('request.price', 'Price', 'request_field_missing', 'price needs a currency.');
    const currency = r.currency as string;
    const amount = parseAmount(r.price, ctx.currencies[currency] ?? 2);
    if (amount === undefined) fail('request.price', 'Price', 'request_amount_invalid', `${JSON.stringify(r.price)} is not a positive ${currency} amount with at most ${ctx.currencies[currency]} decimals, up to ${MAX_MAJOR.toLocaleString('en')}.`);
    pass('request.price', 'Price', `${String(r.price)} ${currency}.`);
  }

  if (r.productData !== undefined && r.productdata !== undefined && r.productData !== r.productdata) {
    fail('request.productData', 'productData', 'request_field_invalid', 'Give productData or productdata, not both.');
  }
  const pd = text(r.productData !== undefined ? 'productData' : 'productdata', false, { opaque: true });
  pass('request.productData', 'productData', pd === undefined ? 'None (optional).' : `${pd.length} characters, echoed back in the notice.`);

  for (const field of ['postbackURL', 'chargebackURL'] as const) {
    const v = r[field];
    if (v === undefined || v === null || v === '') continue;
    if (!validUrl(v)) fail(`request.${field}`, field, 'request_url_invalid', `${field} must be an absolute http(s) URL without credentials.`);
    pass(`request.${field}`, field, String(v));
  }
  if (r.locales !== undefined && r.locales !== null && (r.defaultLocale === undefined || r.defaultLocale === null)) {
    fail('request.locales', 'locales', 'request_field_invalid', 'locales requires defaultLocale.');
  }
  if (r.simulate !== undefined && r.simulate !== null) {
    const s = r.simulate as Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s) || (s.result !== 'postback' && s.result !== 'chargeback')) {
      fail('request.simulate', 'simulate', 'request_field_invalid', 'simulate must be {"result": "postback" | "chargeback"}.');
    }
    pass('request.simulate', 'simulate', `No money moves; a ${s.result as string} notice is still sent.`);
    return true;
  }
  return false;
}

function validUrl(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !!u.hostname;
  } catch {
    return false;
  }
}

/** server/money/currency.ts parseAmount: exact decimal to minor units. */
function parseAmount(price: unknown, digits: number): number | undefined {
  let text: string;
  if (typeof price === 'number') {
    if (!Number.isFinite(price)) return undefined;
    text = String(price);
  } else if (typeof price === 'string') text = price.trim();
  else return undefined;
  const m = /^(\d{1,7})(?:\.(\d{1,10}))?$/.exec(text);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  const minor = Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor) || minor <= 0 || minor > MAX_MAJOR * 10 ** digits) return undefined;
  return minor;
}
