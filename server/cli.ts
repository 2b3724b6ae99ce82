// `paydesk serve` (headless), `paydesk start` (desktop where Electron is
// installed, else the same server with the console in the browser) and
// `paydesk login` (a new console login link from the running server).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADMIN_TOKEN_FILE, startServer } from './main.ts';
import { defaultPublicLimits } from './http/server.ts';
import { defaultDataDir, DataDirBusyError } from './data-dir.ts';
import { SchemaTooNewError } from './db/open.ts';
import { MasterKeyInKeystoreError } from './keys/master-key.ts';
import { createClient, isApiError } from '../contract/client.ts';
import type { NoticeFault } from './notices/dispatcher.ts';
import { parseTimeScale, TIME_SCALE_RULE } from './notices/schedule.ts';
import { TEST_CLOCK_NEEDS_DATA_DIR } from './clock/test-clock.ts';

const usage = `Usage: paydesk serve [--port 7402] [--data-dir DIR] [--audience paydesk] [--notice-time-scale 1]
                     [--public-rate 10] [--public-keys 1000] [--test-clock] [--dev]
       paydesk login [--port 7402] [--data-dir DIR]
  serve       runs Paydesk and prints the console's login link
  login       asks the running Paydesk for a new login link (\`npm run login\`)
  --port      TCP port on 127.0.0.1 (default 7402; 0 picks a free one)
  --data-dir  where ledger.db, vault.db, master.key and admin-token live
              (default: ${defaultDataDir()})
  --audience  the aud payment requests must carry (default "paydesk")
  --notice-time-scale  multiplies every notice retry wait (default 1; 0.001 turns
              the ~3-day schedule into ~4 minutes, for development)
  --public-rate  requests per second one origin may make to the public API
              (/v1/*), with bursts of 30 seconds' worth (default ${defaultPublicLimits.requestsPerSecond})
  --public-keys  Idempotency-Keys one origin may hold on the public API, each
              kept a day (default ${defaultPublicLimits.keysPerOrigin}); load tests raise both
  --test-clock  development only: a clock the console can move forward (a
              "Test clock" banner) to expire purchases, end PIN lockouts, run
              notice retries now and end secrets' grace periods; use a data
              folder of its own (--data-dir is required with it): its times
              run ahead of the real ones
  --dev       development (with \`npm run dev:renderer\`): every answer is checked
              against its schema in contract/api.ts; a mismatch answers 500
              internal_error and logs the route and the fields`;

/** What the printed links say about themselves (console-login.ts LOGIN_CODE_TTL_MS). */
const LINK_NOTE = 'works once, in one browser, for 10 minutes; `npm run login` prints a new one';

