// Payment requests (DESIGN section 3): the JWT a merchant's server signs and its
// page hands to pay.js. Only HS256 with the app secret: it is the one algorithm
// every mozPay-era library can produce, and the provider accepts nothing else.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export const PAY_TYP = 'mozilla/payments/pay/v1';
export const DEFAULT_AUDIENCE = 'paydesk';

/**
 * The HMAC key for an app secret. Paydesk hands the secret out as a string and
 * the key is the UTF-8 bytes of that exact string, never its base64 decoding:
 * that is what mozPay's jwt-simple did (`createHmac('sha256', secretString)`),
 * so secrets pasted into existing mozPay merchants keep working.
 */
export function secretKey(secret: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('The app secret must be a non-empty string.');
  return new TextEncoder().encode(secret);
}

export type ChargebackReason = 'refund' | 'reversal';

export interface SimulateOption {
  /** Which notice the provider sends; no money moves either way. */
  readonly result: 'postback' | 'chargeback';
  readonly reason?: ChargebackReason;
}

export interface LocalizedText {
  readonly name?: string;
  readonly description?: string;
}

interface RequestFields {
  /** The merchant's product id, at most 255 characters. */
  readonly id: string;
  readonly name: string;
  /** The provider trims it to 255 characters with "...". */
  readonly description: string;
  /** Opaque, at most 255 characters, echoed back in the notice. */
  readonly productData?: string;
  /** Absolute http(s) URLs; default to the URLs registered for the app. */
  readonly postbackURL?: string;
  readonly chargebackURL?: string;
  /** Pixel size ("64") to image URL. */
  readonly icons?: Readonly<Record<string, string>>;
  readonly defaultLocale?: string;
  /** Needs defaultLocale. */
  readonly locales?: Readonly<Record<string, LocalizedText>>;
  readonly simulate?: SimulateOption;
}

/** Either a price tier (mozPay) or a price and currency (design notes), never both. */
type Pricing =
  | { readonly pricePoint: number | string; readonly price?: never; readonly currency?: never }
  | { readonly price: string | number; readonly currency: string; readonly pricePoint?: never };

export type PaymentRequest = RequestFields & Pricing;

export interface SignPaymentRequestOptions {
  /** The app key; becomes `iss`. */
  readonly appKey: string;
  /** The app secret exactly as Paydesk showed it (see secretKey). */
  readonly secret: string;
  readonly request: PaymentRequest;
  /** The provider audience: "paydesk" unless the provider was configured otherwise. */
  readonly audience?: string;
  /** Seconds until `exp`; the provider refuses lifetimes over one hour. */
  readonly expiresIn?: number;
  readonly now?: Date;
  /** Unique per purchase attempt: the provider refuses a replayed jti. Random by default. */
  readonly jti?: string;
}

/** A compact JWS (HS256) the page passes to `Paydesk.buy()` or `navigator.mozPay()`. */
export async function signPaymentRequest(options: SignPaymentRequestOptions): Promise<string> {
  const { appKey, secret, request, audience = DEFAULT_AUDIENCE, expiresIn = 600, now = new Date(), jti = randomUUID() } = options;
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new TypeError('expiresIn must be a positive whole number of seconds.');
  const iat = Math.floor(now.getTime() / 1000);
  // `typ` is a payload claim in the mozPay protocol, not the JOSE header's typ.
  return new SignJWT({ typ: PAY_TYP, request: { ...request } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(appKey)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .setJti(jti)
    .sign(secretKey(secret));
}
