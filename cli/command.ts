// One command of `paydesk`: its words ("trigger", "events tail"), its --help text,
// its flags and what it runs. cli/commands.ts lists them; cli/main.ts picks one
// from the command line, parses its flags (node:util parseArgs, strict) and maps
// whatever it throws to an exit code (cli/exit.ts).
import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.ts';
import type { Connection } from './connect.ts';
import type { ExitCode } from './exit.ts';

/** A command's flags as node:util parseArgs takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

export type Flags = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface CommandContext {
  readonly flags: Flags;
  readonly positionals: readonly string[];
  readonly out: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The running Paydesk this command talks to (--url/--token, or the data folder); found once, on first use. */
  connect(): Connection;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: long commands stop cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  /** The words that select it, e.g. ["events", "tail"]. */
  readonly words: readonly string[];
  /** One line for `paydesk --help`. */
  readonly summary: string;
  /** The whole `paydesk <words> --help` text (README holds it verbatim: test/cli/readme.test.ts). */
  readonly help: string;
  /** Its flags beyond --help and --json (the connection flags come from connect.ts). */
  readonly options: Options;
  /** How many words may follow the command's own: [min, max]. */
  readonly positionals: readonly [number, number];
  run(ctx: CommandContext): Promise<ExitCode>;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(flags: Flags, name: string): readonly string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
