import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, ponyRequest, pay, readyBuyer, count, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer();
  app = await createApp(t);
});
after(() => t.close());

interface PurchaseBody { id: string; status: string; code: string; digest: string; transactionID: string | null; price: { amount: number; currency: string }; seller: { newSeller: boolean; sales: number; name: string }; failure: { code: string } | null; errorName: string | null }

async function newPurchase(request: Record<string, unknown> = ponyRequest) {
  const r = await pay(t, await signRequest(app, { request, now: t.clock.now }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const confirm = (id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => t.api<PurchaseBody>('POST', `/api/purchases/${id}/confirm`, body, headers);

test('buy: pending, shown with seller reputation, confirmed with the PIN, one ledger entry and one outbox row', async () => {
  const buyer = await readyBuyer(t);
  const id = await newPurchase();
  const status = await t.api<{ status: string; code: string; transactionID: null }>('GET', `/v1/pay/${id}`);
  assert.equal(status.body.status, 'pending');
  assert.match(status.body.code, /^[A-Z2-9]{3}-[A-Z2-9]{3}$/);
  const shown = await t.api<PurchaseBody>('GET', `/api/purchases/${id}`);
  assert.equal(shown.body.seller.name, 'Elite Sparkle Pony');
  assert.equal(shown.body.seller.newSeller, true);
  assert.deepEqual(shown.body.price, { amount: 199, currency: 'USD', display: '1.99' });
  const pending = await t.api<{ items: { id: string }[] }>('GET', '/api/purchases?status=pending');
  assert.ok(pending.body.items.some((p) => p.id === id));

  const ledgerBefore = count(t, 'ledger_entries');
  const done = await confirm(id, { pin: buyer.pin, digest: shown.body.digest });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'completed');
  assert.match(done.body.transactionID!, /^txn_/);
  assert.equal(count(t, 'ledger_entries'), ledgerBefore + 1);
  const notice = t.server.services.ctx.db.prepare('SELECT type, payload_json FROM notices WHERE purchase_id = ?').get(id) as { type: string; payload_json: string };
  assert.equal(notice.type, 'postback');
  const payload = JSON.parse(notice.payload_json) as { response: { transactionID: string; price: { amount: string; currency: string } }; request: { productData: string } };
  assert.equal(payload.response.transactionID, done.body.transactionID);
  assert.deepEqual(payload.response.price, { amount: '1.99', currency: 'USD' });
  assert.equal(payload.request.productData, ponyRequest.productData, 'the request is echoed as the merchant signed it');

  const pub = await t.api<{ status: string; transactionID: string }>('GET', `/v1/pay/${id}`);
  assert.equal(pub.body.transactionID, done.body.transactionID);
  const txns = await t.api<{ items: { transactionID: string; status: string }[] }>('GET', `/api/transactions?q=${done.body.transactionID}`);
  assert.deepEqual(txns.body.items.map((x) => x.status), ['completed']);
  const detail = await t.api<{ timeline: { type: string }[] }>('GET', `/api/transactions/${done.body.transactionID}`);
  assert.deepEqual(detail.body.timeline.map((e) => e.type), ['created', 'charging', 'notice.queued', 'completed']);
  assert.equal(errorCode(await confirm(id, { pin: buyer.pin })), 'purchase_not_pending');
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${id}/cancel`, {})), 'purchase_not_pending');
});

test('the confirmation is bound to what was shown', async () => {
  const buyer = await readyBuyer(t);
  const a = await newPurchase();
  const b = await newPurchase({ ...ponyRequest, price: '99.99' });
  const shownA = await t.api<PurchaseBody>('GET', `/api/purchases/${a}`);
  assert.equal(errorCode(await confirm(b, { pin: buyer.pin, digest: shownA.body.digest })), 'purchase_mismatch');
  const stillPending = await t.api<PurchaseBody>('GET', `/api/purchases/${b}`);
  assert.equal(stillPending.body.status, 'pending');
});

test('cancel, and the page learns a mozPay error name', async () => {
  await readyBuyer(t);
  const id = await newPurchase();
  const r = await t.api<PurchaseBody>('POST', `/api/purchases/${id}/cancel`, {});
  assert.equal(r.body.status, 'cancelled');
  const pub = await t.api<{ status: string; error: string }>('GET', `/v1/pay/${id}`);
  assert.deepEqual([pub.body.status, pub.body.error], ['cancelled', 'USER_CANCELLED']);
});

test('pending purchases expire', async () => {
  const buyer = await readyBuyer(t);
  const id = await newPurchase();
  t.clock.advance(16 * 60_000);
  assert.equal(errorCode(await confirm(id, { pin: buyer.pin })), 'purchase_expired');
  const pub = await t.api<{ status: string; error: string }>('GET', `/v1/pay/${id}`);
  assert.deepEqual([pub.body.status, pub.body.error], ['expired', 'PAYMENT_TIMEOUT']);
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${id}/cancel`, {})), 'purchase_expired');
});

