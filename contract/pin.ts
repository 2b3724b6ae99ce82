// What a PIN may be (DESIGN section 5), as pure functions: the server refuses
// anything else (pin_invalid_format, pin_too_simple) and the console's PIN form
// says so as the buyer types, by the same rule.

export function isPinFormat(pin: unknown): pin is string {
  return typeof pin === 'string' && /^\d{4,8}$/.test(pin);
}

const commonPins = new Set(['2580', '0852', '1004', '2000', '1122', '6969', '1313', '1010', '0007', '7777777']);

/** Repeated digits, runs up or down (with wrap), repeated pairs or halves, and a few well-known PINs. */
export function isTrivialPin(pin: string): boolean {
  if (commonPins.has(pin)) return true;
  const d = [...pin].map(Number);
  const steps = new Set(d.slice(1).map((x, i) => (x - d[i]! + 10) % 10));
  // One repeated step of 0, +1 or -1 (with wrap): 0000, 1234, 9876, 8901.
  if (steps.size === 1 && [0, 1, 9].includes([...steps][0]!)) return true;
  for (const period of [2, 3, 4]) {
    if (pin.length % period === 0 && pin.length > period && pin === pin.slice(0, period).repeat(pin.length / period)) return true;
  }
  return false;
}

/** Six random digits, for a test buyer's PIN (demo, `paydesk trigger`); a trivial draw is refused by Paydesk (pin_too_simple), so callers draw again. */
export function randomPin(): string {
  // Web Crypto: contract/ runs in every process. 2^32 is not a multiple of 10^6; the bias is under 0.03%, harmless for a test PIN.
  return String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000).padStart(6, '0');
}
