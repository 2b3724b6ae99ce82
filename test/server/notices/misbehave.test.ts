// Real merchants misbehave. Each receiver below fails in its own way; every
// attempt must be recorded with the right verdict and reason, retried on the
// (compressed) schedule, marked failed after the last one, and redeliverable
// once the merchant is fixed. One merchant that hangs must not delay another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { FAST, buy, createApp, echo, noticesOf, readyBuyer, receiver, settled, startNoticeServer, timelineOf, waitFor, type Behaviour, type NoticeTestServer, type Receiver } from './helpers.ts';
import { defaultMaxAttempts, retryDelaysSeconds } from '../../../server/notices/schedule.ts';

/**
 * Long enough for each attempt to reach the late merchant before Paydesk gives up on it,
 * on a loaded machine too: with 150 ms, a run beside two busy loops saw 10 of 13 arrive.
 */
const RESPONSE_TIMEOUT_MS = 1000;

/**
 * `impatient`: delivered by a Paydesk whose response timeout is RESPONSE_TIMEOUT_MS.
 * Only the late merchant is: every other one must be judged on what it answered,
 * however long a busy machine takes to carry the answer.
 */
const behaviours: Record<string, { behaviour: Behaviour; verdict: string; reason: RegExp; impatient?: true }> = {
  500: { behaviour: (_q, res) => { res.writeHead(500); res.end('oops'); }, verdict: 'http_status', reason: /^HTTP 500$/ },
  slow: {
    // Answers correctly, but after the response timeout.
    // Paydesk's timer is set before this one and expires sooner: on one event loop it always fires first.
    behaviour: (req, res, body) => { const t = setTimeout(() => echo(req, res, body), RESPONSE_TIMEOUT_MS * 4); res.on('close', () => clearTimeout(t)); },
    verdict: 'timeout', reason: new RegExp(`no complete answer within ${RESPONSE_TIMEOUT_MS} ms`), impatient: true,
  },
  redirect: { behaviour: (_q, res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }); res.end(); }, verdict: 'redirect_not_followed', reason: /302 redirect to http:\/\/127\.0\.0\.1:1\/elsewhere/ },
  'wrong echo': { behaviour: (_q, res) => { res.writeHead(200); res.end('OK'); }, verdict: 'wrong_echo', reason: /HTTP 200, but the body is not the transaction id/ },
  'huge body': {
    behaviour: (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      // Streams until Paydesk hangs up.
      const pump = () => { while (res.write(chunk)) { /* fill the buffer */ } };
      res.on('drain', pump);
      pump();
    },
    verdict: 'response_too_large', reason: /larger than 65536 bytes/,
  },
  'dropped connection': { behaviour: (req) => (req.socket as Socket).destroy(), verdict: 'connection_reset', reason: /closed the connection/ },
};

