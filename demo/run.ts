// `npm run demo`: Paydesk and the Elite Sparkle Pony store, set up and ready
// to buy from. See demo/README.md.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultDataDir } from '../server/data-dir.ts';
import { startDemo, type RunningDemo } from './demo.ts';
import { parseTimeScale, TIME_SCALE_RULE } from '../server/notices/schedule.ts';
import { TEST_CLOCK_NEEDS_DATA_DIR } from '../server/clock/test-clock.ts';

const usage = `Usage: npm run demo -- [--port 7402] [--store-port 7403] [--data-dir DIR] [--notice-time-scale 1] [--test-clock]
  --port        Paydesk's port on 127.0.0.1 (default 7402; 0 picks a free one)
  --store-port  the demo store's port (default 7403; 0 picks a free one)
  --data-dir    Paydesk's data folder (default: ${defaultDataDir()})
  --notice-time-scale  multiplies every notice retry wait (default 1; 0.001 turns
                the ~3-day schedule into ~4 minutes)
  --test-clock  a clock the console can move forward (its "Test clock" banner):
                expire purchases, end PIN lockouts, run notice retries now;
                needs --data-dir: a folder of its own, its times run ahead of the real ones`;

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${flag} must be a whole number from 0 to 65535, not "${value}".`);
    process.exit(2);
  }
  return n;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '7402' },
      'store-port': { type: 'string', default: '7403' },
      'data-dir': { type: 'string' },
      'notice-time-scale': { type: 'string' },
      'test-clock': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const scaleText = values['notice-time-scale'];
const noticeTimeScale = scaleText === undefined ? undefined : parseTimeScale(scaleText);
if (scaleText !== undefined && noticeTimeScale === undefined) {
  console.error(`--notice-time-scale must be ${TIME_SCALE_RULE}, not "${scaleText}".`);
  process.exit(2);
}

if (values['test-clock'] && values['data-dir'] === undefined) {
  console.error(TEST_CLOCK_NEEDS_DATA_DIR);
  process.exit(2);
}

const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
let demo: RunningDemo;
try {
  demo = await startDemo({
    dataDir,
    port: port(values.port, '--port'),
    storePort: port(values['store-port'], '--store-port'),
    ...(noticeTimeScale !== undefined ? { noticeTimeScale } : {}),
    ...(values['test-clock'] ? { testClock: true } : {}),
    say: (line) => console.log(`  ${line}`),
    log: (line) => console.log(`[log] ${line}`),
  });
} catch (e) {
  const err = e as NodeJS.ErrnoException & { port?: number };
  if (err.code === 'EADDRINUSE') {
    console.error(`Port ${err.port ?? ''} is already in use. Stop the other program, or pick other ports with --port and --store-port.`);
  } else {
    console.error(`The demo could not start: ${err.message}`);
  }
  process.exit(1);
}

const consoleBuilt = (await fetch(`${demo.paydesk.url}/`).then((r) => r.status, () => 0)) === 200;
const { paydesk, store, buyer } = demo;
console.log(`
  Elite Sparkle Pony demo is running.

  Paydesk      ${paydesk.url}
  Store        ${store.url}
  Data folder  ${dataDir}

  Demo buyer   ${buyer.email}, test card ending 4242${buyer.signedIn ? ', signed in to the wallet' : ' (another buyer is signed in: switch to this one in the wallet)'}
  PIN          ${buyer.pin}

  Next:
    1. Open the store at ${store.url} and click "Buy with Paydesk".
    2. A small Paydesk window shows the pony, its price and a confirmation code.
    3. Open the Paydesk console with this login link (it works once, in one
       browser, for 10 minutes; \`npm run login\` prints a new one):
         ${paydesk.loginLink()}
       and confirm in Wallet → Confirm: check that it shows the same code,
       then enter PIN ${buyer.pin}.${consoleBuilt ? '' : `
       (The console is not built yet: run "npm run build:renderer" once, then reload it.)`}
    4. The pony unlocks once the store's server has received Paydesk's postback.
       Refund it in the console and the chargeback locks it again.

  Ctrl+C stops Paydesk and the store.
`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the store and Paydesk...`);
  demo.close().then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    (e: unknown) => {
      console.error(`Stopping failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
