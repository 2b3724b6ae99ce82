// Puts a pending purchase in front of the wallet through the public API only: a
// merchant app, a signed-in buyer with a card and a PIN, and a signed payment
// request posted to /v1/pay. Used by the Electron suite and the main-process test.
import { signRequest } from '../helpers/paydesk.ts';

export interface Connection {
  readonly baseUrl: string;
  readonly token: string;
}

export async function consoleApi<T>(conn: Connection, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(conn.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${conn.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

function expect(status: number, wanted: number, what: string): void {
  if (status !== wanted) throw new Error(`${what}: HTTP ${status}, expected ${wanted}`);
}

/** A merchant app and a buyer ready to confirm (signed in, card preauthorized, PIN set). */
export async function readyWallet(conn: Connection): Promise<{ readonly app: { key: string; secret: string }; readonly pin: string }> {
  const created = await consoleApi<{ app: { key: string }; secret: { secret: string } }>(conn, 'POST', '/api/apps', {
    name: 'Elite Sparkle Pony', homepage: 'http://127.0.0.1:9/', contactEmail: 'merchant@example.com',
    postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback',
  });
  expect(created.status, 201, 'create app');
  const buyer = await consoleApi<{ id: string }>(conn, 'POST', '/api/buyers', { email: `buyer-${Date.now()}@example.com`, name: 'Desktop Buyer' });
  expect(buyer.status, 201, 'create buyer');
  expect((await consoleApi(conn, 'POST', '/api/wallet/session', { buyerId: buyer.body.id })).status, 200, 'sign in');
  const card = { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };
  expect((await consoleApi(conn, 'POST', `/api/buyers/${buyer.body.id}/payment-methods`, { card })).status, 201, 'preauthorize');
  const pin = '2468';
  expect((await consoleApi(conn, 'PUT', `/api/buyers/${buyer.body.id}/pin`, { pin })).status, 200, 'set PIN');
  return { app: { key: created.body.app.key, secret: created.body.secret.secret }, pin };
}

/** What a merchant page does: POST /v1/pay with a signed request. Returns the pending purchase id. */
export async function requestPurchase(conn: Connection, app: { key: string; secret: string }): Promise<string> {
  const jwt = await signRequest(app);
  const res = await fetch(`${conn.baseUrl}/v1/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwts: [jwt] }) });
  const body = (await res.json()) as { id?: string; status?: string };
  if (res.status !== 201 || body.status !== 'pending' || typeof body.id !== 'string') throw new Error(`POST /v1/pay: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
