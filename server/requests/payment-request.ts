// The `request` object inside a payment request JWT (DESIGN section 3), parsed
// into one normalized shape. Both price forms arrive here: the mozPay
// pricePoint tier and the design-notes price + currency.
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { isSupportedCurrency, parseAmount, type Money } from '../../contract/money.ts';
import { findTier, tierPrice } from '../money/price-tiers.ts';
import { acceptNoticeURL } from '../notices/target.ts';
import { controlCharacterIn, type RequestCheckId } from '../../contract/api.ts';

export interface SimulateOption {
  readonly result: 'postback' | 'chargeback';
  readonly reason?: string;
}

export interface PaymentRequest {
  /** The merchant's product id: mozPay merchants send one, the design notes' own example has none. */
  readonly id: string | undefined;
  readonly name: string;
  readonly description: string;
  readonly price: Money;
  readonly pricePoint: string | undefined;
  readonly productData: string;
  readonly postbackURL: string;
  readonly chargebackURL: string;
  readonly icons: Readonly<Record<string, string>> | undefined;
  readonly defaultLocale: string | undefined;
  readonly locales: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  readonly simulate: SimulateOption | undefined;
}

export interface RequestDefaults {
  readonly defaultCurrency: string;
  readonly postbackURL: string;
  readonly chargebackURL: string;
  /** Paydesk's own ports: a postbackURL or chargebackURL there is refused (server/notices/target.ts). */
  readonly ownPorts: ReadonlySet<number>;
  /** Told as each group of checks starts (server/requests/verify.ts traceRequestChecks). */
  readonly reach?: (check: RequestCheckId) => void;
}

const MAX_TEXT = 255;

const fail = (code: ErrorCode, field: string, detail?: string): never => {
  throw new PaydeskError(code, detail === undefined ? { field } : { field, detail });
};

/** Refuses a control or bidi character in text people read (the rule is contract.ts's). */
function readable(v: string, field: string, multiline = false): string {
  const character = controlCharacterIn(v, { multiline });
  return character ? fail('request_field_invalid', field, `holds ${character}, a control or bidi character: remove it`) : v;
}

/**
 * A string field. `opaque` ones (productData) are the merchant's own data, echoed
 * back as signed: their controls are shown escaped wherever people read them.
 */
function text(r: Record<string, unknown>, field: string, opts: { required: boolean; trim?: boolean; multiline?: boolean; opaque?: boolean }): string | undefined {
  const v = r[field];
  if (v === undefined || v === null || v === '') return opts.required ? fail('request_field_missing', field) : undefined;
  if (typeof v !== 'string') return fail('request_field_invalid', field, 'must be a string');
  if (!opts.opaque) readable(v, field, opts.multiline);
  if (v.length > MAX_TEXT) {
    if (opts.trim) return `${v.slice(0, MAX_TEXT - 3)}...`;
    return fail('request_field_invalid', field, `at most ${MAX_TEXT} characters`);
  }
  return v;
}

/** Absolute http(s) URL without credentials, or undefined when absent. */
function checkURL(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 2048) return fail('request_url_invalid', field);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return fail('request_url_invalid', field);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || !u.hostname) {
    return fail('request_url_invalid', field);
  }
  return u.toString();
}

function price(r: Record<string, unknown>, defaultCurrency: string): { price: Money; pricePoint: string | undefined } {
  const hasPoint = r.pricePoint !== undefined && r.pricePoint !== null;
  const hasPrice = r.price !== undefined && r.price !== null;
  if (hasPoint === hasPrice) return fail('request_price_conflict', 'pricePoint');
  if (r.currency !== undefined && !isSupportedCurrency(r.currency)) return fail('request_currency_unknown', 'currency');
  if (hasPoint) {
    const tier = findTier(r.pricePoint);
    if (!tier) return fail('request_price_point_unknown', 'pricePoint');
    const currency = (r.currency as string | undefined) ?? defaultCurrency;
    const p = tierPrice(tier, currency);
    if (!p) return fail('request_currency_unknown', 'currency', `tier ${tier.id} has no ${currency} price`);
    return { price: p, pricePoint: tier.id };
  }
  if (r.currency === undefined) return fail('request_field_missing', 'currency');
  const currency = r.currency as string;
  const amount = parseAmount(r.price, currency);
  if (amount === undefined) return fail('request_amount_invalid', 'price');
  return { price: { amount, currency }, pricePoint: undefined };
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return fail('request_field_invalid', field, 'must be an object');
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string' || val.length > 2048) return fail('request_field_invalid', `${field}.${k}`, 'must be a string');
    readable(val, `${field}.${k}`, k === 'description');
  }
  // fromEntries defines own properties: a "__proto__" key stays a plain key.
  return Object.fromEntries(Object.entries(v)) as Record<string, string>;
}

