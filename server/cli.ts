// `paydesk serve` (headless) and `paydesk start` (desktop where Electron is
// installed, else the same server with the console in the browser).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startServer } from './main.ts';
import { defaultDataDir, DataDirBusyError } from './data-dir.ts';
import { SchemaTooNewError } from './db/open.ts';
import { MasterKeyInKeystoreError } from './keys/master-key.ts';
import type { NoticeFault } from './notices/dispatcher.ts';

const usage = `Usage: paydesk serve [--port 7402] [--data-dir DIR] [--audience paydesk] [--notice-time-scale 1]
  --port      TCP port on 127.0.0.1 (default 7402; 0 picks a free one)
  --data-dir  where ledger.db, vault.db, master.key and admin-token live
              (default: ${defaultDataDir()})
  --audience  the aud payment requests must carry (default "paydesk")
  --notice-time-scale  multiplies every notice retry wait (default 1; 0.001 turns
              the ~3-day schedule into ~4 minutes, for development)`;

/** Crash-test hook (test/server/notices/crash.test.ts); not a user setting, so not a flag. */
function noticeFault(): NoticeFault | undefined {
  const v = process.env.PAYDESK_TEST_NOTICE_FAULT;
  return v === 'kill-before-send' || v === 'kill-after-response' ? v : undefined;
}

async function serve(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '7402' },
        'data-dir': { type: 'string' },
        audience: { type: 'string' },
        'notice-time-scale': { type: 'string' },
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
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
    process.exit(2);
  }
  const timeScale = values['notice-time-scale'] === undefined ? undefined : Number(values['notice-time-scale']);
  if (timeScale !== undefined && !(Number.isFinite(timeScale) && timeScale > 0 && timeScale <= 1)) {
    console.error(`--notice-time-scale must be a number above 0 and at most 1, not "${values['notice-time-scale']}".`);
    process.exit(2);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const fault = noticeFault();
  let server;
  try {
    server = await startServer({
      port, dataDir,
      ...(values.audience ? { audience: values.audience } : {}),
      ...(timeScale !== undefined ? { noticeTimeScale: timeScale } : {}),
      ...(fault ? { noticeFault: fault } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`Port ${port} is already in use. Stop the other program or pick another port with --port.`);
    else if (e instanceof SchemaTooNewError || e instanceof DataDirBusyError || e instanceof MasterKeyInKeystoreError) console.error(e.message);
    else console.error(`Paydesk could not start: ${err.message}`);
    process.exit(1);
  }
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
  // Before the address is printed: whoever reads it may stop the server at once.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  console.log(`Paydesk listening on ${server.url}`);
  console.log(`Console: open ${server.url}/ in your browser`);
  console.log(`Data folder: ${dataDir}`);
  console.log(`Console token: ${dataDir}/admin-token (send it as "Authorization: Bearer <token>")`);
}

const [command = 'serve', ...rest] = process.argv.slice(2);
if (command === 'serve' || command === 'start') {
  await serve(rest);
} else {
  console.error(`Unknown command "${command}".\n\n${usage}`);
  process.exit(2);
}
