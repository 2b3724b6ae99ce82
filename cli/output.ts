// Two audiences: a person at a terminal reads sentences on stdout; a script that
// passed --json reads one JSON document (or JSON lines, for streams) on stdout,
// and the sentences go to stderr so a person watching still sees progress.

export interface Output {
  readonly json: boolean;
  /** A sentence for a person: stdout, or stderr under --json. */
  say(line: string): void;
  /** A machine document: one JSON line on stdout under --json, nothing otherwise. */
  emit(doc: unknown): void;
  /** The command's answer: `line` for a person, `doc` under --json. */
  result(line: string, doc: unknown): void;
}

export function makeOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  const say = (line: string) => (json ? stderr : stdout).write(`${line}\n`);
  const emit = (doc: unknown) => {
    if (json) stdout.write(`${JSON.stringify(doc)}\n`);
  };
  return { json, say, emit, result: (line, doc) => (json ? emit(doc) : say(line)) };
}
