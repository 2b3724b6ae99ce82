// docs/quick-tour.sh is what the README sends new users to: it must keep working,
// and a throwaway Paydesk it starts must not outlive it, done or interrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { freshDataDir, startTestServer } from '../helpers/paydesk.ts';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'docs/quick-tour.sh');

test('docs/quick-tour.sh walks one purchase from app registration to a completed transaction', async () => {
  const t = await startTestServer();
  try {
    // Async: the server answers from this process, so the script must not block it.
    const r = await promisify(execFile)('bash', [script], {
      cwd: root, encoding: 'utf8', env: { ...process.env, PAYDESK_URL: t.url, PAYDESK_DATA_DIR: t.dataDir }, timeout: 60_000,
    });
    assert.match(String(r.stdout), /status completed, transaction txn_[a-z0-9]+/);
    assert.match(String(r.stdout), /txn_[a-z0-9]+ {2}completed {2}1\.99 USD {2}Elite Sparkle Pony/);
    assert.ok(existsSync(join(t.dataDir, 'ledger.db')), 'a Paydesk the script did not start keeps its data folder');
  } finally {
    await t.close();
  }
});

/** Where the script's own Paydesk listened and kept its data, from the lines it printed. */
function throwaway(stdout: string): { url: string; dataDir: string } {
  const url = /== Paydesk at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  const dataDir = /== A throwaway Paydesk, data in (\S+):/.exec(stdout)?.[1];
  assert.ok(url && dataDir, `the script says where its Paydesk runs: ${stdout}`);
  return { url, dataDir };
}

async function assertGone(p: { url: string; dataDir: string }): Promise<void> {
  assert.equal(existsSync(p.dataDir), false, `${p.dataDir} was removed`);
  await assert.rejects(fetch(`${p.url}/api/console/session`), 'its server is stopped');
}

test('quick-tour.sh started on its own: its Paydesk is stopped and its data folder removed when it ends', { timeout: 120_000 }, async () => {
  const r = await promisify(execFile)('bash', [script], {
    cwd: root, encoding: 'utf8', env: { ...process.env, PAYDESK_URL: '', TMPDIR: freshDataDir('tour-tmp') }, timeout: 90_000,
  });
  assert.match(String(r.stdout), /status completed/);
  await assertGone(throwaway(String(r.stdout)));
});

test('quick-tour.sh interrupted with Ctrl-C mid-tour: its Paydesk is stopped and its data folder removed', { timeout: 120_000 }, async () => {
  // A curl that announces itself and then hangs holds the tour at step 1, with its server up.
  const bin = join(freshDataDir('tour-bin'), 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'curl'), '#!/bin/sh\necho "curl held" >&2\nexec sleep 600\n');
  chmodSync(join(bin, 'curl'), 0o755);
  // Its own process group, as a terminal gives a command: Ctrl-C signals the whole group.
  const child = spawn('bash', [script], {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PAYDESK_URL: '', TMPDIR: freshDataDir('tour-tmp'), PATH: `${bin}:${process.env.PATH}` },
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  let held: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => (held = resolve));
  child.stderr.on('data', (c: Buffer) => {
    if (c.toString().includes('curl held')) held();
  });
  const exited = once(child, 'exit');
  await Promise.race([holding, exited.then(() => assert.fail(`the tour ended before step 1: ${stdout}`))]);
  const p = throwaway(stdout);
  // Up and answering while the tour is held: what the interruption must stop.
  assert.equal((await fetch(`${p.url}/api/console/session`)).status, 401);
  process.kill(-child.pid!, 'SIGINT');
  const [code, signal] = await exited;
  assert.ok(code === 130 || signal === 'SIGINT', `exit ${code} ${signal}`);
  assert.doesNotMatch(stdout, /== 2\./, 'it stopped at step 1');
  await assertGone(p);
});
