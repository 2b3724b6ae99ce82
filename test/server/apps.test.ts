import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, createApp, signRequest, pay, errorCode, type TestServer } from '../helpers/paydesk.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

interface AppBody { key: string; status: string; name: string; access: string; secrets: { id: string; state: string; expiresAt: string | null }[] }

test('registering an app returns the key and secret once; reads never show secret values', async () => {
  const app = await createApp(t);
  assert.match(app.key, /^app_[a-z0-9]{16}$/);
  assert.equal(Buffer.from(app.secret, 'base64url').length, 32, 'an HS256 secret of 32 random bytes');
  assert.match(app.webhookSecret, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(app.webhookSecret.slice(6), 'base64').length, 32);
  const got = await t.api<AppBody>('GET', `/api/apps/${app.key}`);
  assert.equal(got.status, 200);
  assert.ok(!JSON.stringify(got.body).includes(app.secret));
  const list = await t.api<{ items: AppBody[] }>('GET', '/api/apps');
  assert.ok(list.body.items.some((a) => a.key === app.key));
  assert.ok(!JSON.stringify(list.body).includes(app.secret));
  const revealed = await t.api<{ secret: string }>('POST', `/api/apps/${app.key}/secrets/${app.secretId}/reveal`, {});
  assert.equal(revealed.body.secret, app.secret);
  const wh = await t.api<{ webhookSecret: string }>('POST', `/api/apps/${app.key}/webhook-secret/reveal`, {});
  assert.equal(wh.body.webhookSecret, app.webhookSecret);
});

test('secrets are sealed at rest: no database or WAL file holds them in clear, even a replayable reply', async () => {
  const r = await t.api<{ app: { key: string }; secret: { secret: string }; webhookSecret: string }>('POST', '/api/apps', {
    name: 'Idempotent shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c',
  }, { 'idempotency-key': 'register-shop-1' });
  const app = { secret: r.body.secret.secret, webhookSecret: r.body.webhookSecret };
  const replay = await t.api<{ secret: { secret: string } }>('POST', '/api/apps', {
    name: 'Idempotent shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c',
  }, { 'idempotency-key': 'register-shop-1' });
  assert.equal(replay.body.secret.secret, app.secret, 'the sealed reply still replays');
  t.server.services.ctx.db.pragma('wal_checkpoint(PASSIVE)');
  for (const f of readdirSync(t.dataDir)) {
    if (f === 'master.key' || f === 'admin-token') continue;
    const bytes = readFileSync(join(t.dataDir, f)).toString('latin1');
    assert.ok(!bytes.includes(app.secret), `${f} holds the app secret`);
    assert.ok(!bytes.includes(app.webhookSecret.slice(6)), `${f} holds the webhook secret`);
  }
});

test('registration input is validated field by field', async () => {
  const r = await t.api('POST', '/api/apps', { name: '', homepage: 'ftp://x', contactEmail: 'nope', postbackURL: 'javascript:alert(1)', chargebackURL: 'http://127.0.0.1/cb', access: 'root' });
  assert.equal(r.status, 400);
  assert.equal(errorCode(r), 'validation_failed');
  const paths = (r.body as unknown as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path).sort();
  assert.deepEqual(paths, ['body.access', 'body.contactEmail', 'body.homepage', 'body.name', 'body.postbackURL']);
  const extra = await t.api('POST', '/api/apps', { name: 'x', homepage: 'http://a.example', contactEmail: 'a@b.co', postbackURL: 'http://a.example/p', chargebackURL: 'http://a.example/c', isAdmin: true });
  assert.equal(errorCode(extra), 'validation_failed', 'unknown fields are refused, not ignored');
  assert.equal(errorCode(await t.api('GET', '/api/apps/app_nosuchapp00000')), 'app_not_found');
});

