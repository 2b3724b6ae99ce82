// startServer(): the provider server as one object. The CLI (headless), the
// desktop shell (electron/) and the tests all start Paydesk through here.
import type { MasterKeySource } from './keys/master-key.ts';
import { mkdirSync, existsSync, readFileSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileKeySource, deriveKeys } from './keys/master-key.ts';
import { openDatabase } from './db/open.ts';
import { ledgerMigrations } from './db/ledger-migrations.ts';
import { vaultMigrations } from './db/vault-migrations.ts';
import { defaultConfig, type Context } from './context.ts';
import { EventBus } from './events/bus.ts';
import { makeServices } from './services.ts';
import { makeHandlers } from './http/handlers.ts';
import { createHttpServer } from './http/server.ts';
import { consoleStatic } from './http/console-static.ts';
import { IdempotencyStore } from './http/idempotency.ts';
import { newSecret } from './ids.ts';


export interface ServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Folder for ledger.db, vault.db, admin-token and (headless) master.key. */
  readonly dataDir: string;
  /** Where the master key lives. Default: a 0600 key file in dataDir. */
  readonly keySource?: MasterKeySource;
  /** Audience payment requests must name. Default "paydesk"; "marketplace.firefox.com" is always accepted too. */
  readonly audience?: string;
  /** Extra origins allowed to call the console API (the desktop app's own protocol, e.g. "app://paydesk"). */
  readonly consoleOrigins?: readonly string[];
  /** Injected clock in milliseconds, for tests. */
  readonly now?: () => number;
}

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The console API bearer token (also written to dataDir/admin-token, mode 0600). */
  readonly token: string;
  close(): Promise<void>;
}

export const ADMIN_TOKEN_FILE = 'admin-token';

/** The console token persists across restarts so scripts that read it once keep working; mode 0600. */
function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(token)) {
      chmodSync(path, 0o600);
      return token;
    }
  }
  const token = newSecret();
  writeFileSync(`${path}.tmp`, `${token}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return token;
}

export interface ServerInternals extends RunningServer {
  readonly services: ReturnType<typeof makeServices>;
  readonly events: EventBus;
}

export async function startServer(opts: ServerOptions & { readonly slowChargeMs?: number; readonly log?: (line: string) => void }): Promise<ServerInternals> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const keys = deriveKeys((opts.keySource ?? fileKeySource(opts.dataDir)).load());
  const db = openDatabase(join(opts.dataDir, 'ledger.db'), ledgerMigrations);
  let vaultDb;
  try {
    vaultDb = openDatabase(join(opts.dataDir, 'vault.db'), vaultMigrations);
  } catch (e) {
    db.close();
    throw e;
  }
  const events = new EventBus();
  const log = opts.log ?? ((line: string) => console.error(line));
  const ctx: Context = {
    db, vaultDb, keys, events,
    config: { ...defaultConfig, audience: opts.audience ?? defaultConfig.audience },
    now: opts.now ?? Date.now,
  };
  const services = makeServices(ctx, opts.slowChargeMs !== undefined ? { slowChargeMs: opts.slowChargeMs } : {});
  services.purchases.recover();
  const token = loadOrCreateToken(opts.dataDir);
  // What a console opened in a browser tab authenticates with (an HttpOnly cookie set
  // when it loads); per process, so it dies with the server and is never the admin token.
  const consoleSession = newSecret();
  const { server, setPort } = createHttpServer({
    token, events, log,
    handlers: makeHandlers(services),
    idempotency: new IdempotencyStore(db, ctx.now),
    consoleOrigins: opts.consoleOrigins ?? [],
    consoleSession,
    extra: consoleStatic({ session: consoleSession }),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  }).catch((e: unknown) => {
    db.close();
    vaultDb.close();
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  setPort(port);

  const sweep = setInterval(() => services.purchases.expireDue(), 5_000);
  sweep.unref();

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port, token, services, events,
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => {
          db.close();
          vaultDb.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
