import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileKeySource, deriveKeys, seal, unseal, MasterKeyInKeystoreError } from '../../server/keys/master-key.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

test('headless: the master key is made once, 0600, and read back the same', () => {
  const dir = freshDataDir('keys');
  const a = fileKeySource(dir).load();
  assert.equal(a.length, 32);
  assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
  assert.deepEqual(fileKeySource(dir).load(), a);
});

test('a folder whose key the desktop app moved into the OS keystore is not given a new key', () => {
  const dir = freshDataDir('keys');
  writeFileSync(join(dir, 'master.key.safe'), 'sealed-by-the-os');
  assert.throws(() => fileKeySource(dir).load(), (e: unknown) => e instanceof MasterKeyInKeystoreError && /--export-key/.test(e.message));
});

test('a damaged key file is refused, not replaced', () => {
  const dir = freshDataDir('keys');
  writeFileSync(join(dir, 'master.key'), 'short');
  assert.throws(() => fileKeySource(dir).load(), /32-byte/);
  assert.equal(readFileSync(join(dir, 'master.key'), 'utf8'), 'short');
});

test('sealed values are bound to their context and key', () => {
  const keys = deriveKeys(Buffer.alloc(32, 7));
  const sealed = seal(keys.secretsKey, 's3cret', 'app-secret:app_1');
  assert.equal(unseal(keys.secretsKey, sealed, 'app-secret:app_1'), 's3cret');
  assert.throws(() => unseal(keys.secretsKey, sealed, 'app-secret:app_2'));
  assert.throws(() => unseal(deriveKeys(Buffer.alloc(32, 8)).secretsKey, sealed, 'app-secret:app_1'));
  assert.notDeepEqual(keys.secretsKey, keys.pinPepper);
});
