// Events are part of the contract (contract/events.ts). The compiler checks each
// emit line's fields, but not fields that arrive through a spread: this test runs
// every flow that emits and checks what subscribers and the SSE stream actually
// get against the union, strictly; and that every member of the union is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PaydeskEvent, eventTypes, parseEvent, type EventOf, type EventType } from '../../contract/events.ts';
import { routes } from '../../contract/api.ts';
import { SseParser, type SseMessage } from '../../renderer/src/events.ts';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode, type TestServer } from '../helpers/paydesk.ts';
import { receiver, type Receiver } from './notices/helpers.ts';
import { discover, oauthApp, pendingSignIn, signIn, startSignIn } from '../helpers/sign-in.ts';

let t: TestServer;
let merchant: Receiver;
const onBus: PaydeskEvent[] = [];
const onStream: SseMessage[] = [];
const stream = new AbortController();
let streamGrew = () => {};

before(async () => {
  merchant = await receiver();
  t = await startTestServer();
  t.server.events.subscribe((e) => void onBus.push(e));
  const res = await fetch(`${t.url}${routes.streamEvents.path}`, { headers: { authorization: `Bearer ${t.server.token}` }, signal: stream.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      onStream.push(...parser.push(value));
      streamGrew();
    }
  })();
});

after(async () => {
  stream.abort();
  await t.close();
  await merchant.close();
});

/** The next event of this type (and matching `where`) on the bus; ask before the action that emits it. */
function next<T extends EventType>(type: T, where: (e: EventOf<T>) => boolean = () => true): Promise<EventOf<T>> {
  return new Promise((resolve) => {
    const off = t.server.events.subscribe((e) => {
      if (e.type === type && where(e as EventOf<T>)) {
        off();
        resolve(e as EventOf<T>);
      }
    });
  });
}

/** Resolves once the stream has delivered at least n messages. */
async function streamHas(n: number): Promise<void> {
  while (onStream.length < n) await new Promise<void>((resolve) => (streamGrew = resolve));
}

test('every flow that emits: each event is its union member exactly, on the bus and on the SSE stream, and every member is sent', async () => {
  const created = await createApp(t, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  assert.equal((await t.api('PATCH', `/api/apps/${created.key}`, { name: 'Pony Shop' })).status, 200);
  const rotated = await t.api<{ secret: { id: string; secret: string } }>('POST', `/api/apps/${created.key}/secrets`, { graceSeconds: 0 });
  assert.equal((await t.api('DELETE', `/api/apps/${created.key}/secrets/${created.secretId}`)).status, 200);
  const app = { key: created.key, secret: rotated.body.secret.secret, clock: t.clock };
  const newPurchase = async () => {
    const r = await pay(t, await signRequest(app));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };

  // A purchase completed (its postback delivered), then refunded (a chargeback).
  const buyer = await readyBuyer(t);
  const sold = await newPurchase();
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${sold}/confirm`, { pin: '1357' })), 'pin_incorrect');
  const postback = next('notice.delivered', (e) => e.data.type === 'postback');
  assert.equal((await t.api('POST', `/api/purchases/${sold}/confirm`, { pin: buyer.pin })).status, 200);
  const delivered = await postback;
  const chargeback = next('notice.delivered', (e) => e.data.type === 'chargeback');
  assert.equal((await t.api('POST', `/api/transactions/${sold}/refunds`, {})).status, 201);
  await chargeback;

  // Cancelled, expired, declined.
  assert.equal((await t.api('POST', `/api/purchases/${await newPurchase()}/cancel`, {})).status, 200);
  await newPurchase();
  t.clock.advance(16 * 60_000);
  t.server.services.purchases.expireDue();
  await readyBuyer(t, { card: '4000000000000002' });
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${await newPurchase()}/confirm`, { pin: '2468' })), 'card_declined');

  // A test notice to a closed port fails at once (one attempt); then redelivered and resent.
  const failed = next('notice.failed');
  assert.equal((await t.api('POST', `/api/apps/${app.key}/test-notice`, { url: 'http://127.0.0.1:9/' })).status, 201);
  const failedId = (await failed).data.id;
  assert.equal((await t.api('POST', `/api/notices/${failedId}/redeliver`, {})).status, 200);
  assert.equal((await t.api('POST', `/api/notices/${delivered.data.id}/resend`, {})).status, 201);

  // Sign-in (issue 12): approved, denied, left to expire, then the connection revoked.
  await oauthApp(t, app.key);
  const config = await discover(t, app.key);
  await signIn(t, config);
  await startSignIn(config);
  await t.client.call('denyAuthorization', { params: { id: (await pendingSignIn(t)).id }, body: {} });
  await startSignIn(config);
  t.clock.advance(11 * 60_000);
  assert.equal((await t.client.call('listAuthorizations', { query: { status: 'pending' } })).items.length, 0);
  await t.client.call('revokeConnection', { params: { clientId: app.key }, query: {} });

  assert.equal((await t.api('POST', '/api/provider-keys/rotate', {})).status, 201);
  assert.equal((await t.api('DELETE', `/api/buyers/${buyer.id}/payment-methods/${buyer.paymentMethodId}`)).status, 200);
  assert.equal((await t.api('DELETE', '/api/wallet/session')).status, 200);

  const emitted = [...onBus];
  for (const e of emitted) assert.deepEqual(PaydeskEvent.safeParse(e).data, e, `${e.type} is its member of the union exactly: ${JSON.stringify(e)}`);
  assert.deepEqual(emitted.map((e) => e.data.seq), emitted.map((_e, i) => i + 1), 'the bus numbers every event');
  assert.deepEqual([...eventTypes].filter((type) => !emitted.some((e) => e.type === type)), [], 'every member of the union is emitted by some flow');

  // What a console receives: the same events, each named by its type, its data the JSON of the event's data.
  await streamHas(emitted.length);
  assert.deepEqual(onStream.slice(0, emitted.length).map((m) => parseEvent(m.type, m.data)), emitted);
});

test('a received event of no known type, or not of its type\'s shape, is dropped', () => {
  const created = { id: 'pur_x', appKey: 'app_x', status: 'pending', seq: 3 };
  assert.deepEqual(parseEvent('purchase.created', created), { type: 'purchase.created', data: created });
  assert.equal(parseEvent('purchase.creatd', created), null);
  assert.equal(parseEvent('purchase.created', { ...created, status: 'completed' }), null);
  assert.equal(parseEvent('purchase.created', { ...created, seq: undefined }), null, 'seq is the bus\'s, always there');
  assert.equal(parseEvent('purchase.created', { ...created, pin: '2468' }), null, 'a field nobody sends');
  assert.equal(parseEvent('notice.failed', { id: 'ntc_x', appKey: 'app_x', type: 'postback', transactionID: null, attempts: 1, verdict: 'connect_refused', reason: null, seq: 4, appName: 'Pony Shop' }), null);
  assert.equal(parseEvent('app.created', undefined), null);
});
