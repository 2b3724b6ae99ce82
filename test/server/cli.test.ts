// `npm run serve` as a user runs it: the printed address, the token file, and a
// clean stop on SIGTERM and SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { freshDataDir } from '../helpers/paydesk.ts';

const root = join(import.meta.dirname, '..', '..');

function serve(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/cli.ts'), 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  /** Resolves with the first match of `re` in the output, as it arrives; fails if the process exits first. */
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
  return { child, exited, printed, output: () => out };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve prints its address, writes a 0600 token, answers, and stops cleanly on ${signal}`, async () => {
    const dataDir = freshDataDir('cli');
    // Port 0: the OS picks one, so no other process can take it between choosing and binding.
    const s = serve(['--port', '0', '--data-dir', dataDir]);
    // The printed address is the one that answers below.
    const [, port] = await s.printed(/Paydesk listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
    assert.notEqual(Number(port), 0);
    const tokenFile = join(dataDir, 'admin-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${port}/api/apps`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    s.child.kill(signal);
    assert.equal(await s.exited, 0);
    assert.match(s.output(), /Paydesk stopped\./);
  });
}

test('serve explains a busy port and a bad flag', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as AddressInfo).port;
  const busy = serve(['--port', String(port), '--data-dir', freshDataDir('cli')]);
  assert.equal(await busy.exited, 1);
  assert.match(busy.output(), new RegExp(`Port ${port} is already in use`));
  blocker.close();
  const bad = serve(['--port', 'seventy']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.output(), /--port must be a whole number/);
});

test('one server per data folder: a second is refused while the first runs; a dead one\'s lock is taken over', async () => {
  const dataDir = freshDataDir('lock');
  const first = serve(['--port', '0', '--data-dir', dataDir]);
  await first.printed(/Paydesk listening/);
  const second = serve(['--port', '0', '--data-dir', dataDir]);
  assert.equal(await second.exited, 1);
  assert.match(second.output(), new RegExp(`Another Paydesk \\(process ${first.child.pid}\\) is using`));
  first.child.kill('SIGKILL');
  await first.exited;
  const third = serve(['--port', '0', '--data-dir', dataDir]);
  await third.printed(/Paydesk listening/);
  third.child.kill('SIGTERM');
  assert.equal(await third.exited, 0);
});
