// POST /api/requests/verify: the Request lab's dry run of /v1/pay's verification.
// The real verifier, the same context, and nothing written. Its check-by-check
// answer comes from the verifier itself; each case below is also paid for real
// (POST /v1/pay), so the failed check names exactly the code /v1/pay answers.
import { test, before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, pay, count, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { requestCheckIds, type RouteResult } from '../../contract/api.ts';

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer();
  app = await createApp(t);
});
after(() => t.close());

type DryRun = RouteResult<'verifyRequest'>;

const dryRun = (jwt: string) => t.api<DryRun>('POST', '/api/requests/verify', { jwt });

test('a good request is accepted with its app and price, and nothing is written', async () => {
  const jwt = await signRequest(app, { now: t.clock.now });
  const before = { purchases: count(t, 'purchases'), jtis: count(t, 'used_jtis') };
  const r = await dryRun(jwt);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.accepted, true);
  assert.equal(r.body.error, null);
  assert.deepEqual(r.body.app, { key: app.key, name: 'Elite Sparkle Pony' });
  assert.equal(r.body.price?.amount, 199);
  assert.equal(r.body.price?.currency, 'USD');
  assert.equal(typeof r.body.price?.display, 'string');
  assert.equal(r.body.header?.alg, 'HS256');
  assert.equal(r.body.claims?.iss, app.key);
  assert.equal(r.body.replayed, false);
  assert.deepEqual(r.body.checks.map((c) => [c.id, c.status]), requestCheckIds.map((id) => [id, 'passed']));
  assert.ok(r.body.checks.every((c) => c.label !== '' && c.error === null));
  // Twice: the jti is not used up by a dry run.
  assert.equal((await dryRun(jwt)).body.accepted, true);
  assert.deepEqual({ purchases: count(t, 'purchases'), jtis: count(t, 'used_jtis') }, before);
});

test('a tampered request is refused with request_signature_invalid, still decoded', async () => {
  const [h, p, sig] = (await signRequest(app, { now: t.clock.now })).split('.');
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { request: Record<string, unknown> };
  claims.request.price = '0.01';
  const r = await dryRun(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, false);
  assert.equal(r.body.error?.code, 'request_signature_invalid');
  assert.match(r.body.error?.message ?? '', /signature/);
  assert.deepEqual(r.body.app, { key: app.key, name: 'Elite Sparkle Pony' });
  assert.equal(r.body.price, null);
  assert.equal((r.body.claims?.request as Record<string, unknown>).price, '0.01');
});

test('a request already paid is refused as replayed', async () => {
  const jwt = await signRequest(app, { now: t.clock.now });
  const paid = await pay(t, jwt);
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const purchases = count(t, 'purchases');
  const r = await dryRun(jwt);
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, false);
  assert.equal(r.body.error?.code, 'request_jti_replayed');
  assert.equal(r.body.replayed, true);
  assert.equal(count(t, 'purchases'), purchases);
});

test('garbage is request_malformed with nothing decoded; details come along', async () => {
  const r = await dryRun('not a jwt');
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, false);
  assert.equal(r.body.error?.code, 'request_malformed');
  assert.equal(r.body.header, null);
  assert.equal(r.body.claims, null);
  assert.equal(r.body.app, null);
  const big = await dryRun(await signRequest(app, { now: t.clock.now, request: { id: 'x', name: 'X', description: 'd'.repeat(9000), price: '1.00', currency: 'USD' } }));
  assert.equal(big.body.error?.code, 'request_too_large');
  assert.equal(big.body.error?.limit, 8192);
});

