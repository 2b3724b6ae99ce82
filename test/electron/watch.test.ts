// Tray count, notifications and the confirmation window are driven by this watcher.
// It reads the console API through the contract's client (checking answers);
// only the network under it is a stand-in here (main-process.test.ts runs it against
// a real server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../contract/client.ts';
import type { PaydeskEvent } from '../../contract/events.ts';
import {
  POLL_INTERVAL_MS, createWatcher, failedNoticeFromEvent, failedNoticeNotification, failingAppFromEvent, failingAppNotification, pendingLabel, purchaseNotification, refreshesPending,
  signInFromEvent,
  type PendingPurchase,
} from '../../electron/watch.ts';

const at = '2026-01-01T00:00:00.000Z';
const purchase = (id: string): PendingPurchase => ({
  id, code: 'K7P-4QX', status: 'pending', item: { id: 'pony-1', name: 'Elite Sparkle Pony', description: '', productData: '' },
  price: { amount: 199, currency: 'USD', display: '$1.99' }, pricePoint: null, refundedAmount: 0, disputed: false, simulate: null,
  seller: { appKey: 'app_1', name: 'Pony Store', homepage: 'https://pony.example/', contactEmail: 'm@example.com', registeredAt: at, sales: 0, refundRate: 0, newSeller: true },
  buyer: null, signedIn: false, paymentMethod: null, transactionID: null, failure: null, errorName: null, digest: 'd1', createdAt: at, expiresAt: at, completedAt: null,
});
const app = (name: string) => ({
  key: 'app_1', name, homepage: 'https://pony.example/', contactEmail: 'm@example.com', postbackURL: 'https://pony.example/p', chargebackURL: 'https://pony.example/c',
  status: 'active', access: 'live', createdAt: at, updatedAt: at, sales: 0, refundRate: 0, secrets: [], noticeSigning: 'hmac',
});

