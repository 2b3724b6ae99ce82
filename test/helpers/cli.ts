// The `paydesk` command as users run it: bin/paydesk.js in a child process, its
// stdout and stderr kept apart (--json puts documents on stdout, sentences on
// stderr), its exit code, and a wait for a line as it is printed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const PAYDESK_BIN = join(root, 'bin/paydesk.js');

export interface Run {
  readonly child: ReturnType<typeof spawn>;
  /** The exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr as they interleaved. */
  output(): string;
  /** The first match of `re` in the output as it arrives; fails if the process exits first. */
  printed(re: RegExp): Promise<RegExpExecArray>;
  /** stdout's lines parsed as JSON (--json). */
  jsonLines(): unknown[];
}

/** `node <args>` in the checkout, with PAYDESK_TOKEN and the like from `env` (nothing inherited that could point at a real Paydesk). */
export function spawnNode(args: readonly string[], env: Readonly<Record<string, string>> = {}): Run {
  const { PAYDESK_TOKEN: _t, ...inherited } = process.env;
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c;
    stdout += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c;
    stderr += c;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const printed = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = re.exec(out);
      if (m) resolve(m);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    check();
    void exited.then((code) => reject(new Error(`exited (${code}) before printing ${re}; output: ${out}`)));
  });
  return {
    child, exited, printed,
    stdout: () => stdout, stderr: () => stderr, output: () => out,
    jsonLines: () => stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown),
  };
}

/** `paydesk <args>` through the bin. */
export function paydesk(args: readonly string[], env: Readonly<Record<string, string>> = {}): Run {
  return spawnNode([PAYDESK_BIN, ...args], env);
}

/** Runs to the end: the exit code with the run, and the output in the assertion message when a test fails. */
export async function finished(run: Run): Promise<Run & { readonly code: number | null }> {
  const code = await run.exited;
  return Object.assign(run, { code });
}
