// Any web page may call the public API (/v1/*): it must not make Paydesk write
// to disk for free. Refusals are not stored, the Idempotency-Keys an origin may
// hold are capped, and each origin has a request budget (server/http/server.ts).
// Rows are counted through a second, read-only connection to the real file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { startTestServer, createApp, signRequest, errorCode, freshDataDir, type TestServer } from '../helpers/paydesk.ts';

const root = join(import.meta.dirname, '..', '..');

const PAGE = 'http://shop.example';
const OTHER = 'http://other-shop.example';

function rows(t: TestServer, table: string): number {
  const db = new Database(join(t.dataDir, 'ledger.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function fromPage(t: TestServer, origin: string, method: string, path: string, body?: unknown, key?: string) {
  return t.api<{ id: string; error?: { retryAfterSeconds?: number } }>(method, path, body, { origin, ...(key ? { 'idempotency-key': key } : {}) });
}

test('200 junk pays with fresh Idempotency-Keys leave no row: a refusal changed nothing, so nothing is kept', async () => {
  const t = await startTestServer();
  try {
    const before = rows(t, 'idempotency_keys');
    for (let i = 0; i < 200; i++) {
      const r = await fromPage(t, PAGE, 'POST', '/v1/pay', { jwts: ['junk'] }, `junk-${i}`);
      assert.equal(r.status, 400, `pay ${i}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(rows(t, 'idempotency_keys'), before);
    const again = await fromPage(t, PAGE, 'POST', '/v1/pay', { jwts: ['junk'] }, 'junk-0');
    assert.equal(again.status, 400, 'the same key runs the refusal again');
    assert.equal(again.headers.get('idempotent-replayed'), null);
    // Refusals on the console API still replay: it is authenticated, and a refusal there can describe state.
    assert.equal(errorCode(await t.api('POST', '/api/transactions/pur_nosuchpurchase/refunds', {}, { 'idempotency-key': 'refund-x' })), 'purchase_not_found');
    assert.equal(rows(t, 'idempotency_keys'), before + 1);
  } finally {
    await t.close();
  }
});

test('an origin holds at most keysPerOrigin Idempotency-Keys; past it a new key is a 429, a stored one still replays', async () => {
  const t = await startTestServer({ publicLimits: { keysPerOrigin: 3 } });
  try {
    const app = await createApp(t);
    const payWith = async (origin: string, key?: string, jwt?: string) =>
      fromPage(t, origin, 'POST', '/v1/pay', { jwts: [jwt ?? await signRequest(app, { now: t.clock.now })] }, key);
    const firstJwt = await signRequest(app, { now: t.clock.now });
    const first = await payWith(PAGE, 'k1', firstJwt);
    for (const key of ['k2', 'k3']) assert.equal((await payWith(PAGE, key)).status, 201);
    const purchases = rows(t, 'purchases');

    const over = await payWith(PAGE, 'k4');
    assert.equal(over.status, 429);
    assert.equal(errorCode(over), 'idempotency_key_limit');
    assert.equal(over.headers.get('retry-after'), '86400', 'when the oldest key\'s day ends');
    assert.equal(over.body.error?.retryAfterSeconds, 86400);
    assert.equal(rows(t, 'purchases'), purchases, 'nothing was made');

    const replay = await payWith(PAGE, 'k1', firstJwt);
    assert.equal(replay.status, 201);
    assert.equal(replay.body.id, first.body.id);
    assert.equal((await payWith(OTHER, 'k4')).status, 201, 'another origin has its own keys');
    assert.equal((await payWith(PAGE)).status, 201, 'a call without a key is not limited by keys');
    // The pages' keys: createApp above went through the console client, which sends its own key.
    assert.equal(rows(t, "idempotency_keys WHERE scope LIKE 'public:%'"), 4);

    t.clock.advance(24 * 3600_000 + 1000);
    assert.equal((await payWith(PAGE, 'k4')).status, 201, 'keys past their day no longer count, swept or not');
  } finally {
    await t.close();
  }
});

test('each origin has a request budget on /v1: a burst past it is a 429 with Retry-After, nothing is written, and the budget refills with the clock', async () => {
  const t = await startTestServer({ publicLimits: { requestsPerSecond: 2 } });
  try {
    const app = await createApp(t);
    const status = (origin: string) => fromPage(t, origin, 'GET', '/v1/pay/pur_nosuchpurchase');
    // requestsPerSecond 2: a burst of 30 seconds' worth.
    for (let i = 0; i < 60; i++) assert.equal(errorCode(await status(PAGE)), 'purchase_not_found', `request ${i}`);
    const limited = await status(PAGE);
    assert.equal(limited.status, 429);
    assert.equal(errorCode(limited), 'rate_limited');
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.match(limited.headers.get('access-control-expose-headers') ?? '', /retry-after/, 'a page can read when to come back');
    assert.equal(errorCode(await status(OTHER)), 'purchase_not_found', 'another origin has its own budget');

    const purchases = rows(t, 'purchases');
    const keys = rows(t, 'idempotency_keys');
    const pay = await fromPage(t, PAGE, 'POST', '/v1/pay', { jwts: [await signRequest(app, { now: t.clock.now })] }, 'limited-pay');
    assert.equal(errorCode(pay), 'rate_limited');
    assert.deepEqual([rows(t, 'purchases'), rows(t, 'idempotency_keys')], [purchases, keys], 'nothing written');
    const preflight = await fetch(`${t.url}/v1/pay`, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204, 'a preflight does no work and is not counted');

    t.clock.advance(500);
    assert.equal(errorCode(await status(PAGE)), 'purchase_not_found', 'half a second later: one request');
    assert.equal(errorCode(await status(PAGE)), 'rate_limited');
    t.clock.advance(1000);
    const retried = await fromPage(t, PAGE, 'POST', '/v1/pay', { jwts: [await signRequest(app, { now: t.clock.now })] }, 'limited-pay');
    assert.equal(retried.status, 201, 'the refused pay, retried with its key after Retry-After');
  } finally {
    await t.close();
  }
});

test('serve --public-rate and --public-keys set the limits (load tests raise them); a bad value is explained', async () => {
  const run = (args: string[], dataDir = freshDataDir('limits-cli')) => {
    const child = spawn(process.execPath, [join(root, 'bin/paydesk.js'), 'serve', '--port', '0', '--data-dir', dataDir, ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const listening = new Promise<string>((resolve, reject) => {
      const onData = (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    return { child, listening, exited: once(child, 'exit').then(([code]) => code as number | null), output: () => out };
  };
  for (const [flag, value] of [['--public-rate', '0'], ['--public-keys', 'lots']]) {
    const bad = run([flag!, value!]);
    await bad.listening.catch(() => undefined);
    assert.equal(await bad.exited, 1, 'exit 1: a bad command line (cli/exit.ts)');
    assert.match(bad.output(), new RegExp(`${flag} must be a whole number of 1 or more, not "${value}"`));
  }

  const dataDir = freshDataDir('limits-cli');
  const s = run(['--public-rate', '1000', '--public-keys', '2'], dataDir);
  try {
    const url = await s.listening;
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const created = await fetch(`${url}/api/apps`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' }),
    });
    const app = (await created.json()) as { app: { key: string }; secret: { secret: string } };
    const statuses: number[] = [];
    for (const key of ['c1', 'c2', 'c3']) {
      const jwt = await signRequest({ key: app.app.key, secret: app.secret.secret });
      statuses.push((await fetch(`${url}/v1/pay`, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ jwts: [jwt] }) })).status);
    }
    assert.deepEqual(statuses, [201, 201, 429], '--public-keys 2');
  } finally {
    const exited = s.exited;
    s.child.kill('SIGTERM');
    await exited;
  }
});
