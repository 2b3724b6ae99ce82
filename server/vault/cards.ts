// Card checks done before anything is stored, and the test cards whose number
// chooses how the stand-in processor behaves (listed in the README).

export type CardBehaviour = 'success' | 'decline' | 'insufficient_funds' | 'expired_card' | 'processing_error' | 'slow';

export interface TestCard {
  readonly number: string;
  readonly brand: string;
  readonly behaviour: CardBehaviour;
  readonly description: string;
}

export const testCards: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', behaviour: 'success', description: 'Succeeds' },
  { number: '5555555555554444', brand: 'mastercard', behaviour: 'success', description: 'Succeeds' },
  { number: '378282246310005', brand: 'amex', behaviour: 'success', description: 'Succeeds (4-digit CVC)' },
  { number: '4000000000000002', brand: 'visa', behaviour: 'decline', description: 'Declined' },
  { number: '4000000000009995', brand: 'visa', behaviour: 'insufficient_funds', description: 'Declined: insufficient funds' },
  { number: '4000000000000069', brand: 'visa', behaviour: 'expired_card', description: 'Declined: processor says the card expired' },
  { number: '4000000000000119', brand: 'visa', behaviour: 'processing_error', description: 'Processor error; nothing charged, retry allowed' },
  { number: '4000000000000077', brand: 'visa', behaviour: 'slow', description: 'Succeeds after a 3-second processor delay' },
];

export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'card';
}

/** A card is valid through the last day of its expiry month (UTC). */
export function expiryValid(month: number, year: number, now: number): boolean {
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  if (!Number.isInteger(year) || year < 2000 || year > 2100) return false;
  return Date.UTC(year, month, 1) > now;
}

export function cvcValid(cvc: string, brand: string): boolean {
  return brand === 'amex' ? /^\d{4}$/.test(cvc) : /^\d{3}$/.test(cvc);
}

export function behaviourOf(digits: string): CardBehaviour {
  return testCards.find((c) => c.number === digits)?.behaviour ?? 'success';
}
