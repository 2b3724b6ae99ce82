// An Idempotency-Key's answer stored inside the transaction of the change it
// answers for (server/http/idempotency.ts): kept and replayed when that
// transaction commits, gone with it when it rolls back. Fingerprints leave a
// route's secret fields out (test/server/data-folder.test.ts shows why).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../server/db/open.ts';
import { ledgerMigrations } from '../../server/db/ledger-migrations.ts';
import { commit } from '../../server/db/group-commit.ts';
import { z } from 'zod';
import { IdempotencyStore, withoutSecretFields } from '../../server/http/idempotency.ts';
import { routes, type RouteSpec } from '../../contract/api.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

function store() {
  const db = openDatabase(join(freshDataDir('idempotency'), 'ledger.db'), ledgerMigrations);
  return { db, idem: new IdempotencyStore(db, Date.now, randomBytes(32)) };
}

test('an answer stored with its change is replayed once the key is released', async () => {
  const { db, idem } = store();
  const fp = idem.fingerprint('POST', '/v1/pay', '{"jwts":["x"]}');
  assert.equal(idem.begin('console', 'k1', fp), undefined, 'a new key is claimed');
  await commit(db, (tx) => idem.storeInTransaction(tx, 'console', 'k1', { status: 201, body: { id: 'pur_1' } }));
  assert.throws(() => idem.begin('console', 'k1', fp), /idempotency_in_progress|still being processed/i, 'still running until released');
  idem.release('console', 'k1');
  assert.deepEqual(idem.begin('console', 'k1', fp), { status: 201, body: { id: 'pur_1' } });
  assert.throws(() => idem.begin('console', 'k1', idem.fingerprint('POST', '/v1/pay', '{}')), /different request/, 'another body is still refused');
  db.close();
});

test('an answer stored in a transaction that rolls back is gone with it; outside a transaction it is refused', async () => {
  const { db, idem } = store();
  const fp = idem.fingerprint('POST', '/x', '');
  idem.begin('console', 'k2', fp);
  await assert.rejects(commit(db, (tx) => {
    idem.storeInTransaction(tx, 'console', 'k2', { status: 200, body: { ok: true } });
    throw new Error('the change failed');
  }), /the change failed/);
  // @ts-expect-error: a plain handle is no Tx; the compiler refuses it, and so does the store.
  assert.throws(() => idem.storeInTransaction(db, 'console', 'k2', { status: 200, body: {} }), /outside a transaction/);
  idem.release('console', 'k2');
  assert.equal(idem.begin('console', 'k2', fp), undefined, 'nothing was kept: the key is free for the retry');
  db.close();
});

test('a fingerprint leaves the secret fields out: another PIN is the same request, another field is not', () => {
  const { db, idem } = store();
  const fp = (body: unknown) => idem.fingerprint('POST', '/api/purchases/p1/confirm', JSON.stringify(body), { body, fields: ['pin'] });
  assert.equal(fp({ pin: '402913', paymentMethodId: 'pm_1' }), fp({ pin: '975310', paymentMethodId: 'pm_1' }));
  assert.notEqual(fp({ pin: '402913', paymentMethodId: 'pm_1' }), fp({ pin: '402913', paymentMethodId: 'pm_2' }));
  const card = (cvc: string) => ({ card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2031, cvc }, currency: 'USD' });
  assert.deepEqual(withoutSecretFields(card('731'), ['card.number', 'card.cvc']), { card: { expMonth: 12, expYear: 2031 }, currency: 'USD' });
  assert.deepEqual(withoutSecretFields({ card: 'not an object' }, ['card.cvc']), { card: 'not an object' }, 'a malformed body is fingerprinted as it is');
  db.close();
});

/** Every field path of a body schema, through optional and default wrappers. */
function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = (s as z.ZodOptional).unwrap() as z.ZodType;
  if (!(s instanceof z.ZodObject)) return [];
  return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [`${prefix}${k}`, ...fieldPaths(v, `${prefix}${k}.`)]);
}

test('every body field that looks like a PIN, card number, CVC, password or code is declared in its route\'s secretFields', () => {
  const secretLooking = /(^|\.)(pin|currentPin|newPin|number|pan|cvc|cvv|password|passcode|otp|code)$/i;
  const undeclared: string[] = [];
  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    if (!spec.body) continue;
    const paths = fieldPaths(spec.body);
    const declared = spec.secretFields ?? [];
    for (const p of declared) assert.ok(paths.includes(p), `${name}: secretFields names ${p}, which its body does not have`);
    for (const p of paths) if (secretLooking.test(p) && !declared.includes(p)) undeclared.push(`${name}: ${p}`);
  }
  assert.deepEqual(undeclared, []);
  assert.deepEqual(routes.setPin.secretFields, ['pin', 'currentPin']);
});

test('a key claimed with a change made over several transactions (a refund) is resumed by a retry after a crash; a rolled-back claim is gone', async () => {
  const { db, idem } = store();
  const fp = idem.fingerprint('POST', '/api/transactions/p1/refunds', '{"amount":50}');
  assert.equal(idem.begin('console', 'k3', fp), undefined);
  assert.equal(idem.forRequest('console', 'k3', 201, () => {}).resumes, undefined, 'a first try resumes nothing');
  await commit(db, (tx) => idem.forRequest('console', 'k3', 201, () => assert.fail('a claim is no answer')).claim(tx, 'ref_1'));
  // The process dies before the answer is stored: the next server starts with nothing running.
  const next = new IdempotencyStore(db, Date.now, randomBytes(32));
  assert.throws(() => next.begin('console', 'k3', 'another body'), /different request/);
  assert.equal(next.begin('console', 'k3', fp), undefined, 'the retry runs...');
  assert.equal(next.forRequest('console', 'k3', 201, () => {}).resumes, 'ref_1', '...and resumes the claimed refund');
  await next.finish('console', 'k3', { status: 201, body: { id: 'ref_1' } });
  assert.deepEqual(next.begin('console', 'k3', fp), { status: 201, body: { id: 'ref_1' } }, 'once answered, the answer replays');

  assert.equal(next.begin('console', 'k4', fp), undefined);
  await assert.rejects(commit(db, (tx) => {
    next.forRequest('console', 'k4', 201, () => {}).claim(tx, 'ref_2');
    throw new Error('the reservation failed');
  }), /the reservation failed/);
  next.release('console', 'k4');
  assert.equal(next.begin('console', 'k4', fp), undefined);
  assert.equal(next.forRequest('console', 'k4', 201, () => {}).resumes, undefined, 'nothing was claimed');
  db.close();
});
