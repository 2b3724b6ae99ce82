// Compatibility with what merchants already run: the `standardwebhooks`
// reference library verifies Paydesk's delivery headers; a merchant built
// with `mozpay` 0.0.3's Express routes accepts Paydesk's postbacks and
// chargebacks unchanged, and a request mozpay signs is accepted by /v1/pay;
// and the merchant SDK's own handler (with webhook de-duplication) accepts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type Express from 'express';
import { Webhook } from 'standardwebhooks';
import { nodeHandler, type ChargebackNotice, type PostbackNotice } from '../../../sdk/index.ts';
import { buy, createApp, noticesOf, readyBuyer, settled, startNoticeServer, waitFor, merchantStage } from './helpers.ts';

// mozpay uses APIs Express deprecated long ago (req.param, res.send(status));
// the warnings are expected. Express reads the flag when it loads.
process.noDeprecation = true;
const require = createRequire(import.meta.url);
const express = require('express') as typeof Express;

/** The slice of mozpay's CommonJS singleton used here (it ships no types). */
interface MozPay extends EventEmitter {
  configure(options: { mozPayKey: string; mozPaySecret: string }): unknown;
  request(request: object): string;
  routes(app: Express.Express): void;
}
interface MozPayNotice {
  readonly typ: string;
  readonly response: { readonly transactionID: string; readonly reason?: string; readonly price: { amount: string; currency: string } };
  readonly request: { readonly productData?: string };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the standardwebhooks library verifies the headers of a real delivery', async (t) => {
  const { s, merchant, app } = await merchantStage(t, { postback: '/p', chargeback: '/c' });
  const buyer = await readyBuyer(s);
  await buy(s, app, buyer);
  const got = await waitFor('the postback', () => merchant.received[0]);
  const headers = {
    'webhook-id': String(got.headers['webhook-id']),
    'webhook-timestamp': String(got.headers['webhook-timestamp']),
    'webhook-signature': String(got.headers['webhook-signature']),
  };
  const wh = new Webhook(app.webhookSecret);
  // The body is a form, not JSON: ask the library not to parse it.
  assert.doesNotThrow(() => wh.verify(got.body, headers, { jsonParse: false }));
  assert.throws(() => wh.verify(`${got.body}x`, headers, { jsonParse: false }));
  assert.throws(() => new Webhook(`whsec_${Buffer.from('another key, 32 bytes long......').toString('base64')}`).verify(got.body, headers, { jsonParse: false }));
});

test('a mozpay 0.0.3 Express merchant: its signed request buys, and it accepts our postback and chargeback unchanged', async (t) => {
  const s = await startNoticeServer();
  const mozpay = require('mozpay') as MozPay;
  const web = express();
  web.use(express.urlencoded({ extended: false }));
  const merchant = createServer(web);
  const merchantURL = await listen(merchant);
  t.after(async () => {
    mozpay.removeAllListeners();
    await s.close();
    merchant.closeAllConnections();
    merchant.close();
  });
  const app = await createApp(s, { postbackURL: `${merchantURL}/mozpay/postback`, chargebackURL: `${merchantURL}/mozpay/chargeback` });
  mozpay.configure({ mozPayKey: app.key, mozPaySecret: app.secret });
  mozpay.routes(web);
  const postbacks: MozPayNotice[] = [];
  const chargebacks: MozPayNotice[] = [];
  mozpay.on('postback', (n: MozPayNotice) => postbacks.push(n));
  mozpay.on('chargeback', (n: MozPayNotice) => chargebacks.push(n));

  // mozpay signs with aud "marketplace.firefox.com", a one-hour lifetime and no jti: accepted as is.
  const jwt = mozpay.request({
    id: 'pony-1', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', pricePoint: 1, productData: 'user=42',
  });
  const created = await s.api<{ id: string; status: string }>('POST', '/v1/pay', { jwts: [jwt] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const buyer = await readyBuyer(s);
  const confirmed = await s.api<{ transactionID: string; price: { amount: number } }>('POST', `/api/purchases/${created.body.id}/confirm`, { pin: buyer.pin });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  assert.equal(confirmed.body.price.amount, 99);
  const transactionID = confirmed.body.transactionID;

  await waitFor('mozpay\'s postback event', () => postbacks.length === 1);
  assert.equal(postbacks[0]!.typ, 'mozilla/payments/pay/postback/v1');
  assert.equal(postbacks[0]!.response.transactionID, transactionID);
  assert.deepEqual(postbacks[0]!.response.price, { amount: '0.99', currency: 'USD' });
  assert.equal(postbacks[0]!.request.productData, 'user=42');
  const [postback] = await noticesOf(s, `transactionID=${transactionID}&type=postback`);
  const delivered = await settled(s, postback!.id, ['delivered']);
  assert.equal(delivered.attemptLog[0]!.response!.body, transactionID, 'mozpay answered with the transaction id');

  const refund = await s.api<{ noticeId: string }>('POST', `/api/transactions/${transactionID}/refunds`, {});
  assert.equal(refund.status, 201);
  await waitFor('mozpay\'s chargeback event', () => chargebacks.length === 1);
  assert.equal(chargebacks[0]!.typ, 'mozilla/payments/pay/chargeback/v1');
  assert.equal(chargebacks[0]!.response.reason, 'refund');
  assert.equal(chargebacks[0]!.response.transactionID, transactionID);
  assert.equal((await settled(s, refund.body.noticeId, ['delivered'])).status, 'delivered');
});

test('the merchant SDK\'s handler verifies JWT and webhook signature, and runs its callback once per webhook-id', async (t) => {
  const s = await startNoticeServer();
  const app = await createApp(s, { postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' });
  const seen: (PostbackNotice | ChargebackNotice)[] = [];
  const merchant = createServer(nodeHandler({
    appKey: app.key, secret: app.secret, webhookSecret: app.webhookSecret,
    onPostback: (n) => { seen.push(n); },
    onChargeback: (n) => { seen.push(n); },
  }));
  const url = await listen(merchant);
  t.after(async () => {
    await s.close();
    merchant.closeAllConnections();
    merchant.close();
  });
  await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${url}/p`, chargebackURL: `${url}/c` });
  const buyer = await readyBuyer(s);
  const { transactionID } = await buy(s, app, buyer);
  const [n] = await noticesOf(s, `transactionID=${transactionID}`);
  await settled(s, n!.id, ['delivered']);
  // A redelivery carries the same webhook-id: acknowledged, callback not run again.
  await s.api('POST', `/api/notices/${n!.id}/redeliver`, {});
  await waitFor('the redelivery', async () => (await settled(s, n!.id, ['delivered'])).attemptLog.length === 2);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.typ, 'postback');
  assert.equal(seen[0]!.transactionID, transactionID);
  assert.equal(seen[0]!.jti, n!.id);
  await s.api('POST', `/api/transactions/${transactionID}/refunds`, { amount: 100 });
  await waitFor('the chargeback', () => seen.length === 2);
  assert.equal(seen[1]!.typ, 'chargeback');
  assert.equal((seen[1] as ChargebackNotice).reason, 'refund');
  assert.deepEqual(seen[1]!.price, { amount: '1.00', currency: 'USD' });
});
