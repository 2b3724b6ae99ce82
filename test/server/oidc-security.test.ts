// Issue 12's security list, one test each, against a running Paydesk with the
// standard client library (openid-client) where a merchant would use one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { startTestServer, createApp, readyBuyer, signRequest, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { Browser, discover, oauthApp, pendingSignIn, redirectURI, signIn, startSignIn } from '../helpers/sign-in.ts';

let t: TestServer;
let app: CreatedApp;
let config: oidc.Configuration;
let buyer: Awaited<ReturnType<typeof readyBuyer>>;
before(async () => {
  t = await startTestServer({ tokenRate: { perSecond: 1, burst: 1000 } });
  app = await createApp(t);
  await oauthApp(t, app.key);
  config = await discover(t, app.key);
  buyer = await readyBuyer(t);
});
after(() => t.close());

const payApi = () => `${t.url}/v1/pay`;

async function payWith(token: string, signer: CreatedApp = app) {
  const res = await fetch(payApi(), {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ jwts: [await signRequest(signer)] }),
  });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string } } };
}

async function verify(token: string) {
  return t.api<{ user?: string; client_id?: string; scope?: string[]; error?: { code: string } }>('POST', '/v1/verify', { token });
}

async function profile(token: string) {
  return t.api<{ sub?: string; email?: string; error?: { code: string } }>('GET', '/v1/profile', undefined, { authorization: `Bearer ${token}` });
}

/** The call is refused; `pattern` matches what the client library says (its message, the OAuth error, the status, the cause). */
async function refused(call: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    const x = e as { message?: string; error?: string; code?: string; status?: number; cause?: unknown };
    const said = [x.message, x.error, x.code, x.status, x.cause instanceof Error ? x.cause.message : JSON.stringify(x.cause ?? '')].join(' ');
    assert.match(said, pattern);
    return true;
  });
}

/** An authorization URL built by hand, for what the client library would never send. */
function authorizeURL(params: Record<string, string>): string {
  const u = new URL('/oauth/authorize', t.url);
  for (const [k, v] of Object.entries({ client_id: app.key, response_type: 'code', scope: 'openid', redirect_uri: redirectURI, state: 's1', ...params })) if (v !== '') u.searchParams.set(k, v);
  return u.href;
}

test('state and nonce: the client library refuses a callback with another state, and an ID token with another nonce', async () => {
  const started = await startSignIn(config);
  await t.client.call('approveAuthorization', { params: { id: (await pendingSignIn(t)).id }, body: {} });
  const callback = (await started.browser.walk(started.page, redirectURI)).url;
  await refused(oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: started.verifier, expectedState: 'another', expectedNonce: started.nonce }), /state/);
  await refused(oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: 'another' }), /nonce/);
});

test('PKCE is required: no code_challenge, or the plain method, comes back as an error at the redirect URI', async () => {
  for (const params of [{}, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }] as Record<string, string>[]) {
    const res = await fetch(authorizeURL(params), { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.origin + location.pathname, redirectURI);
    assert.equal(location.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
  }
});

test('redirect URIs match exactly, and an error about one never redirects there', async () => {
  const challenge = { code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' };
  for (const uri of [`${redirectURI}/x`, `${redirectURI}?a=1`, 'http://127.0.0.1:9/callbacK', 'https://evil.example/callback', 'http://127.0.0.1:9/callback#f']) {
    const res = await fetch(authorizeURL({ ...challenge, redirect_uri: uri }), { redirect: 'manual' });
    assert.equal(res.headers.get('location'), null, `${uri}: no redirect`);
    assert.equal(res.status, 400, uri);
    assert.match(await res.text(), /redirect_uri/);
  }
  const unknown = await fetch(authorizeURL({ ...challenge, client_id: 'app_nobody', redirect_uri: 'https://evil.example/' }), { redirect: 'manual' });
  assert.equal(unknown.headers.get('location'), null, 'an unknown client redirects nowhere');
});

test('a code is single-use: the second exchange fails and revokes what the first got', async () => {
  const started = await startSignIn(config);
  await t.client.call('approveAuthorization', { params: { id: (await pendingSignIn(t)).id }, body: {} });
  const callback = new URL((await started.browser.walk(started.page, redirectURI)).url);
  const first = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
  assert.equal((await verify(first.access_token)).status, 200);
  await refused(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }), /invalid_grant/);
  assert.equal(errorCode(await verify(first.access_token)), 'token_invalid');
});

test('a refresh token rotates, and reusing a spent one revokes the whole family', async () => {
  const { tokens } = await signIn(t, config);
  const next = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  await refused(oidc.refreshTokenGrant(config, tokens.refresh_token!), /invalid_grant/);
  await refused(oidc.refreshTokenGrant(config, next.refresh_token!), /invalid_grant/);
  assert.equal(errorCode(await verify(next.access_token)), 'token_invalid');
});

