// Refunds (console and merchant API) and buyer disputes: never above what was
// captured, each a negative ledger entry, a timeline event and a chargeback
// notice with the next sequence number, written in one transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { buy, claimsOf, createApp, noticesOf, readyBuyer, receiver, settled, signRequest, startNoticeServer, timelineOf, waitFor, type CreatedApp, type NoticeTestServer, merchantStage } from './helpers.ts';

interface RefundBody {
  id: string; kind: string; status: string; source: string; amount: { amount: number; currency: string }; noticeId: string;
  refundedTotal: number; refundable: number; transactionID: string;
}
type ErrorBody = { error: { code: string; refundable?: number } };

function refundToken(app: CreatedApp, refund: unknown, claims: Record<string, unknown> = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = { iss: app.key, aud: 'paydesk', typ: 'paydesk/refund/v1', iat, exp: iat + 300, jti: `refund-${randomUUID()}`, refund, ...claims };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  return new SignJWT(all).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(app.secret));
}

const ledger = (s: NoticeTestServer, purchaseId: string) =>
  (s.server.services.ctx.db.prepare('SELECT kind, amount FROM ledger_entries WHERE purchase_id = ? ORDER BY id').all(purchaseId) as { kind: string; amount: number }[]);

test('console and merchant refunds, partial and full, never above what was captured; each sends a chargeback', async (t) => {
  const { s, merchant, app } = await merchantStage(t);
  const buyer = await readyBuyer(s);
  const { purchaseId, transactionID } = await buy(s, app, buyer); // 1.99 USD
  const [postback] = await noticesOf(s, `transactionID=${transactionID}`);
  await settled(s, postback!.id, ['delivered']);

  // Partial refund from the console (minor units), by transaction id.
  const r1 = await s.api<RefundBody>('POST', `/api/transactions/${transactionID}/refunds`, { amount: 50, reason: 'scratched pony' });
  assert.equal(r1.status, 201, JSON.stringify(r1.body));
  assert.equal(r1.body.kind, 'refund');
  assert.equal(r1.body.status, 'completed');
  assert.equal(r1.body.source, 'console');
  assert.deepEqual(r1.body.amount, { amount: 50, currency: 'USD', display: '0.50' });
  assert.equal(r1.body.refundable, 149);

  // Over-refund refused with its code; nothing written.
  const over = await s.api<ErrorBody>('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 150 });
  assert.equal(over.status, 409);
  assert.equal(over.body.error.code, 'refund_exceeds_refundable');
  assert.equal(over.body.error.refundable, 149);

  // Partial refund from the merchant API, a decimal string signed with the app secret.
  const jwt = await refundToken(app, { transactionID, amount: '0.49', reason: 'goodwill' });
  const r2 = await fetch(`${s.url}/v1/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwt }) });
  const r2body = (await r2.json()) as RefundBody;
  assert.equal(r2.status, 201, JSON.stringify(r2body));
  assert.equal(r2body.source, 'merchant');
  assert.equal(r2body.amount.amount, 49);
  // The same token again is a replay.
  const replay = await fetch(`${s.url}/v1/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwt }) });
  assert.equal(replay.status, 409);
  assert.equal(((await replay.json()) as ErrorBody).error.code, 'request_jti_replayed');

  // The rest (no amount = everything left), then nothing is left.
  const r3 = await s.api<RefundBody>('POST', `/api/transactions/${purchaseId}/refunds`, {});
  assert.equal(r3.status, 201);
  assert.equal(r3.body.amount.amount, 100);
  assert.equal(r3.body.refundedTotal, 199);
  assert.equal(r3.body.refundable, 0);
  const none = await s.api<ErrorBody>('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 1 });
  assert.equal(none.body.error.code, 'refund_exceeds_refundable');
  assert.equal(none.body.error.refundable, 0);

  assert.deepEqual(ledger(s, purchaseId), [{ kind: 'charge', amount: 199 }, { kind: 'refund', amount: -50 }, { kind: 'refund', amount: -49 }, { kind: 'refund', amount: -100 }]);
  // The seller's reputation counts the refunded sale once.
  const seller = await s.api<{ sales: number; refundRate: number }>('GET', `/api/apps/${app.key}`);
  assert.deepEqual([seller.body.sales, seller.body.refundRate], [1, 1]);
  const list = await s.api<{ items: RefundBody[] }>('GET', `/api/transactions/${purchaseId}/refunds`);
  assert.deepEqual(list.body.items.map((r) => r.amount.amount), [50, 49, 100]);

  // Three chargebacks, seq 2..4 after the postback, each delivered with reason refund and its own amount.
  const chargebacks = (await noticesOf(s, `transactionID=${transactionID}&type=chargeback`)).reverse();
  assert.deepEqual(chargebacks.map((n) => n.seq), [2, 3, 4]);
  for (const n of chargebacks) await settled(s, n.id, ['delivered']);
  const bodies = merchant.received.filter((r) => r.url === '/chargeback').map((r) => claimsOf(r.body));
  assert.deepEqual(bodies.map((c) => c.typ), Array(3).fill('mozilla/payments/pay/chargeback/v1'));
  assert.deepEqual(bodies.map((c) => (c.response as { price: { amount: string } }).price.amount).sort(), ['0.49', '0.50', '1.00']);
  assert.deepEqual(bodies.map((c) => (c.response as { reason: string }).reason), ['refund', 'refund', 'refund']);
  assert.deepEqual(bodies.map((c) => c.seq).sort(), [2, 3, 4]);

  // The timeline shows every event in order.
  const tx = await s.api<{ timeline: { type: string; data: Record<string, unknown> }[]; purchase: { refundedAmount: number } }>('GET', `/api/transactions/${purchaseId}`);
  assert.equal(tx.body.purchase.refundedAmount, 199);
  const types = await timelineOf(s, purchaseId, ['created', 'completed', 'refunded', 'notice.queued']);
  // Each refund and its chargeback's outbox row are written together, in order.
  assert.deepEqual(types, ['created', 'notice.queued', 'completed', 'refunded', 'notice.queued', 'refunded', 'notice.queued', 'refunded', 'notice.queued']);
  assert.equal(tx.body.timeline.filter((e) => e.type === 'notice.delivered').length, 4);
});

