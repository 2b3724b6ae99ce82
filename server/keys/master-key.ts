// One 32-byte master key protects everything secret at rest: app secrets are
// sealed with a key derived from it, and the PIN pepper is derived from it, so
// neither sits in a database file. Headless it lives in a 0600 file in the data
// folder; the desktop app keeps it in the OS keystore (electron/keystore.main.ts)
// and hands it over through this same interface.
import { randomBytes, hkdfSync, createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export interface MasterKeySource {
  /** Where the key is kept, for messages ("key file /x/master.key", "OS keystore"). */
  readonly describe: string;
  /** Returns the 32-byte key, creating it on first use. */
  load(): Buffer;
}

export const MASTER_KEY_FILE = 'master.key';
/** Written by the desktop app: the master key sealed by the OS keystore (electron/keystore.ts). */
const SEALED_MASTER_KEY_FILE = 'master.key.safe';

export class MasterKeyInKeystoreError extends Error {
  constructor(dataDir: string) {
    super(`The master key of ${dataDir} is in the desktop app's OS keystore. Run \`Paydesk --export-key\` in the desktop app to write it back as ${MASTER_KEY_FILE}, then start the headless server again.`);
    this.name = 'MasterKeyInKeystoreError';
  }
}

export function fileKeySource(dataDir: string): MasterKeySource {
  const path = join(dataDir, MASTER_KEY_FILE);
  return {
    describe: `key file ${path}`,
    load() {
      if (existsSync(path)) {
        const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
        if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key. Restore it from a backup; without it app secrets and PINs cannot be read.`);
        chmodSync(path, 0o600);
        return key;
      }
      // The desktop app moved the key into the OS keystore: a fresh key here would
      // make every sealed secret and PIN in this folder unreadable.
      if (existsSync(join(dataDir, SEALED_MASTER_KEY_FILE))) throw new MasterKeyInKeystoreError(dataDir);
      if (existsSync(join(dataDir, 'ledger.db'))) {
        throw new Error(`${path} is missing but ${dataDir} already holds a ledger sealed with it. Restore master.key from a backup; a new key could not read the app secrets or PINs.`);
      }
      const key = randomBytes(32);
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, key.toString('base64') + '\n', { mode: 0o600 });
      renameSync(tmp, path);
      return key;
    },
  };
}

export interface DerivedKeys {
  /** AES-256-GCM key for app secrets at rest. */
  readonly secretsKey: Buffer;
  /** Pepper mixed into every PIN hash; never stored in a database. */
  readonly pinPepper: Buffer;
  /** HMAC key for request fingerprints and seal key for stored replies (Idempotency-Key). */
  readonly idempotencyKey: Buffer;
}

export function deriveKeys(master: Buffer): DerivedKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { secretsKey: derive('paydesk/app-secrets/v1'), pinPepper: derive('paydesk/pin-pepper/v1'), idempotencyKey: derive('paydesk/idempotency/v1') };
}

/** Seal a secret for storage: base64(iv | tag | ciphertext), bound to `context` as AAD. */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function unseal(key: Buffer, sealed: string, context: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
