// The test clock (`serve --test-clock`): advanced through the console API, it
// expires pending purchases, ends PIN lockouts, runs the next notice retry now
// and ends a rotated secret's grace period. The server's own clock (the
// injected base) stands still throughout, so every effect here comes from the
// advance alone; nothing sleeps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { PaydeskEvent } from '../../contract/events.ts';
import { TEST_CLOCK_FILE } from '../../server/clock/test-clock.ts';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode, freshDataDir, type TestServer } from '../helpers/paydesk.ts';
import { receiver, claimsOf, transactionIDOf } from './notices/helpers.ts';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function server(opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}

interface ClockState { enabled: boolean; now: string; offsetMs: number }

async function advance(t: TestServer, seconds: number): Promise<ClockState> {
  const r = await t.api<ClockState>('POST', '/api/test-clock/advance', { seconds });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The next event of `type` on the server's bus that `match` accepts. */
function nextEvent<T extends PaydeskEvent['type']>(t: TestServer, type: T, match: (e: Extract<PaydeskEvent, { type: T }>) => boolean = () => true) {
  return new Promise<Extract<PaydeskEvent, { type: T }>>((resolve) => {
    const off = t.server.events.subscribe((e) => {
      if (e.type === type && match(e as Extract<PaydeskEvent, { type: T }>)) {
        off();
        resolve(e as Extract<PaydeskEvent, { type: T }>);
      }
    });
  });
}

test('without --test-clock the clock reads as off and an advance is refused with test_clock_off; nothing moves', async () => {
  const t = await server();
  const read = await t.api('GET', '/api/test-clock');
  assert.deepEqual([read.status, read.body], [200, { enabled: false, now: new Date(t.clock.now).toISOString(), offsetMs: 0 }]);
  const moved = await t.api('POST', '/api/test-clock/advance', { seconds: 60 });
  assert.equal(errorCode(moved), 'test_clock_off');
  assert.equal(t.server.services.ctx.now(), t.clock.now);
  assert.equal(existsSync(join(t.dataDir, TEST_CLOCK_FILE)), false);
});

test('advance: refuses going back or nowhere, answers the new time, emits clock.advanced, and survives a restart', async () => {
  const dataDir = freshDataDir('test-clock');
  const startAt = Date.UTC(2026, 0, 5, 12);
  const t = await server({ dataDir, testClock: true, startAt });
  assert.deepEqual((await t.api<ClockState>('GET', '/api/test-clock')).body, { enabled: true, now: new Date(startAt).toISOString(), offsetMs: 0 });
  for (const seconds of [0, -60, 1.5, 367 * 24 * 3600]) {
    assert.equal(errorCode(await t.api('POST', '/api/test-clock/advance', { seconds })), 'validation_failed', String(seconds));
  }
  const event = nextEvent(t, 'clock.advanced');
  const state = await advance(t, 3600);
  assert.deepEqual(state, { enabled: true, now: new Date(startAt + 3_600_000).toISOString(), offsetMs: 3_600_000 });
  assert.deepEqual((await event).data, { now: state.now, bySeconds: 3600, offsetMs: 3_600_000, seq: (await event).data.seq });
  await t.close();
  servers.splice(servers.indexOf(t), 1);
  const again = await server({ dataDir, testClock: true, startAt });
  assert.equal((await again.api<ClockState>('GET', '/api/test-clock')).body.offsetMs, 3_600_000, 'a restart does not move time back');
  await again.close();
  servers.splice(servers.indexOf(again), 1);
  // Its rows are dated ahead of the real time: normal mode must not take them as real.
  await assert.rejects(startTestServer({ dataDir, startAt }), /was used with --test-clock and its times run ahead of the real ones\. Start it with --test-clock again, or use another data folder/);
});

test('advancing past 15 minutes expires a pending purchase before the answer', async () => {
  const t = await server({ testClock: true });
  const app = await createApp(t);
  const p = await pay(t, await signRequest(app));
  assert.equal(p.body.status, 'pending');
  await advance(t, 14 * 60);
  assert.equal((await t.api<{ status: string }>('GET', `/api/purchases/${p.body.id}`)).body.status, 'pending', 'not yet');
  const seen: string[] = [];
  t.server.events.subscribe((e) => seen.push(e.type));
  await advance(t, 60);
  assert.deepEqual(seen, ['clock.advanced', 'purchase.expired'], 'expired before the advance answered, not at the next sweep');
  assert.equal((await t.api<{ status: string }>('GET', `/api/purchases/${p.body.id}`)).body.status, 'expired');
  // The status window counts down by Paydesk's time too.
  assert.equal((await t.api<{ status: string }>('GET', `/v1/pay/${p.body.id}`)).body.status, 'expired');
});

test('advancing past a PIN lockout lets the right PIN confirm', async () => {
  const t = await server({ testClock: true });
  const app = await createApp(t);
  const buyer = await readyBuyer(t);
  const p = await pay(t, await signRequest(app));
  let last;
  for (let i = 0; i < 5; i++) last = await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: '9753' });
  assert.equal(errorCode(last!), 'pin_locked');
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin })), 'pin_locked', 'even the right PIN waits');
  await advance(t, 5 * 60);
  const b = await t.api<{ pin: { locked: boolean } }>('GET', `/api/buyers/${buyer.id}`);
  assert.equal(b.body.pin.locked, false);
  const ok = await t.api<{ status: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'completed');
});