test('revoking a connection kills its tokens at once: pay, profile, verify and refresh all refuse', async () => {
  const { tokens } = await signIn(t, config);
  const payments = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: payApi() });
  const connections = await t.client.call('listConnections', { query: { buyerId: buyer.id } });
  assert.ok(connections.items.some((c) => c.clientId === app.key && c.lastUsedAt !== null));
  await t.client.call('revokeConnection', { params: { clientId: app.key }, query: { buyerId: buyer.id } });
  assert.equal((await payWith(payments.access_token)).body.error?.code, 'token_invalid');
  assert.equal(errorCode(await profile(tokens.access_token)), 'token_invalid');
  assert.equal(errorCode(await verify(payments.access_token)), 'token_invalid');
  await refused(oidc.refreshTokenGrant(config, payments.refresh_token!), /invalid_grant/);
  assert.equal((await t.client.call('listConnections', { query: { buyerId: buyer.id } })).items.length, 0);
  assert.equal(errorCode(await t.api('DELETE', `/api/wallet/connections/${app.key}?buyerId=${buyer.id}`)), 'connection_not_found');
});

test('a profile token is refused by the pay API, a payments token by the profile endpoint and by userinfo', async () => {
  const { tokens } = await signIn(t, config);
  const payments = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: payApi() });
  assert.equal((await payWith(tokens.access_token)).body.error?.code, 'token_audience_invalid');
  assert.equal(errorCode(await profile(payments.access_token)), 'token_audience_invalid');
  await refused(oidc.fetchUserInfo(config, payments.access_token, oidc.skipSubjectCheck), /403|insufficient_scope/);
  assert.equal((await profile(tokens.access_token)).body.sub, buyer.id);
});

test('another app cannot use a token issued to this one: not to pay, not to refresh', async () => {
  const other = await createApp(t, { name: 'Other Shop' });
  await oauthApp(t, other.key);
  const { tokens } = await signIn(t, config);
  const payments = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: payApi() });
  assert.equal((await payWith(payments.access_token, other)).body.error?.code, 'token_wrong_app');
  const otherConfig = await discover(t, other.key);
  await refused(oidc.refreshTokenGrant(otherConfig, payments.refresh_token!), /invalid_grant/);
});

test('a payments token names the buyer, and only that buyer may confirm the purchase', async () => {
  const { tokens } = await signIn(t, config);
  const payments = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: payApi() });
  const paid = await payWith(payments.access_token);
  assert.equal(paid.status, 201);
  const someoneElse = await readyBuyer(t);
  const wrong = await t.api('POST', `/api/purchases/${paid.body.id}/confirm`, { pin: someoneElse.pin });
  assert.equal(errorCode(wrong), 'wallet_wrong_buyer');
  await t.client.call('signIn', { body: { buyerId: buyer.id } });
  const done = await t.client.call('confirmPurchase', { params: { id: paid.body.id! }, body: { pin: buyer.pin } });
  assert.equal(done.status, 'completed');
  assert.equal(done.buyer?.id, buyer.id);
});

test('the authorization page cannot be framed and runs only its own script', async () => {
  const started = await startSignIn(config);
  const res = await started.browser.get(started.page);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'/);
  await res.body?.cancel();
  await t.client.call('denyAuthorization', { params: { id: (await pendingSignIn(t)).id }, body: {} });
});

test('deny: the merchant gets access_denied at its exact redirect URI', async () => {
  const started = await startSignIn(config);
  const pending = await pendingSignIn(t);
  await t.client.call('denyAuthorization', { params: { id: pending.id }, body: {} });
  const back = new URL((await started.browser.walk(started.page, redirectURI)).url);
  assert.equal(back.origin + back.pathname, redirectURI);
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.equal(back.searchParams.get('state'), started.state);
  assert.equal(errorCode(await t.api('POST', `/api/wallet/authorizations/${pending.id}/approve`, {})), 'authorization_not_pending');
  assert.equal(errorCode(await t.api('POST', '/api/wallet/authorizations/sgn_nothing/approve', {})), 'authorization_not_found');
});

