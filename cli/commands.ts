// Every `paydesk` command, one module each. To add one (e.g. `notices …`, `export …`),
// write cli/<name>.ts exporting a Command (cli/command.ts) and add it here; its --help
// then belongs in README.md (test/cli/readme.test.ts prints what to paste).
import type { Command } from './command.ts';
import { exitHelp } from './exit.ts';
import { serve } from './serve.ts';
import { login } from './login.ts';
import { trigger } from './trigger.ts';
import { eventsTail } from './events-tail.ts';
import { fixturesRun } from './fixtures-run.ts';
import { noticeCommands } from './notices.ts';
import { exportRows } from './export.ts';

export const commands: readonly Command[] = [
  serve,
  login,
  trigger,
  eventsTail,
  fixturesRun,
  ...noticeCommands,
  exportRows,
];

/** `paydesk --help`: every command in one line each. */
export function overview(): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  return [
    'Usage: paydesk <command> [flags]     (`paydesk <command> --help` for its flags)',
    '',
    ...commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help, and --json for machine-readable output on stdout.',
    exitHelp,
  ].join('\n');
}
