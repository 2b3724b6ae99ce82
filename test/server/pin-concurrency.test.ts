// PIN checks that arrive together (issue 10, point 6): they are taken one at a
// time per buyer, so parallel guesses still count one by one, and a right PIN
// never spends a try that a concurrent check reserved.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

interface BuyerBody { pin: { locked: boolean; triesLeft: number } }

async function setup() {
  const t = await startTestServer();
  servers.push(t);
  const app = await createApp(t);
  const buyer = await readyBuyer(t);
  return { t, app, buyer };
}

async function pendingPurchases(t: TestServer, app: CreatedApp, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await pay(t, await signRequest(app, { now: t.clock.now }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  return ids;
}

const failures = (t: TestServer, buyerId: string) =>
  (t.server.services.ctx.db.prepare('SELECT pin_failures FROM buyers WHERE id = ?').get(buyerId) as { pin_failures: number }).pin_failures;

test('eight confirms with the right PIN at once all complete, and no try is spent', async () => {
  const { t, app, buyer } = await setup();
  const ids = await pendingPurchases(t, app, 8);
  const results = await Promise.all(ids.map((id) => t.api<{ status: string }>('POST', `/api/purchases/${id}/confirm`, { pin: buyer.pin })));
  assert.deepEqual(results.map((r) => errorCode(r) ?? r.body.status), ids.map(() => 'completed'));
  const b = await t.api<BuyerBody>('GET', `/api/buyers/${buyer.id}`);
  assert.deepEqual(b.body.pin, { ...b.body.pin, locked: false, triesLeft: 5 });
  assert.equal(failures(t, buyer.id), 0);
});

test('right and wrong PINs at once: every right one completes, every wrong one counts', async () => {
  const { t, app, buyer } = await setup();
  const ids = await pendingPurchases(t, app, 9);
  // Three wrong guesses can never reach the lock, whatever order the checks run in.
  const pins = ids.map((_, i) => (i % 3 === 1 ? '1357' : buyer.pin));
  const results = await Promise.all(ids.map((id, i) => t.api<{ status: string }>('POST', `/api/purchases/${id}/confirm`, { pin: pins[i] })));
  assert.deepEqual(results.map((r) => errorCode(r) ?? r.body.status), pins.map((p) => (p === buyer.pin ? 'completed' : 'pin_incorrect')));
});

test('twelve wrong PINs at once: four are told how many tries are left, the fifth locks, the rest wait out the lock', async () => {
  const { t, app, buyer } = await setup();
  const ids = await pendingPurchases(t, app, 12);
  const results = await Promise.all(ids.map((id) => t.api('POST', `/api/purchases/${id}/confirm`, { pin: '1357' })));
  const codes = results.map((r) => errorCode(r));
  assert.equal(codes.filter((c) => c === 'pin_incorrect').length, 4, codes.join());
  assert.equal(codes.filter((c) => c === 'pin_locked').length, 8, codes.join());
  const left = results.filter((r) => errorCode(r) === 'pin_incorrect').map((r) => (r.body as { error: { triesLeft: number } }).error.triesLeft);
  assert.deepEqual(left.sort(), [1, 2, 3, 4], 'each guess was counted after the one before it');
  assert.equal((await t.api<BuyerBody>('GET', `/api/buyers/${buyer.id}`)).body.pin.locked, true);
  const pending = await t.api<{ items: unknown[] }>('GET', '/api/purchases?status=pending');
  assert.equal(pending.body.items.length, 12, 'nothing was charged');
});

test('changing the PIN twice at once with the current PIN: one change wins, the other is checked against the new PIN', async () => {
  const { t, buyer } = await setup();
  const news = ['5820', '7391', '4826'];
  const results = await Promise.all(news.map((pin) => t.api('PUT', `/api/buyers/${buyer.id}/pin`, { pin, currentPin: buyer.pin })));
  const codes = results.map((r) => errorCode(r) ?? String(r.status));
  assert.equal(codes.filter((c) => c === '200').length, 1, codes.join());
  assert.equal(codes.filter((c) => c === 'pin_incorrect').length, 2, codes.join());
  const winner = news[codes.indexOf('200')]!;
  // The PIN now in force is the one whose change was answered 200.
  assert.equal((await t.api('PUT', `/api/buyers/${buyer.id}/pin`, { pin: '6149', currentPin: winner })).status, 200);
});
