// The "Elite Sparkle Pony" store: a merchant on its own port, in plain Node
// http, using only the merchant SDK. Its server holds the app key and secret,
// signs each payment request, and decides the pony is paid for only when
// Paydesk's signed postback arrives (DESIGN section 4 step 6); a chargeback
// takes it back. The page (public/store.js) never decides anything.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNoticeHandler, nodeHandler, signPaymentRequest, type ChargebackNotice, type PostbackNotice } from '../sdk/index.ts';
import { OrderBook } from './orders.ts';
import { renderStorePage } from './page.ts';
import { storeSignIn, type StoreSignIn } from './sign-in.ts';

/** What the store sells. */
export const pony = {
  id: 'elite-sparkle-pony',
  name: 'Elite Sparkle Pony',
  description: 'The shiniest pony of all: hand-polished sparkles, a rainbow mane, and a lifetime of good vibes.',
  price: '1.99',
  currency: 'USD',
  display: '$1.99',
} as const;

export interface StoreCredentials {
  /** The app key (`iss` of requests, `aud` of notices). */
  readonly appKey: string;
  /** HS256 secret: signs requests, verifies notices. */
  readonly secret: string;
  /** `whsec_…`: verifies the Standard Webhooks headers of notices. */
  readonly webhookSecret: string;
}

export interface StoreOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Where Paydesk runs, e.g. http://127.0.0.1:7402; the page loads `${provider}/pay.js`. */
  readonly provider: string;
  /** Where orders are kept; in memory when absent. */
  readonly ordersFile?: string;
  readonly log?: (line: string) => void;
  /** sign-in (default): Buy signs in with Paydesk first and pays with the token; guest: anyone may buy with pay.js alone. */
  readonly checkout?: 'sign-in' | 'guest';
}

export interface RunningStore {
  readonly url: string;
  readonly port: number;
  /** The store answers orders and notices once it knows its app (registered after it is listening, so Paydesk knows its URL). */
  setCredentials(credentials: StoreCredentials): void;
  close(): Promise<void>;
}