test('advancing past the next retry sends it now; the notice is still signed at the real time', { timeout: 60_000 }, async (tt) => {
  // The first attempt gets a 500; the one after the advance is answered properly.
  let answers = 0;
  const merchant = await receiver((_req, res, body) => {
    answers++;
    res.writeHead(answers === 1 ? 500 : 200, { 'content-type': 'text/plain' });
    res.end(answers === 1 ? 'down' : transactionIDOf(body));
  });
  tt.after(() => merchant.close());
  const t = await server({ testClock: true });
  const app = await createApp(t, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  const buyer = await readyBuyer(t);
  const p = await pay(t, await signRequest(app));
  const first = nextEvent(t, 'notice.attempted', (e) => e.data.attempt === 1);
  await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin });
  const failed = await first;
  assert.equal(failed.data.verdict, 'http_status');
  // The schedule waits 10 s (±20 %) after the first attempt: the base clock never gets there.
  const delivered = nextEvent(t, 'notice.delivered', (e) => e.data.id === failed.data.id);
  const moved = await advance(t, 13);
  assert.equal((await delivered).data.attempts, 2);
  assert.equal(merchant.received.length, 2);
  // The merchant checks iat by its own clock: the machine's, not the simulated one.
  assert.equal(claimsOf(merchant.received[1]!.body).iat, Math.floor(t.clock.now / 1000));
  const detail = await t.api<{ attemptLog: { startedAt: string }[] }>('GET', `/api/notices/${failed.data.id}`);
  assert.equal(detail.body.attemptLog[1]!.startedAt, moved.now, 'the attempt is recorded at Paydesk\'s time');
});

test('advancing past a rotated secret\'s grace period retires it; request ids are still kept by the real clock', async () => {
  const t = await server({ testClock: true });
  const app = await createApp(t);
  const rotated = await t.api<{ secret: { secret: string } }>('POST', `/api/apps/${app.key}/secrets`, { graceSeconds: 3600 });
  assert.equal(rotated.status, 201);
  const oldSigned = await signRequest(app);
  assert.equal((await pay(t, oldSigned)).status, 201, 'the old secret works during its grace period');
  await advance(t, 3601);
  assert.equal(errorCode(await pay(t, await signRequest(app))), 'request_secret_expired');
  const a = await t.api<{ secrets: { state: string }[] }>('GET', `/api/apps/${app.key}`);
  assert.deepEqual(a.body.secrets.map((s) => s.state).sort(), ['active', 'expired']);
  assert.equal((await pay(t, await signRequest({ ...app, secret: rotated.body.secret.secret }))).status, 201, 'the new secret works');

  // A day on the test clock must not forget a request id whose token is still valid by the real clock.
  const fresh = await signRequest({ ...app, secret: rotated.body.secret.secret });
  assert.equal((await pay(t, fresh)).status, 201);
  await advance(t, 24 * 3600);
  t.server.services.purchases.sweepRequestIds();
  assert.equal(errorCode(await pay(t, fresh)), 'request_jti_replayed');
});

test('the bus delivers clock.advanced to the console stream', async () => {
  const t = await server({ testClock: true });
  const controller = new AbortController();
  const res = await fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${t.server.token}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const seen = (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
      if (text.includes('event: clock.advanced')) return text;
    }
  })();
  await advance(t, 60);
  assert.match(await seen, /event: clock\.advanced\ndata: \{"now":"[^"]+","bySeconds":60,"offsetMs":60000/);
  controller.abort();
});

/** `node --import tsx <script> <args>` in the checkout, as the npm scripts run it: its exit code and output. */
async function run(script: string, args: readonly string[], until?: RegExp): Promise<{ code: number | null; out: string }> {
  const root = join(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stopped = false;
  const exited = once(child, 'exit');
  const grow = (c: Buffer) => {
    out += c.toString();
    // A server that printed what the test waits for is stopped as a user would (Ctrl-C), once:
    // a second Ctrl-C after the command has finished would end the process by the signal.
    if (!stopped && until?.test(out)) {
      stopped = true;
      child.kill('SIGINT');
    }
  };
  child.stdout.on('data', grow);
  child.stderr.on('data', grow);
  const [code] = await exited;
  return { code: code as number | null, out };
}

test('the command lines: --test-clock needs a data folder of its own; the demo checks --notice-time-scale as serve does', { timeout: 120_000 }, async () => {
  // `paydesk serve` says a bad command line with exit 1 (cli/exit.ts); the demo keeps its own 2.
  const noDir = await run('bin/paydesk.js', ['serve', '--test-clock', '--port', '0']);
  assert.equal(noDir.code, 1);
  assert.match(noDir.out, /--test-clock needs --data-dir DIR, a data folder of its own/);
  const demoNoDir = await run('demo/run.ts', ['--test-clock', '--port', '0', '--store-port', '0']);
  assert.equal(demoNoDir.code, 2);
  assert.match(demoNoDir.out, /--test-clock needs --data-dir DIR/);
  for (const bad of ['0', '2', 'fast']) {
    const r = await run('demo/run.ts', ['--notice-time-scale', bad, '--data-dir', freshDataDir('demo-flags')]);
    assert.equal(r.code, 2, bad);
    assert.match(r.out, new RegExp(`--notice-time-scale must be a number above 0 and at most 1, not "${bad}"`));
  }
  const on = await run('server/cli.ts', ['serve', '--test-clock', '--port', '0', '--data-dir', freshDataDir('serve-clock')], /Test clock: on/);
  assert.match(on.out, /Test clock: on\. Paydesk's time is \d{4}-\d\d-\d\dT/);
  assert.equal(on.code, 0);
});
