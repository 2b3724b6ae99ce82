// startServer(): the provider server as one object. The CLI (headless), the
// desktop shell (electron/) and the tests all start Paydesk through here.
import type { MasterKeySource } from './keys/master-key.ts';
import { mkdirSync, existsSync, readFileSync, writeFileSync, chmodSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileKeySource, deriveKeys } from './keys/master-key.ts';
import { openDatabase, type Db } from './db/open.ts';
import { closeCommits, followDurability, whenDurable } from './db/group-commit.ts';
import { startCheckpointer } from './db/checkpointer.ts';
import { ledgerMigrations } from './db/ledger-migrations.ts';
import { vaultMigrations } from './db/vault-migrations.ts';
import { defaultConfig, type Context } from './context.ts';
import { EventBus } from './events/bus.ts';
import { makeServices, type Services } from './services.ts';
import { makeHandlers, type Handlers } from './http/handlers.ts';
import { createHttpServer, defaultPublicLimits, type PublicLimits } from './http/server.ts';
import { consoleStatic } from './http/console-static.ts';
import { exportSources } from './export/sources.ts';
import { ConsoleLogin } from './http/console-login.ts';
import { payPageRoutes } from './paypage/routes.ts';
import { IdempotencyStore } from './http/idempotency.ts';
import { newSecret } from './ids.ts';
import { lockDataDir } from './data-dir.ts';
import { serveJwks } from './notices/jwks.ts';
import { defaultDeliveryLimits, type DeliveryLimits } from './notices/deliver.ts';
import type { NoticeFault } from './notices/dispatcher.ts';
import type { TokenRate } from './identity/provider.ts';
import { ADMIN_TOKEN_FILE, SERVER_URL_FILE } from '../contract/local.ts';
import { refuseMovedClock, TestClock } from './clock/test-clock.ts';

export interface ServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Folder for ledger.db, vault.db, admin-token and (headless) master.key. */
  readonly dataDir: string;
  /** Where the master key lives. Default: a 0600 key file in dataDir. */
  readonly keySource?: MasterKeySource;
  /** Audience payment requests must name. Default "paydesk"; "marketplace.firefox.com" and "marketplace.mozilla.org" are always accepted too (requests/verify.ts). */
  readonly audience?: string;
  /** Extra origins allowed to call the console API (the desktop app's own protocol, e.g. "app://paydesk"). */
  readonly consoleOrigins?: readonly string[];
  /** An Electron-ABI better_sqlite3.node, when the desktop app runs the server (electron/rebuild-native.ts). */
  readonly nativeBinding?: string;
  /** Injected clock in milliseconds, for tests: the machine's time as Paydesk sees it (Context.wallNow). */
  readonly now?: () => number;
  /**
   * Development only (`--test-clock`): Paydesk's time runs ahead of `now` by an offset the
   * console advances (server/clock/test-clock.ts, GET/POST /api/test-clock). Off by default,
   * and then the routes refuse with test_clock_off.
   */
  readonly testClock?: boolean;
  /** Multiplies every notice retry wait (docs/notices.md); e.g. 0.001 in development. Default 1. */
  readonly noticeTimeScale?: number;
  /** Notice delivery timeouts, response cap and concurrency; defaults in server/notices/. */
  readonly noticeDelivery?: Partial<DeliveryLimits & { perAppConcurrency: number; globalConcurrency: number }>;
  /** Test hook for the crash tests: SIGKILL the process at this point of a delivery. */
  readonly noticeFault?: NoticeFault;
  /** What one origin may ask of the public API (/v1/*); defaults in server/http/server.ts. Load tests raise them. */
  readonly publicLimits?: Partial<PublicLimits>;
  /** Check every answer against its route's response schema in contract/api.ts (tests, `serve --dev`): a mismatch answers internal_error and is logged. Off in production. */
  readonly checkResponses?: boolean;
  /** The OAuth token endpoint's budget per client address; defaults in server/identity/provider.ts. Tests lower it. */
  readonly tokenRate?: TokenRate;
}

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The console API bearer token (also written to dataDir/admin-token, mode 0600). */
  readonly token: string;
  /** A fresh single-use console login link (`<url>/#login=<code>`, valid 10 minutes), for the line printed at start. */
  loginLink(): string;
  close(): Promise<void>;
}

export { ADMIN_TOKEN_FILE };
// What `paydesk serve` (cli/serve.ts) needs besides startServer, so that the command's one door into the server is this file.
export { defaultDataDir, DataDirBusyError } from './data-dir.ts';
export { SchemaTooNewError } from './db/open.ts';
export { MasterKeyInKeystoreError } from './keys/master-key.ts';
export { parseTimeScale, TIME_SCALE_RULE } from './notices/schedule.ts';
export { TEST_CLOCK_NEEDS_DATA_DIR } from './clock/test-clock.ts';
export type { NoticeFault };

type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** Several `extra` hooks as one: the first that answers wins. */
function chainExtra(...hooks: readonly ExtraRoute[]): ExtraRoute {
  return async (req, res, url) => {
    for (const hook of hooks) if (await hook(req, res, url)) return true;
    return false;
  };
}

