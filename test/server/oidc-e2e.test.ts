// Done-when of issue 12: a standard OpenID Connect client library (openid-client 6),
// configured only from the discovery document, signs a buyer in against a running
// Paydesk (the approval made through the console API, as the wallet does), reads
// userinfo, refreshes, and pays with a payments token; the purchase is that buyer's
// and still waits for the confirmation.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startTestServer, createApp, readyBuyer, signRequest, type TestServer } from '../helpers/paydesk.ts';
import { Browser, discover, oauthApp, pendingSignIn, signIn } from '../helpers/sign-in.ts';

const redirectURI = 'http://127.0.0.1:9/callback';
let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

test('openid-client signs in from discovery alone, reads userinfo, refreshes, and pays with the payments token', async () => {
  const app = await createApp(t);
  await oauthApp(t, app.key, { redirectURI });
  const buyer = await readyBuyer(t, { email: 'robin@example.com' });
  await t.client.call('signOut', {});

  const config = await oidc.discovery(new URL(t.url), app.key, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI, scope: 'openid profile payments', state, nonce, login_hint: 'robin@example.com',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  const browser = new Browser();
  const page = await browser.walk(url.href, redirectURI);
  const html = await page.res!.text();
  assert.match(page.url, /\/oauth\/interaction\/[\w-]+$/, html);
  const pending = await pendingSignIn(t);
  assert.ok(html.includes(pending.code), 'the page shows the code the wallet shows');
  assert.equal(pending.buyer?.id, buyer.id, 'login_hint preselects the buyer');
  assert.deepEqual(pending.scopes.map((s) => s.scope), ['openid', 'profile', 'payments']);
  assert.equal(page.res!.headers.get('x-frame-options'), 'DENY');

  await t.client.call('approveAuthorization', { params: { id: pending.id }, body: {} });
  const back = await browser.walk(page.url, redirectURI);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  assert.equal(tokens.claims()?.sub, buyer.id);

  const info = await oidc.fetchUserInfo(config, tokens.access_token, buyer.id);
  assert.equal(info.email, 'robin@example.com');
  assert.equal(info.name, 'Test Buyer');

  const payApi = `${t.url}/v1/pay`;
  assert.ok(tokens.refresh_token);
  const payments = await oidc.refreshTokenGrant(config, tokens.refresh_token, { resource: payApi });
  assert.notEqual(payments.refresh_token, tokens.refresh_token, 'the refresh token rotates');

  const jwt = await signRequest(app);
  const res = await fetch(payApi, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${payments.access_token}` }, body: JSON.stringify({ jwts: [jwt] }),
  });
  assert.equal(res.status, 201);
  const purchase = await t.client.call('getPurchase', { params: { id: ((await res.json()) as { id: string }).id } });
  assert.equal(purchase.status, 'pending', 'the token says who buys, never that they agreed');
  assert.equal(purchase.buyer?.id, buyer.id);
  assert.equal(purchase.signedIn, true);
});

test('sign-in state survives a restart on the same data folder: the token stays valid, the refresh token works, the ID token key is the same', async () => {
  const app = await createApp(t, { name: 'Restart Shop' });
  await oauthApp(t, app.key, { redirectURI });
  const buyer = await readyBuyer(t);
  const config = await discover(t, app.key);
  const { tokens } = await signIn(t, config);
  const jwksBefore = await (await fetch(`${t.url}/oauth/jwks`)).json();
  const { dataDir, server: { port } } = t;
  await t.close();
  t = await startTestServer({ dataDir, port });
  // Same port (the issuer is the origin), so this process's pooled keep-alive sockets to
  // 127.0.0.1:<port> are the closed server's: talk to localhost:<port> (its own pool) instead.
  const fresh = `http://localhost:${port}`;
  assert.deepEqual(await (await fetch(`${fresh}/oauth/jwks`)).json(), jwksBefore);
  const verified = await fetch(`${fresh}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokens.access_token }) });
  assert.equal(((await verified.json()) as { user: string }).user, buyer.id);
  const refreshed = await fetch(`${fresh}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: app.key }).toString(),
  });
  assert.equal(refreshed.status, 200, await refreshed.clone().text());
  assert.ok(((await refreshed.json()) as { access_token?: string }).access_token);
});
