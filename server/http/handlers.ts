// One handler per route of the contract: parse is done, call a service, shape
// the reply. The type makes a missing or mistyped handler a compile error.
import { PaydeskError, errorCatalogue, errorCodes } from '../../contract/errors.ts';
import { currencies, formatAmount } from '../../contract/money.ts';
import { priceTiers } from '../money/price-tiers.ts';
import { testCards } from '../vault/cards.ts';
import { publicView } from '../purchases/purchases.ts';
import { iso, type RequestKey } from '../context.ts';
import { peekRequest, refusalOf, traceRequestChecks } from '../requests/verify.ts';
import type { RouteInput, RouteName, RouteOutput } from '../../contract/api.ts';
import type { Services } from '../services.ts';
import { sessionCookie, type ConsoleLogin } from './console-login.ts';
import type { TestClockState } from '../clock/test-clock.ts';

/** What the HTTP layer knows of a request besides its contract input. */
export interface RequestMeta {
  /** Adds a header to the answer; call it only once the route has succeeded (it would go out with an error too). */
  readonly setHeader: (name: string, value: string) => void;
  /** The request's Idempotency-Key, when the caller sent one: services write it with their change. */
  readonly idempotency?: RequestKey;
  /** A public route's Authorization header, as sent (a payments or profile token). */
  readonly authorization?: string | undefined;
}

export type Handlers = { [N in RouteName]: (input: RouteInput<N> & RequestMeta) => RouteOutput<N> | Promise<RouteOutput<N>> };

function clockView(state: TestClockState): { enabled: true; now: string; offsetMs: number } {
  return { enabled: true, now: iso(state.now)!, offsetMs: state.offsetMs };
}

