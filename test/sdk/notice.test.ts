import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { NoticeError, secretKey, verifyNotice, type NoticeErrorCode, type VerifyNoticeOptions } from '../../sdk/index.ts';
import { appKey, chargebackClaims, close, listen, noticeClaims, request, secret, signEdDSA, signHS256, unsigned } from './helpers.ts';

async function refusedWith(token: Promise<string> | string, code: NoticeErrorCode, options: VerifyNoticeOptions = { appKey, secret }): Promise<void> {
  await assert.rejects(verifyNotice(await token, options), (e: unknown) => {
    assert.ok(e instanceof NoticeError, `expected NoticeError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function edKeys(): Promise<{ privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwks: JSONWebKeySet }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'pd-1', alg: 'EdDSA', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } };
}

test('a good HS256 postback verifies into a typed Notice', async () => {
  const claims = noticeClaims({ jti: 'ntc_1' });
  const notice = await verifyNotice(await signHS256(claims), { appKey, secret });
  assert.deepEqual(notice, {
    typ: 'postback',
    transactionID: 'txn_0001',
    price: { amount: '0.99', currency: 'USD' },
    request,
    jti: 'ntc_1',
    iat: claims.iat,
    exp: claims.exp,
    simulated: false,
  });
});

test('a chargeback carries its reason; simulated ones are flagged', async () => {
  const refund = await verifyNotice(await signHS256(chargebackClaims('reversal')), { appKey, secret });
  assert.equal(refund.typ, 'chargeback');
  assert.equal(refund.typ === 'chargeback' && refund.reason, 'reversal');

  const sim = await verifyNotice(await signHS256(noticeClaims({
    response: { transactionID: 'simulate:txn_7', price: { amount: '100', currency: 'JPY' } },
  })), { appKey, secret });
  assert.equal(sim.simulated, true);
  assert.deepEqual(sim.price, { amount: '100', currency: 'JPY' });
});

test('a good EdDSA notice verifies against a JWKS object and a JWKS URL', async () => {
  const { privateKey, jwks } = await edKeys();
  const token = await signEdDSA(noticeClaims(), privateKey, 'pd-1');
  assert.equal((await verifyNotice(token, { appKey, jwks })).transactionID, 'txn_0001');

  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  const base = await listen(server);
  try {
    assert.equal((await verifyNotice(token, { appKey, jwks: new URL(`${base}/.well-known/jwks.json`) })).typ, 'postback');
  } finally {
    await close(server);
  }
  // Unknown kid: the key set has nothing to verify with.
  await refusedWith(signEdDSA(noticeClaims(), privateKey, 'other'), 'notice_key', { appKey, jwks });
});

test('the issuer can be another provider audience', async () => {
  const token = await signHS256(noticeClaims({ iss: 'marketplace.firefox.com' }));
  await refusedWith(token, 'notice_iss');
  const notice = await verifyNotice(token, { appKey, secret, issuer: ['paydesk', 'marketplace.firefox.com'] });
  assert.equal(notice.transactionID, 'txn_0001');
});

test('refuses alg none and algorithms that do not match the configured key', async () => {
  const { privateKey, jwks } = await edKeys();
  await refusedWith(unsigned(noticeClaims()), 'notice_alg');
  await refusedWith(unsigned(noticeClaims()), 'notice_alg', { appKey, secret, jwks });
  // HS384 is a fine HMAC, but not one Paydesk sends.
  await refusedWith(new SignJWT(noticeClaims()).setProtectedHeader({ alg: 'HS384' }).sign(secretKey(secret)), 'notice_alg');
  // EdDSA without a JWKS configured.
  await refusedWith(signEdDSA(noticeClaims(), privateKey, 'pd-1'), 'notice_alg');
});

test('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
  const { jwks } = await edKeys();
  const publicJwk = jwks.keys[0]!;
  // Every plausible encoding of the public key an attacker could use as an HMAC secret.
  const forgeries = [JSON.stringify(jwks), JSON.stringify(publicJwk), String(publicJwk.x)];
  for (const material of forgeries) {
    const forged = signHS256(noticeClaims(), new TextEncoder().encode(material));
    await refusedWith(forged, 'notice_alg', { appKey, jwks });
    // With both configured, HS256 is checked with the secret, which the attacker does not have.
    await refusedWith(forged, 'notice_signature', { appKey, jwks, secret });
  }
});

test('refuses wrong typ, iss, aud, expired, missing claims, tampering and bad shapes, each with its code', async (t) => {
  const cases: readonly [string, Promise<string> | string, NoticeErrorCode][] = [
    ['request typ', signHS256(noticeClaims({ typ: 'mozilla/payments/pay/v1' })), 'notice_typ'],
    ['no typ', signHS256(noticeClaims({ typ: undefined })), 'notice_typ'],
    ['other issuer', signHS256(noticeClaims({ iss: 'evil-provider' })), 'notice_iss'],
    ['no issuer', signHS256(noticeClaims({ iss: undefined })), 'notice_iss'],
    ['another app', signHS256(noticeClaims({ aud: 'someone-else' })), 'notice_aud'],
    ['expired', signHS256(noticeClaims({}, new Date(Date.now() - 2 * 3600_000))), 'notice_expired'],
    ['no exp', signHS256(noticeClaims({ exp: undefined })), 'notice_claims'],
    ['no iat', signHS256(noticeClaims({ iat: undefined })), 'notice_claims'],
    ['iat in the future', signHS256(noticeClaims({}, new Date(Date.now() + 600_000))), 'notice_claims'],
    ['nbf not reached', signHS256(noticeClaims({ nbf: Math.floor(Date.now() / 1000) + 600 })), 'notice_claims'],
    ['no jti', signHS256(noticeClaims({ jti: undefined })), 'notice_claims'],
    ['empty jti', signHS256(noticeClaims({ jti: '' })), 'notice_claims'],
    ['wrong secret', signHS256(noticeClaims(), secretKey(`${secret}x`)), 'notice_signature'],
    ['not a JWS', 'hello', 'notice_malformed'],
    ['too large', 'a'.repeat(17 * 1024), 'notice_too_large'],
    ['no response', signHS256(noticeClaims({ response: undefined })), 'notice_shape'],
    ['no transactionID', signHS256(noticeClaims({ response: { price: { amount: '0.99', currency: 'USD' } } })), 'notice_shape'],
    ['numeric amount', signHS256(noticeClaims({ response: { transactionID: 't', price: { amount: 0.99, currency: 'USD' } } })), 'notice_shape'],
    ['amount with exponent', signHS256(noticeClaims({ response: { transactionID: 't', price: { amount: '1e2', currency: 'USD' } } })), 'notice_shape'],
    ['lower-case currency', signHS256(noticeClaims({ response: { transactionID: 't', price: { amount: '0.99', currency: 'usd' } } })), 'notice_shape'],
    ['no price', signHS256(noticeClaims({ response: { transactionID: 't' } })), 'notice_shape'],
    ['no request', signHS256(noticeClaims({ request: undefined })), 'notice_shape'],
    ['request.id not a string', signHS256(noticeClaims({ request: { ...request, id: 7 } })), 'notice_shape'],
    ['chargeback without reason', signHS256(chargebackClaims('because')), 'notice_shape'],
    ['postback with reason', signHS256(noticeClaims({ response: { transactionID: 't', price: { amount: '1.00', currency: 'EUR' }, reason: 'refund' } })), 'notice_shape'],
  ];
  for (const [name, token, code] of cases) {
    await t.test(name, () => refusedWith(token, code));
  }

  // Tampering: a valid token with one payload byte changed (price) no longer verifies.
  const [h, p, s] = (await signHS256(noticeClaims())).split('.');
  const payload = Buffer.from(p!, 'base64url').toString().replace('0.99', '0.01');
  await refusedWith(`${h}.${Buffer.from(payload).toString('base64url')}.${s}`, 'notice_signature');
  const sig = Buffer.from(s!, 'base64url');
  sig[0] = sig[0]! ^ 1;
  await refusedWith(`${h}.${p}.${sig.toString('base64url')}`, 'notice_signature');
});

test('clockTolerance and an injected clock', async () => {
  const token = await signHS256(noticeClaims({}, new Date('2025-01-01T00:00:00Z')));
  const justAfterExp = new Date('2025-01-01T01:00:30Z');
  assert.equal((await verifyNotice(token, { appKey, secret, now: justAfterExp })).typ, 'postback');
  await refusedWith(token, 'notice_expired', { appKey, secret, now: justAfterExp, clockTolerance: 0 });
});

test('verifyNotice needs a key', async () => {
  await assert.rejects(verifyNotice(await signHS256(noticeClaims()), { appKey }), TypeError);
});