/**
 * Where this server answers, for the `paydesk` command (cli/connect.ts) to find it from the
 * data folder alone; written after listening, removed on close. The lock (data-dir.ts)
 * makes this server the folder's only writer.
 */
function publishUrl(dataDir: string, url: string): () => void {
  const path = join(dataDir, SERVER_URL_FILE);
  writeFileSync(`${path}.tmp`, `${url}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return () => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
}

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

export type StartOptions = ServerOptions & {
  readonly slowCharge?: () => Promise<void>;
  readonly log?: (line: string) => void;
  /** Test seam: replaces handlers (e.g. one that answers the wrong shape, to prove response checking). */
  readonly wrapHandlers?: (handlers: Handlers) => Handlers;
};

export async function startServer(opts: StartOptions): Promise<ServerInternals> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(opts.dataDir);
  try {
    return await startLocked(opts, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

/**
 * The server as named steps, in order: keys, the two database files, the services,
 * the HTTP server, listening, then the workers that need the port. close() stops
 * them in reverse, so no write is lost between the last answer and the files closing.
 */
async function startLocked(opts: StartOptions, unlock: () => void): Promise<ServerInternals> {
  // Before any file opens: a refusal leaves nothing to close.
  if (!opts.testClock) refuseMovedClock(opts.dataDir);
  const log = opts.log ?? ((line: string) => console.error(line));
  const keys = deriveKeys((opts.keySource ?? fileKeySource(opts.dataDir)).load());
  const stores = openStores(opts, log);
  const events = new EventBus();
  const wallNow = opts.now ?? Date.now;
  const testClock = opts.testClock ? new TestClock(wallNow, opts.dataDir) : undefined;
  testClock?.attach(events);
  const ctx: Context = {
    db: stores.db, vaultDb: stores.vaultDb, keys, events,
    config: { ...defaultConfig, audience: opts.audience ?? defaultConfig.audience },
    now: testClock?.now ?? wallNow,
    wallNow,
  };
  const services = startServices(ctx, opts, log, testClock);
  const token = loadOrCreateToken(opts.dataDir);
  // Kept a day of real time: an Idempotency-Key guards against a client's retries, which the test clock does not speed up.
  const idempotency = new IdempotencyStore(stores.db, ctx.wallNow, keys.idempotencyKey);
  // How a console in a browser tab gets its session: a login code traded for a cookie.
  // In memory, so codes and sessions die with the process; never the admin token.
  // Real time: advancing the test clock must neither end the developer's session nor stretch a code's 10 minutes.
  const login = new ConsoleLogin(ctx.wallNow);
  const { server, setPort } = makeHttpServer({ opts, ctx, stores, services, token, idempotency, login, log });
  const port = await listen(server, opts.port).catch(async (e: unknown) => {
    await stores.stopCheckpointers();
    stores.closeFiles();
    throw e;
  });
  setPort(port);
  login.setOrigin(`http://127.0.0.1:${port}`);
  // The provider's issuer is this origin, known only now.
  services.identity.start(`http://127.0.0.1:${port}`);
  // Only now is the port known: no notice URL may point at it.
  services.noticeTargets.setOwnPorts([port]);
  services.dispatcher.start();
  const background = startBackgroundWork(ctx, services, idempotency);
  const url = `http://127.0.0.1:${port}`;
  const unpublish = publishUrl(opts.dataDir, url);

  let closed: Promise<void> | undefined;
  return {
    url,
    port, token, services, events,
    loginLink: () => login.mintCode().url,
    close() {
      closed ??= services.dispatcher.stop().then(() => stores.stopCheckpointers()).then(() => new Promise<void>((resolve) => {
        background.stop();
        server.close(() => {
          // Writes still queued for a group commit are made, and made durable, before the files close.
          stores.flushCommits();
          stores.closeFiles();
          unpublish();
          unlock();
          resolve();
        });
        server.closeAllConnections();
      }));
      return closed;
    },
  };
}

/** ledger.db and vault.db, each with its WAL checkpointer. */
interface Stores {
  readonly db: Db;
  readonly vaultDb: Db;
  /** Both files' group commits on disk (server/db/group-commit.ts); awaited before any answer. */
  durable(): Promise<void> | undefined;
  stopCheckpointers(): Promise<void>;
  flushCommits(): void;
  closeFiles(): void;
}

function openStores(opts: StartOptions, log: (line: string) => void): Stores {
  const dbOptions = opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {};
  const db = openDatabase(join(opts.dataDir, 'ledger.db'), ledgerMigrations, dbOptions);
  let vaultDb: Db;
  try {
    vaultDb = openDatabase(join(opts.dataDir, 'vault.db'), vaultMigrations, dbOptions);
  } catch (e) {
    db.close();
    throw e;
  }
  // A purchase's completion commits in the ledger right after its charge commits in the
  // vault, both on their way to disk at once: the ledger is durable only with the vault.
  followDurability(db, vaultDb);
  const checkpointers = [db, vaultDb].map((d) => startCheckpointer(d, { ...dbOptions, log }));
  return {
    db, vaultDb,
    durable() {
      const waits = [whenDurable(db), whenDurable(vaultDb)].filter((w) => w !== undefined);
      return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
    },
    stopCheckpointers: () => Promise.all(checkpointers.map((c) => c.stop())).then(() => undefined),
    flushCommits() {
      closeCommits(vaultDb);
      closeCommits(db);
    },
    closeFiles() {
      db.close();
      vaultDb.close();
    },
  };
}

/** The domain services, with what a crash left half-done recovered and the provider keys in place. */
function startServices(ctx: Context, opts: StartOptions, log: (line: string) => void, testClock: TestClock | undefined): Services {
  const { connectTimeoutMs, responseTimeoutMs, maxResponseBytes, ...concurrency } = opts.noticeDelivery ?? {};
  const services = makeServices(ctx, {
    ...(testClock ? { testClock } : {}),
    ...(opts.slowCharge ? { slowCharge: opts.slowCharge } : {}),
    ...(opts.tokenRate ? { tokenRate: opts.tokenRate } : {}),
    notices: {
      log,
      timeScale: opts.noticeTimeScale ?? 1,
      limits: { ...defaultDeliveryLimits, ...(connectTimeoutMs ? { connectTimeoutMs } : {}), ...(responseTimeoutMs ? { responseTimeoutMs } : {}), ...(maxResponseBytes ? { maxResponseBytes } : {}) },
      ...concurrency,
      ...(opts.noticeFault ? { fault: opts.noticeFault } : {}),
    },
  });
  // Before recover(), refunds and the dispatcher: a completion whose charge vault.db lost
  // in a power cut gets it back, on disk, before its postback goes or a refund reads it.
  const reconciled = services.purchases.reconcileCharges();
  if (reconciled.restored > 0) log(`vault.db had lost ${reconciled.restored} charge(s) of completed purchases (a power cut); re-recorded them from ledger.db`);
  if (reconciled.unrestorable.length > 0) {
    log(`vault.db has no charge for completed purchase(s) ${reconciled.unrestorable.join(', ')} and it cannot be re-recorded (no card token in ledger.db, or a card vault.db does not know); refunds of them will fail with processor_error: restore vault.db from the data folder's backup`);
  }
  services.purchases.recover();
  services.refunds.recover();
  services.providerKeys.ensure();
  return services;
}

interface HttpParts {
  readonly opts: StartOptions;
  readonly ctx: Context;
  readonly stores: Stores;
  readonly services: Services;
  readonly token: string;
  readonly idempotency: IdempotencyStore;
  readonly login: ConsoleLogin;
  readonly log: (line: string) => void;
}

/** The console and public API, then pay.js and the status window (/pay.js, /pay/*), then the console's files. */
function makeHttpServer({ opts, ctx, stores, services, token, idempotency, login, log }: HttpParts): ReturnType<typeof createHttpServer> {
  const { durable } = stores;
  return createHttpServer({
    token, events: ctx.events, log,
    handlers: opts.wrapHandlers ? opts.wrapHandlers(makeHandlers(services, login)) : makeHandlers(services, login),
    checkResponses: opts.checkResponses ?? false,
    idempotency,
    durable,
    publicLimits: { ...defaultPublicLimits, ...opts.publicLimits },
    // Real time: the limit is on requests a real page sends per real second.
    now: ctx.wallNow,
    consoleOrigins: opts.consoleOrigins ?? [],
    login,
    exports: exportSources(services),
    extra: chainExtra(
      (req, res, url) => serveJwks(services.providerKeys, req, res, url),
      (req, res, url) => services.identity.serve(req, res, url),
      payPageRoutes({
        publicStatus: async (id) => {
          const view = services.purchases.publicStatus(id);
          await durable();
          return view;
        },
        now: ctx.now,
      }),
      consoleStatic(),
    ),
  });
}

/** Listens on 127.0.0.1 and answers the port it got (port 0 picks a free one). */
function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Timers that expire purchases and sweep tables; unref'd, so they never keep the process
 * alive. When the test clock moves, overdue purchases are expired at once rather than
 * at the next tick, so the advance's answer already shows them expired.
 */
function startBackgroundWork(ctx: Context, services: Services, idempotency: IdempotencyStore): { stop(): void } {
  const sweep = setInterval(() => services.purchases.expireDue(), 5_000);
  sweep.unref();
  const unsubscribe = ctx.events.subscribe((e) => {
    if (e.type === 'clock.advanced') services.purchases.expireDue();
  });
  // Housekeeping that scans tables: expired Idempotency-Keys and request ids past their exp.
  const housekeeping = setInterval(() => {
    idempotency.sweep();
    services.purchases.sweepRequestIds();
    services.oidcStore.sweep();
  }, 60_000);
  housekeeping.unref();
  return {
    stop() {
      unsubscribe();
      clearInterval(sweep);
      clearInterval(housekeeping);
    },
  };
}
