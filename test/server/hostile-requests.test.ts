// The hostile corpus: malformed and malicious payment requests. Each must be
// refused with its own code, and nothing may be written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { startTestServer, createApp, signRequest, ponyRequest, pay, count, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

let t: TestServer;
let app: CreatedApp;
let other: CreatedApp;
let disabled: CreatedApp;
let simulateOnly: CreatedApp;
let replayedJwt: string;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

before(async () => {
  t = await startTestServer();
  app = await createApp(t);
  other = await createApp(t, { name: 'Other shop' });
  disabled = await createApp(t, { name: 'Closed shop' });
  await t.api('PATCH', `/api/apps/${disabled.key}`, { status: 'disabled' });
  simulateOnly = await createApp(t, { name: 'Sandbox shop', access: 'simulate' });
  replayedJwt = await signRequest(app, { claims: { jti: 'used-once' } });
  const first = await pay(t, replayedJwt);
  assert.equal(first.status, 201, JSON.stringify(first.body));
});

after(() => t.close());

type Case = readonly [name: string, code: string, make: () => Promise<unknown> | unknown];
const withRequest = (patch: Record<string, unknown>, drop: string[] = []) => {
  const r: Record<string, unknown> = { ...ponyRequest, ...patch };
  for (const k of drop) delete r[k];
  return signRequest(app, { request: r });
};
const now = () => Math.floor(t.clock.now / 1000);