test('merchant refund tokens are checked like payment requests, each refusal with its code', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const app = await createApp(s, { postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' });
  const other = await createApp(s, { postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' });
  const buyer = await readyBuyer(s);
  const { transactionID } = await buy(s, app, buyer);
  const post = async (body: unknown) => {
    const r = await fetch(`${s.url}/v1/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, code: ((await r.json()) as ErrorBody).error?.code };
  };
  assert.deepEqual(await post({}), { status: 400, code: 'refund_token_missing' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID }, { typ: 'mozilla/payments/pay/v1' }) }), { status: 400, code: 'refund_typ_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID }, { jti: undefined }) }), { status: 400, code: 'refund_jti_missing' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { amount: '1.00' }) }), { status: 400, code: 'refund_field_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, 'all of it') }), { status: 400, code: 'refund_field_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID, amount: '0.001' }) }), { status: 400, code: 'refund_amount_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID, amount: -1 }) }), { status: 400, code: 'refund_amount_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID, amount: '5.00' }) }), { status: 409, code: 'refund_exceeds_refundable' });
  // Another app cannot refund this app's transaction, even with a valid token of its own.
  assert.deepEqual(await post({ jwt: await refundToken(other, { transactionID }) }), { status: 404, code: 'refund_transaction_not_found' });
  assert.deepEqual(await post({ jwt: await refundToken({ ...app, secret: 'not-the-secret' }, { transactionID }) }), { status: 401, code: 'request_signature_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID }, { aud: 'someone-else' }) }), { status: 400, code: 'request_audience_invalid' });
  assert.deepEqual(await post({ jwt: await refundToken(app, { transactionID }, { exp: Math.floor(Date.now() / 1000) - 600 }) }), { status: 400, code: 'request_expired' });
  assert.deepEqual(await post({ jwt: 'not.a.jwt!' }), { status: 400, code: 'request_malformed' });
  // Nothing was refunded by any of them.
  assert.equal((s.server.services.ctx.db.prepare('SELECT COUNT(*) AS n FROM refunds').get() as { n: number }).n, 0);
});

test('a buyer disputes their own purchase: a reversal of what is left, and a chargeback with reason reversal', async (t) => {
  const { s, merchant, app } = await merchantStage(t);
  const alice = await readyBuyer(s);
  const { purchaseId, transactionID } = await buy(s, app, alice);
  await s.api('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 99 });
  assert.equal((await s.client.call('getPurchase', { params: { id: purchaseId } })).disputed, false, 'a refund is no dispute');

  // Bob, signed in (readyBuyer signs him in), cannot dispute Alice's purchase.
  await readyBuyer(s);
  const wrong = await s.api<ErrorBody>('POST', `/api/purchases/${purchaseId}/dispute`, { reason: 'not mine' });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error.code, 'wallet_wrong_buyer');
  // Nor can anyone dispute a purchase that never completed.
  const pending = await s.api<{ id: string }>('POST', '/v1/pay', { jwts: [await signRequest(app)] });
  const notDone = await s.api<ErrorBody>('POST', `/api/purchases/${pending.body.id}/dispute`, {});
  assert.equal(notDone.body.error.code, 'refund_not_refundable');
  const notDoneRefund = await s.api<ErrorBody>('POST', `/api/transactions/${pending.body.id}/refunds`, {});
  assert.equal(notDoneRefund.status, 409);
  assert.equal(notDoneRefund.body.error.code, 'refund_not_refundable');

  await s.api('POST', '/api/wallet/session', { buyerId: alice.id });
  const d = await s.api<RefundBody>('POST', `/api/purchases/${purchaseId}/dispute`, { reason: 'never got my pony' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal(d.body.kind, 'reversal');
  assert.equal(d.body.source, 'buyer');
  assert.equal(d.body.amount.amount, 100);
  assert.equal(d.body.refundable, 0);

  const cb = await settled(s, d.body.noticeId, ['delivered']);
  assert.equal(cb.type, 'chargeback');
  assert.equal(cb.seq, 3);
  assert.deepEqual(cb.payload.response, { transactionID, price: { amount: '1.00', currency: 'USD' }, reason: 'reversal' });
  const got = await waitFor('the chargeback at the merchant', () => merchant.received.find((r) => r.headers['webhook-id'] === d.body.noticeId));
  assert.equal(got.url, '/chargeback');
  assert.equal((claimsOf(got.body).response as { reason: string }).reason, 'reversal');
  assert.deepEqual(ledger(s, purchaseId).map((e) => [e.kind, e.amount]), [['charge', 199], ['refund', -99], ['reversal', -100]]);
  const again = await s.api<ErrorBody>('POST', `/api/purchases/${purchaseId}/dispute`, {});
  assert.equal(again.body.error.code, 'refund_exceeds_refundable');
  const tl = await s.api<{ timeline: { type: string }[] }>('GET', `/api/transactions/${purchaseId}`);
  assert.ok(tl.body.timeline.some((e) => e.type === 'reversed'));
  // What Wallet → History shows as "Disputed" rather than "Refunded".
  assert.equal((await s.client.call('getPurchase', { params: { id: purchaseId } })).disputed, true);
  assert.equal((await s.client.call('listPurchases', { query: {} })).items.find((p) => p.id === purchaseId)?.disputed, true);
  assert.ok(s.events.some((e) => e.type === 'purchase.refunded' && e.data.kind === 'reversal'));
});

test('simulated purchases refund without money: no vault call, no ledger entry, still a chargeback', async (t) => {
  const { s, app } = await merchantStage(t);
  const buyer = await readyBuyer(s);
  const { purchaseId, transactionID } = await buy(s, app, buyer, { id: 'sim', name: 'Sim', description: 'sim', price: '2.00', currency: 'USD', simulate: { result: 'postback' } });
  assert.match(transactionID, /^simulate:/);
  const r = await s.api<RefundBody>('POST', `/api/transactions/${purchaseId}/refunds`, {});
  assert.equal(r.status, 201);
  assert.equal(r.body.amount.amount, 200);
  assert.deepEqual(ledger(s, purchaseId), []);
  await settled(s, r.body.noticeId, ['delivered']);
});

test('a crash between the vault\'s refund and the ledger commit is settled on restart; a refund the vault never made fails', async (t) => {
  const merchant = await receiver();
  let s = await startNoticeServer();
  t.after(async () => {
    await s.close();
    await merchant.close();
  });
  const app = await createApp(s, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  const buyer = await readyBuyer(s);
  const { purchaseId } = await buy(s, app, buyer);
  // What execute() leaves behind when the process dies after step 2 (vault refunded) or before it.
  const { ctx, vault } = s.server.services;
  const insert = ctx.db.prepare(`INSERT INTO refunds (id, purchase_id, app_key, kind, amount, currency, source, status, created_at)
    VALUES (?, ?, ?, 'refund', ?, 'USD', 'console', 'pending', ?)`);
  insert.run('ref_vaultdone', purchaseId, app.key, 50, Date.now());
  vault.refund(vault.chargeFor(purchaseId)!.id, 50);
  insert.run('ref_vaultnever', purchaseId, app.key, 30, Date.now() + 1);
  const dataDir = s.dataDir;
  await s.close();

  s = await startNoticeServer({ dataDir });
  const list = await s.api<{ items: RefundBody[] }>('GET', `/api/transactions/${purchaseId}/refunds`);
  assert.deepEqual(list.body.items.map((r) => [r.id, r.status]), [['ref_vaultdone', 'completed'], ['ref_vaultnever', 'failed']]);
  assert.deepEqual(ledger(s, purchaseId), [{ kind: 'charge', amount: 199 }, { kind: 'refund', amount: -50 }]);
  const done = list.body.items[0]!;
  assert.equal(done.refundedTotal, 50);
  await settled(s, done.noticeId, ['delivered']);
  // The failed one reserved nothing: the rest is still refundable.
  const rest = await s.api<RefundBody>('POST', `/api/transactions/${purchaseId}/refunds`, {});
  assert.equal(rest.body.amount.amount, 149);
});
