// Notices that can be recovered (issue 15): a failed notice reaches the app's
// fixed URL (redeliver, resend), or another URL through the same address guard;
// a notice can be cancelled; every failed notice of an app retried in bulk, with
// progress and a summary; the endpoint view and its "keeps failing" rule. On the
// injected clock: a retry is due only when the test moves the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventOf, EventType } from '../../../contract/events.ts';
import { startTestServer, createApp, readyBuyer, errorCode, type TestServer } from '../../helpers/paydesk.ts';
import { buy, receiver, ponyRequest, WAIT_LIMIT_MS } from './helpers.ts';
import { failingRun, FAILING_ATTEMPTS, FAILING_SPAN_MS, type FinishedAttempt } from '../../../server/notices/health.ts';

/** Nothing listens on port 9 (discard, privileged): a merchant that is down. */
const DOWN = 'http://127.0.0.1:9';

interface Summary { id: string; status: string; url: string; urlSource: string | null; attempts: number; cancelledAt: string | null }
interface Detail extends Summary { attemptLog: { url: string; urlSource: string | null; verdict: string }[] }
interface Job { id: string; queued: number; skipped: number; more: boolean; pending: number; delivered: number; failed: number; finished: boolean }
interface Health { window: number; successRate: number | null; latency: { p50Ms: number; p95Ms: number } | null; lastFailure: { verdict: string; url: string } | null; failing: { since: string; attempts: number } | null }

