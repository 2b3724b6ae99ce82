// POST /api/requests/verify: the Request lab's dry run of /v1/pay's verification.
// The real verifier, the same context, and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, pay, count, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer();
  app = await createApp(t);
});
after(() => t.close());

interface DryRun {
  accepted: boolean;
  error: ({ code: string; message: string } & Record<string, unknown>) | null;
  app: { key: string; name: string } | null;
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  price: { amount: number; currency: string; display: string } | null;
  replayed: boolean;
}

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
