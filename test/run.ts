// `npm test`: lint and type-check (import boundaries are part of the contract),
// every test file under test/ with Node's test runner, then the scan that no
// card number or CVC reached any file the run wrote. Ends with one summary line.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const testRoot = mkdtempSync(join(tmpdir(), 'paydesk-test-run-'));
const env = { ...process.env, PAYDESK_TEST_ROOT: testRoot };

function step(title: string, cmd: string, args: string[]): void {
  console.log(`\n# ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}). Fix the errors above and run \`npm test\` again.`);
    process.exit(r.status ?? 1);
  }
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

/** Runs node's test runner; output goes to the terminal and to a log the final scan reads. */
function runTests(title: string, files: string[], tap: string): Promise<number> {
  console.log(`\n# ${title}`);
  const log = createWriteStream(join(testRoot, `${tap}.log`));
  const child = spawn(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${join(testRoot, `${tap}.tap`)}`,
    ...files,
  ], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c: Buffer) => {
    process.stdout.write(c);
    log.write(c);
  });
  child.stderr.on('data', (c: Buffer) => {
    process.stderr.write(c);
    log.write(c);
  });
  return new Promise((resolve) => child.on('close', (code) => log.end(() => resolve(code ?? 1))));
}

function counts(tap: string): { pass: number; fail: number; skipped: number } {
  const text = readFileSync(join(testRoot, `${tap}.tap`), 'utf8');
  const n = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { pass: n('pass'), fail: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
}

const only = process.argv.slice(2);
if (only.length === 0) {
  step('lint (eslint, import boundaries)', 'npx', ['eslint', '.']);
  step('type-check (tsc --noEmit)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
}
const files = only.length > 0 ? only : testFiles(join(root, 'test'));
const mainExit = await runTests(`tests (${files.length} files)`, files, 'tests');
const scanExit = await runTests('final scan: no card data in any file the run wrote', ['test/final/no-card-data.check.ts'], 'scan');
const a = counts('tests');
const b = counts('scan');
const failed = mainExit !== 0 || scanExit !== 0;
if (failed) console.error(`\nSome tests failed. Their data folders are kept under ${testRoot} for inspection.`);
else rmSync(testRoot, { recursive: true, force: true });
console.log(`\ntotal: ${a.pass + b.pass} passed, ${a.fail + b.fail} failed, ${a.skipped + b.skipped} skipped`);
process.exit(failed ? 1 : 0);