function simulate(v: unknown): SimulateOption | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return fail('request_field_invalid', 'simulate', 'must be {"result": "postback" | "chargeback"}');
  const s = v as Record<string, unknown>;
  if (s.result !== 'postback' && s.result !== 'chargeback') return fail('request_field_invalid', 'simulate.result', 'must be "postback" or "chargeback"');
  if (s.reason !== undefined && (typeof s.reason !== 'string' || s.reason.length > MAX_TEXT)) return fail('request_field_invalid', 'simulate.reason');
  if (s.reason !== undefined) readable(s.reason, 'simulate.reason');
  return s.reason === undefined ? { result: s.result } : { result: s.result, reason: s.reason };
}

export function parsePaymentRequest(raw: unknown, defaults: RequestDefaults): PaymentRequest {
  const reach = defaults.reach ?? (() => undefined);
  reach('item');
  if (raw === undefined || raw === null) return fail('request_field_missing', 'request');
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail('request_field_invalid', 'request', 'must be an object');
  const r = raw as Record<string, unknown>;

  const id = text(r, 'id', { required: false });
  const name = text(r, 'name', { required: true })!;
  // A description may run over several lines; a name, an id may not.
  const description = text(r, 'description', { required: true, trim: true, multiline: true })!;
  reach('price');
  const { price: p, pricePoint } = price(r, defaults.defaultCurrency);
  reach('fields');

  // mozPay spelled it productdata; the design notes productData. Both are accepted, not both at once.
  if (r.productData !== undefined && r.productdata !== undefined && r.productData !== r.productdata) {
    fail('request_field_invalid', 'productData', 'give productData or productdata, not both');
  }
  const productData = text(r, r.productData !== undefined ? 'productData' : 'productdata', { required: false, opaque: true }) ?? '';

  // The app's registered URLs passed the same guard when they were written.
  const noticeURL = (field: 'postbackURL' | 'chargebackURL') => {
    const v = r[field];
    return v === undefined || v === null || v === '' ? defaults[field] : acceptNoticeURL(v, field, defaults.ownPorts);
  };
  const postbackURL = noticeURL('postbackURL');
  const chargebackURL = noticeURL('chargebackURL');

  const icons = stringMap(r.icons, 'icons');
  if (icons) for (const [size, url] of Object.entries(icons)) {
    if (!/^\d{1,4}$/.test(size)) fail('request_field_invalid', `icons.${size}`, 'keys are pixel sizes');
    checkURL(url, `icons.${size}`);
  }
  const defaultLocale = text(r, 'defaultLocale', { required: false });
  if (defaultLocale !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(defaultLocale)) {
    fail('request_field_invalid', 'defaultLocale', 'must be a language tag such as "en-US"');
  }
  let locales: Record<string, Record<string, string>> | undefined;
  if (r.locales !== undefined && r.locales !== null) {
    if (defaultLocale === undefined) fail('request_field_invalid', 'locales', 'locales requires defaultLocale');
    if (typeof r.locales !== 'object' || Array.isArray(r.locales)) fail('request_field_invalid', 'locales', 'must be an object');
    locales = Object.fromEntries(Object.entries(r.locales as Record<string, unknown>).map(([tag, entry]) => [tag, stringMap(entry, `locales.${tag}`) ?? {}]));
  }

  return {
    id, name, description, price: p, pricePoint, productData, postbackURL, chargebackURL,
    icons, defaultLocale, locales, simulate: simulate(r.simulate),
  };
}
