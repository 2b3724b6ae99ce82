import { randomBytes } from 'node:crypto';

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: several ids are
 * made per purchase, and one small randomBytes() call cost more than the id.
 * Each refill is a new buffer, so bytes handed out are never handed out again.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function random(n: number): Buffer {
  if (used + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A prefixed random id, e.g. `pur_3k9x…`: the prefix says what it names (Stripe's convention). */
export function newId(prefix: string, length = 20): string {
  let s = '';
  for (const b of random(length)) s += alphabet[b % 36];
  return `${prefix}_${s}`;
}

/** The random part of newOrderedId: 20 letters of a 32-letter alphabet, 5 bits each. */
export const ORDERED_ID_RANDOM_BITS = 100;
const orderedAlphabet = alphabet.slice(0, 32);

/**
 * Like newId, but the first 9 characters are the time (milliseconds, base 36) and
 * the other 20 random, 100 bits (ORDERED_ID_RANDOM_BITS): a pending purchase's id
 * is the only credential of its cancel route (docs/buy-flow.md). For rows written
 * on every purchase (purchases, transactions, notices, charges, refunds): B-tree
 * indexes on random keys put each new row on a different page, and each of those
 * pages is written to the WAL at the next commit; time-ordered keys fill the same
 * last page. Not for anything whose id is a secret handle (vault tokens): those
 * stay wholly random.
 */
export function newOrderedId(prefix: string, now = Date.now()): string {
  let s = now.toString(36).padStart(9, '0');
  // 256 is a multiple of 32: the low 5 bits of a random byte are uniformly random.
  for (const b of random(ORDERED_ID_RANDOM_BITS / 5)) s += orderedAlphabet[b & 31];
  return `${prefix}_${s}`;
}

/** 32 random bytes as base64url: an HS256 app secret or a console token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Bytes at or above this are skipped, so every code letter is equally likely (248 = 8 × 31). */
const CODE_BYTE_LIMIT = 256 - (256 % codeAlphabet.length);

/** The short code shown both on the merchant's status window and in the wallet, e.g. `K7P-4QX`. */
export function newConfirmationCode(): string {
  let s = '';
  while (s.length < 6) {
    const b = random(1)[0]!;
    if (b < CODE_BYTE_LIMIT) s += codeAlphabet[b % codeAlphabet.length];
  }
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}
