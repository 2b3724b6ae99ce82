// The OpenID Connect provider (DESIGN section 8): panva's oidc-provider, a
// certified implementation, mounted on the pay API's own origin. Paydesk adds
// only what the library leaves to its host: where state lives (adapter.ts),
// who the clients are (clients.ts), who the accounts are (buyers), and the
// interaction: the buyer approves in the wallet (authorizations.ts), the
// authorization page only says so and goes on once they did.
//
// Tokens: access tokens are opaque (the library's default), so a token is only
// good while its row exists: revoking a connection deletes them and the next
// use is refused at once, which a self-contained JWT could not promise.
// A `payments` token is bound to the pay API (RFC 8707 audience <issuer>/v1/pay);
// a token without a resource is the userinfo / /v1/profile token.
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Provider, errors, type AccessTokenModel, type KoaContextish } from 'oidc-provider';
import { PaydeskError } from '../../contract/errors.ts';
import { oauthScopes } from '../../contract/api.ts';
import type { Context } from '../context.ts';
import type { Wallet } from '../wallet/wallet.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import type { OidcStore } from './adapter.ts';
import type { OAuthClients } from './clients.ts';
import type { SignIns } from './authorizations.ts';
import type { Connections } from './connections.ts';
import { loadSigningKey } from './signing-keys.ts';
import { authorizationPage, authorizationScript, plainPage } from './pages.ts';

const INTERACTION_TTL_S = 600;

/** The token endpoint's budget per client address: a sign-in spends two or three calls, a brute force many. */
export interface TokenRate {
  readonly perSecond: number;
  readonly burst: number;
}
export const defaultTokenRate: TokenRate = { perSecond: 5, burst: 60 };

export interface IdentityParts {
  readonly ctx: Context;
  readonly wallet: Wallet;
  readonly store: OidcStore;
  readonly clients: OAuthClients;
  readonly signIns: SignIns;
  readonly connections: Connections;
}

/** The standard claims of a buyer; the library keeps those the token's scopes allow. */
const claimsByScope = {
  openid: ['sub'],
  profile: ['name', 'email', 'email_verified', 'picture'],
  'profile:email': ['email', 'email_verified'],
  'profile:display_name': ['name'],
  'profile:avatar': ['picture'],
} as const;

export class Identity {
  private provider?: Provider;
  private callback?: (req: IncomingMessage, res: ServerResponse) => void;
  private issuer = '';
  private readonly tokenRate: RateLimiter;

  constructor(private readonly parts: IdentityParts, tokenRate: TokenRate = defaultTokenRate) {
    this.tokenRate = new RateLimiter(tokenRate, parts.ctx.now);
  }

  /** The resource indicator (and audience) of payments tokens. */
  get payApi(): string {
    return `${this.issuer}/v1/pay`;
  }