/** The next such event; the deadline only turns a wait that would never end into a message (helpers.ts WAIT_LIMIT_MS). */
function next<T extends EventType>(t: TestServer, type: T, where: (e: EventOf<T>) => boolean = () => true): Promise<EventOf<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${WAIT_LIMIT_MS} ms`));
    }, WAIT_LIMIT_MS);
    const off = t.server.events.subscribe((e) => {
      if (e.type === type && where(e as EventOf<T>)) {
        off();
        clearTimeout(timer);
        resolve(e as EventOf<T>);
      }
    });
  });
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const s = await startTestServer();
  const merchant = await receiver();
  const other = await receiver();
  t.after(async () => {
    await s.close();
    await merchant.close();
    await other.close();
  });
  const app = await createApp(s, { postbackURL: `${DOWN}/postback`, chargebackURL: `${DOWN}/chargeback` });
  const buyer = await readyBuyer(s);
  return { s, merchant, other, app, buyer };
}

/** A purchase whose postback's first attempt fails (the merchant is down); its retry waits for the clock. */
async function failedOnce(s: TestServer, app: { key: string; secret: string }, buyer: { pin: string }, request: Record<string, unknown> = ponyRequest) {
  const attempted = next(s, 'notice.attempted', (e) => e.data.appKey === app.key);
  const { purchaseId } = await buy(s, app, buyer, request);
  const e = await attempted;
  assert.equal(e.data.verdict, 'connect_refused');
  return { purchaseId, noticeId: e.data.id };
}

const notice = async (s: TestServer, id: string) => (await s.api<Detail>('GET', `/api/notices/${id}`)).body;

test('fixed app URL: redeliver goes to the app\'s current URL, or another one; each attempt records its URL and where it came from', async (t) => {
  const { s, merchant, other, app, buyer } = await setup(t);
  const { noticeId } = await failedOnce(s, app, buyer);
  assert.equal((await notice(s, noticeId)).urlSource, 'app');

  // The merchant fixes the app's URL; the notice goes there on redelivery (before issue 15 it went to the old one again).
  assert.equal((await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  const delivered = next(s, 'notice.delivered', (e) => e.data.id === noticeId);
  const r = await s.api<Summary>('POST', `/api/notices/${noticeId}/redeliver`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.url, `${merchant.url}/postback`);
  await delivered;
  assert.equal(merchant.received.length, 1);
  assert.equal(merchant.received[0]!.headers['webhook-id'], noticeId, 'the same webhook-id');

  // Another URL: one more attempt, to there.
  const again = next(s, 'notice.delivered', (e) => e.data.id === noticeId);
  assert.equal((await s.api('POST', `/api/notices/${noticeId}/redeliver`, { url: `${other.url}/hook` })).status, 200);
  await again;
  assert.equal(other.received.length, 1);
  const d = await notice(s, noticeId);
  assert.deepEqual(d.attemptLog.map((a) => [a.url, a.urlSource, a.verdict]), [
    [`${DOWN}/postback`, 'app', 'connect_refused'],
    [`${merchant.url}/postback`, 'app', 'delivered'],
    [`${other.url}/hook`, 'other', 'delivered'],
  ]);
  assert.equal(d.urlSource, 'other');

  // Both `to` and `url`: refused, nothing changed.
  const both = await s.api('POST', `/api/notices/${noticeId}/redeliver`, { to: 'app', url: `${other.url}/x` });
  assert.equal(errorCode(both), 'validation_failed');
});

test('a request\'s own postbackURL overrides the app\'s: redeliver keeps it unless told `to: app`; a resend goes where its edited request says', async (t) => {
  const { s, merchant, other, app, buyer } = await setup(t);
  assert.equal((await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  // The request names a URL that is down: the notice used the request's URL, not the app's.
  const { noticeId } = await failedOnce(s, app, buyer, { ...ponyRequest, postbackURL: `${DOWN}/own` });
  const first = await notice(s, noticeId);
  assert.deepEqual([first.url, first.urlSource, first.attemptLog[0]!.urlSource], [`${DOWN}/own`, 'request', 'request']);

  const current = await s.api<Summary>('POST', `/api/notices/${noticeId}/redeliver`, {});
  assert.deepEqual([current.body.url, current.body.urlSource], [`${DOWN}/own`, 'request'], 'current: where the request said');
  const toApp = next(s, 'notice.delivered', (e) => e.data.id === noticeId);
  const r = await s.api<Summary>('POST', `/api/notices/${noticeId}/redeliver`, { to: 'app' });
  assert.deepEqual([r.body.url, r.body.urlSource], [`${merchant.url}/postback`, 'app']);
  await toApp;

  // Edit and resend with postbackURL set in the request: honoured (before issue 15 it went to the original URL).
  const original = (await s.api<{ payload: { request: Record<string, unknown> } }>('GET', `/api/notices/${noticeId}`)).body.payload.request;
  const resentDelivered = next(s, 'notice.delivered', (e) => e.data.id !== noticeId && e.data.appKey === app.key);
  const resent = await s.api<Detail>('POST', `/api/notices/${noticeId}/resend`, { request: { ...original, postbackURL: `${other.url}/edited` } });
  assert.equal(resent.status, 201, JSON.stringify(resent.body));
  assert.deepEqual([resent.body.url, resent.body.urlSource], [`${other.url}/edited`, 'request']);
  await resentDelivered;
  assert.equal(other.received.at(-1)!.url, '/edited');
});

test('the address guard judges every redelivery and resend URL as it does postbacks: metadata, link-local and Paydesk\'s own port are refused, nothing changed', async (t) => {
  const { s, app, buyer } = await setup(t);
  const { noticeId } = await failedOnce(s, app, buyer);
  const before = await notice(s, noticeId);
  const own = new URL(s.url).port;
  const refused = [`http://169.254.169.254/latest/meta-data/`, 'http://169.254.10.10/', `http://127.0.0.1:${own}/api/apps`, `http://[::ffff:127.0.0.1]:${own}/`];
  for (const url of refused) {
    const r = await s.api<{ error: { code: string; field: string } }>('POST', `/api/notices/${noticeId}/redeliver`, { url });
    assert.equal(r.status, 400, url);
    assert.deepEqual([r.body.error.code, r.body.error.field], ['notice_target_forbidden', 'url'], url);
    const original = (await s.api<{ payload: { request: Record<string, unknown> } }>('GET', `/api/notices/${noticeId}`)).body.payload.request;
    const resend = await s.api<{ error: { code: string; field: string } }>('POST', `/api/notices/${noticeId}/resend`, { request: { ...original, postbackURL: url } });
    assert.deepEqual([resend.status, resend.body.error.code, resend.body.error.field], [400, 'notice_target_forbidden', 'request.postbackURL'], url);
  }
  assert.equal(errorCode(await s.api('POST', `/api/notices/${noticeId}/redeliver`, { url: 'file:///etc/passwd' })), 'validation_failed');
  const after = await notice(s, noticeId);
  assert.deepEqual([after.url, after.status, after.attempts], [before.url, before.status, before.attempts], 'nothing half-written');
  const list = (await s.api<{ items: unknown[] }>('GET', `/api/notices?appKey=${app.key}`)).body.items;
  assert.equal(list.length, 1, 'no resend was written');
  // A private address is a merchant on the LAN or a VPN: allowed, as for postbacks.
  assert.equal((await s.api('POST', `/api/notices/${noticeId}/redeliver`, { url: 'http://10.1.2.3:8080/hook' })).status, 200);
});

