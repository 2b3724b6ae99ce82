// What `paydesk serve` runs: the one command that starts Paydesk rather than talk
// to a running one, so the one file of cli/ that imports the server, through its
// start entry only (server/main.ts; lint enforces both).
import { resolve } from 'node:path';
import { once } from 'node:events';
import {
  ADMIN_TOKEN_FILE, DataDirBusyError, MasterKeyInKeystoreError, SchemaTooNewError, TEST_CLOCK_NEEDS_DATA_DIR, TIME_SCALE_RULE,
  defaultDataDir, parseTimeScale, startServer, type NoticeFault,
} from '../server/main.ts';
import { stringFlag, type CommandContext } from './command.ts';
import { CliError, EXIT, usageError, type ExitCode } from './exit.ts';
import { LINK_NOTE } from './login.ts';

/** Crash-test hook (test/server/notices/crash.test.ts); not a user setting, so not a flag. */
function noticeFault(env: Readonly<Record<string, string | undefined>>): NoticeFault | undefined {
  const v = env.PAYDESK_TEST_NOTICE_FAULT;
  return v === 'kill-before-send' || v === 'kill-after-response' ? v : undefined;
}

function wholeNumber(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--${flag} must be a whole number of 1 or more, not "${v}".`);
  return n;
}

export async function runServe({ flags, out, env, signal }: CommandContext): Promise<ExitCode> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a whole number from 0 to 65535, not "${flags.port}".`);
  const testClock = flags['test-clock'] === true;
  if (testClock && stringFlag(flags, 'data-dir') === undefined) throw usageError(TEST_CLOCK_NEEDS_DATA_DIR);
  const dataDir = resolve(stringFlag(flags, 'data-dir') ?? defaultDataDir());
  const scaleText = stringFlag(flags, 'notice-time-scale');
  const timeScale = scaleText === undefined ? undefined : parseTimeScale(scaleText);
  if (scaleText !== undefined && timeScale === undefined) throw usageError(`--notice-time-scale must be ${TIME_SCALE_RULE}, not "${scaleText}".`);
  const rate = stringFlag(flags, 'public-rate');
  const keys = stringFlag(flags, 'public-keys');
  const publicLimits = {
    ...(rate !== undefined ? { requestsPerSecond: wholeNumber('public-rate', rate) } : {}),
    ...(keys !== undefined ? { keysPerOrigin: wholeNumber('public-keys', keys) } : {}),
  };
  const audience = stringFlag(flags, 'audience');
  const fault = noticeFault(env);
  const dev = flags.dev === true;
  let server;
  try {
    server = await startServer({
      port, dataDir, publicLimits, checkResponses: dev, testClock,
      ...(audience ? { audience } : {}),
      ...(timeScale !== undefined ? { noticeTimeScale: timeScale } : {}),
      ...(fault ? { noticeFault: fault } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new CliError(EXIT.failed, 'port_in_use', `Port ${port} is already in use. Stop the other program or pick another port with --port.`);
    if (e instanceof SchemaTooNewError || e instanceof DataDirBusyError || e instanceof MasterKeyInKeystoreError) throw new CliError(EXIT.failed, 'cannot_start', e.message);
    throw new CliError(EXIT.failed, 'cannot_start', `Paydesk could not start: ${err.message}`);
  }
  // Listening for the stop before the first line: whoever reads "listening" may stop the server at once.
  const stopped = signal.aborted ? Promise.resolve() : once(signal, 'abort');
  const tokenFile = `${dataDir}/${ADMIN_TOKEN_FILE}`;
  const loginLink = server.loginLink();
  out.say(`Paydesk listening on ${server.url}`);
  out.say(`Console: open ${loginLink} in your browser (${LINK_NOTE})`);
  out.say(`Data folder: ${dataDir}`);
  if (dev) out.say('Development mode: every answer is checked against contract/api.ts');
  if (testClock) out.say(`Test clock: on. Paydesk's time is ${new Date(server.services.ctx.now()).toISOString()}; move it forward from the console's "Test clock" banner`);
  out.say(`Console token: ${tokenFile} (send it as "Authorization: Bearer <token>")`);
  out.emit({ url: server.url, loginLink, dataDir, tokenFile });
  await stopped;
  out.say(`${String(signal.reason)}: stopping Paydesk...`);
  await server.close();
  out.say('Paydesk stopped.');
  return EXIT.ok;
}
