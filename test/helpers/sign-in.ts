// A browser's part of an OAuth sign-in, for tests: follows redirects by hand
// with a cookie jar (the provider keeps the interaction in cookies), and stops
// at the merchant's redirect URI, whose address the merchant's library reads.
// The approval itself goes through the console API, as the wallet does it.
import * as oidc from 'openid-client';
import type { TestServer } from './paydesk.ts';

export class Browser {
  private readonly jar = new Map<string, string>();

  /** GET (or a form POST) with this browser's cookies; redirects are not followed (see walk). */
  async get(url: string, form?: Readonly<Record<string, string>>): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin } : {}) },
      ...(form ? { method: 'POST', body: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until an answer that is not one, or an address starting with `stopAt`: that address. */
  async walk(start: string, stopAt: string): Promise<{ url: string; res?: Response }> {
    let url = start;
    for (let hops = 0; hops < 10; hops++) {
      if (url.startsWith(stopAt)) return { url };
      const res = await this.get(url);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { url, res };
      await res.body?.cancel();
      url = new URL(location, url).href;
    }
    throw new Error(`more than 10 redirects from ${start}`);
  }
}

/** The pending sign-in the wallet lists now (exactly one expected). */
export async function pendingSignIn(t: TestServer) {
  const list = await t.client.call('listAuthorizations', { query: { status: 'pending' } });
  if (list.items.length !== 1) throw new Error(`expected one pending sign-in, found ${list.items.length}`);
  return list.items[0]!;
}

/** An app set up as an OAuth client with one redirect URI. */
export async function oauthApp(t: TestServer, key: string, opts: { type?: 'public' | 'confidential'; redirectURI?: string } = {}) {
  return t.client.call('setOAuthClient', {
    params: { key },
    body: { type: opts.type ?? 'public', redirectURIs: [opts.redirectURI ?? 'http://127.0.0.1:9/callback'], allowedScopes: ['openid', 'profile', 'payments'] },
  });
}

export const redirectURI = 'http://127.0.0.1:9/callback';

/** openid-client configured from the discovery document only (plain http: a test server on loopback). */
export function discover(t: TestServer, clientId: string, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(t.url), clientId, secret, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

export interface Started {
  readonly browser: Browser;
  readonly page: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The buyer's browser goes from the merchant's Buy button to the authorization page. */
export async function startSignIn(config: oidc.Configuration, opts: { scope?: string; loginHint?: string; browser?: Browser } = {}): Promise<Started & { arrived: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI, scope: opts.scope ?? 'openid profile payments', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
  });
  const browser = opts.browser ?? new Browser();
  const { url: arrived, res } = await browser.walk(url.href, redirectURI);
  await res?.body?.cancel();
  return { browser, page: arrived, arrived, verifier, state, nonce };
}

/** A whole sign-in: page, approval in the wallet (console API), back at the redirect URI, code exchanged. */
export async function signIn(t: TestServer, config: oidc.Configuration, opts: { scope?: string; loginHint?: string; buyerId?: string; remember?: boolean; browser?: Browser } = {}) {
  const started = await startSignIn(config, opts);
  let callback = started.arrived;
  if (!callback.startsWith(redirectURI)) {
    const pending = await pendingSignIn(t);
    await t.client.call('approveAuthorization', { params: { id: pending.id }, body: { ...(opts.buyerId ? { buyerId: opts.buyerId } : {}), ...(opts.remember === false ? { remember: false } : {}) } });
    callback = (await started.browser.walk(started.page, redirectURI)).url;
  }
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
  return { ...started, callback, tokens };
}