const cases: Case[] = [
  ['alg none', 'request_alg_not_allowed', () => new UnsecuredJWT({ iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat: now(), exp: now() + 60, request: ponyRequest }).encode()],
  ['alg HS512', 'request_alg_not_allowed', () => new SignJWT({ iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat: now(), exp: now() + 60, request: ponyRequest })
    .setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(app.secret.repeat(2)))],
  ['alg EdDSA with an attacker key', 'request_alg_not_allowed', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    return new SignJWT({ iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat: now(), exp: now() + 60, request: ponyRequest }).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
  }],
  ['header claims HS256 but signature stripped', 'request_signature_invalid', async () => (await signRequest(app)).replace(/\.[^.]+$/, '.')],
  ['tampered payload (price lowered)', 'request_signature_invalid', async () => {
    const [h, , s] = (await signRequest(app)).split('.');
    return `${h}.${b64({ iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat: now(), exp: now() + 60, request: { ...ponyRequest, price: '0.01' } })}.${s}`;
  }],
  ['tampered signature', 'request_signature_invalid', async () => {
    const jwt = await signRequest(app);
    return jwt.slice(0, -2) + (jwt.endsWith('AA') ? 'BB' : 'AA');
  }],
  ['signed with another app\'s secret', 'request_signature_invalid', () => signRequest({ key: app.key, secret: other.secret })],
  ['unknown iss', 'request_issuer_unknown', () => signRequest({ key: 'app_doesnotexist00', secret: app.secret })],
  ['missing iss', 'request_issuer_missing', () => signRequest(app, { claims: { iss: undefined } })],
  ['iss not a string', 'request_issuer_missing', () => signRequest(app, { claims: { iss: 42 } })],
  ['disabled app', 'request_app_disabled', () => signRequest(disabled)],
  ['wrong aud', 'request_audience_invalid', () => signRequest(app, { claims: { aud: 'someone-else' } })],
  ['missing aud', 'request_audience_invalid', () => signRequest(app, { claims: { aud: undefined } })],
  ['wrong typ', 'request_typ_invalid', () => signRequest(app, { claims: { typ: 'mozilla/payments/pay/postback/v1' } })],
  ['missing exp', 'request_exp_missing', () => signRequest(app, { claims: { exp: undefined } })],
  ['missing iat', 'request_iat_missing', () => signRequest(app, { claims: { iat: undefined } })],
  ['exp as a string', 'request_claim_invalid', () => signRequest(app, { claims: { exp: 'tomorrow' } })],
  ['expired', 'request_expired', () => signRequest(app, { claims: { iat: now() - 7200, exp: now() - 3600 } })],
  ['iat in the future', 'request_iat_in_future', () => signRequest(app, { claims: { iat: now() + 600, exp: now() + 900 } })],
  ['lifetime over an hour', 'request_lifetime_too_long', () => signRequest(app, { claims: { exp: now() + 2 * 3600 } })],
  ['nbf not reached', 'request_not_yet_valid', () => signRequest(app, { claims: { nbf: now() + 600 } })],
  ['jti not a string', 'request_claim_invalid', () => signRequest(app, { claims: { jti: 7 } })],
  ['replayed jti', 'request_jti_replayed', () => replayedJwt],
  ['oversized token', 'request_too_large', () => withRequest({ description: 'x'.repeat(200), icons: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [String(i + 16), `https://example.com/${'i'.repeat(80)}.png`])) })],
  ['not a JWT at all', 'request_malformed', () => 'hello world'],
  ['two segments', 'request_malformed', () => 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0'],
  ['header is not JSON', 'request_malformed', () => `${Buffer.from('not json').toString('base64url')}.${b64({ iss: app.key })}.sig`],
  ['payload is an array', 'request_malformed', () => `${b64({ alg: 'HS256' })}.${b64([1, 2])}.sig`],
  ['token is a number', 'request_malformed', () => 12345],
  ['request missing', 'request_field_missing', () => signRequest(app, { claims: { request: undefined } })],
  ['request is a string', 'request_field_invalid', () => signRequest(app, { claims: { request: 'pony' } })],
  ['name missing', 'request_field_missing', () => withRequest({}, ['name'])],
  ['id too long', 'request_field_invalid', () => withRequest({ id: 'x'.repeat(256) })],
  ['name not a string', 'request_field_invalid', () => withRequest({ name: { en: 'Pony' } })],
  ['productData too long', 'request_field_invalid', () => withRequest({ productData: 'x'.repeat(256) })],
  ['both price forms', 'request_price_conflict', () => withRequest({ pricePoint: 1 })],
  ['no price at all', 'request_price_conflict', () => withRequest({}, ['price', 'currency'])],
  ['unknown price point', 'request_price_point_unknown', () => withRequest({ pricePoint: 999 }, ['price', 'currency'])],
  ['price point as float', 'request_price_point_unknown', () => withRequest({ pricePoint: 1.5 }, ['price', 'currency'])],
  ['negative price', 'request_amount_invalid', () => withRequest({ price: '-1.99' })],
  ['zero price', 'request_amount_invalid', () => withRequest({ price: 0 })],
  ['price with too many decimals', 'request_amount_invalid', () => withRequest({ price: '1.999' })],
  ['yen with decimals', 'request_amount_invalid', () => withRequest({ price: '100.5', currency: 'JPY' })],
  ['price above the cap', 'request_amount_invalid', () => withRequest({ price: '10000.01' })],
  ['price in exponent form', 'request_amount_invalid', () => withRequest({ price: '1e3' })],
  ['price NaN-ish string', 'request_amount_invalid', () => withRequest({ price: 'NaN' })],
  ['price as boolean', 'request_amount_invalid', () => withRequest({ price: true })],
  ['currency lower case', 'request_currency_unknown', () => withRequest({ currency: 'usd' })],
  ['currency unknown', 'request_currency_unknown', () => withRequest({ currency: 'XXX' })],
  ['price without currency', 'request_field_missing', () => withRequest({}, ['currency'])],
  ['javascript: postback URL', 'request_url_invalid', () => withRequest({ postbackURL: 'javascript:alert(1)' })],
  ['relative chargeback URL', 'request_url_invalid', () => withRequest({ chargebackURL: '/chargeback' })],
  ['URL with credentials', 'request_url_invalid', () => withRequest({ postbackURL: 'http://user:pw@127.0.0.1/pb' })],
  ['file: postback URL', 'request_url_invalid', () => withRequest({ postbackURL: 'file:///etc/passwd' })],
  ['locales without defaultLocale', 'request_field_invalid', () => withRequest({ locales: { de: { name: 'Pony' } } })],
  ['simulate with a bad result', 'request_field_invalid', () => withRequest({ simulate: { result: 'steal' } })],
  ['simulate-only app selling live', 'request_simulate_required', () => signRequest(simulateOnly)],
];