test('edit and disable: a disabled app cannot sell, enabling it again can', async () => {
  const app = await createApp(t);
  const edited = await t.api<AppBody>('PATCH', `/api/apps/${app.key}`, { name: 'Sparkle Ponies Ltd', status: 'disabled' });
  assert.equal(edited.body.name, 'Sparkle Ponies Ltd');
  assert.equal(edited.body.status, 'disabled');
  assert.equal(errorCode(await pay(t, await signRequest(app))), 'request_app_disabled');
  await t.api('PATCH', `/api/apps/${app.key}`, { status: 'active' });
  assert.equal((await pay(t, await signRequest(app))).status, 201);
});

test('rotation: the old secret works during the grace period, then is refused as expired', async () => {
  const app = await createApp(t);
  const rotated = await t.api<{ secret: { id: string; secret: string }; app: AppBody }>('POST', `/api/apps/${app.key}/secrets`, { graceSeconds: 3600 });
  assert.equal(rotated.status, 201);
  const fresh = { key: app.key, secret: rotated.body.secret.secret };
  const old = rotated.body.app.secrets.find((s) => s.id === app.secretId)!;
  assert.equal(old.state, 'active');
  assert.ok(old.expiresAt);
  assert.equal((await pay(t, await signRequest(app, { now: t.clock.now }))).status, 201, 'old secret inside grace');
  assert.equal((await pay(t, await signRequest(fresh, { now: t.clock.now }))).status, 201, 'new secret');
  t.clock.advance(3601 * 1000);
  const late = await pay(t, await signRequest(app, { now: t.clock.now }));
  assert.equal(errorCode(late), 'request_secret_expired');
  assert.equal((await pay(t, await signRequest(fresh, { now: t.clock.now }))).status, 201);
  const after = await t.api<AppBody>('GET', `/api/apps/${app.key}`);
  assert.equal(after.body.secrets.find((s) => s.id === app.secretId)!.state, 'expired');
});

test('rotation defaults to a 24 hour grace period', async () => {
  const app = await createApp(t);
  const r = await t.api<{ app: AppBody }>('POST', `/api/apps/${app.key}/secrets`, {});
  const old = r.body.app.secrets.find((s) => s.id === app.secretId)!;
  assert.equal(Date.parse(old.expiresAt!) - t.clock.now, 24 * 3600 * 1000);
});

test('revoke ends a secret at once; the last active secret cannot be revoked', async () => {
  const app = await createApp(t);
  assert.equal(errorCode(await t.api('DELETE', `/api/apps/${app.key}/secrets/${app.secretId}`)), 'secret_last_active');
  const rotated = await t.api<{ secret: { id: string } }>('POST', `/api/apps/${app.key}/secrets`, { graceSeconds: 86400 });
  const revoked = await t.api<AppBody>('DELETE', `/api/apps/${app.key}/secrets/${app.secretId}`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.secrets.find((s) => s.id === app.secretId)!.state, 'revoked');
  assert.equal(errorCode(await pay(t, await signRequest(app, { now: t.clock.now }))), 'request_secret_revoked');
  assert.equal(errorCode(await t.api('DELETE', `/api/apps/${app.key}/secrets/${app.secretId}`)), 'secret_already_revoked');
  assert.equal(errorCode(await t.api('DELETE', `/api/apps/${app.key}/secrets/sec_nope`)), 'secret_not_found');
  assert.equal(errorCode(await t.api('POST', `/api/apps/${app.key}/secrets/sec_nope/reveal`, {})), 'secret_not_found');
  assert.ok(rotated.body.secret.id);
});

test('a simulate-only app sells only simulated purchases', async () => {
  const app = await createApp(t, { access: 'simulate' });
  assert.equal(errorCode(await pay(t, await signRequest(app, { now: t.clock.now }))), 'request_simulate_required');
  const sim = await pay(t, await signRequest(app, { now: t.clock.now, request: { id: 'p', name: 'Pony', description: 'd', pricePoint: 1, simulate: { result: 'postback' } } }));
  assert.equal(sim.status, 201);
});