  /** Built once the port is known: the issuer is this server's own origin. */
  start(issuer: string): void {
    const { ctx, wallet, store, clients, connections } = this.parts;
    this.issuer = issuer;
    const hmac = (label: string) => createHmac('sha256', ctx.keys.secretsKey).update(label).digest('base64url');
    const payApi = this.payApi;
    const provider = new Provider(issuer, {
      adapter: store.adapterClass((id) => clients.metadata(id)),
      findAccount: (_ctx: unknown, sub: string) => {
        const buyer = wallet.buyerContact(sub);
        if (!buyer) return undefined;
        return { accountId: buyer.id, claims: () => ({ sub: buyer.id, name: buyer.name, email: buyer.email, email_verified: true }) };
      },
      claims: claimsByScope,
      scopes: Object.keys(oauthScopes).filter((s) => s !== 'payments'),
      jwks: { keys: [loadSigningKey(ctx)] },
      cookies: { keys: [hmac('paydesk/oidc-cookies/v1')] },
      pkce: { required: () => true },
      responseTypes: ['code'],
      clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
      routes: {
        authorization: '/oauth/authorize', token: '/oauth/token', userinfo: '/oauth/userinfo', jwks: '/oauth/jwks',
        introspection: '/oauth/introspect', revocation: '/oauth/revoke', device_authorization: '/oauth/device/auth',
        code_verification: '/oauth/device', end_session: '/oauth/session/end',
      },
      ttl: {
        AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 30 * 86400, Grant: 365 * 86400,
        Interaction: INTERACTION_TTL_S, Session: 30 * 86400, DeviceCode: INTERACTION_TTL_S,
      },
      rotateRefreshToken: () => true,
      issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
      // A remembered consent is reused; one the buyer unticked "remember" on is asked for again.
      loadExistingGrant: async (c: KoaContextish) => {
        const approved = c.oidc.result?.consent?.grantId;
        if (approved) return c.oidc.provider.Grant.find(approved);
        const remembered = c.oidc.client ? c.oidc.session?.grantIdFor(c.oidc.client.clientId) : undefined;
        return remembered && connections.remembered(remembered) ? c.oidc.provider.Grant.find(remembered) : undefined;
      },
      // A browser client may call the token endpoint from its redirect URIs' origins only.
      clientBasedCORS: (_c: unknown, origin: string, client: { redirectUris: readonly string[] }) => client.redirectUris.some((u) => URL.parse(u)?.origin === origin),
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: { enabled: false },
        introspection: { enabled: true },
        revocation: { enabled: true },
        userinfo: { enabled: true },
        deviceFlow: {
          enabled: true,
          userCodeInputSource: (c: KoaContextish, form: string) => void (c.body = plainPage('Connect a device', '<p>Type the code your device shows.</p>', form, 'op.deviceInputForm')),
          userCodeConfirmSource: (c: KoaContextish, form: string, _client: unknown, _info: unknown, userCode: string) =>
            void (c.body = plainPage('Connect a device', `<p>Does your device show <strong>${userCode.replace(/[^A-Z0-9-]/gi, '')}</strong>?</p>`, form, 'op.deviceConfirmForm')),
          successSource: (c: KoaContextish) => void (c.body = plainPage('Device connected', '<p>You can close this page and go back to your device.</p>')),
        },
        resourceIndicators: {
          enabled: true,
          // `payments` without a resource still means the pay API: the only resource that has it.
          defaultResource: (c: KoaContextish) => (String(c.oidc.params?.scope ?? '').split(' ').includes('payments') ? payApi : undefined),
          useGrantedResource: () => false,
          getResourceServerInfo: (_c: unknown, indicator: string, client: { clientId: string }) => {
            if (indicator !== payApi) throw new errors.InvalidTarget('the only resource is the pay API, ' + payApi);
            if (!clients.allows(client.clientId, 'payments')) throw new errors.InvalidTarget('this app may not ask for payments (its OAuth settings in Paydesk)');
            return { scope: 'payments', audience: payApi, accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
          },
        },
      },
      interactions: { url: (c: KoaContextish, interaction: { uid: string; params: Record<string, unknown>; session?: { accountId?: string }; deviceCode?: string }) => this.openSignIn(interaction) },
      renderError: (c: KoaContextish, out: Readonly<Record<string, string>>) => {
        c.type = 'html';
        c.body = plainPage('Sign-in failed', `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p><p>Go back to the store and start the sign-in again.</p>`);
      },
    });
    this.provider = provider;
    this.callback = provider.callback();
  }

  private openSignIn(interaction: { uid: string; params: Record<string, unknown>; session?: { accountId?: string }; deviceCode?: string }): string {
    const { ctx, signIns } = this.parts;
    signIns.open({
      interactionUid: interaction.uid,
      flow: interaction.deviceCode ? 'device' : 'code',
      appKey: String(interaction.params.client_id),
      scopes: String(interaction.params.scope ?? '').split(' ').filter(Boolean),
      loginHint: typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : null,
      sessionBuyerId: interaction.session?.accountId ?? null,
      expiresAt: ctx.now() + INTERACTION_TTL_S * 1000,
    });
    return `/oauth/interaction/${interaction.uid}`;
  }

  private get ready(): Provider {
    if (!this.provider) throw new Error('the identity provider starts once the server listens');
    return this.provider;
  }

  // --- the wallet's decisions ---------------------------------------------------

  /** Signs in as the chosen buyer and grants the scopes the app may have; the page (or device) goes on by itself. */
  async approve(id: string, body: { remember: boolean; buyerId?: string | undefined }) {
    const { signIns, clients, connections } = this.parts;
    const claim = signIns.claim(id, body.buyerId);
    const interaction = await this.ready.Interaction.find(claim.uid);
    if (!interaction) throw new PaydeskError('authorization_not_pending');
    const granted = claim.scopes.filter((s) => clients.allows(claim.appKey, s));
    const grant = new this.ready.Grant({ accountId: claim.buyerId, clientId: claim.appKey });
    const oidcScopes = granted.filter((s) => s !== 'payments');
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
    if (granted.includes('payments')) grant.addResourceScope(this.payApi, 'payments');
    const grantId = await grant.save();
    connections.record(grantId, claim.buyerId, claim.appKey, granted, body.remember);
    interaction.result = { login: { accountId: claim.buyerId, remember: body.remember }, consent: { grantId } };
    await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
    return signIns.decide(id, { status: 'approved', buyerId: claim.buyerId, remember: body.remember });
  }

  /** The merchant gets access_denied at the redirect URI the request named (already checked to be registered, exactly). */
  async deny(id: string) {
    const { signIns } = this.parts;
    const interaction = await this.ready.Interaction.find(signIns.pendingInteraction(id));
    if (interaction) {
      interaction.result = { error: 'access_denied', error_description: 'The buyer declined the sign-in in Paydesk.' };
      await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
    }
    return signIns.decide(id, { status: 'denied' });
  }