test(`the hostile corpus has at least 30 requests (${cases.length})`, () => {
  assert.ok(cases.length >= 30);
});

for (const [name, code, make] of cases) {
  test(`refuses: ${name} → ${code}`, async () => {
    const tables = ['purchases', 'used_jtis', 'purchase_events', 'ledger_entries', 'notices'];
    const before = tables.map((tb) => count(t, tb));
    const r = await pay(t, (await make()) as string);
    assert.equal(errorCode(r), code, `${name}: ${JSON.stringify(r.body)}`);
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.match((r.body as unknown as { error: { message: string } }).error.message, /\w+/);
    assert.deepEqual(tables.map((tb) => count(t, tb)), before, 'nothing may be written');
  });
}

test('a good request passes, in both price forms and with the mozPay audience alias', async () => {
  const prices: string[] = [];
  for (const jwt of [
    await signRequest(app),
    await signRequest(app, { request: { ...ponyRequest, price: undefined, currency: undefined, pricePoint: 3 } }),
    await signRequest(app, { request: { ...ponyRequest, price: undefined, currency: 'EUR', pricePoint: '3' } }),
    await signRequest(app, { claims: { aud: 'marketplace.firefox.com' } }),
    await signRequest(app, { request: { ...ponyRequest, price: 1.99 } }),
  ]) {
    const r = await pay(t, jwt);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const p = await t.api<{ price: { amount: number; currency: string } }>('GET', `/api/purchases/${r.body.id}`);
    prices.push(`${p.body.price.amount} ${p.body.price.currency}`);
  }
  assert.deepEqual(prices, ['199 USD', '299 USD', '279 EUR', '199 USD', '199 USD']);
});

test('a "__proto__" locale is kept as a plain key', async () => {
  const r = await pay(t, await withRequest({ defaultLocale: 'en', locales: JSON.parse('{"__proto__": {"name": "x"}, "de": {"name": "Pony"}}') }));
  assert.equal(r.status, 201);
  assert.equal(({} as Record<string, unknown>).name, undefined);
});

test('a page may offer several providers: the first token of our typ is used', async () => {
  const foreign = await new SignJWT({ typ: 'google/payments/inapp/item/v1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'));
  const r = await pay(t, [foreign, await signRequest(app)]);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const none = await pay(t, [foreign, foreign]);
  assert.equal(errorCode(none), 'pay_no_supported_request');
  const empty = await pay(t, []);
  assert.equal(errorCode(empty), 'pay_no_request');
});

test('a long description is trimmed with "...", not refused', async () => {
  const r = await pay(t, await withRequest({ description: 'd'.repeat(400) }));
  assert.equal(r.status, 201);
  const p = await t.api<{ item: { description: string } }>('GET', `/api/purchases/${r.body.id}`);
  assert.equal(p.body.item.description.length, 255);
  assert.ok(p.body.item.description.endsWith('...'));
});

test('a correctly signed token with a critical header extension or an unencoded payload is refused, as jose refused it', async () => {
  const { createHmac } = await import('node:crypto');
  const iat = Math.floor(t.clock.now / 1000);
  const claims = b64({ iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat, exp: iat + 600, request: ponyRequest });
  const signed = (header: Record<string, unknown>) => {
    const input = `${b64(header)}.${claims}`;
    return `${input}.${createHmac('sha256', app.secret).update(input).digest('base64url')}`;
  };
  const purchases = count(t, 'purchases');
  assert.equal(errorCode(await pay(t, signed({ alg: 'HS256', crit: ['exp'], exp: 1 }))), 'request_malformed');
  assert.equal(errorCode(await pay(t, signed({ alg: 'HS256', crit: ['b64'], b64: false }))), 'request_malformed');
  assert.equal(count(t, 'purchases'), purchases, 'nothing written');
  // The same claims under a plain header pass: what was refused is the header.
  assert.equal((await pay(t, signed({ alg: 'HS256' }))).status, 201);
});