test('the dry run needs the console token, and checks its body', async () => {
  const res = await fetch(`${t.url}/api/requests/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwt: 'x' }) });
  assert.equal(res.status, 401);
  assert.equal((await t.api('POST', '/api/requests/verify', {})).status, 400);
  assert.equal((await t.api('POST', '/api/requests/verify', { jwt: 'x'.repeat(16 * 1024 + 1) })).status, 400);
});

test('a dry run stores nothing for an Idempotency-Key either: it changes nothing', async () => {
  const t = await startTestServer();
  try {
    const app = await createApp(t);
    const before = count(t, 'idempotency_keys');
    const jwt = await signRequest(app, { now: t.clock.now });
    const r = await t.api<{ accepted: boolean }>('POST', '/api/requests/verify', { jwt }, { 'idempotency-key': 'dry-1' });
    assert.equal(r.body.accepted, true);
    assert.equal(count(t, 'idempotency_keys'), before);
  } finally {
    await t.close();
  }
});

describe('the dry run names the check that fails, with the code /v1/pay answers', () => {
  const now = () => t.clock.now;
  const seconds = () => Math.floor(now() / 1000);
  const request = { id: 'x', name: 'X', description: 'An x.', price: '1.00', currency: 'USD' };
  const sign = (r: Record<string, unknown> = request, opts: Parameters<typeof signRequest>[1] = {}) => signRequest(app, { request: r, ...opts });
  const tamper = async () => {
    const [h, p, s] = (await sign()).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { request: Record<string, unknown> };
    claims.request.price = '0.01';
    return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  };
  /** [case, token, the check that fails (null: accepted), its code]. */
  const cases: [string, () => Promise<string>, string | null, string | null][] = [
    ['valid', () => sign(), null, null],
    ['design notes\' shape: no id, price a number, productdata', () => sign({ price: 1.99, currency: 'USD', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', productdata: 'ABC123_DEF456_GHI_789.XYZ' }), null, null],
    ['description over two lines, productData holding U+202E', () => sign({ ...request, description: 'An x.\nTwo lines.', productData: 'a\u202Eb' }), null, null],
    ['over 8 KiB', () => sign({ ...request, description: 'd'.repeat(9000) }), 'size', 'request_too_large'],
    ['not a JWT', async () => 'hello.world', 'format', 'request_malformed'],
    ['alg none', async () => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${(await sign()).split('.')[1]}.`, 'alg', 'request_alg_not_allowed'],
    ['no iss', () => sign(request, { claims: { iss: undefined } }), 'issuer', 'request_issuer_missing'],
    ['unknown iss', () => signRequest({ key: 'app_nobody', secret: app.secret, clock: t.clock }, { request }), 'issuer', 'request_issuer_unknown'],
    ['wrong secret', () => signRequest({ key: app.key, secret: 'not-the-secret', clock: t.clock }, { request }), 'signature', 'request_signature_invalid'],
    ['tampered payload', tamper, 'signature', 'request_signature_invalid'],
    ['wrong aud', () => sign(request, { claims: { aud: 'someone-else' } }), 'claims', 'request_audience_invalid'],
    ['no exp', () => sign(request, { claims: { exp: undefined } }), 'claims', 'request_exp_missing'],
    ['expired', () => sign(request, { now: now() - 2 * 3600_000, claims: { exp: seconds() - 3600 } }), 'claims', 'request_expired'],
    ['nbf ahead', () => sign(request, { claims: { nbf: seconds() + 600 } }), 'claims', 'request_not_yet_valid'],
    ['wrong typ', () => sign(request, { claims: { typ: 'JWT' } }), 'typ', 'request_typ_invalid'],
    ['iat in the future', () => sign(request, { now: now() + 600_000 }), 'lifetime', 'request_iat_in_future'],
    ['lifetime too long', () => sign(request, { claims: { exp: seconds() + 7200 } }), 'lifetime', 'request_lifetime_too_long'],
    ['empty jti', () => sign(request, { claims: { jti: '' } }), 'jti', 'request_claim_invalid'],
    ['missing name', () => sign({ id: 'x', description: 'd', price: '1.00', currency: 'USD' }), 'item', 'request_field_missing'],
    ['name holding U+202E', () => sign({ ...request, name: 'X\u202Egnp.exe' }), 'item', 'request_field_invalid'],
    ['description holding NUL', () => sign({ ...request, description: 'An\u0000x.' }), 'item', 'request_field_invalid'],
    ['unknown price point', () => sign({ id: 'x', name: 'X', description: 'd', pricePoint: 99 }), 'price', 'request_price_point_unknown'],
    ['price and pricePoint', () => sign({ ...request, pricePoint: 1 }), 'price', 'request_price_conflict'],
    ['bad amount', () => sign({ ...request, price: '1.999' }), 'price', 'request_amount_invalid'],
    ['bad postback URL', () => sign({ ...request, postbackURL: 'ftp://x' }), 'fields', 'request_url_invalid'],
    ['locales without defaultLocale', () => sign({ ...request, locales: { de: { name: 'X' } } }), 'fields', 'request_field_invalid'],
  ];

  const judge = async (jwt: string, check: string | null, code: string | null) => {
    const r = await dryRun(jwt);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const failedAt = check === null ? requestCheckIds.length : requestCheckIds.indexOf(check as (typeof requestCheckIds)[number]);
    assert.deepEqual(r.body.checks.map((c) => c.status), requestCheckIds.map((_, i) => (i < failedAt ? 'passed' : i === failedAt ? 'failed' : 'not_reached')), JSON.stringify(r.body.checks.find((c) => c.status === 'failed')));
    const failed = r.body.checks[failedAt];
    assert.equal(failed?.error?.code ?? null, code);
    assert.deepEqual(failed?.error ?? null, r.body.error, 'the failed check carries the whole refusal');
    // What /v1/pay itself answers for the same token.
    const paid = await pay(t, jwt);
    assert.equal(code === null ? paid.status : errorCode(paid), code === null ? 201 : code, JSON.stringify(paid.body));
    if (code !== null) assert.equal(failed?.error?.message, (paid.body as { error?: { message?: string } }).error?.message);
  };

  for (const [name, make, check, code] of cases) {
    it(`${name}: ${check === null ? 'every check passes' : `${check} fails with ${code}`}`, async () => judge(await make(), check, code));
  }

  it('a disabled app fails "app"; a revoked secret "secret"; a replayed jti "jti"; a simulate-only app "access"', async () => {
    const disabled = await createApp(t);
    const fromDisabled = await signRequest(disabled, { request });
    assert.equal((await t.api('PATCH', `/api/apps/${disabled.key}`, { status: 'disabled' })).status, 200);
    await judge(fromDisabled, 'app', 'request_app_disabled');

    const rotated = await createApp(t);
    const withOld = await signRequest(rotated, { request });
    assert.equal((await t.api('POST', `/api/apps/${rotated.key}/secrets`, {})).status, 201);
    assert.equal((await t.api('DELETE', `/api/apps/${rotated.key}/secrets/${rotated.secretId}`)).status, 200);
    await judge(withOld, 'secret', 'request_secret_revoked');

    const once = await sign();
    assert.equal((await pay(t, once)).status, 201);
    await judge(once, 'jti', 'request_jti_replayed');

    const simulateOnly = await createApp(t, { access: 'simulate' });
    await judge(await signRequest(simulateOnly, { request }), 'access', 'request_simulate_required');
  });
});
