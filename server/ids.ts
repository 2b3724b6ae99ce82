import { randomBytes, randomInt } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A prefixed random id, e.g. `pur_3k9x…`: the prefix says what it names (Stripe's convention). */
export function newId(prefix: string, length = 20): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += alphabet[b % 36];
  return `${prefix}_${s}`;
}

/** 32 random bytes as base64url: an HS256 app secret or a console token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** The short code shown both on the merchant's status window and in the wallet, e.g. `K7P-4QX`. */
export function newConfirmationCode(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += codeAlphabet[randomInt(codeAlphabet.length)];
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}
