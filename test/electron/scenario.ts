// Puts a pending purchase in front of the wallet through the public API only: a
// merchant app, a signed-in buyer with a card and a PIN, and a signed payment
// request posted to /v1/pay. Used by the Electron suite and the main-process test.
// Calls go through the typed client, every answer checked against the contract
// (its shape and its route's success status, so no status is checked here by hand).
import { randomUUID } from 'node:crypto';
import type { Connection } from '../../contract/bridge.ts';
import type { Client } from '../../contract/client.ts';
import { signRequest, testClient } from '../helpers/paydesk.ts';

export type { Connection };

/** The typed client with the desktop's connection (what the bridge's getConnection gives the console). */
export function consoleClient(conn: Connection): Client {
  return testClient({ url: conn.baseUrl, token: conn.token });
}

/** A merchant app and a buyer ready to confirm (signed in, card preauthorized, PIN set). */
export async function readyWallet(conn: Connection): Promise<{ readonly app: { key: string; secret: string }; readonly pin: string }> {
  const api = consoleClient(conn);
  const created = await api.call('createApp', {
    body: {
      name: 'Elite Sparkle Pony', homepage: 'http://127.0.0.1:9/', contactEmail: 'merchant@example.com',
      postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback',
    },
  });
  const buyer = await api.call('createBuyer', { body: { email: `buyer-${randomUUID()}@example.com`, name: 'Desktop Buyer' } });
  await api.call('signIn', { body: { buyerId: buyer.id } });
  const card = { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };
  await api.call('addPaymentMethod', { params: { id: buyer.id }, body: { card } });
  const pin = '2468';
  await api.call('setPin', { params: { id: buyer.id }, body: { pin } });
  return { app: { key: created.app.key, secret: created.secret.secret }, pin };
}

/** What a merchant page does: POST /v1/pay with a signed request. Returns the pending purchase id. */
export async function requestPurchase(conn: Connection, app: { key: string; secret: string }): Promise<string> {
  const purchase = await consoleClient(conn).call('pay', { body: { jwts: [await signRequest(app)] } });
  if (purchase.status !== 'pending') throw new Error(`POST /v1/pay: the purchase is ${purchase.status}, not pending`);
  return purchase.id;
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
