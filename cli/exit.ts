// What the `paydesk` command's exit status means, in one place: scripts and CI
// branch on it, so a number never changes meaning. README "Exit codes" lists them.

export const EXIT = {
  /** Done, and the outcome is the one asked for. */
  ok: 0,
  /** The command line (or a fixtures file) is wrong: nothing was done. */
  usage: 1,
  /** No Paydesk answers where the command looked, or it refused the token, or it went away. */
  unreachable: 2,
  /** Paydesk answered, but the operation failed or did not end as asked (a refusal, a declined purchase, a notice the merchant did not accept). */
  failed: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const exitHelp = `Exit codes: 0 done as asked; 1 bad command line or file (nothing done);
  2 no Paydesk answering, or it refused the token, or it stopped;
  3 Paydesk answered but the operation failed or ended otherwise than asked.`;

/**
 * A failure the command explains itself: the sentence says what to do next, `code`
 * is stable for --json readers (e.g. "usage", "not_running", "fixture_invalid").
 */
export class CliError extends Error {
  constructor(readonly exit: ExitCode, readonly code: string, message: string, readonly details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, 'usage', message);
}
