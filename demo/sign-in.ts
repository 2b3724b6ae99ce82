// "Sign in with Paydesk" for the pony store, with the SDK's sign-in helpers
// (sdk/sign-in.ts, on oauth4webapi). The store keeps each browser's sign-in in
// a server-side session named by an HttpOnly cookie: the state, nonce and PKCE
// verifier while the buyer is away at Paydesk, then the refresh token. No token
// ever reaches the page or a URL; the page learns only the buyer's name.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PaydeskSignIn, type PendingSignIn, type StartedPurchase } from '../sdk/index.ts';

const COOKIE = 'pony_sid';
const MAX_SESSIONS = 1000;

interface StoreSession {
  pending?: PendingSignIn & { readonly intent: 'buy' | null };
  buyer?: { readonly id: string; readonly name: string; readonly email: string | null };
  /** Rotated on every use (the SDK returns the next one). */
  refreshToken?: string | null;
  /** A purchase the callback started for a buyer who pressed Buy signed out; the page follows it once. */
  started?: { readonly orderId: string; readonly purchase: StartedPurchase };
}

export interface StoreSignInOptions {
  readonly provider: string;
  readonly appKey: string;
  readonly storeUrl: string;
  /** Signs the order's payment request and returns its id and JWT (store.ts). */
  readonly newOrder: () => Promise<{ readonly orderId: string; readonly jwt: string }>;
  readonly log: (line: string) => void;
}

export interface StoreSignIn {
  /** Handles /signin, /signin/callback, /signout and /me; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Starts a purchase as the signed-in buyer of this request's session; null when nobody is signed in. */
  payAsBuyer(req: IncomingMessage, jwt: string): Promise<StartedPurchase | null>;
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === COOKIE && v && /^[A-Za-z0-9_-]{22,64}$/.test(v)) return v;
  }
  return undefined;
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location: to, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers });
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

export function storeSignIn(opts: StoreSignInOptions): StoreSignIn {
  const sessions = new Map<string, StoreSession>();
  const redirectURI = `${opts.storeUrl}/signin/callback`;
  let client: Promise<PaydeskSignIn> | undefined;
  // Discovered on first use, so the store can start before Paydesk answers; a failure is retried next time.
  const paydesk = () => {
    client ??= PaydeskSignIn.discover({ issuer: opts.provider, clientId: opts.appKey, redirectURI, allowHttp: true });
    client.catch(() => {
      client = undefined;
    });
    return client;
  };

  function session(req: IncomingMessage, res: ServerResponse | null): StoreSession | undefined {
    const id = cookieOf(req);
    const found = id ? sessions.get(id) : undefined;
    if (found || !res) return found;
    const fresh = randomBytes(24).toString('base64url');
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    const s: StoreSession = {};
    sessions.set(fresh, s);
    res.setHeader('set-cookie', `${COOKIE}=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
    return s;
  }

  async function payAs(s: StoreSession, jwt: string): Promise<StartedPurchase | null> {
    if (!s.buyer || !s.refreshToken) return null;
    const p = await paydesk();
    let t;
    try {
      t = await p.paymentsToken(s.refreshToken);
    } catch (e) {
      // Revoked in the wallet's Connected apps, or expired: this session is signed out.
      delete s.buyer;
      delete s.refreshToken;
      throw e;
    }
    s.refreshToken = t.refreshToken;
    return p.pay(t.accessToken, [jwt]);
  }

  return {
    async handle(req, res, path) {
      const method = req.method ?? 'GET';
      if (path === '/signin' && method === 'GET') {
        const s = session(req, res)!;
        const intent = new URL(req.url ?? '/', 'http://store.invalid').searchParams.get('intent') === 'buy' ? 'buy' : null;
        const { url, pending } = await (await paydesk()).start({ scope: 'openid profile payments' });
        s.pending = { ...pending, intent };
        redirect(res, url.href);
        return true;
      }
      if (path === '/signin/callback' && method === 'GET') {
        const s = session(req, null);
        const pending = s?.pending;
        if (!s || !pending) {
          redirect(res, '/?signin=expired');
          return true;
        }
        delete s.pending;
        try {
          const p = await paydesk();
          const signedIn = await p.finish(`${opts.storeUrl}${req.url ?? ''}`, pending);
          const me = await p.profile(signedIn);
          s.buyer = { id: signedIn.buyer, name: me.name ?? me.email ?? 'Paydesk buyer', email: me.email ?? null };
          s.refreshToken = signedIn.refreshToken;
          opts.log(`sign-in: buyer ${signedIn.buyer} signed in with ${signedIn.scope.join(' ')}`);
          if (pending.intent === 'buy') {
            const order = await opts.newOrder();
            const purchase = await payAs(s, order.jwt);
            if (purchase) s.started = { orderId: order.orderId, purchase };
          }
          redirect(res, '/');
        } catch (e) {
          // A denied sign-in comes back as access_denied: the buyer said no, nothing to retry.
          const denied = e instanceof Error && /access_denied/.test(`${e.message} ${JSON.stringify((e as { error?: unknown }).error ?? '')}`);
          opts.log(`sign-in: not completed (${e instanceof Error ? e.message : String(e)})`);
          redirect(res, denied ? '/?signin=denied' : '/?signin=failed');
        }
        return true;
      }
      if (path === '/signout' && method === 'POST') {
        const id = cookieOf(req);
        if (id) sessions.delete(id);
        json(res, 200, { ok: true });
        return true;
      }
      if (path === '/me' && method === 'GET') {
        const s = session(req, null);
        const started = s?.started;
        if (s) delete s.started;
        json(res, 200, { buyer: s?.buyer ? { name: s.buyer.name } : null, started: started ?? null });
        return true;
      }
      return false;
    },
    payAsBuyer(req, jwt) {
      const s = session(req, null);
      return s ? payAs(s, jwt) : Promise.resolve(null);
    },
  };
}
