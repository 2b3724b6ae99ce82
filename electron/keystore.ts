// The desktop app's MasterKeySource: the 32-byte master key sealed by Electron's
// safeStorage (Keychain, DPAPI, libsecret/kwallet) in `master.key.safe`.
// Headless Paydesk keeps the same key as a 0600 `master.key` (server/keys/master-key.ts).
//
// A data folder moves between the two like this:
// - desktop opens a headless folder: the plain key is sealed into master.key.safe,
//   read back and compared, and only then is master.key deleted. Keeping it would
//   leave the key that protects every app secret and the PIN pepper in plaintext
//   beside the databases, which is exactly what the OS keystore is for.
// - headless opens a desktop folder: it cannot reach the OS keystore, so the server
//   must refuse with a message naming `Paydesk --export-key` (exportPlainKey below),
//   which writes master.key back; the desktop app re-seals it the next time it opens.
// - both files present with different keys: refuse; either may have sealed data.
// - no usable OS keystore (Linux without a secret service, where safeStorage would
//   fall back to a hard-coded password): keep the 0600 file, as headless does.
//
// safeStorage is injected, so this file never imports `electron` and is tested in Node.
import { existsSync, readFileSync, writeFileSync, renameSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { MASTER_KEY_FILE, fileKeySource, type MasterKeySource } from '../server/keys/master-key.ts';

export const SAFE_KEY_FILE = 'master.key.safe';

/** The part of Electron's safeStorage we use (main process, after app 'ready'). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

export interface KeyFolderState {
  readonly hasPlainKey: boolean;
  readonly hasSealedKey: boolean;
  /** safeStorage can encrypt with a real OS keystore (not Linux's basic_text fallback). */
  readonly keystoreUsable: boolean;
}

export type KeyPlan =
  | { readonly action: 'create-sealed' }
  | { readonly action: 'unseal' }
  | { readonly action: 'import-plain' }
  | { readonly action: 'unseal-and-reconcile' }
  | { readonly action: 'use-plain-file'; readonly reason: string }
  | { readonly action: 'refuse'; readonly code: 'keystore-unavailable'; readonly message: string };

/** What to do with a data folder's key files. Pure: the whole migration policy is here. */
export function planMasterKey(s: KeyFolderState): KeyPlan {
  if (!s.keystoreUsable) {
    if (s.hasSealedKey && !s.hasPlainKey) {
      return {
        action: 'refuse',
        code: 'keystore-unavailable',
        message: `This data folder's master key is sealed in the OS keystore (${SAFE_KEY_FILE}), and the keystore cannot be used now. Unlock or start your keyring (Keychain, Credential Manager, GNOME Keyring or KWallet) and open Paydesk again.`,
      };
    }
    return { action: 'use-plain-file', reason: 'no OS keystore is available; the key stays in a 0600 file as in headless mode' };
  }
  if (s.hasSealedKey) return s.hasPlainKey ? { action: 'unseal-and-reconcile' } : { action: 'unseal' };
  return s.hasPlainKey ? { action: 'import-plain' } : { action: 'create-sealed' };
}

export function keystoreUsable(safeStorage: SafeStorageLike): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  // 'basic_text' encrypts with a password compiled into Chromium: no protection at all.
  return safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
}

function decodeKey(base64: string, where: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} does not hold a 32-byte key. Restore the data folder from a backup; without the key app secrets and PINs cannot be read.`);
  return key;
}

function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}

function unsealFrom(safeStorage: SafeStorageLike, path: string): Buffer {
  let plain: string;
  try {
    plain = safeStorage.decryptString(readFileSync(path));
  } catch {
    throw new Error(`${path} cannot be opened with this user's OS keystore (was the folder copied from another user or machine?). On the machine that wrote it, run \`Paydesk --export-key\` and copy master.key instead.`);
  }
  return decodeKey(plain, path);
}

/** Seals `key`, then proves the sealed file opens to the same bytes before anyone deletes a plain copy. */
function sealTo(safeStorage: SafeStorageLike, path: string, key: Buffer): void {
  writeAtomic(path, safeStorage.encryptString(key.toString('base64')));
  if (!timingSafeEqual(unsealFrom(safeStorage, path), key)) throw new Error(`${path} did not read back the key just sealed; the plain key file was kept.`);
}

export interface KeystoreLog {
  (message: string): void;
}

export function safeStorageKeySource(dataDir: string, safeStorage: SafeStorageLike, log: KeystoreLog = () => {}): MasterKeySource {
  const plainPath = join(dataDir, MASTER_KEY_FILE);
  const sealedPath = join(dataDir, SAFE_KEY_FILE);
  const usable = keystoreUsable(safeStorage);
  return {
    describe: usable ? `OS keystore (${sealedPath})` : `key file ${plainPath} (no OS keystore)`,
    load() {
      const plan = planMasterKey({ hasPlainKey: existsSync(plainPath), hasSealedKey: existsSync(sealedPath), keystoreUsable: usable });
      switch (plan.action) {
        case 'refuse':
          throw new Error(plan.message);
        case 'use-plain-file':
          log(`master key: ${plan.reason}`);
          return fileKeySource(dataDir).load();
        case 'create-sealed': {
          const key = randomBytes(32);
          sealTo(safeStorage, sealedPath, key);
          return key;
        }
        case 'unseal':
          return unsealFrom(safeStorage, sealedPath);
        case 'import-plain': {
          const key = decodeKey(readFileSync(plainPath, 'utf8'), plainPath);
          sealTo(safeStorage, sealedPath, key);
          rmSync(plainPath);
          log('master key: moved from master.key into the OS keystore');
          return key;
        }
        case 'unseal-and-reconcile': {
          const key = unsealFrom(safeStorage, sealedPath);
          const plain = decodeKey(readFileSync(plainPath, 'utf8'), plainPath);
          if (!timingSafeEqual(key, plain)) {
            throw new Error(`${plainPath} and ${sealedPath} hold different keys, so one of them cannot read this folder's secrets. Move the one you did not mean to use out of the folder and open Paydesk again.`);
          }
          // An export for a headless run that has come back: the keystore copy is enough again.
          rmSync(plainPath);
          log('master key: removed the exported master.key; the OS keystore holds the same key');
          return key;
        }
      }
    },
  };
}

/**
 * `Paydesk --export-key`: writes the sealed key back as a 0600 master.key so the folder
 * opens headless or on another machine. The desktop app re-seals it on its next start.
 */
export function exportPlainKey(dataDir: string, safeStorage: SafeStorageLike): string {
  const sealedPath = join(dataDir, SAFE_KEY_FILE);
  const plainPath = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(sealedPath)) {
    if (existsSync(plainPath)) return plainPath;
    throw new Error(`${dataDir} has no master key yet; nothing to export.`);
  }
  if (!keystoreUsable(safeStorage)) throw new Error('The OS keystore cannot be used now, so the sealed key cannot be opened. Unlock your keyring and try again.');
  const key = unsealFrom(safeStorage, sealedPath);
  writeAtomic(plainPath, key.toString('base64') + '\n');
  return plainPath;
}