/** Crash-test hook (test/server/notices/crash.test.ts); not a user setting, so not a flag. */
function noticeFault(): NoticeFault | undefined {
  const v = process.env.PAYDESK_TEST_NOTICE_FAULT;
  return v === 'kill-before-send' || v === 'kill-after-response' ? v : undefined;
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

const common: NonNullable<ParseArgsConfig['options']> = {
  port: { type: 'string', default: '7402' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** The flags every command shares (--port, --data-dir, --help) plus its own string flags and switches. */
function parse(argv: string[], own: readonly string[] = [], switches: readonly string[] = []): {
  flags: Readonly<Record<string, string | undefined>>; on: ReadonlySet<string>; port: number; dataDir: string;
} {
  let values;
  try {
    const options = { ...common, ...Object.fromEntries(own.map((name) => [name, { type: 'string' }])), ...Object.fromEntries(switches.map((name) => [name, { type: 'boolean' }])) };
    ({ values } = parseArgs({ args: argv, options: options as NonNullable<ParseArgsConfig['options']>, strict: true }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`, 2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const flags = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, not "${flags.port}".`, 2);
  const on = new Set(switches.filter((name) => values[name] === true));
  return { flags, on, port, dataDir: resolve(flags['data-dir'] ?? defaultDataDir()) };
}

async function serve(argv: string[]): Promise<void> {
  const { flags, on, port, dataDir } = parse(argv, ['audience', 'notice-time-scale', 'public-rate', 'public-keys'], ['dev', 'test-clock']);
  if (on.has('test-clock') && flags['data-dir'] === undefined) fail(TEST_CLOCK_NEEDS_DATA_DIR, 2);
  const scaleText = flags['notice-time-scale'];
  const timeScale = scaleText === undefined ? undefined : parseTimeScale(scaleText);
  if (scaleText !== undefined && timeScale === undefined) fail(`--notice-time-scale must be ${TIME_SCALE_RULE}, not "${scaleText}".`, 2);
  const publicLimits: { requestsPerSecond?: number; keysPerOrigin?: number } = {};
  for (const [flag, field] of [['public-rate', 'requestsPerSecond'], ['public-keys', 'keysPerOrigin']] as const) {
    const v = flags[flag];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`--${flag} must be a whole number of 1 or more, not "${v}".`, 2);
    publicLimits[field] = n;
  }
  const fault = noticeFault();
  let server;
  try {
    server = await startServer({
      port, dataDir,
      ...(flags.audience ? { audience: flags.audience } : {}),
      ...(timeScale !== undefined ? { noticeTimeScale: timeScale } : {}),
      ...(fault ? { noticeFault: fault } : {}),
      publicLimits,
      checkResponses: on.has('dev'),
      testClock: on.has('test-clock'),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') fail(`Port ${port} is already in use. Stop the other program or pick another port with --port.`);
    else if (e instanceof SchemaTooNewError || e instanceof DataDirBusyError || e instanceof MasterKeyInKeystoreError) fail(e.message);
    else fail(`Paydesk could not start: ${err.message}`);
  }
  // Before the first line: whoever reads "listening" may stop the server at once.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Paydesk...`);
    server.close().then(() => {
      console.log('Paydesk stopped.');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  console.log(`Paydesk listening on ${server.url}`);
  console.log(`Console: open ${server.loginLink()} in your browser (${LINK_NOTE})`);
  console.log(`Data folder: ${dataDir}`);
  if (on.has('dev')) console.log('Development mode: every answer is checked against contract/api.ts');
  if (on.has('test-clock')) console.log(`Test clock: on. Paydesk's time is ${new Date(server.services.ctx.now()).toISOString()}; move it forward from the console's "Test clock" banner`);
  console.log(`Console token: ${dataDir}/${ADMIN_TOKEN_FILE} (send it as "Authorization: Bearer <token>")`);
}

/** Mints a login code with the admin token, as a script would; the token goes nowhere but this one request. */
async function login(argv: string[]): Promise<void> {
  const { port, dataDir } = parse(argv);
  const base = `http://127.0.0.1:${port}`;
  const again = `pass the same --port and --data-dir as the running Paydesk, then run \`npm run login\` again`;
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch {
    fail(`There is no ${tokenFile}: Paydesk has never run with this data folder. Start it (\`npm start\` or \`npm run serve\`), or ${again}.`);
  }
  // Checked against the contract: whatever else may listen on the port, a link is printed only from Paydesk's answer.
  const client = createClient({ baseUrl: base, token, checkResponses: true });
  let link: { readonly url: string };
  try {
    link = await client.call('createLoginCode', { body: {} });
  } catch (e) {
    if (!isApiError(e)) throw e;
    if (e.code === 'network_error') fail(`No Paydesk is answering on ${base}. Start it with \`npm start\` or \`npm run serve\`, or ${again}.`);
    if (e.code === 'unauthorized') fail(`The Paydesk on ${base} did not accept the token in ${tokenFile}: it runs with another data folder. Pass its --data-dir (and --port), then run \`npm run login\` again.`);
    if (e.code === 'response_invalid' || e.code.startsWith('http_')) fail(`Something other than Paydesk answers on ${base} (HTTP ${e.status}); ${again}.`);
    fail(`Paydesk refused: ${e.code}: ${e.message}`);
  }
  console.log(`Console: open ${link.url} in your browser (${LINK_NOTE})`);
}

const [command = 'serve', ...rest] = process.argv.slice(2);
if (command === 'serve' || command === 'start') await serve(rest);
else if (command === 'login') await login(rest);
else fail(`Unknown command "${command}".\n\n${usage}`, 2);