test('misbehaving merchants: every attempt recorded with its verdict, retried, failed at the end, redelivered once fixed', async (t) => {
  const s = await startNoticeServer();
  const impatient = await startNoticeServer({ noticeDelivery: { responseTimeoutMs: RESPONSE_TIMEOUT_MS } });
  const receivers: Receiver[] = [];
  t.after(async () => {
    await s.close();
    await impatient.close();
    for (const r of receivers) await r.close();
  });
  const buyers = new Map([[s, await readyBuyer(s)], [impatient, await readyBuyer(impatient)]]);
  const cases: { name: string; verdict: string; reason: RegExp; server: NoticeTestServer; appKey: string; noticeId: string; receiver?: Receiver }[] = [];
  for (const [name, b] of Object.entries(behaviours)) {
    const server = b.impatient ? impatient : s;
    const r = await receiver(b.behaviour);
    receivers.push(r);
    const app = await createApp(server, { postbackURL: `${r.url}/postback`, chargebackURL: `${r.url}/chargeback` });
    await buy(server, app, buyers.get(server)!);
    const [n] = await noticesOf(server, `appKey=${app.key}`);
    cases.push({ name, verdict: b.verdict, reason: b.reason, server, appKey: app.key, noticeId: n!.id, receiver: r });
  }
  // Down: nothing listens on the port. Port 9 (discard) is privileged, so no test's listener
  // can take it meanwhile, as one could a port freed a moment ago (the fixtures' "no merchant here").
  const down = 9;
  const downApp = await createApp(s, { postbackURL: `http://127.0.0.1:${down}/postback`, chargebackURL: `http://127.0.0.1:${down}/chargeback` });
  await buy(s, downApp, buyers.get(s)!);
  cases.push({ name: 'down', verdict: 'connect_refused', reason: new RegExp(`^127\\.0\\.0\\.1:${down} answered that nothing listens on that port$`), server: s, appKey: downApp.key, noticeId: (await noticesOf(s, `appKey=${downApp.key}`))[0]!.id });

  // All run at once (one app each): the slowest bounds the test, not the sum.
  const results = await Promise.all(cases.map((c) => settled(c.server, c.noticeId, ['failed'])));
  for (const [i, n] of results.entries()) {
    const c = cases[i]!;
    assert.equal(n.attemptLog.length, defaultMaxAttempts, `${c.name}: attempts`);
    assert.equal(n.attempts, defaultMaxAttempts);
    for (const a of n.attemptLog) {
      assert.equal(a.verdict, c.verdict, `${c.name}: attempt ${a.number} ${a.reason}`);
      assert.match(a.reason ?? '', c.reason, c.name);
      // Shown as "<verdict in words> (<reason>)": a reason in parentheses of its own would nest them.
      assert.doesNotMatch(a.reason ?? '', /[()]/, `${c.name}: ${a.reason}`);
      assert.equal(a.request.headers['webhook-id'], n.id, 'the same webhook-id on every attempt');
      assert.equal(typeof a.durationMs, 'number');
    }
    if (c.receiver) {
      // The merchant really saw every attempt, all with the same webhook-id.
      assert.equal(c.receiver.received.length, defaultMaxAttempts, `${c.name}: requests received`);
      assert.deepEqual(new Set(c.receiver.received.map((r) => r.headers['webhook-id'])), new Set([n.id]));
    }
    assert.equal(n.lastVerdict, c.verdict);
  }
  const byName = Object.fromEntries(cases.map((c, i) => [c.name, results[i]!]));
  // What the merchant answered is kept, capped.
  assert.equal(byName['500']!.attemptLog[0]!.response?.status, 500);
  assert.equal(byName['500']!.attemptLog[0]!.response?.body, 'oops');
  assert.equal(byName.redirect!.attemptLog[0]!.response?.headers.location, 'http://127.0.0.1:1/elsewhere');
  const huge = byName['huge body']!.attemptLog[0]!.response!;
  assert.equal(huge.truncated, true);
  assert.equal(huge.body.length, 8 * 1024);
  assert.equal(byName.down!.attemptLog[0]!.response, null);

  // The console was told each one failed.
  for (const c of cases) {
    const failed = c.server.events.filter((e) => e.type === 'notice.failed').map((e) => e.data.id);
    assert.ok(failed.includes(c.noticeId), c.name);
  }
  assert.ok(s.logs.some((l) => l.includes('failed after 13 attempt(s)')));
  // The waits follow the schedule: exponential backoff with ±20 % jitter, compressed by noticeTimeScale.
  const starts = byName['500']!.attemptLog.map((a) => Date.parse(a.startedAt));
  const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
  const nominal = retryDelaysSeconds.map((sec) => sec * 1000 * FAST);
  // Only lower bounds: a busy machine can make a retry late, never early (no timed upper bounds in tests).
  for (const i of [6, 7, 8, 10]) {
    assert.ok(gaps[i]! >= nominal[i]! * 0.8 - 2, `gap ${i + 1}: ${gaps[i]} ms, nominal ${nominal[i]} ms`);
  }
  assert.ok(gaps[10]! >= nominal[4]! * 1.2 * 3, 'backoff grows');

  // The 500 merchant is fixed: redeliver sends the same notice once more.
  const fixed = cases.find((c) => c.name === '500')!;
  fixed.receiver!.behaviour = echo;
  const again = await s.api<{ status: string }>('POST', `/api/notices/${fixed.noticeId}/redeliver`, {});
  assert.equal(again.status, 200);
  const delivered = await settled(s, fixed.noticeId, ['delivered']);
  assert.equal(delivered.attemptLog.length, defaultMaxAttempts + 1);
  assert.equal(delivered.attemptLog.at(-1)!.verdict, 'delivered');
  assert.equal(fixed.receiver!.received.at(-1)!.headers['webhook-id'], fixed.noticeId);
  const steps = ['created', 'notice.queued', 'completed', 'notice.failed', 'notice.redeliver', 'notice.delivered'];
  assert.deepEqual(await timelineOf(s, delivered.transactionID!, steps), steps);

  // Filters find them.
  const failedList = await noticesOf(s, 'status=failed&type=postback');
  assert.equal(failedList.length, cases.filter((c) => c.server === s).length - 1);
  assert.equal((await noticesOf(s, `transactionID=${delivered.transactionID}`))[0]!.id, fixed.noticeId);
  assert.equal((await noticesOf(s, `q=${delivered.purchaseId}`))[0]!.id, fixed.noticeId);
  for (const [method, path] of [['GET', '/api/notices/ntc_nosuchnotice'], ['POST', '/api/notices/ntc_nosuchnotice/redeliver']] as const) {
    const missing = await s.api<{ error: { code: string } }>(method, path, method === 'POST' ? {} : undefined);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'notice_not_found');
  }
});