  // --- tokens, verified in process ------------------------------------------------

  private async activeToken(value: string | undefined): Promise<AccessTokenModel> {
    if (!value) throw new PaydeskError('token_invalid');
    const token = await this.ready.AccessToken.find(value);
    if (!token || token.isExpired) throw new PaydeskError('token_invalid');
    return token;
  }

  /** The buyer a payments token names, checked for the app that signed the payment request. */
  async payingBuyer(authorization: string, appKey: string): Promise<string> {
    const token = await this.activeToken(bearerOf(authorization));
    if (audiences(token).join(' ') !== this.payApi || !scopesOf(token).includes('payments')) throw new PaydeskError('token_audience_invalid');
    if (token.clientId !== appKey) throw new PaydeskError('token_wrong_app');
    if (token.grantId) this.parts.connections.touch(token.grantId);
    return token.accountId;
  }

  /** /v1/profile: the claims a profile token allows (the same token userinfo takes: no resource audience). */
  async profile(authorization: string | undefined) {
    const token = await this.activeToken(bearerOf(authorization));
    if (audiences(token).length > 0) throw new PaydeskError('token_audience_invalid');
    const scopes = scopesOf(token);
    const claims = new Set(scopes.flatMap((s) => (s in claimsByScope ? claimsByScope[s as keyof typeof claimsByScope] : [])));
    if (!claims.has('sub')) throw new PaydeskError('token_audience_invalid');
    const buyer = this.parts.wallet.buyerContact(token.accountId);
    if (!buyer) throw new PaydeskError('token_invalid');
    if (token.grantId) this.parts.connections.touch(token.grantId);
    return {
      sub: buyer.id,
      ...(claims.has('name') ? { name: buyer.name } : {}),
      ...(claims.has('email') ? { email: buyer.email, email_verified: true } : {}),
    };
  }

  /** Firefox Accounts' /v1/verify: who and what an active token is for. */
  async verify(value: string) {
    const token = await this.activeToken(value);
    return { user: token.accountId, client_id: token.clientId, scope: scopesOf(token) };
  }

  // --- HTTP -----------------------------------------------------------------------

  /** The provider's endpoints and the authorization page; true when answered. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path !== '/.well-known/openid-configuration' && !path.startsWith('/oauth/')) return false;
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
    if (path === '/oauth/interaction.js') return sendText(res, 200, 'text/javascript; charset=utf-8', authorizationScript);
    const page = /^\/oauth\/interaction\/([\w-]+)(\/wait)?$/.exec(path);
    if (page && req.method === 'GET') return this.servePage(req, res, page[1]!, page[2] !== undefined);
    if (path === '/oauth/token' && req.method === 'POST') {
      const wait = this.tokenRate.take(req.socket.remoteAddress ?? '');
      if (wait > 0) throw new PaydeskError('rate_limited', { retryAfterSeconds: wait });
    }
    this.callback!(req, res);
    await new Promise<void>((resolve) => (res.writableEnded ? resolve() : res.once('close', resolve)));
    return true;
  }

  private async servePage(req: IncomingMessage, res: ServerResponse, uid: string, wait: boolean): Promise<boolean> {
    const { signIns } = this.parts;
    if (wait) {
      const abort = new AbortController();
      req.once('close', () => abort.abort());
      const status = await signIns.wait(uid, 25_000, abort.signal);
      return sendText(res, status ? 200 : 404, 'application/json; charset=utf-8', JSON.stringify({ status: status ?? 'unknown' }));
    }
    const signIn = signIns.byInteraction(uid);
    if (!signIn) return sendText(res, 404, 'text/html; charset=utf-8', plainPage('No such sign-in', '<p>This sign-in is unknown or over. Go back to the store and start again.</p>'));
    if (signIn.status !== 'pending') {
      const interaction = await this.ready.Interaction.find(uid);
      if (interaction?.result) {
        res.writeHead(303, { location: interaction.returnTo, 'cache-control': 'no-store' });
        res.end();
        return true;
      }
      return sendText(res, 410, 'text/html; charset=utf-8', plainPage('Sign-in over', `<p>This sign-in was ${signIn.status}. Go back to the store and start again.</p>`));
    }
    return sendText(res, 200, 'text/html; charset=utf-8', authorizationPage(signIn, uid), {
      'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    });
  }
}

function bearerOf(authorization: string | undefined): string | undefined {
  const m = /^Bearer ([\x21-\x7e]+)$/.exec(authorization ?? '');
  return m?.[1];
}

function scopesOf(token: AccessTokenModel): string[] {
  return (token.scope ?? '').split(' ').filter(Boolean);
}

function audiences(token: AccessTokenModel): readonly string[] {
  return token.aud === undefined ? [] : typeof token.aud === 'string' ? [token.aud] : token.aud;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendText(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...headers });
  res.end(body);
  return true;
}
