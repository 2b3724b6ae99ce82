// Compatibility with mozpay 0.0.3 (mozilla/mozpay-js, jwt-simple 0.1.0), the
// Node library mozPay-era merchants run. Two directions:
//   - a request mozpay signs is a valid HS256 JWT under our secret convention;
//   - a notice made to our conventions passes mozpay's express routes, which
//     echo the transaction id and fire their events.
// What mozpay checks (lib/mozpay.js `routes`): a `notice` form parameter;
// jwt-simple decode with the secret string (HS256/384/512 from the header,
// plain string compare of the signature); `exp` and `iat` present, `exp` not
// past; `nbf` (if any) not beyond now + 120 s; `request` truthy;
// `response.transactionID` truthy. It checks neither iss, aud, typ, jti nor price.
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type Express from 'express';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { PAY_TYP, secretKey, signPaymentRequest, verifyNotice } from '../../sdk/index.ts';
import { appKey, chargebackClaims, close, deliver, listen, noticeClaims, request, secret, signEdDSA, signHS256 } from './helpers.ts';

// mozpay exercises APIs deprecated since 2014 (new Buffer, req.param,
// res.send(status)); the warnings are expected here and would only be noise.
// Express reads the flag when it loads, so it is required after setting it.
process.noDeprecation = true;
const require = createRequire(import.meta.url);
const express = require('express') as typeof Express;

/** The slice of mozpay's CommonJS singleton this test uses (it ships no types). */
interface MozPay extends EventEmitter {
  configure(options: { mozPayKey: string; mozPaySecret: string; mozPayAudience?: string }): unknown;
  request(request: object): string;
  verify(jwt: string): unknown;
  routes(app: Express.Express, options?: { mozPayKey: string; mozPaySecret: string }): void;
}

/** What mozpay's events hand the merchant: the decoded JWT payload as is. */
interface MozPayNotice {
  readonly response: { readonly transactionID: string; readonly reason?: string; readonly price?: unknown };
}

const mozpay = require('mozpay') as MozPay;
mozpay.configure({ mozPayKey: appKey, mozPaySecret: secret });

test('a request signed by mozpay is HS256 over the UTF-8 secret with our claims', async () => {
  const jwt = mozpay.request(request);
  assert.deepEqual(decodeProtectedHeader(jwt), { typ: 'JWT', alg: 'HS256' });
  const { payload } = await jwtVerify(jwt, secretKey(secret), { algorithms: ['HS256'], issuer: appKey, audience: 'marketplace.firefox.com' });
  assert.equal(payload.typ, PAY_TYP);
  assert.deepEqual(payload.request, request);
  // No jti, and a one-hour lifetime: the provider must accept both from mozpay merchants.
  assert.equal(payload.jti, undefined);
  assert.ok((payload.exp ?? 0) - (payload.iat ?? 0) >= 3600);
});

test('a request signed by the SDK decodes under mozpay (jwt-simple) with the same secret', async () => {
  const jwt = await signPaymentRequest({ appKey, secret, request });
  assert.deepEqual(mozpay.verify(jwt), decodeJwt(jwt));
  mozpay.configure({ mozPayKey: appKey, mozPaySecret: `${secret}x` });
  try {
    assert.throws(() => mozpay.verify(jwt), /Signature verification failed/);
  } finally {
    mozpay.configure({ mozPayKey: appKey, mozPaySecret: secret });
  }
});

test('notices made to our conventions pass mozpay express routes: echo + events', async () => {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  mozpay.routes(app);
  const server = createServer(app);
  const base = await listen(server);
  const events: [string, MozPayNotice][] = [];
  const onPostback = (data: MozPayNotice): void => { events.push(['postback', data]); };
  const onChargeback = (data: MozPayNotice): void => { events.push(['chargeback', data]); };
  mozpay.on('postback', onPostback).on('chargeback', onChargeback);
  try {
    const postback = await signHS256(noticeClaims());
    // The same token passes our own verification: one format serves both.
    assert.equal((await verifyNotice(postback, { appKey, secret })).transactionID, 'txn_0001');
    assert.deepEqual(await deliver(`${base}/mozpay/postback`, `notice=${postback}`), { status: 200, body: 'txn_0001' });

    const chargeback = await signHS256(chargebackClaims('refund', { response: { transactionID: 'txn_0002', price: { amount: '0.99', currency: 'USD' }, reason: 'refund' } }));
    assert.deepEqual(await deliver(`${base}/mozpay/chargeback`, `notice=${chargeback}`), { status: 200, body: 'txn_0002' });

    assert.deepEqual(events.map(([kind, data]) => [kind, data.response.transactionID, data.response.reason]), [
      ['postback', 'txn_0001', undefined],
      ['chargeback', 'txn_0002', 'refund'],
    ]);
    assert.deepEqual(events[0]?.[1].response.price, { amount: '0.99', currency: 'USD' });

    // And what mozpay refuses, so the provider never sends it: a wrong secret, an expired or exp-less notice,
    // no transactionID, and EdDSA (jwt-simple knows HS* only), so provider-signed notices must stay opt-in.
    const { privateKey } = await generateKeyPair('EdDSA');
    const refused = [
      await signEdDSA(noticeClaims(), privateKey, 'pd-1'),
      await signHS256(noticeClaims(), secretKey('wrong')),
      await signHS256(noticeClaims({}, new Date(Date.now() - 2 * 3600_000))),
      await signHS256(noticeClaims({ exp: undefined })),
      await signHS256(noticeClaims({ response: { price: { amount: '0.99', currency: 'USD' } } })),
    ];
    for (const jwt of refused) assert.equal((await deliver(`${base}/mozpay/postback`, `notice=${jwt}`)).status, 400);
    assert.equal(events.length, 2);
  } finally {
    mozpay.off('postback', onPostback).off('chargeback', onChargeback);
    await close(server);
  }
});