test('remembered consent: the next sign-in in the same browser needs no approval; unticked, it asks again', async () => {
  const browser = new Browser();
  await signIn(t, config, { browser });
  const again = await startSignIn(config, { browser });
  assert.ok(again.arrived.startsWith(redirectURI), 'straight back to the merchant');
  assert.equal((await t.client.call('listAuthorizations', { query: { status: 'pending' } })).items.length, 0);

  const other = new Browser();
  await signIn(t, config, { browser: other, remember: false });
  const asked = await startSignIn(config, { browser: other });
  assert.match(asked.arrived, /\/oauth\/interaction\//);
  await t.client.call('denyAuthorization', { params: { id: (await pendingSignIn(t)).id }, body: {} });
});

test('a token in a URL query is refused on every path, with the code that says where it goes', async () => {
  const { tokens } = await signIn(t, config);
  for (const path of ['/v1/profile', '/v1/pay', '/oauth/userinfo', '/api/apps', '/pay.js']) {
    const r = await t.api('GET', `${path}?access_token=${tokens.access_token}`);
    assert.equal(errorCode(r), 'token_in_query', path);
    assert.equal(r.status, 400);
  }
});

test('introspection needs client authentication; /v1/verify answers who and what for an active token only', async () => {
  const shop = await createApp(t, { name: 'Server Shop' });
  const { secret } = await t.client.call('setOAuthClient', { params: { key: shop.key }, body: { type: 'confidential', redirectURIs: [redirectURI], allowedScopes: ['openid', 'profile', 'payments'] } });
  assert.ok(secret);
  const shopConfig = await discover(t, shop.key, secret);
  const { tokens } = await signIn(t, shopConfig);
  const anonymous = await fetch(`${t.url}/oauth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${tokens.access_token}` });
  assert.equal(anonymous.status, 400);
  assert.equal(((await anonymous.json()) as { error: string }).error, 'invalid_request', 'no client, no answer about the token');
  const info = await oidc.tokenIntrospection(shopConfig, tokens.access_token);
  assert.equal(info.active, true);
  assert.equal(info.sub, buyer.id);
  const v = await verify(tokens.access_token);
  assert.deepEqual(v.body, { user: buyer.id, client_id: shop.key, scope: ['openid', 'profile'] });
  assert.equal(errorCode(await verify('not-a-token')), 'token_invalid');
  assert.equal(errorCode(await t.api('POST', `/api/apps/${app.key}/oauth/secret/reveal`, {})), 'oauth_client_public');
});

test('client secrets and tokens are never in the logs nor in clear in ledger.db (or its WAL)', async () => {
  const shop = await createApp(t, { name: 'Sealed Shop' });
  const { secret } = await t.client.call('setOAuthClient', { params: { key: shop.key }, body: { type: 'confidential', redirectURIs: [redirectURI], allowedScopes: ['openid', 'profile', 'payments'] } });
  const rotated = await t.client.call('rotateOAuthSecret', { params: { key: shop.key }, body: {} });
  assert.equal((await t.client.call('revealOAuthSecret', { params: { key: shop.key }, body: {} })).secret, rotated.secret);
  const shopConfig = await discover(t, shop.key, rotated.secret);
  const { tokens } = await signIn(t, shopConfig);
  const payments = await oidc.refreshTokenGrant(shopConfig, tokens.refresh_token!, { resource: payApi() });
  const secrets = [secret!, rotated.secret, tokens.access_token, tokens.refresh_token!, payments.access_token, payments.refresh_token!];
  const files = readdirSync(t.dataDir).filter((f) => f.startsWith('ledger.db')).map((f) => readFileSync(join(t.dataDir, f)).toString('latin1'));
  assert.ok(files.length >= 1);
  for (const s of secrets) {
    assert.ok(!files.some((f) => f.includes(s)), 'not in ledger.db');
    assert.ok(!t.logs.some((l) => l.includes(s)), 'not in the log');
  }
});

test('the token endpoint is rate-limited per client address', async () => {
  const limited = await startTestServer({ tokenRate: { perSecond: 1, burst: 3 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${limited.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'rate_limited');
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      } else await res.body?.cancel();
    }
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    limited.clock.advance(1000);
    const after = await fetch(`${limited.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' });
    assert.equal(after.status, 400, 'a second later one more passes');
    await after.body?.cancel();
  } finally {
    await limited.close();
  }
});

test('device flow: the device gets a user code, the buyer types it, approves in the wallet, the device gets its tokens', async () => {
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' });
  const browser = new Browser();
  const form = await browser.get(device.verification_uri);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const confirm = await browser.get(device.verification_uri, { xsrf, user_code: device.user_code });
  const xsrf2 = /name="xsrf" value="([^"]+)"/.exec(await confirm.text())![1]!;
  const submitted = await browser.get(device.verification_uri, { xsrf: xsrf2, user_code: device.user_code, confirm: 'yes' });
  const page = (await browser.walk(new URL(submitted.headers.get('location')!, t.url).href, redirectURI)).url;
  const pending = await pendingSignIn(t);
  assert.equal(pending.flow, 'device');
  await t.client.call('approveAuthorization', { params: { id: pending.id }, body: {} });
  const done = await browser.walk(page, redirectURI);
  assert.match(await done.res!.text(), /Device connected/);
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: app.key }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal((await verify(body.access_token!)).body.user, buyer.id);
});