test('test cards choose the processor\'s answer; a processor error leaves the purchase pending', async () => {
  for (const [card, code] of [
    ['4000000000000002', 'card_declined'],
    ['4000000000009995', 'card_insufficient_funds'],
    ['4000000000000069', 'card_expired'],
  ] as const) {
    const buyer = await readyBuyer(t, { card });
    const id = await newPurchase();
    const r = await confirm(id, { pin: buyer.pin });
    assert.equal(errorCode(r), code);
    const after = await t.api<PurchaseBody>('GET', `/api/purchases/${id}`);
    assert.equal(after.body.status, 'declined');
    assert.deepEqual(after.body.failure, { code });
    assert.equal((await t.api<{ error: string }>('GET', `/v1/pay/${id}`)).body.error, 'PAYMENT_DECLINED');
  }
  const buyer = await readyBuyer(t, { card: '4000000000000119' });
  const id = await newPurchase();
  assert.equal(errorCode(await confirm(id, { pin: buyer.pin })), 'processor_error');
  assert.equal((await t.api<PurchaseBody>('GET', `/api/purchases/${id}`)).body.status, 'pending');
});

test('a slow processor: a second confirm while the first runs is refused as busy, not charged twice', async () => {
  const buyer = await readyBuyer(t, { card: '4000000000000077' });
  const id = await newPurchase();
  const first = confirm(id, { pin: buyer.pin });
  await t.slowProcessor.charging(first);
  assert.equal(errorCode(await confirm(id, { pin: buyer.pin })), 'purchase_busy');
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${id}/cancel`, {})), 'purchase_busy');
  t.slowProcessor.release();
  assert.equal((await first).body.status, 'completed');
  const charges = t.server.services.ctx.vaultDb.prepare('SELECT COUNT(*) AS n FROM charges WHERE idempotency_key = ?').get(id) as { n: number };
  assert.equal(charges.n, 1);
});

test('limits: per purchase, per month, and the limit currency', async () => {
  const buyer = await readyBuyer(t, { limits: { perPurchase: 500, perMonth: 600 } });
  const big = await newPurchase({ ...ponyRequest, price: '5.01' });
  assert.equal(errorCode(await confirm(big, { pin: buyer.pin })), 'limit_per_purchase_exceeded');
  const a = await newPurchase({ ...ponyRequest, price: '4.00' });
  assert.equal((await confirm(a, { pin: buyer.pin })).body.status, 'completed');
  const b = await newPurchase({ ...ponyRequest, price: '2.01' });
  assert.equal(errorCode(await confirm(b, { pin: buyer.pin })), 'limit_per_month_exceeded');
  const euro = await newPurchase({ ...ponyRequest, price: '1.00', currency: 'EUR' });
  assert.equal(errorCode(await confirm(euro, { pin: buyer.pin })), 'payment_method_currency_mismatch');
});

test('a buyer without a card, or choosing a card that is not theirs', async () => {
  const b = await t.api<{ id: string }>('POST', '/api/buyers', { email: 'nocard@example.com', name: 'No Card' });
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  await t.api('PUT', `/api/buyers/${b.body.id}/pin`, { pin: '4826' });
  const id = await newPurchase();
  assert.equal(errorCode(await confirm(id, { pin: '4826' })), 'payment_method_missing');
  assert.equal(errorCode(await confirm(id, { pin: '4826', paymentMethodId: 'pm_notmine' })), 'payment_method_not_found');
});

test('free (tier 0) and simulated purchases complete without moving money', async () => {
  const buyer = await readyBuyer(t);
  const free = await newPurchase({ ...ponyRequest, price: undefined, currency: undefined, pricePoint: 0 });
  const ledger = count(t, 'ledger_entries');
  const f = await confirm(free, { pin: buyer.pin });
  assert.equal(f.body.status, 'completed');
  const sim = await newPurchase({ ...ponyRequest, simulate: { result: 'chargeback', reason: 'refund' } });
  const s = await confirm(sim, { pin: buyer.pin });
  assert.equal(s.body.status, 'completed');
  assert.match(s.body.transactionID!, /^simulate:txn_/);
  assert.equal(count(t, 'ledger_entries'), ledger, 'no money moved');
  const n = t.server.services.ctx.db.prepare('SELECT type, payload_json FROM notices WHERE purchase_id = ?').get(sim) as { type: string; payload_json: string };
  assert.equal(n.type, 'chargeback');
  assert.equal((JSON.parse(n.payload_json) as { response: { reason: string } }).response.reason, 'refund');
});

test('confirming needs a signed-in buyer with a PIN', async () => {
  const id = await newPurchase();
  await t.api('DELETE', '/api/wallet/session');
  assert.equal(errorCode(await confirm(id, { pin: '2468' })), 'wallet_signed_out');
  const b = await t.api<{ id: string }>('POST', '/api/buyers', { email: 'nopin@example.com', name: 'No Pin' });
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  assert.equal(errorCode(await confirm(id, {})), 'pin_not_set');
  assert.equal(errorCode(await confirm(id, { pin: '2468' })), 'pin_not_set');
  assert.equal(errorCode(await t.api('GET', '/api/purchases/pur_nope')), 'purchase_not_found');
});

test('seller reputation counts sales', async () => {
  const buyer = await readyBuyer(t);
  const id = await newPurchase();
  await confirm(id, { pin: buyer.pin });
  const p = await t.api<PurchaseBody>('GET', `/api/purchases/${id}`);
  assert.ok(p.body.seller.sales >= 1);
});

test('a purchase being charged cannot expire or be cancelled under it; the charge completes it', async () => {
  const buyer = await readyBuyer(t, { card: '4000000000000077' });
  const id = await newPurchase();
  const confirming = confirm(id, { pin: buyer.pin });
  await t.slowProcessor.charging(confirming);
  t.clock.advance(20 * 60_000);
  assert.equal((await t.api<{ status: string }>('GET', `/v1/pay/${id}`)).body.status, 'pending', 'the status poll does not expire it mid-charge');
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${id}/cancel`, {})), 'purchase_busy');
  t.server.services.purchases.expireDue();
  assert.equal((await t.api<{ status: string }>('GET', `/v1/pay/${id}`)).body.status, 'pending', 'the expiry sweep passes it by');
  t.slowProcessor.release();
  const done = await confirming;
  assert.equal(done.body.status, 'completed');
  assert.equal(count(t, 'ledger_entries') > 0, true);
  const entry = t.server.services.ctx.db.prepare('SELECT amount FROM ledger_entries WHERE purchase_id = ?').get(id) as { amount: number } | undefined;
  assert.equal(entry?.amount, 199);
});