test('cancel: a notice retrying a dead address stops (state shown, idempotent); a delivered one cannot be cancelled; redeliver brings it back', async (t) => {
  const { s, merchant, app, buyer } = await setup(t);
  const { noticeId } = await failedOnce(s, app, buyer);
  assert.equal((await notice(s, noticeId)).status, 'pending');
  const cancelled = await s.api<Summary>('POST', `/api/notices/${noticeId}/cancel`, {});
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.ok(cancelled.body.cancelledAt);
  const twice = await s.api<Summary>('POST', `/api/notices/${noticeId}/cancel`, {});
  assert.deepEqual([twice.status, twice.body.status, twice.body.cancelledAt], [200, 'cancelled', cancelled.body.cancelledAt]);

  // A day later every retry would be due: a test notice to the same dead address is attempted, the cancelled one is not.
  s.clock.advance(24 * 3600_000);
  assert.equal((await s.api('POST', `/api/apps/${app.key}/test-notice`, {})).status, 201);
  assert.equal((await notice(s, noticeId)).attempts, 1, 'no attempt after the cancel');
  const failedOnly = (await s.api<{ items: Summary[] }>('GET', `/api/notices?appKey=${app.key}&status=failed`)).body.items;
  assert.ok(!failedOnly.some((n) => n.id === noticeId), 'status=failed leaves cancelled notices out');
  const cancelledOnly = (await s.api<{ items: Summary[] }>('GET', `/api/notices?appKey=${app.key}&status=cancelled`)).body.items;
  assert.deepEqual(cancelledOnly.map((n) => n.id), [noticeId]);

  assert.equal((await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  const delivered = next(s, 'notice.delivered', (e) => e.data.id === noticeId);
  assert.equal((await s.api('POST', `/api/notices/${noticeId}/redeliver`, {})).status, 200);
  await delivered;
  const d = await notice(s, noticeId);
  assert.deepEqual([d.status, d.cancelledAt], ['delivered', null]);
  const refused = await s.api<{ error: { code: string } }>('POST', `/api/notices/${noticeId}/cancel`, {});
  assert.deepEqual([refused.status, refused.body.error.code], [409, 'notice_delivered_not_cancellable']);
  assert.equal(errorCode(await s.api('POST', '/api/notices/ntc_nosuchnotice/cancel', {})), 'notice_not_found');
});

test('retry all failed for an app: one job, progress events, a summary; the same Idempotency-Key replays it', async (t) => {
  const { s, merchant, app } = await setup(t);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await s.api<Summary>('POST', `/api/apps/${app.key}/test-notice`, {})).body.id);
  const otherApp = await createApp(s, { postbackURL: `${DOWN}/p`, chargebackURL: `${DOWN}/c` });
  const untouched = (await s.api<Summary>('POST', `/api/apps/${otherApp.key}/test-notice`, {})).body.id;
  for (const id of [...ids, untouched]) assert.equal((await notice(s, id)).status, 'failed');

  assert.equal((await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  const progress: EventOf<'notice_retry.progress'>['data'][] = [];
  s.server.events.subscribe((e) => { if (e.type === 'notice_retry.progress') progress.push(e.data); });
  const finished = next(s, 'notice_retry.finished');
  const started = await s.api<Job>('POST', '/api/notice-retries', { appKey: app.key }, { 'idempotency-key': 'retry-1' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  assert.deepEqual([started.body.queued, started.body.skipped, started.body.more, started.body.pending], [3, 0, false, 3]);
  const done = await finished;
  assert.deepEqual(done.data, { id: started.body.id, queued: 3, delivered: 3, failed: 0, seq: done.data.seq });
  // One at the start, then as notices are recorded (several recorded in one group commit show up together).
  assert.deepEqual([progress[0], progress.at(-1)].map((p) => [p!.pending, p!.delivered]), [[3, 0], [0, 3]]);
  assert.ok(progress.every((p, i) => i === 0 || p.delivered >= progress[i - 1]!.delivered), JSON.stringify(progress));
  assert.equal(merchant.received.length, 3);
  const job = await s.api<Job>('GET', `/api/notice-retries/${started.body.id}`);
  assert.deepEqual([job.body.delivered, job.body.failed, job.body.pending, job.body.finished], [3, 0, 0, true]);
  assert.equal((await notice(s, untouched)).status, 'failed', 'another app\'s failed notice is not retried');

  const replay = await s.api<Job>('POST', '/api/notice-retries', { appKey: app.key }, { 'idempotency-key': 'retry-1' });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.body.id, started.body.id);
  assert.equal(merchant.received.length, 3, 'the replay sent nothing');
  // Nothing left to retry: a finished job at once.
  const empty = await s.api<Job>('POST', '/api/notice-retries', { appKey: app.key });
  assert.deepEqual([empty.body.queued, empty.body.finished], [0, true]);
  assert.equal(errorCode(await s.api('GET', '/api/notice-retries/nrt_nosuchjob')), 'notice_retry_job_not_found');
});

const attempt = (startedAt: number, verdict: string): FinishedAttempt => ({ noticeId: 'n', url: 'u', startedAt, durationMs: 1, verdict, reason: null, answered: false });

test('"keeps failing": the latest FAILING_ATTEMPTS or more attempts all failed, the first at least FAILING_SPAN_MS before the latest', () => {
  const span = (n: number, total: number) => Array.from({ length: n }, (_, i) => attempt(total - (total / (n - 1)) * i, 'connect_refused'));
  assert.deepEqual(failingRun(span(FAILING_ATTEMPTS, FAILING_SPAN_MS)), { since: 0, attempts: FAILING_ATTEMPTS });
  assert.equal(failingRun(span(FAILING_ATTEMPTS, FAILING_SPAN_MS - 1)), null, 'a burst, however many, is not a trend');
  assert.equal(failingRun(span(FAILING_ATTEMPTS - 1, FAILING_SPAN_MS * 10)), null, 'too few');
  assert.equal(failingRun([attempt(FAILING_SPAN_MS * 2, 'delivered'), ...span(10, FAILING_SPAN_MS)]), null, 'the latest got through');
  assert.deepEqual(failingRun([...span(6, FAILING_SPAN_MS), attempt(-1, 'delivered'), attempt(-2, 'timeout')]), { since: 0, attempts: 6 }, 'the run ends at a delivery');
  assert.equal(failingRun([]), null);
});

test('endpoint view: success rate, latency, last failure, and the failing banner\'s state on the injected clock', async (t) => {
  const { s, merchant, app } = await setup(t);
  const health = async () => (await s.api<Health>('GET', `/api/apps/${app.key}/endpoint-health`)).body;
  assert.deepEqual(await health(), { appKey: app.key, window: 0, successRate: null, latency: null, lastFailure: null, failing: null });
  const failing: EventOf<'app.notices_failing'>[] = [];
  s.server.events.subscribe((e) => { if (e.type === 'app.notices_failing') failing.push(e); });
  const startedAt = s.clock.now;
  for (let i = 1; i < FAILING_ATTEMPTS; i++) {
    assert.equal((await s.api('POST', `/api/apps/${app.key}/test-notice`, {})).status, 201);
    assert.equal((await health()).failing, null, `not yet after ${i}`);
    s.clock.advance(FAILING_SPAN_MS / (FAILING_ATTEMPTS - 1));
  }
  // The fifth failure, FAILING_SPAN_MS after the first: a trend.
  assert.equal((await s.api('POST', `/api/apps/${app.key}/test-notice`, {})).status, 201);
  const h = await health();
  assert.deepEqual(h.failing, { since: new Date(startedAt).toISOString(), attempts: FAILING_ATTEMPTS });
  assert.deepEqual([h.successRate, h.lastFailure?.verdict, h.lastFailure?.url], [0, 'connect_refused', `${DOWN}/postback`]);
  assert.equal((await s.api('POST', `/api/apps/${app.key}/test-notice`, {})).status, 201);
  assert.equal((await health()).failing?.attempts, FAILING_ATTEMPTS + 1);
  assert.deepEqual(failing.map((e) => [e.data.key, e.data.attempts]), [[app.key, FAILING_ATTEMPTS]], 'announced once');

  assert.equal((await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  const recovered = next(s, 'app.notices_recovered', (e) => e.data.key === app.key);
  assert.equal((await s.api('POST', `/api/apps/${app.key}/test-notice`, {})).status, 201);
  await recovered;
  const ok = await health();
  assert.equal(ok.failing, null);
  assert.equal(ok.window, FAILING_ATTEMPTS + 2);
  assert.equal(ok.successRate, 1 / (FAILING_ATTEMPTS + 2));
  assert.ok(ok.latency && ok.latency.p50Ms >= 0 && ok.latency.p95Ms >= ok.latency.p50Ms, JSON.stringify(ok.latency));
  assert.equal(errorCode(await s.api('GET', '/api/apps/app_nosuchapp/endpoint-health')), 'app_not_found');
});
