// "Sign in with Paydesk" for a merchant's server (docs/identity.md), built on
// oauth4webapi, a certified OAuth 2.0 / OpenID Connect client: this file only
// chooses Paydesk's settings (authorization code + PKCE S256, state and nonce
// always, the pay API as the resource of payments tokens) and never parses a
// protocol message itself. Everything it needs comes from the discovery document.
//
// The flow, on the merchant's server:
//   const paydesk = await PaydeskSignIn.discover({ issuer, clientId, redirectURI });
//   const { url, pending } = await paydesk.start({ loginHint });   // keep `pending` in the buyer's server-side session
//   ... redirect the browser to url; the buyer approves in the Paydesk wallet ...
//   const session = await paydesk.finish(callbackURL, pending);    // state, PKCE and nonce checked
//   const me = await paydesk.profile(session);                     // userinfo
//   const { accessToken } = await paydesk.paymentsToken(session.refreshToken); // audience: the pay API
//   const purchase = await paydesk.pay(accessToken, [jwt]);         // POST /v1/pay with Bearer; the buyer still confirms
// Tokens stay on the merchant's server: never put one in a URL or a page.
import * as oauth from 'oauth4webapi';

export interface SignInOptions {
  /** Paydesk's origin, e.g. http://127.0.0.1:7402 (the issuer of its discovery document). */
  readonly issuer: string | URL;
  /** The app key: an app's client_id is its key. */
  readonly clientId: string;
  /** A confidential client's secret (client_secret_basic); absent for a public client (PKCE only). */
  readonly clientSecret?: string;
  /** One of the app's redirect URIs, exactly as registered. */
  readonly redirectURI: string;
  /**
   * Allow http:// issuers. Paydesk runs on the loopback interface on a laptop;
   * a production identity provider is https only, so leave this off there.
   */
  readonly allowHttp?: boolean;
}

/** What `start` made and `finish` checks: keep it in the buyer's server-side session, never in the page. */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** A signed-in buyer, as the merchant's server holds it. */
export interface SignInSession {
  /** The buyer's Paydesk id for this merchant (the ID token's `sub`). */
  readonly buyer: string;
  /** For the userinfo / profile endpoint. */
  readonly accessToken: string;
  /** Kept to get payments tokens and new access tokens; rotated on each use (the last one returned is the live one). */
  readonly refreshToken: string | null;
  readonly scope: readonly string[];
  /** The validated ID token claims. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface SignInProfile {
  readonly sub: string;
  readonly name?: string;
  readonly email?: string;
  readonly picture?: string;
}

/** The purchase /v1/pay created: the page follows it with pay.js (`Paydesk.buy(Promise.resolve({purchase}))`). */
export interface StartedPurchase {
  readonly id: string;
  readonly code: string;
  readonly status: string;
  readonly [field: string]: unknown;
}

/** A refusal from Paydesk's API, with its stable code (docs/errors.md). */
export class PaydeskApiError extends Error {
  override readonly name = 'PaydeskApiError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const scopeList = (s: string | undefined) => (s ? s.split(' ').filter(Boolean) : []);

export class PaydeskSignIn {
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly http: { readonly [oauth.allowInsecureRequests]: boolean };

  private constructor(private readonly as: oauth.AuthorizationServer, private readonly opts: SignInOptions) {
    this.client = { client_id: opts.clientId };
    this.auth = opts.clientSecret ? oauth.ClientSecretBasic(opts.clientSecret) : oauth.None();
    this.http = { [oauth.allowInsecureRequests]: opts.allowHttp === true };
  }

  /** Reads Paydesk's discovery document (/.well-known/openid-configuration). */
  static async discover(opts: SignInOptions): Promise<PaydeskSignIn> {
    const issuer = new URL(opts.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, {
      algorithm: 'oidc', [oauth.allowInsecureRequests]: opts.allowHttp === true,
    }));
    return new PaydeskSignIn(as, opts);
  }

  /** Where POST /v1/pay lives: the resource (RFC 8707) of payments tokens. */
  get payApi(): string {
    return new URL('/v1/pay', this.as.issuer).href;
  }