test('confirmations racing each other cannot pass the monthly limit together', async () => {
  const buyer = await readyBuyer(t, { limits: { perPurchase: 300, perMonth: 300 } });
  const ids = await Promise.all(Array.from({ length: 5 }, () => newPurchase()));
  const results = await Promise.all(ids.map((id) => confirm(id, { pin: buyer.pin })));
  const completed = results.filter((r) => r.body.status === 'completed');
  assert.equal(completed.length, 1, JSON.stringify(results.map((r) => errorCode(r) ?? r.body.status)));
  assert.ok(results.filter((r) => errorCode(r) === 'limit_per_month_exceeded').length >= 1);
});

test('a seller disabled while the buyer looks sells nothing', async () => {
  const buyer = await readyBuyer(t);
  const id = await newPurchase();
  await t.api('PATCH', `/api/apps/${app.key}`, { status: 'disabled' });
  try {
    assert.equal(errorCode(await confirm(id, { pin: buyer.pin })), 'request_app_disabled');
  } finally {
    await t.api('PATCH', `/api/apps/${app.key}`, { status: 'active' });
  }
});

test('a secret revoked after signing a pending request stops its confirmation', async () => {
  const own = await createApp(t, { name: 'Leaky shop' });
  const buyer = await readyBuyer(t);
  const r = await pay(t, await signRequest(own, { now: t.clock.now }));
  await t.api('POST', `/api/apps/${own.key}/secrets`, { graceSeconds: 3600 });
  await t.api('DELETE', `/api/apps/${own.key}/secrets/${own.secretId}`);
  assert.equal(errorCode(await confirm(r.body.id, { pin: buyer.pin })), 'request_secret_revoked');
});
