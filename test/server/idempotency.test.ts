// An Idempotency-Key's answer stored inside the transaction of the change it
// answers for (server/http/idempotency.ts): kept and replayed when that
// transaction commits, gone with it when it rolls back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../server/db/open.ts';
import { ledgerMigrations } from '../../server/db/ledger-migrations.ts';
import { commit } from '../../server/db/group-commit.ts';
import { IdempotencyStore } from '../../server/http/idempotency.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

function store() {
  const db = openDatabase(join(freshDataDir('idempotency'), 'ledger.db'), ledgerMigrations);
  return { db, idem: new IdempotencyStore(db, Date.now, randomBytes(32)) };
}

test('an answer stored with its change is replayed once the key is released', async () => {
  const { db, idem } = store();
  const fp = idem.fingerprint('POST', '/v1/pay', '{"jwts":["x"]}');
  assert.equal(idem.begin('console', 'k1', fp), undefined, 'a new key is claimed');
  await commit(db, () => idem.storeInTransaction('console', 'k1', { status: 201, body: { id: 'pur_1' } }));
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
  await assert.rejects(commit(db, () => {
    idem.storeInTransaction('console', 'k2', { status: 200, body: { ok: true } });
    throw new Error('the change failed');
  }), /the change failed/);
  assert.throws(() => idem.storeInTransaction('console', 'k2', { status: 200, body: {} }), /outside a transaction/);
  idem.release('console', 'k2');
  assert.equal(idem.begin('console', 'k2', fp), undefined, 'nothing was kept: the key is free for the retry');
  db.close();
});