  /**
   * The authorization URL to send the browser to, and what to keep for `finish`.
   * `loginHint` (an email or Paydesk buyer id) preselects the buyer in the wallet.
   */
  async start(opts: { readonly scope?: string; readonly loginHint?: string } = {}): Promise<{ readonly url: URL; readonly pending: PendingSignIn }> {
    if (this.as.authorization_endpoint === undefined) throw new Error('The discovery document names no authorization_endpoint.');
    const pending = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier: oauth.generateRandomCodeVerifier() };
    const url = new URL(this.as.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.opts.clientId,
      redirect_uri: this.opts.redirectURI,
      response_type: 'code',
      scope: opts.scope ?? 'openid profile payments',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
    }).toString();
    return { url, pending };
  }

  /**
   * The browser came back to the redirect URI: checks state (and the error the
   * buyer's Deny sends, as an oauth4webapi error), redeems the code with the PKCE
   * verifier and checks the ID token's nonce. Use `pending` once: delete it from the session.
   */
  async finish(callback: string | URL, pending: PendingSignIn): Promise<SignInSession> {
    const params = oauth.validateAuthResponse(this.as, this.client, new URL(callback), pending.state);
    const res = await oauth.authorizationCodeGrantRequest(this.as, this.client, this.auth, params, this.opts.redirectURI, pending.codeVerifier, this.http);
    const tokens = await oauth.processAuthorizationCodeResponse(this.as, this.client, res, { expectedNonce: pending.nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    return { buyer: claims.sub, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null, scope: scopeList(tokens.scope), claims };
  }

  /** The buyer's profile (OpenID Connect userinfo), with the claims the granted scopes allow. */
  async profile(session: Pick<SignInSession, 'accessToken' | 'buyer'>): Promise<SignInProfile> {
    if (this.as.userinfo_endpoint === undefined) throw new Error('The discovery document names no userinfo_endpoint.');
    const res = await oauth.userInfoRequest(this.as, this.client, session.accessToken, this.http);
    const info = await oauth.processUserInfoResponse(this.as, this.client, session.buyer, res);
    return {
      sub: info.sub,
      ...(typeof info.name === 'string' ? { name: info.name } : {}),
      ...(typeof info.email === 'string' ? { email: info.email } : {}),
      ...(typeof info.picture === 'string' ? { picture: info.picture } : {}),
    };
  }

  /**
   * A payments token (audience: the pay API) from the refresh token. The refresh
   * token rotates: the answer's `refreshToken` replaces the one you kept.
   */
  async paymentsToken(refreshToken: string): Promise<{ readonly accessToken: string; readonly refreshToken: string; readonly expiresIn: number | null }> {
    const res = await oauth.refreshTokenGrantRequest(this.as, this.client, this.auth, refreshToken, { ...this.http, additionalParameters: { resource: this.payApi } });
    const tokens = await oauth.processRefreshTokenResponse(this.as, this.client, res);
    if (!scopeList(tokens.scope).includes('payments') && tokens.scope !== undefined) throw new PaydeskApiError(403, 'token_scope_insufficient', 'The buyer did not grant `payments`: sign in again with scope "openid profile payments".');
    return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? refreshToken, expiresIn: tokens.expires_in ?? null };
  }

  /**
   * Starts a purchase as the signed-in buyer: POST /v1/pay with the payment
   * request JWT(s) your server signed and `Authorization: Bearer <payments token>`.
   * The buyer still confirms it in the wallet; the page follows it with pay.js.
   * `idempotencyKey`: the same key replays the same purchase after a lost answer.
   */
  async pay(paymentsToken: string, jwts: readonly string[], idempotencyKey: string = crypto.randomUUID()): Promise<StartedPurchase> {
    const res = await fetch(this.payApi, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${paymentsToken}`, 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ jwts }),
    });
    const body = await res.json().catch(() => ({})) as { id?: unknown; error?: { code?: string; message?: string } };
    if (res.status !== 201 && res.status !== 200) {
      throw new PaydeskApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `POST /v1/pay answered HTTP ${res.status}`);
    }
    return body as StartedPurchase;
  }
}
