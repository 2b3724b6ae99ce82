// The whole demo in one call: Paydesk, the store, and the first-run setup
// that connects them. `npm run demo` (run.ts) and the end-to-end tests both
// start it through here.
import { join } from 'node:path';
import { startServer, type ServerInternals } from '../server/main.ts';
import { startStore, type RunningStore } from './store.ts';
import { consoleClient, ensureApp, ensureBuyer, ensureOAuthClient, readDemoState, writeDemoState, DEMO_FILE, type DemoState } from './setup.ts';

export interface DemoOptions {
  readonly dataDir: string;
  /** Paydesk's port; 0 picks a free one. */
  readonly port: number;
  /** The store's port; 0 picks a free one. */
  readonly storePort: number;
  /** Progress lines (never secrets). */
  readonly say?: (line: string) => void;
  /** Paydesk's and the store's own log lines. */
  readonly log?: (line: string) => void;
  /** Paydesk's clock, for tests (expiry); the store signs with the real one. */
  readonly now?: () => number;
  /** `--notice-time-scale`: multiplies every notice retry wait (server/main.ts noticeTimeScale). */
  readonly noticeTimeScale?: number;
  /** `--test-clock`: Paydesk's time can be moved forward from the console (server/clock/test-clock.ts). */
  readonly testClock?: boolean;
  /** How the store sells (demo/store.ts): sign-in first (default) or to guests with pay.js alone. */
  readonly checkout?: 'sign-in' | 'guest';
}

export interface RunningDemo {
  readonly paydesk: ServerInternals;
  readonly store: RunningStore;
  readonly buyer: { readonly id: string; readonly email: string; readonly pin: string; readonly signedIn: boolean };
  /** The store's app; for tests that play the provider's part. */
  readonly app: NonNullable<DemoState['app']>;
  close(): Promise<void>;
}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const say = opts.say ?? (() => undefined);
  const paydesk = await startServer({
    port: opts.port, dataDir: opts.dataDir, ...(opts.log ? { log: opts.log } : {}), ...(opts.now ? { now: opts.now } : {}),
    ...(opts.noticeTimeScale !== undefined ? { noticeTimeScale: opts.noticeTimeScale } : {}),
    ...(opts.testClock ? { testClock: true } : {}),
  });
  let store: RunningStore | undefined;
  try {
    store = await startStore({
      port: opts.storePort,
      provider: paydesk.url,
      ordersFile: join(opts.dataDir, 'demo-orders.json'),
      ...(opts.checkout ? { checkout: opts.checkout } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    const file = join(opts.dataDir, DEMO_FILE);
    const state = readDemoState(file);
    const client = consoleClient(paydesk.url, paydesk.token);
    const app = await ensureApp(client, store.url, state, say);
    writeDemoState(file, { ...state, app });
    await ensureOAuthClient(client, app.appKey, store.url);
    const buyer = await ensureBuyer(client, { ...state, app }, say);
    writeDemoState(file, { app, buyer: { id: buyer.id, pin: buyer.pin } });
    store.setCredentials(app);
    const running = store;
    return {
      paydesk, store: running, buyer, app,
      async close() {
        await running.close();
        await paydesk.close();
      },
    };
  } catch (e) {
    await store?.close();
    await paydesk.close();
    throw e;
  }
}
