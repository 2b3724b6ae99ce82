import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { PAY_TYP, secretKey, signPaymentRequest } from '../../sdk/index.ts';
import { appKey, request, secret } from './helpers.ts';

test('signPaymentRequest: HS256 over the secret string, mozPay claims, request kept as given', async () => {
  const now = new Date('2025-03-01T12:00:00Z');
  const jwt = await signPaymentRequest({ appKey, secret, request, now, jti: 'req-1' });

  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'HS256', typ: 'JWT' });
  const iat = now.getTime() / 1000;
  assert.deepEqual(decodeJwt(jwt), {
    typ: PAY_TYP, request, iss: appKey, aud: 'paydesk', iat, exp: iat + 600, jti: 'req-1',
  });

  // The key is the secret's UTF-8 bytes, as jwt-simple computed it: check with a plain HMAC, no JWT library.
  const [header, payload, signature] = jwt.split('.');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  assert.equal(signature, expected);
  await jwtVerify(jwt, secretKey(secret), { algorithms: ['HS256'], currentDate: now, issuer: appKey, audience: 'paydesk' });
});

test('signPaymentRequest: audience, lifetime and a random jti by default', async () => {
  const a = decodeJwt(await signPaymentRequest({ appKey, secret, request, audience: 'marketplace.firefox.com', expiresIn: 60 }));
  const b = decodeJwt(await signPaymentRequest({ appKey, secret, request: { ...request, pricePoint: undefined, price: '1.99', currency: 'EUR' } }));
  assert.equal(a.aud, 'marketplace.firefox.com');
  assert.equal((a.exp ?? 0) - (a.iat ?? 0), 60);
  assert.match(String(a.jti), /^[0-9a-f-]{36}$/);
  assert.notEqual(a.jti, b.jti);
  assert.deepEqual((b.request as Record<string, unknown>).price, '1.99');
});

test('signPaymentRequest refuses a non-positive lifetime and an empty secret', async () => {
  await assert.rejects(signPaymentRequest({ appKey, secret, request, expiresIn: 0 }), TypeError);
  await assert.rejects(signPaymentRequest({ appKey, secret: '', request }), TypeError);
});
