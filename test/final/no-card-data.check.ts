// Runs after every other test (test/run.ts): no card number and no CVC may
// have reached any database, WAL or log file that the whole run produced
// (DESIGN section 5: the vault keeps a token, brand, last 4 and expiry only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { luhnValid, testCards } from '../../server/vault/cards.ts';

const root = process.env.PAYDESK_TEST_ROOT;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...files(p));
    else if (/\.(db|db-wal|db-shm|log|tap|txt|json)$/.test(name)) out.push(p);
  }
  return out;
}

/** A UUID (the console's Idempotency-Keys): its digits and dashes can read as a Luhn-valid run by chance. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Digit runs that look like a card: an issuer prefix (3-6) and 13-19 digits passing Luhn. */
export function cardLikeNumbers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.replace(UUID, ' ').matchAll(/(?<!\d)[3-6](?:[ -]?\d){12,18}(?!\d)/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (luhnValid(digits)) found.push(digits);
  }
  return found;
}

test('the scanner finds card numbers in the forms a leak would take', () => {
  assert.deepEqual(cardLikeNumbers('x4242424242424242y'), ['4242424242424242']);
  assert.deepEqual(cardLikeNumbers('"number":"4242 4242 4242 4242"'), ['4242424242424242']);
  assert.deepEqual(cardLikeNumbers('1763913600123 and 4242424242424241'), [], 'timestamps and non-Luhn runs are not cards');
  // Seen in a test run: "…-4ad3-9171-40266695ab4c" holds 3-9171-40266695, which passes Luhn.
  assert.deepEqual(cardLikeNumbers('console\n4d0d57d9-3c32-4ad3-9171-40266695ab4c'), [], 'a UUID is not a card');
  assert.deepEqual(cardLikeNumbers('4d0d57d9-3c32-4ad3-9171-40266695ab4c 4242-4242-4242-4242'), ['4242424242424242'], 'a card beside a UUID still is');
});

test('no Luhn-valid card number and no CVC in any database, WAL or log file of the test run', { skip: root ? false : 'PAYDESK_TEST_ROOT is not set: run through `npm test`' }, () => {
  const scanned = files(root!);
  assert.ok(scanned.some((f) => f.endsWith('ledger.db')), `the run left databases to scan under ${root}`);
  assert.ok(scanned.some((f) => f.endsWith('vault.db')));
  assert.ok(scanned.some((f) => f.endsWith('.log')), 'the run\'s log is scanned too');
  const leaks: string[] = [];
  for (const f of scanned) {
    const text = readFileSync(f).toString('latin1');
    for (const n of cardLikeNumbers(text)) leaks.push(`${f}: card number ${n.slice(0, 4)}…${n.slice(-4)}`);
    for (const c of testCards) if (text.includes(c.number)) leaks.push(`${f}: test card ${c.number.slice(-4)}`);
    if (/"cvc"\s*:/i.test(text)) leaks.push(`${f}: a "cvc" field`);
  }
  assert.deepEqual(leaks, []);
  console.log(`scanned ${scanned.length} files under ${root}: no card numbers, no CVCs`);
});
