// Tray count, notifications and the confirmation window are driven by this watcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PENDING_PURCHASES_PATH, createWatcher, failedNoticeFromEvent, failedNoticeNotification, parsePendingPurchases,
  pendingLabel, purchaseNotification, refreshesPending, type PendingPurchase,
} from '../../electron/watch.ts';

const purchase = (id: string) => ({
  id, code: 'K7P-4QX', status: 'pending', item: { id: 'pony-1', name: 'Elite Sparkle Pony', description: '', productData: '' },
  price: { amount: 199, currency: 'USD', display: '$1.99' }, seller: { name: 'Pony Store' },
});

test('parses the console API list of purchases, and nothing else', () => {
  assert.deepEqual(parsePendingPurchases({ items: [purchase('pur_1')] }), [
    { id: 'pur_1', code: 'K7P-4QX', itemName: 'Elite Sparkle Pony', price: '$1.99', sellerName: 'Pony Store' },
  ]);
  assert.deepEqual(parsePendingPurchases({ items: [{ id: 'pur_2' }, { nope: 1 }, null] }), [{ id: 'pur_2' }]);
  assert.equal(parsePendingPurchases([purchase('pur_1')]), null);
  assert.equal(parsePendingPurchases({ error: { code: 'unauthorized' } }), null);
});

function harness(responses: unknown[]) {
  const seen = { counts: [] as number[], fresh: [] as string[], errors: [] as string[], paths: [] as string[] };
  const watcher = createWatcher({
    fetchJson: async (path) => {
      seen.paths.push(path);
      const r = responses.shift();
      if (r instanceof Error) throw r;
      return r;
    },
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
  assert.ok(seen.paths.every((p) => p === PENDING_PURCHASES_PATH));
});

test('a server that is down is reported once, not every poll', async () => {
  const { watcher, seen } = harness([new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), { oops: true }, { items: [] }, new Error('ECONNREFUSED')]);
  for (let i = 0; i < 5; i++) await watcher.tick();
  assert.deepEqual(seen.errors, ['watch: ECONNREFUSED', 'watch: the server answered GET /api/purchases in an unexpected shape', 'watch: ECONNREFUSED']);
  assert.deepEqual(seen.counts, [0]);
});

test('a tick during a poll polls once more afterwards, never concurrently', async () => {
  let inFlight = 0;
  let max = 0;
  let polls = 0;
  // The server answers when the test says: all three ticks come while the first poll is out.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const watcher = createWatcher({
    fetchJson: async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      polls++;
      await answered;
      inFlight--;
      return { items: [] };
    },
    onPendingCount: () => {}, onNewPurchase: () => {}, onError: () => {},
  });
  const ticks = Promise.all([watcher.tick(), watcher.tick(), watcher.tick()]);
  assert.equal(polls, 1, 'one poll out; the other ticks wait for it');
  answer();
  await ticks;
  assert.equal(max, 1);
  assert.equal(polls, 2);
});

test('bus events: purchase changes refresh; failed notices are announced by id and app name only', () => {
  assert.equal(refreshesPending({ type: 'purchase.created', data: { id: 'pur_1' } }), true);
  assert.equal(refreshesPending({ type: 'app.created', data: {} }), false);
  assert.deepEqual(failedNoticeFromEvent({ type: 'notice.failed', data: { id: 'ntc_1', appName: 'Pony Store', body: 'x' } }), { id: 'ntc_1', appName: 'Pony Store' });
  assert.equal(failedNoticeFromEvent({ type: 'notice.failed', data: {} }), null);
  assert.equal(failedNoticeFromEvent({ type: 'purchase.created', data: { id: 'pur_1' } }), null);
});

test('notification and tray texts', () => {
  assert.deepEqual(purchaseNotification({ id: 'pur_1', code: 'K7P-4QX', itemName: 'Elite Sparkle Pony', price: '$1.99', sellerName: 'Pony Store' }), {
    title: 'Confirm a purchase', body: 'Elite Sparkle Pony from Pony Store for $1.99 is waiting for your confirmation. Code K7P-4QX.',
  });
  assert.match(failedNoticeNotification({ id: 'ntc_1' }).body, /A merchant's server did not accept a notice/);
  // A name stored before the server refused control characters cannot reorder the sentence around it.
  assert.equal(purchaseNotification({ id: 'pur_1', itemName: 'Pony\u202Egnp.exe', price: '$1.99', sellerName: 'Shop\u2066' }).body,
    'Pony\\u202egnp.exe from Shop\\u2066 for $1.99 is waiting for your confirmation.');
  assert.match(failedNoticeNotification({ id: 'ntc_1', appName: 'Shop\u0000' }).body, /^Shop\\u0000's server/);
  assert.equal(pendingLabel(0), 'No purchases waiting');
  assert.equal(pendingLabel(1), '1 purchase waiting');
  assert.equal(pendingLabel(3), '3 purchases waiting');
});
