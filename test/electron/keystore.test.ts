// The desktop MasterKeySource and how a data folder moves between desktop and
// headless. The OS keystore is the edge of the machine, so it is the one fake:
// an AES-GCM box per "OS user", like safeStorage's per-user key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileKeySource } from '../../server/keys/master-key.ts';
import { SAFE_KEY_FILE, exportPlainKey, planMasterKey, safeStorageKeySource, type SafeStorageLike } from '../../electron/keystore.ts';

function fakeSafeStorage(opts: { available?: boolean; backend?: string; userKey?: Buffer } = {}): SafeStorageLike & { calls: number } {
  const userKey = opts.userKey ?? randomBytes(32);
  const box: SafeStorageLike & { calls: number } = {
    calls: 0,
    isEncryptionAvailable: () => opts.available ?? true,
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    encryptString(plain) {
      box.calls++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', userKey, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([Buffer.from('v11'), iv, c.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-gcm', userKey, sealed.subarray(3, 15));
      d.setAuthTag(sealed.subarray(15, 31));
      return Buffer.concat([d.update(sealed.subarray(31)), d.final()]).toString('utf8');
    },
  };
  return box;
}

const folder = () => mkdtempSync(join(tmpdir(), 'paydesk-keys-'));

test('plan: every combination of key files and keystore', () => {
  assert.deepEqual(planMasterKey({ hasPlainKey: false, hasSealedKey: false, keystoreUsable: true }), { action: 'create-sealed' });
  assert.deepEqual(planMasterKey({ hasPlainKey: false, hasSealedKey: true, keystoreUsable: true }), { action: 'unseal' });
  assert.deepEqual(planMasterKey({ hasPlainKey: true, hasSealedKey: false, keystoreUsable: true }), { action: 'import-plain' });
  assert.deepEqual(planMasterKey({ hasPlainKey: true, hasSealedKey: true, keystoreUsable: true }), { action: 'unseal-and-reconcile' });
  assert.equal(planMasterKey({ hasPlainKey: false, hasSealedKey: false, keystoreUsable: false }).action, 'use-plain-file');
  assert.equal(planMasterKey({ hasPlainKey: true, hasSealedKey: true, keystoreUsable: false }).action, 'use-plain-file');
  const refused = planMasterKey({ hasPlainKey: false, hasSealedKey: true, keystoreUsable: false });
  assert.equal(refused.action, 'refuse');
  assert.match(refused.action === 'refuse' ? refused.message : '', /keyring/);
});

test('a new desktop folder gets a sealed key and no plain file; the same key comes back', () => {
  const dir = folder();
  const os = fakeSafeStorage();
  const key = safeStorageKeySource(dir, os).load();
  assert.equal(key.length, 32);
  assert.ok(existsSync(join(dir, SAFE_KEY_FILE)));
  assert.equal(existsSync(join(dir, 'master.key')), false);
  assert.equal(statSync(join(dir, SAFE_KEY_FILE)).mode & 0o777, 0o600);
  assert.ok(!readFileSync(join(dir, SAFE_KEY_FILE)).includes(key.toString('base64')), 'the sealed file must not hold the key in clear');
  assert.deepEqual(safeStorageKeySource(dir, os).load(), key);
});

test('headless folder opened by the desktop: key imported, checked, plain file removed', () => {
  const dir = folder();
  const headlessKey = fileKeySource(dir).load();
  const logs: string[] = [];
  const key = safeStorageKeySource(dir, fakeSafeStorage(), (l) => logs.push(l)).load();
  assert.deepEqual(key, headlessKey);
  assert.equal(existsSync(join(dir, 'master.key')), false);
  assert.ok(existsSync(join(dir, SAFE_KEY_FILE)));
  assert.ok(logs.some((l) => /OS keystore/.test(l)));
  assert.ok(!logs.join('\n').includes(key.toString('base64')), 'the key is never logged');
});

test('desktop folder exported for headless, then reopened on the desktop: same key, plain file removed again', () => {
  const dir = folder();
  const os = fakeSafeStorage();
  const key = safeStorageKeySource(dir, os).load();
  const written = exportPlainKey(dir, os);
  assert.equal(statSync(written).mode & 0o777, 0o600);
  assert.deepEqual(fileKeySource(dir).load(), key, 'headless reads the exported key');
  assert.deepEqual(safeStorageKeySource(dir, os).load(), key);
  assert.equal(existsSync(join(dir, 'master.key')), false);
});

test('two different keys in one folder: refused, nothing deleted', () => {
  const dir = folder();
  const os = fakeSafeStorage();
  safeStorageKeySource(dir, os).load();
  writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  assert.throws(() => safeStorageKeySource(dir, os).load(), /different keys/);
  assert.ok(existsSync(join(dir, 'master.key')));
  assert.ok(existsSync(join(dir, SAFE_KEY_FILE)));
});

test('a sealed file from another OS user cannot be opened, and says what to do', () => {
  const dir = folder();
  safeStorageKeySource(dir, fakeSafeStorage()).load();
  assert.throws(() => safeStorageKeySource(dir, fakeSafeStorage()).load(), /export-key/);
});

test('no usable keystore (Linux basic_text, or none): the 0600 key file, as headless', () => {
  for (const os of [fakeSafeStorage({ available: false }), fakeSafeStorage({ backend: 'basic_text' })]) {
    const dir = folder();
    const source = safeStorageKeySource(dir, os);
    assert.match(source.describe, /no OS keystore/);
    const key = source.load();
    assert.deepEqual(fileKeySource(dir).load(), key);
    assert.equal(existsSync(join(dir, SAFE_KEY_FILE)), false);
    assert.equal(os.calls, 0, 'basic_text would only pretend to encrypt');
  }
});

test('sealed key but the keystore is locked now: refused rather than a new key', () => {
  const dir = folder();
  const userKey = randomBytes(32);
  safeStorageKeySource(dir, fakeSafeStorage({ userKey })).load();
  assert.throws(() => safeStorageKeySource(dir, fakeSafeStorage({ userKey, available: false })).load(), /keyring/);
  assert.equal(existsSync(join(dir, 'master.key')), false, 'no new plain key was made');
});

test('export with no key at all is an error', () => {
  assert.throws(() => exportPlainKey(folder(), fakeSafeStorage()), /no master key/);
});

test('headless refuses a desktop folder instead of making a new key', () => {
  const dir = folder();
  safeStorageKeySource(dir, fakeSafeStorage()).load();
  assert.throws(() => fileKeySource(dir).load(), /export-key/);
  assert.equal(existsSync(join(dir, 'master.key')), false);
});
