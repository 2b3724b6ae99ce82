// `paydesk serve` (`npm run serve`) as a user runs it: the printed address and login link, the
// token file, and a clean stop on SIGTERM and SIGINT; `npm run login` asking
// the running server for a new link, and what it says when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import { freshDataDir } from '../helpers/paydesk.ts';
import { paydesk, spawnNode } from '../helpers/cli.ts';
import { BROWSER_CONSOLE_ARGS } from '../../electron/launch.ts';

/** `bin/paydesk.js <args>`, as `npx paydesk` and the npm scripts run it. */
const cli = paydesk;
const node = spawnNode;
const serve = (args: readonly string[]) => cli(['serve', ...args]);

/** Trades a printed link's code for a session as the console page does; the status says whether it worked. */
async function openLink(link: string): Promise<number> {
  const url = new URL(link);
  const code = url.hash.replace(/^#login=/, '');
  const r = await fetch(`${url.origin}/api/console/session`, {
    method: 'POST', headers: { origin: url.origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  });
  return r.status;
}

const LINK = /Console: open (http:\/\/127\.0\.0\.1:\d+\/#login=[A-Za-z0-9_-]{43}) in your browser/;

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

test('serve prints a single-use login link; `login` asks the running server for a new one', async () => {
  const dataDir = freshDataDir('cli-login');
  const s = serve(['--port', '0', '--data-dir', dataDir]);
  const [, port] = await s.printed(/Paydesk listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
  const printed = (await s.printed(LINK))[1]!;
  assert.ok(printed.startsWith(`http://127.0.0.1:${port}/#login=`));
  try {
    assert.equal(await openLink(printed), 200, 'the printed link opens the console');
    assert.equal(await openLink(printed), 401, 'once');

    const login = cli(['login', '--port', String(port), '--data-dir', dataDir]);
    assert.equal(await login.exited, 0, login.output());
    const fresh = LINK.exec(login.output())![1]!;
    assert.notEqual(fresh, printed);
    assert.equal(await openLink(fresh), 200);
    assert.doesNotMatch(login.output(), new RegExp(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()), 'the token is never printed');

    const wrongFolder = cli(['login', '--port', String(port), '--data-dir', freshDataDir('cli-other')]);
    assert.equal(await wrongFolder.exited, 2);
    assert.match(wrongFolder.output(), /There is no .*admin-token: Paydesk has never run with this data folder/);
  } finally {
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  }
});

test('login says what to do when no server answers or the token is another folder\'s', async () => {
  const dataDir = freshDataDir('cli-login-errors');
  const s = serve(['--port', '0', '--data-dir', dataDir]);
  const port = new URL((await s.printed(LINK))[1]!).port;
  const other = freshDataDir('cli-other-token');
  const o = serve(['--port', '0', '--data-dir', other]);
  await o.printed(LINK);
  o.child.kill('SIGTERM');
  await o.exited;
  try {
    const wrongToken = cli(['login', '--port', String(port), '--data-dir', other]);
    assert.equal(await wrongToken.exited, 2);
    assert.match(wrongToken.output(), new RegExp(`The Paydesk on http://127\\.0\\.0\\.1:${port} did not accept the token in .*: it runs with another data folder or token; pass the --data-dir`));
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  const down = cli(['login', '--port', String(port), '--data-dir', dataDir]);
  assert.equal(await down.exited, 2);
  assert.match(down.output(), new RegExp(`No Paydesk is answering on http://127\\.0\\.0\\.1:${port}\\. Start it with \`paydesk serve\``));
});

test('login prints no link when something other than Paydesk answers on the port, even with a 201', async () => {
  const dataDir = freshDataDir('cli-login-impostor');
  const s = serve(['--port', '0', '--data-dir', dataDir]);
  await s.printed(LINK);
  s.child.kill('SIGTERM');
  await s.exited;
  // An answer of the right status but not the contract's shape: the typed client refuses it.
  const impostor = createHttpServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"url":42}'));
  impostor.listen(0, '127.0.0.1');
  await once(impostor, 'listening');
  const port = (impostor.address() as AddressInfo).port;
  try {
    const login = cli(['login', '--port', String(port), '--data-dir', dataDir]);
    assert.equal(await login.exited, 2);
    assert.match(login.output(), new RegExp(`Something other than Paydesk answers on http://127\\.0\\.0\\.1:${port} \\(HTTP 201\\)`));
    assert.doesNotMatch(login.output(), /Console: open/);
  } finally {
    impostor.close();
  }
});

test('serve --dev says it checks every answer against the contract', async () => {
  const s = serve(['--port', '0', '--data-dir', freshDataDir('cli-dev'), '--dev']);
  try {
    await s.printed(/Development mode: every answer is checked against contract\/api\.ts\n/);
  } finally {
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  }
});

test('`npm start` without Electron (electron/launch.ts) runs the server that prints the login link', async () => {
  const fallback = node([...BROWSER_CONSOLE_ARGS, '--port', '0', '--data-dir', freshDataDir('cli-launch')]);
  try {
    assert.equal(await openLink((await fallback.printed(LINK))[1]!), 200);
  } finally {
    fallback.child.kill('SIGTERM');
    assert.equal(await fallback.exited, 0);
  }
});

test('serve explains a busy port and a bad flag', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as AddressInfo).port;
  const busy = serve(['--port', String(port), '--data-dir', freshDataDir('cli')]);
  assert.equal(await busy.exited, 3);
  assert.match(busy.output(), new RegExp(`Port ${port} is already in use`));
  blocker.close();
  const bad = serve(['--port', 'seventy']);
  assert.equal(await bad.exited, 1);
  assert.match(bad.output(), /--port must be a whole number/);
});

test('one server per data folder: a second is refused while the first runs; a dead one\'s lock is taken over', async () => {
  const dataDir = freshDataDir('lock');
  const first = serve(['--port', '0', '--data-dir', dataDir]);
  await first.printed(/Paydesk listening/);
  const second = serve(['--port', '0', '--data-dir', dataDir]);
  assert.equal(await second.exited, 3);
  assert.match(second.output(), new RegExp(`Another Paydesk \\(process ${first.child.pid}\\) is using`));
  first.child.kill('SIGKILL');
  await first.exited;
  const third = serve(['--port', '0', '--data-dir', dataDir]);
  await third.printed(/Paydesk listening/);
  third.child.kill('SIGTERM');
  assert.equal(await third.exited, 0);
});
