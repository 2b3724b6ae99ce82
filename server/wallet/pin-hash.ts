// PINs are stored as scrypt(pepper || pin, salt). The pepper is derived from the
// master key and never stored in a database, so a copied ledger.db alone cannot
// be brute-forced over the small PIN space.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const params = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(pin: string, salt: Buffer, pepper: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(Buffer.concat([pepper, Buffer.from(pin)]), salt, 32, params, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPin(pin: string, pepper: Buffer): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, pepper);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPin(pin: string, stored: string, pepper: Buffer): Promise<boolean> {
  const [scheme, , , , saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await derive(pin, Buffer.from(saltB64, 'base64'), pepper);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
