// Money is an integer of minor units with its currency, never a float (STYLE.md).
// The table lists the ISO 4217 currencies Paydesk accepts and their minor digits.
// Pure TypeScript: the server prices requests with it and the console parses what
// a person types (a refund amount, a card limit) by the same rule.
export const currencies: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2,
  HUF: 2, BRL: 2, MXN: 2, COP: 2, INR: 2, CNY: 2, TRY: 2, ZAR: 2, JPY: 0, KRW: 0, BHD: 3, KWD: 3,
};

/** The largest price a request may carry, in major units of any currency. */
export const MAX_MAJOR_AMOUNT = 10_000;

export interface Money {
  /** Minor units (cents for USD, yen for JPY). */
  readonly amount: number;
  readonly currency: string;
}

export function isSupportedCurrency(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(currencies, code);
}

export function minorDigits(currency: string): number {
  const d = currencies[currency];
  if (d === undefined) throw new Error(`unsupported currency ${currency}`);
  return d;
}

/**
 * An exact decimal ("1.99", 1.99, "10") in minor units of `currency`: no float
 * arithmetic, so 0.1 + 0.2 problems cannot arise. Undefined for anything that is
 * not a non-negative decimal within the currency's digits, or an unsupported currency.
 */
export function parseMinorUnits(value: unknown, currency: string): number | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const m = /^(\d{1,9})(?:\.(\d{1,10}))?$/.exec(text);
  if (!m || !isSupportedCurrency(currency)) return undefined;
  const digits = minorDigits(currency);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  const minor = Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** A price a payment request may carry: a positive decimal of at most MAX_MAJOR_AMOUNT, in minor units. */
export function parseAmount(price: unknown, currency: string): number | undefined {
  const minor = parseMinorUnits(price, currency);
  if (minor === undefined || minor <= 0 || minor > MAX_MAJOR_AMOUNT * 10 ** minorDigits(currency)) return undefined;
  return minor;
}

/** Minor units back to the decimal string merchants see: 199 USD → "1.99", 500 JPY → "500". */
export function formatAmount(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const major = Math.floor(abs / 10 ** digits);
  const minor = String(abs % 10 ** digits).padStart(digits, '0');
  return `${sign}${major}.${minor}`;
}