const publicDir = join(import.meta.dirname, 'public');
const staticFiles: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/static/store.js': { file: 'store.js', type: 'text/javascript; charset=utf-8' },
  '/static/store.css': { file: 'store.css', type: 'text/css; charset=utf-8' },
  '/static/pony.svg': { file: 'pony.svg', type: 'image/svg+xml' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** The store page may load pay.js from Paydesk and talk to it; nothing else from anywhere. */
function storeCsp(provider: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${provider}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${provider}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

function orderIdOf(productData: string | undefined): string | null {
  return new URLSearchParams(productData ?? '').get('order');
}

export async function startStore(opts: StoreOptions): Promise<RunningStore> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const provider = new URL(opts.provider).origin;
  const orders = new OrderBook(opts.ordersFile);
  const files = Object.fromEntries(Object.entries(staticFiles).map(([path, f]) => [path, { body: readFileSync(join(publicDir, f.file)), type: f.type }]));
  let credentials: StoreCredentials | undefined;
  let notices: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let signIn: StoreSignIn | undefined;
  let url = '';

  const onPostback = (n: PostbackNotice) => {
    const order = orders.get(orderIdOf(n.request.productData) ?? '');
    // Answered with the transaction id all the same: retrying would not make these deliverable.
    if (!order) return log(`postback ${n.transactionID}: no such order here; nothing delivered`);
    if (n.simulated) return log(`postback ${n.transactionID}: simulated (no money moved); nothing delivered`);
    if (n.price.amount !== order.amount || n.price.currency !== order.currency) {
      return log(`postback ${n.transactionID}: paid ${n.price.amount} ${n.price.currency}, expected ${order.amount} ${order.currency}; nothing delivered`);
    }
    if (order.status === 'paid' && order.transactionID === n.transactionID) return;
    orders.markPaid(order.id, n.transactionID);
    log(`postback ${n.transactionID}: order ${order.id} paid, pony unlocked`);
  };
  const onChargeback = (n: ChargebackNotice) => {
    const order = orders.byTransaction(n.transactionID) ?? orders.get(orderIdOf(n.request.productData) ?? '');
    if (!order || order.transactionID !== n.transactionID) return log(`chargeback ${n.transactionID}: no paid order with this transaction; nothing to take back`);
    orders.markChargedBack(order.id, n.reason);
    log(`chargeback ${n.transactionID} (${n.reason}): order ${order.id} charged back, pony locked again`);
  };

  async function signedOrder(c: StoreCredentials) {
    const order = orders.create(pony.id, pony.price, pony.currency);
    const jwt = await signPaymentRequest({
      appKey: c.appKey,
      secret: c.secret,
      request: {
        id: pony.id, name: pony.name, description: pony.description, price: pony.price, currency: pony.currency,
        productData: `order=${order.id}`,
        postbackURL: `${url}/postback`,
        chargebackURL: `${url}/chargeback`,
      },
    });
    return { order, jwt };
  }

  /**
   * A signed-in buyer's order is started here, with their payments token (the
   * token stays on this server); the page follows the purchase. Otherwise the
   * page gets the JWT and pay.js starts it.
   */
  async function createOrder(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!credentials) return json(res, 503, { error: 'The store is still registering with Paydesk. Try again in a moment.' });
    const { order, jwt } = await signedOrder(credentials);
    let purchase;
    try {
      purchase = await signIn?.payAsBuyer(req, jwt);
    } catch (e) {
      log(`order ${order.id}: Paydesk refused the buyer's token (${e instanceof Error ? e.message : String(e)}); they must sign in again`);
      return json(res, 409, { error: 'Paydesk no longer accepts your sign-in here (was the store disconnected in Paydesk?). Sign in with Paydesk again.' });
    }
    json(res, 201, purchase ? { order: OrderBook.toPublic(order), purchase } : { order: OrderBook.toPublic(order), jwt });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://store.invalid').pathname;
    const method = req.method ?? 'GET';

    if (path === '/postback' || path === '/chargeback') {
      if (!notices) return send(res, 503, 'text/plain; charset=utf-8', 'not_ready');
      return notices(req, res);
    }
    if (path === '/orders' && method === 'POST') {
      // A page on another site cannot make this store create orders in a buyer's name.
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') return json(res, 403, { error: 'Orders are created from the store page only.' });
      return createOrder(req, res);
    }
    if ((path === '/signin' || path === '/signin/callback' || path === '/signout' || path === '/me') && signIn) {
      const site = req.headers['sec-fetch-site'];
      if (method === 'POST' && site !== undefined && site !== 'same-origin') return json(res, 403, { error: 'Signing out is done from the store page only.' });
      if (await signIn.handle(req, res, path)) return;
    }
    const orderMatch = /^\/orders\/(ord_[A-Za-z0-9_-]{16})$/.exec(path);
    if (orderMatch && method === 'GET') {
      const order = orders.get(orderMatch[1]!);
      return order ? json(res, 200, OrderBook.toPublic(order)) : json(res, 404, { error: 'No such order.' });
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n', { allow: 'GET, HEAD' });
    if (path === '/') {
      return send(res, 200, 'text/html; charset=utf-8', renderStorePage({ provider, pony, checkout: opts.checkout ?? 'sign-in' }), {
        'content-security-policy': storeCsp(provider),
        'x-frame-options': 'DENY',
      });
    }
    const f = files[path];
    if (f) return send(res, 200, f.type, f.body, { 'cache-control': 'no-cache' });
    send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`store error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) json(res, 500, { error: 'The store hit an internal error.' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    setCredentials(c) {
      credentials = c;
      signIn = storeSignIn({
        provider, appKey: c.appKey, storeUrl: url, log,
        newOrder: async () => {
          const { order, jwt } = await signedOrder(c);
          return { orderId: order.id, jwt };
        },
      });
      notices = nodeHandler(createNoticeHandler({
        appKey: c.appKey, secret: c.secret, webhookSecret: c.webhookSecret, onPostback, onChargeback,
        onError: (e, n) => log(`notice ${n.transactionID}: the store failed to handle it (${e instanceof Error ? e.message : String(e)}); Paydesk will retry`),
      }));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
