// The payment request exactly as the design notes write it
// (shared/seeds/002_8f330418277abe3b.txt, step 3): price as a number, currency,
// name, description, productdata in lower case, and no id. It buys like any
// other, and the postback echoes the request as the merchant signed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode } from '../helpers/paydesk.ts';

/** The seed's `request`, key for key. */
const seedRequest = {
  price: 1.99,
  currency: 'USD',
  name: 'Elite Sparkle Pony',
  description: 'The shiniest pony of all!',
  productdata: 'ABC123_DEF456_GHI_789.XYZ',
};

/** A merchant that answers each postback with its transaction id; next() gives the notices in arrival order. */
async function merchant() {
  const arrived: string[] = [];
  const waiting: ((jwt: string) => void)[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const jwt = new URLSearchParams(body).get('notice') ?? '';
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString() || '{}') as { response?: { transactionID?: string } };
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(claims.response?.transactionID ?? '');
      const waiter = waiting.shift();
      if (waiter) waiter(jwt);
      else arrived.push(jwt);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next: () => (arrived.length > 0 ? Promise.resolve(arrived.shift()!) : new Promise<string>((resolve) => waiting.push(resolve))),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test('the design notes\' request (price 1.99 as a number, productdata, no id) is bought, and its postback echoes it', async (t) => {
  const shop = await merchant();
  const s = await startTestServer();
  t.after(async () => {
    await s.close();
    await shop.close();
  });
  const app = await createApp(s, { postbackURL: `${shop.url}/postback`, chargebackURL: `${shop.url}/chargeback` });
  const iat = Math.floor(s.clock.now / 1000);
  // The seed's claims as written (its aud too), with our app key as iss.
  const jwt = await signRequest(app, { request: seedRequest, claims: { aud: 'marketplace.mozilla.org', iat, exp: iat + 3600, jti: undefined } });

  const created = await pay(s, jwt);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const shown = await s.api<{ item: { id: string | null; name: string; description: string; productData: string }; price: { amount: number; currency: string } }>('GET', `/api/purchases/${created.body.id}`);
  assert.deepEqual(shown.body.item, { id: null, name: seedRequest.name, description: seedRequest.description, productData: seedRequest.productdata });
  assert.deepEqual(shown.body.price, { amount: 199, currency: 'USD', display: '1.99' });
  const page = await fetch(`${s.url}/pay/${created.body.id}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<h1 class="item"><bdi>Elite Sparkle Pony<\/bdi><\/h1>/);

  const buyer = await readyBuyer(s);
  const done = await s.api<{ status: string; transactionID: string }>('POST', `/api/purchases/${created.body.id}/confirm`, { pin: buyer.pin });
  assert.equal(done.body.status, 'completed', JSON.stringify(done.body));

  const postback = await shop.next();
  const { payload } = await jwtVerify(postback, new TextEncoder().encode(app.secret), { algorithms: ['HS256'], audience: app.key });
  assert.equal(payload.typ, 'mozilla/payments/pay/postback/v1');
  assert.deepEqual(payload.request, seedRequest, 'the request as sent: productdata in lower case, price a number, no id added');
  assert.deepEqual(payload.response, { transactionID: done.body.transactionID, price: { amount: '1.99', currency: 'USD' } });

  const listed = await s.api<{ items: { item: { id: string | null } }[] }>('GET', `/api/transactions?q=${done.body.transactionID}`);
  assert.deepEqual(listed.body.items.map((i) => i.item.id), [null]);
});

test('an id, when given, is still checked: a string of at most 255 characters', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const app = await createApp(s);
  for (const id of [42, 'x'.repeat(256)]) {
    const r = await pay(s, await signRequest(app, { request: { ...seedRequest, id }, now: s.clock.now }));
    assert.equal(errorCode(r), 'request_field_invalid');
    assert.equal((r.body as { error?: { field?: string } }).error?.field, 'id');
  }
});