export function makeHandlers(s: Services, login: ConsoleLogin): Handlers {
  return {
    createLoginCode: () => {
      const { code, url, expiresAt } = login.mintCode();
      return { code, url, expiresAt: iso(expiresAt)! };
    },
    startConsoleSession: ({ body, setHeader }) => {
      setHeader('set-cookie', sessionCookie(login.exchange(body.code)));
      return { ok: true };
    },
    getConsoleSession: () => ({ ok: true }),

    listApps: () => ({ items: s.apps.list() }),
    createApp: ({ body }) => s.apps.create(body),
    getApp: ({ params }) => s.apps.get(params.key),
    updateApp: ({ params, body }) => s.apps.update(params.key, body),
    rotateSecret: ({ params, body }) => s.apps.rotate(params.key, body.graceSeconds),
    revokeSecret: ({ params }) => s.apps.revoke(params.key, params.secretId),
    revealSecret: ({ params }) => s.apps.reveal(params.key, params.secretId),
    revealWebhookSecret: ({ params }) => ({ webhookSecret: s.apps.webhookSecret(params.key) }),

    listBuyers: () => ({ items: s.wallet.listBuyers() }),
    createBuyer: ({ body }) => s.wallet.createBuyer(body),
    getBuyer: ({ params }) => s.wallet.getBuyer(params.id),
    updateBuyer: ({ params, body }) => s.wallet.setUnlockWindow(params.id, body.unlockWindowSeconds),
    setPin: ({ params, body }) => s.wallet.setPin(params.id, body),
    addPaymentMethod: ({ params, body }) => s.wallet.addPaymentMethod(params.id, {
      card: body.card, currency: body.currency, limitPerPurchase: body.limits.perPurchase, limitPerMonth: body.limits.perMonth,
    }),
    updatePaymentMethod: ({ params, body }) => s.wallet.updateLimits(params.id, params.pm, body.limits),
    removePaymentMethod: ({ params }) => {
      s.wallet.removePaymentMethod(params.id, params.pm);
      return { ok: true };
    },

    // --- sign-in (docs/identity.md) ---
    listAuthorizations: ({ query }) => ({ items: s.signIns.list(query.status) }),
    approveAuthorization: ({ params, body }) => s.identity.approve(params.id, body),
    denyAuthorization: ({ params }) => s.identity.deny(params.id),
    listConnections: ({ query }) => ({ items: s.connections.list(query.buyerId) }),
    revokeConnection: ({ params, query }) => {
      s.connections.revoke(params.clientId, query.buyerId);
      return { ok: true };
    },
    getOAuthClient: ({ params }) => s.oauthClients.get(params.key),
    setOAuthClient: ({ params, body }) => s.oauthClients.set(params.key, body),
    rotateOAuthSecret: ({ params }) => s.oauthClients.rotateSecret(params.key),
    revealOAuthSecret: ({ params }) => s.oauthClients.revealSecret(params.key),
    verifyToken: ({ body }) => s.identity.verify(body.token),
    getProfile: ({ authorization }) => s.identity.profile(authorization),

    getSession: () => {
      const session = s.wallet.session();
      return session ? { buyer: s.wallet.getBuyer(session.buyerId), signedInAt: iso(session.signedInAt) } : { buyer: null, signedInAt: null };
    },
    signIn: ({ body }) => s.wallet.signIn(body.buyerId),
    signOut: () => {
      s.wallet.signOut();
      return { ok: true };
    },

    listPurchases: ({ query }) => ({ items: s.purchases.list(query) }),
    getPurchase: ({ params }) => s.purchases.get(params.id),
    confirmPurchase: ({ params, body, idempotency }) => s.purchases.confirm(params.id, body, idempotency),
    cancelPurchase: ({ params }) => s.purchases.cancel(params.id),

    listTransactions: ({ query }) => s.purchases.transactions(query),
    getTransaction: ({ params }) => {
      const id = s.purchases.idByAnyId(params.id);
      return { purchase: s.purchases.get(id), timeline: s.purchases.timeline(id) };
    },

    priceTiers: () => ({ tiers: priceTiers.map((t) => ({ id: t.id, prices: { ...t.prices } })), currencies: { ...currencies } }),
    testCards: () => ({ items: testCards.map((c) => ({ ...c })) }),
    errorCodes: () => ({ items: errorCodes.map((code) => ({ code, status: errorCatalogue[code].status, message: errorCatalogue[code].message })) }),

    pay: async ({ body, idempotency, authorization }) => {
      const jwts = typeof body.jwts === 'string' ? [body.jwts] : body.jwts;
      // A payments token names the buyer; it is checked against the app that signed the request.
      const signedIn = authorization === undefined ? undefined : (appKey: string) => s.identity.payingBuyer(authorization, appKey);
      return publicView(await s.purchases.createFromTokens(jwts, idempotency, signedIn));
    },
    payStatus: ({ params }) => s.purchases.publicStatus(params.id),

    getSummary: ({ query }) => s.dashboard.summary(query),

    // --- notices and refunds ---
    listNotices: ({ query }) => s.notices.list(query),
    getNotice: ({ params }) => s.notices.get(params.id),
    redeliverNotice: ({ params, body }) => s.notices.redeliver(params.id, body),
    cancelNotice: ({ params }) => s.notices.cancel(params.id),
    retryFailedNotices: ({ body, idempotency }) => s.noticeRetries.start(body, idempotency),
    getNoticeRetry: ({ params }) => s.noticeRetries.get(params.id),
    getEndpointHealth: ({ params }) => s.notices.endpointHealth(params.key),
    resendNotice: ({ params, body }) => s.notices.resend(params.id, body),
    noticeCurl: ({ params }) => s.notices.curl(params.id),
    testNotice: ({ params, body }) => s.notices.sendTest(params.key, body),
    refundTransaction: ({ params, body, idempotency }) => s.refunds.refundFromConsole(params.id, body, idempotency),
    listRefunds: ({ params }) => ({ items: s.refunds.list(s.purchases.idByAnyId(params.id)) }),
    disputePurchase: ({ params, body, idempotency }) => s.refunds.dispute(params.id, body, idempotency),
    merchantRefund: ({ body, idempotency }) => s.refunds.refundFromMerchant(body.jwt, idempotency),
    listProviderKeys: () => s.providerKeys.list(),
    rotateProviderKey: ({ body }) => s.providerKeys.rotate(body.overlapSeconds),

    // --- buy flow ---
    payCancel: ({ params }) => {
      s.purchases.cancel(params.id);
      return s.purchases.publicStatus(params.id);
    },

    // --- the test clock ---
    // Read in every mode (the console asks, to know whether to show its banner); moved only with --test-clock.
    getTestClock: () => (s.testClock ? clockView(s.testClock.state()) : { enabled: false, now: iso(s.ctx.now())!, offsetMs: 0 }),
    advanceTestClock: ({ body }) => {
      if (!s.testClock) throw new PaydeskError('test_clock_off');
      return clockView(s.testClock.advance(body.seconds));
    },

    // --- request lab ---
    verifyRequest: async ({ body }) => {
      // Decoded without trust, for display; garbage decodes to nothing.
      let decoded: { header: Record<string, unknown>; payload: Record<string, unknown> } | null = null;
      try {
        decoded = peekRequest(body.jwt);
      } catch (e) {
        if (!(e instanceof PaydeskError)) throw e;
      }
      const iss = decoded?.payload.iss;
      let app: { key: string; name: string } | null = null;
      if (typeof iss === 'string' && iss !== '') {
        try {
          const a = s.apps.get(iss);
          app = { key: a.key, name: a.name };
        } catch (e) {
          if (!(e instanceof PaydeskError)) throw e;
        }
      }
      const shown = { app, header: decoded?.header ?? null, claims: decoded?.payload ?? null };
      const v = await traceRequestChecks((reach) => s.purchases.dryRun(body.jwt, reach));
      if (!v.ok) return { accepted: false, error: refusalOf(v.error), checks: v.checks, ...shown, price: null, replayed: v.error.code === 'request_jti_replayed' };
      const { amount, currency } = v.value.request.price;
      return { accepted: true, error: null, checks: v.checks, ...shown, price: { amount, currency, display: formatAmount(amount, currency) }, replayed: false };
    },
  };
}