test('a merchant that hangs never delays another merchant\'s notices', async (t) => {
  // A response timeout no test run reaches, so the hung deliveries stay in flight for the whole
  // test however slow the machine (close() interrupts them); two slots per app (the default
  // is 8), so six notices are more than the hung merchant may take.
  const s = await startNoticeServer({ noticeDelivery: { responseTimeoutMs: 3_600_000, perAppConcurrency: 2 } });
  const hung: import('node:http').ServerResponse[] = [];
  const slow = await receiver((_req, res) => { hung.push(res); });
  const good = await receiver();
  t.after(async () => {
    await s.close();
    await slow.close();
    await good.close();
  });
  const buyer = await readyBuyer(s);
  const slowApp = await createApp(s, { postbackURL: `${slow.url}/p`, chargebackURL: `${slow.url}/c` });
  const goodApp = await createApp(s, { postbackURL: `${good.url}/p`, chargebackURL: `${good.url}/c` });
  for (let i = 0; i < 6; i++) await buy(s, slowApp, buyer);
  // The hung merchant holds its own two slots, not more.
  await waitFor('the hung merchant to hold its slots', () => slow.received.length >= 2);
  for (let i = 0; i < 3; i++) await buy(s, goodApp, buyer);
  // Delivered while the hung merchant's requests are still in flight (they run until the server closes):
  // an ordering, not a stopwatch, so a busy machine cannot fail it.
  await waitFor('the good merchant\'s three postbacks', () => good.received.length === 3);
  assert.equal(hung.filter((r) => !r.writableEnded).length, 2, 'the hung merchant\'s two requests are still open');
  const goodNotices = await noticesOf(s, `appKey=${goodApp.key}`);
  await Promise.all(goodNotices.map((n) => settled(s, n.id, ['delivered'])));
  assert.equal(slow.received.length, 2, 'per-app concurrency caps the hung merchant at two connections');
  assert.equal((await noticesOf(s, `appKey=${slowApp.key}&status=pending`)).length, 6);
});

test('never to the provider\'s own port: 127.0.0.1 is refused when registered, localhost when sent, with a recorded verdict, no retry', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const buyer = await readyBuyer(s);
  // A literal address is judged when written (every form is in guard.test.ts).
  await assert.rejects(createApp(s, { postbackURL: `http://127.0.0.1:${s.server.port}/api/apps` }), /notice_target_forbidden/);
  // A name is judged when sent, after DNS.
  const app = await createApp(s, { postbackURL: `http://localhost:${s.server.port}/api/apps`, chargebackURL: `http://localhost:${s.server.port}/c` });
  await buy(s, app, buyer);
  const [n] = await noticesOf(s, `appKey=${app.key}`);
  const done = await settled(s, n!.id, ['failed']);
  assert.equal(done.attemptLog.length, 1);
  assert.equal(done.attemptLog[0]!.verdict, 'forbidden_target');
  assert.match(done.attemptLog[0]!.reason!, /Paydesk itself/);
  assert.equal(done.attemptLog[0]!.response, null);
});