/** The contract's client over a network that answers `answers` in turn (an Error: the server is not there). */
function apiAnswering(answers: unknown[], urls: string[] = []) {
  return createClient({
    baseUrl: 'http://127.0.0.1:4110', token: 'console-token', checkResponses: true,
    fetch: async (url) => {
      urls.push(String(url));
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return new Response(JSON.stringify(a), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
}

const notDown = 'watch: Paydesk is not answering. Check that the server is running, then try again.';

function harness(responses: unknown[]) {
  const seen = { counts: [] as number[], fresh: [] as string[], errors: [] as string[], urls: [] as string[] };
  const watcher = createWatcher({
    api: apiAnswering(responses, seen.urls),
    onPendingCount: (n) => void seen.counts.push(n),
    onNewPurchase: (p: PendingPurchase) => void seen.fresh.push(p.id),
    onError: (m) => void seen.errors.push(m),
  });
  return { watcher, seen };
}

test('first poll learns what is pending; later polls announce only new purchases', async () => {
  const { watcher, seen } = harness([
    { items: [purchase('pur_old')] },
    { items: [purchase('pur_old'), purchase('pur_new')] },
    { items: [purchase('pur_new')] },
    { items: [] },
  ]);
  for (let i = 0; i < 4; i++) await watcher.tick();
  assert.deepEqual(seen.counts, [1, 2, 1, 0]);
  assert.deepEqual(seen.fresh, ['pur_new']);
  assert.ok(seen.urls.every((u) => u === 'http://127.0.0.1:4110/api/purchases?status=pending'));
  assert.ok(POLL_INTERVAL_MS > 0);
});

test('a server that is down is reported once, not every poll; an answer of another shape is no list of purchases', async () => {
  const { watcher, seen } = harness([
    new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), { oops: true }, { items: [{ id: 'pur_2' }] }, [purchase('pur_1')], { items: [] }, new Error('ECONNREFUSED'),
  ]);
  for (let i = 0; i < 7; i++) await watcher.tick();
  const wrongShape = 'watch: GET /api/purchases answered a body that does not match its response schema in contract/api.ts.';
  assert.deepEqual(seen.errors, [notDown, wrongShape, notDown]);
  assert.deepEqual(seen.counts, [0]);
});

test('a tick during a poll polls once more afterwards, never concurrently', async () => {
  let inFlight = 0;
  let max = 0;
  let polls = 0;
  // The server answers when the test says: all three ticks come while the first poll is out.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let sent!: () => void;
  const firstSent = new Promise<void>((resolve) => (sent = resolve));
  const watcher = createWatcher({
    api: createClient({
      baseUrl: 'http://127.0.0.1:4110',
      fetch: async () => {
        inFlight++;
        max = Math.max(max, inFlight);
        polls++;
        sent();
        await answered;
        inFlight--;
        return new Response('{"items":[]}');
      },
    }),
    onPendingCount: () => {}, onNewPurchase: () => {}, onError: () => {},
  });
  const ticks = Promise.all([watcher.tick(), watcher.tick(), watcher.tick()]);
  await firstSent;
  assert.equal(polls, 1, 'one poll out; the other ticks wait for it');
  answer();
  await ticks;
  assert.equal(max, 1);
  assert.equal(polls, 2);
});

test('bus events: purchase changes refresh; a failed notice is announced by id, naming its app as the API has it', async () => {
  const failed: PaydeskEvent = {
    type: 'notice.failed', data: { id: 'ntc_1', appKey: 'app_1', type: 'postback', transactionID: null, attempts: 13, verdict: 'connect_refused', reason: null, seq: 7 },
  };
  assert.equal(refreshesPending({ type: 'purchase.created', data: { id: 'pur_1', appKey: 'app_1', status: 'pending', seq: 1 } }), true);
  assert.equal(refreshesPending({ type: 'app.created', data: { key: 'app_1', seq: 2 } }), false);
  assert.equal(refreshesPending(failed), false);
  assert.deepEqual(failedNoticeFromEvent(failed), { id: 'ntc_1', appKey: 'app_1' });
  assert.equal(failedNoticeFromEvent({ type: 'purchase.created', data: { id: 'pur_1', appKey: 'app_1', status: 'pending', seq: 1 } }), null);
  assert.equal(signInFromEvent({ type: 'authorization.pending', data: { id: 'sgn_1', appKey: 'app_1', flow: 'code', seq: 3 } }), 'sgn_1', 'a sign-in opens the trusted window');
  assert.equal(signInFromEvent(failed), null);

  const urls: string[] = [];
  assert.deepEqual(await failedNoticeNotification(apiAnswering([app('Pony Shop')], urls), { id: 'ntc_1', appKey: 'app_1' }), {
    title: 'A notice failed', body: 'Pony Shop\'s server did not accept a notice. Open Notices to see why and redeliver.',
  });
  assert.deepEqual(urls, ['http://127.0.0.1:4110/api/apps/app_1']);
  // The app cannot be read (the server stopping, an answer of another shape): the notice is still announced.
  assert.match((await failedNoticeNotification(apiAnswering([new Error('ECONNREFUSED')]), { id: 'ntc_1', appKey: 'app_1' })).body, /^A merchant's server did not accept a notice/);
  assert.match((await failedNoticeNotification(apiAnswering([{ name: 'Pony Shop' }]), { id: 'ntc_1', appKey: 'app_1' })).body, /^A merchant's server/);
  // A name stored before the server refused control characters cannot reorder the sentence around it.
  assert.match((await failedNoticeNotification(apiAnswering([app('Shop\u0000')]), { id: 'ntc_1', appKey: 'app_1' })).body, /^Shop\\u0000's server/);
});

test('bus events: an app whose notices keep failing is announced once, naming it as the API has it', async () => {
  const failing: PaydeskEvent = { type: 'app.notices_failing', data: { key: 'app_1', since: '2026-01-01T00:00:00.000Z', attempts: 5, seq: 9 } };
  assert.deepEqual(failingAppFromEvent(failing), { appKey: 'app_1', attempts: 5 });
  assert.equal(failingAppFromEvent({ type: 'app.notices_recovered', data: { key: 'app_1', seq: 10 } }), null);
  assert.equal(refreshesPending(failing), false);
  const urls: string[] = [];
  assert.deepEqual(await failingAppNotification(apiAnswering([app('Pony Shop')], urls), { appKey: 'app_1', attempts: 5 }), {
    title: 'Notices keep failing',
    body: 'Pony Shop\'s server refused the last 5 notice attempts. Open the app to see its endpoint, fix it, then retry all failed.',
  });
  assert.deepEqual(urls, ['http://127.0.0.1:4110/api/apps/app_1']);
  assert.match((await failingAppNotification(apiAnswering([new Error('ECONNREFUSED')]), { appKey: 'app_1', attempts: 5 })).body, /^A merchant's server refused/);
});

test('notification and tray texts', () => {
  assert.deepEqual(purchaseNotification(purchase('pur_1')), {
    title: 'Confirm a purchase', body: 'Elite Sparkle Pony from Pony Store for $1.99 is waiting for your confirmation. Code K7P-4QX.',
  });
  const p = purchase('pur_1');
  // A name stored before the server refused control characters cannot reorder the sentence around it.
  assert.equal(purchaseNotification({ ...p, item: { ...p.item, name: 'Pony\u202Egnp.exe' }, seller: { ...p.seller, name: 'Shop\u2066' } }).body,
    'Pony\\u202egnp.exe from Shop\\u2066 for $1.99 is waiting for your confirmation. Code K7P-4QX.');
  assert.equal(pendingLabel(0), 'No purchases waiting');
  assert.equal(pendingLabel(1), '1 purchase waiting');
  assert.equal(pendingLabel(3), '3 purchases waiting');
});
