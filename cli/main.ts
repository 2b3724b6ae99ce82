// `paydesk <command> …`: picks the command from cli/commands.ts, parses its flags,
// runs it and turns what it throws into a sentence and an exit code (cli/exit.ts).
// bin/paydesk.js (what `npx paydesk` and `npm link` run) and the npm scripts start here.
import { parseArgs } from 'node:util';
import { isApiError } from '../contract/client.ts';
import { commands, overview } from './commands.ts';
import type { Command, CommandContext, Flags } from './command.ts';
import { connect, connectionOptions, type Connection } from './connect.ts';
import { CliError, EXIT, usageError, type ExitCode } from './exit.ts';
import { makeOutput, type Output } from './output.ts';

/** The command whose words start argv, the longest match first ("events tail" before "events"). */
function pick(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const byLength = [...commands].sort((a, b) => b.words.length - a.words.length);
  const command = byLength.find((c) => c.words.every((w, i) => argv[i] === w));
  return command && { command, rest: argv.slice(command.words.length) };
}

/** What a failure of the API means for someone at a terminal, with what to do next. */
function explain(e: unknown, conn: Connection | undefined): CliError {
  if (e instanceof CliError) return e;
  if (!isApiError(e)) return new CliError(EXIT.failed, 'internal', `paydesk failed: ${e instanceof Error ? e.message : String(e)}`);
  const where = conn?.url ?? 'the address given';
  const again = 'pass the --data-dir (or --url and --token) of the Paydesk you mean, then run the command again';
  if (e.code === 'network_error') return new CliError(EXIT.unreachable, 'not_running', `No Paydesk is answering on ${where}. Start it with \`paydesk serve\` (or \`npm start\`), or ${again}.`);
  if (e.code === 'unauthorized') return new CliError(EXIT.unreachable, 'unauthorized', `The Paydesk on ${where} did not accept ${conn?.tokenSource ?? 'the token'}: it runs with another data folder or token; ${again}.`);
  if (e.code === 'response_invalid' || e.code.startsWith('http_')) return new CliError(EXIT.unreachable, 'not_paydesk', `Something other than Paydesk answers on ${where} (HTTP ${e.status}); ${again}.`);
  return new CliError(EXIT.failed, e.code, `Paydesk refused: ${e.code}: ${e.message}`, e.details);
}

function fail(out: Output, err: CliError): ExitCode {
  process.stderr.write(`${err.message}\n`);
  out.emit({ error: { code: err.code, message: err.message, exit: err.exit, ...err.details } });
  return err.exit;
}

export async function run(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<ExitCode> {
  const wantsJson = argv.includes('--json');
  const out0 = makeOutput(wantsJson);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${overview()}\n`);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = pick(argv);
  if (!found) return fail(out0, usageError(`Unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}".\n\n${overview()}`));
  const { command, rest } = found;

  let flags: Flags;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { ...(command.words[0] === 'serve' ? {} : connectionOptions), ...command.options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
    });
    flags = parsed.values as Flags;
    positionals = parsed.positionals;
  } catch (e) {
    return fail(out0, usageError(`${(e as Error).message}\n\n${command.help}`));
  }
  if (flags.help === true) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  const [min, max] = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    return fail(out0, usageError(`${positionals.length < min ? 'Missing' : 'Unexpected'} argument${positionals.length > max ? ` "${positionals.slice(max).join(' ')}"` : ''}.\n\n${command.help}`));
  }

  const out = makeOutput(flags.json === true);
  const stop = new AbortController();
  // The reason is the signal's name: `serve` says which one stopped it.
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let conn: Connection | undefined;
  const ctx: CommandContext = {
    flags, positionals, out, env, signal: stop.signal,
    connect: () => (conn ??= connect(flags, env)),
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    return fail(out, explain(e, conn));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
