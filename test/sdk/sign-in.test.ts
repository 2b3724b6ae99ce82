// The SDK's sign-in helpers (sdk/sign-in.ts, on oauth4webapi) against a real
// Paydesk: start (PKCE S256, state, nonce, login_hint), the wallet's approval
// through the console API, finish (state and nonce checked), the profile, a
// payments token from the rotating refresh token, and pay with it: the
// purchase is the signed-in buyer's and still waits for the confirmation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PaydeskApiError, PaydeskSignIn } from '../../sdk/index.ts';
import { createApp, readyBuyer, signRequest, startTestServer, type CreatedApp, type TestServer } from '../helpers/paydesk.ts';
import { Browser, oauthApp, pendingSignIn } from '../helpers/sign-in.ts';

const redirectURI = 'http://127.0.0.1:9/callback';

describe('sdk sign-in helpers', () => {
  let t: TestServer;
  let app: CreatedApp;
  let buyer: { id: string };
  let paydesk: PaydeskSignIn;

  before(async () => {
    t = await startTestServer();
    app = await createApp(t);
    await oauthApp(t, app.key, { redirectURI });
    buyer = await readyBuyer(t, { email: 'robin@example.com' });
    await t.client.call('signOut', {});
    paydesk = await PaydeskSignIn.discover({ issuer: t.url, clientId: app.key, redirectURI, allowHttp: true });
  });
  after(() => t?.close());

  /** The browser's part: to the authorization page, the wallet approves (or denies), and back to the redirect URI. */
  async function throughPaydesk(url: URL, decide: 'approve' | 'deny' = 'approve'): Promise<string> {
    const browser = new Browser();
    const page = await browser.walk(url.href, redirectURI);
    await page.res?.body?.cancel();
    const pending = await pendingSignIn(t);
    if (decide === 'approve') await t.client.call('approveAuthorization', { params: { id: pending.id }, body: { buyerId: buyer.id } });
    else await t.client.call('denyAuthorization', { params: { id: pending.id }, body: {} });
    return (await browser.walk(page.url, redirectURI)).url;
  }

  it('start asks for PKCE S256, state and nonce, and passes login_hint', async () => {
    const { url, pending } = await paydesk.start({ loginHint: 'robin@example.com' });
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok((url.searchParams.get('code_challenge') ?? '').length >= 43);
    assert.equal(url.searchParams.get('state'), pending.state);
    assert.equal(url.searchParams.get('nonce'), pending.nonce);
    assert.equal(url.searchParams.get('login_hint'), 'robin@example.com');
    assert.equal(url.searchParams.get('scope'), 'openid profile payments');
    assert.ok(!url.href.includes(pending.codeVerifier), 'the verifier never travels in the URL');
  });

  it('signs in, reads the profile, and pays as the buyer with a payments token', async () => {
    const { url, pending } = await paydesk.start({ loginHint: 'robin@example.com' });
    const session = await paydesk.finish(await throughPaydesk(url), pending);
    assert.equal(session.buyer, buyer.id);
    assert.ok(session.refreshToken);
    const me = await paydesk.profile(session);
    assert.equal(me.email, 'robin@example.com');

    const payments = await paydesk.paymentsToken(session.refreshToken);
    assert.notEqual(payments.refreshToken, session.refreshToken, 'the refresh token rotates');
    const started = await paydesk.pay(payments.accessToken, [await signRequest(app)]);
    assert.equal(started.status, 'pending');
    const purchase = await t.client.call('getPurchase', { params: { id: started.id } });
    assert.equal(purchase.buyer?.id, buyer.id);
    assert.equal(purchase.signedIn, true);
    assert.equal(purchase.status, 'pending', 'the token names the buyer; the confirmation is still theirs to give');
  });

  it('refuses a callback whose state is not the one it started with', async () => {
    const first = await paydesk.start();
    const back = await throughPaydesk(first.url);
    const other = await paydesk.start();
    await assert.rejects(paydesk.finish(back, { ...first.pending, state: other.pending.state }), /state/i);
  });

  it('refuses an ID token whose nonce is not the one it started with', async () => {
    const { url, pending } = await paydesk.start();
    await assert.rejects(paydesk.finish(await throughPaydesk(url), { ...pending, nonce: 'another-nonce-of-this-session' }), /nonce/i);
  });

  it('a denied sign-in comes back as access_denied', async () => {
    const { url, pending } = await paydesk.start();
    const back = await throughPaydesk(url, 'deny');
    assert.equal(new URL(back).searchParams.get('error'), 'access_denied');
    await assert.rejects(paydesk.finish(back, pending), /access_denied|authorization response/i);
  });

  it('pay with a profile token is refused with the code that says why', async () => {
    const { url, pending } = await paydesk.start();
    const session = await paydesk.finish(await throughPaydesk(url), pending);
    await assert.rejects(paydesk.pay(session.accessToken, [await signRequest(app)]), (e: unknown) => {
      assert.ok(e instanceof PaydeskApiError);
      assert.match(e.code, /^token_/);
      return true;
    });
  });
});
