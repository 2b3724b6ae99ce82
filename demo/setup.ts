// First-run setup of the demo, through Paydesk's console API (the same calls a
// developer would script): the store's app, and a buyer who can pay. What the
// demo must remember (app key and secrets, the buyer and the PIN it set) goes
// in its own 0600 file in the data folder. Nothing here logs a secret.
import { existsSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { StoreCredentials } from './store.ts';

export const DEMO_FILE = 'demo-store.json';
export const DEMO_BUYER_EMAIL = 'pony.fan@example.com';
/** The vault's always-succeeds test card (GET /api/test-cards lists the others). */
export const DEMO_CARD = '4242 4242 4242 4242';

export interface DemoState {
  app?: StoreCredentials & { readonly secretId: string };
  buyer?: { readonly id: string; readonly pin: string };
}

export function readDemoState(file: string): DemoState {
  if (!existsSync(file)) return {};
  chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, 'utf8')) as DemoState;
}

export function writeDemoState(file: string, state: DemoState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

interface ApiResult<T> {
  readonly status: number;
  readonly body: T;
}

export type ConsoleApi = <T>(method: string, path: string, body?: unknown) => Promise<ApiResult<T>>;

/** A console API client with the bearer token; the token never leaves this closure. */
export function consoleApi(baseUrl: string, token: string): ConsoleApi {
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
}

function fail(what: string, r: ApiResult<unknown>): never {
  const code = (r.body as { error?: { code?: string; message?: string } }).error;
  throw new Error(`${what} failed: HTTP ${r.status}${code ? ` ${code.code}: ${code.message}` : ''}`);
}

interface AppView {
  key: string;
  status: 'active' | 'disabled';
  homepage: string;
  postbackURL: string;
  chargebackURL: string;
  secrets: { id: string; state: string }[];
}

interface BuyerView {
  id: string;
  email: string;
  pin: { set: boolean; locked: boolean };
  paymentMethods: { id: string; currency: string }[];
}

/** Registers the store's app, or checks and repairs the one registered before. */
export async function ensureApp(api: ConsoleApi, storeUrl: string, state: DemoState, say: (line: string) => void): Promise<NonNullable<DemoState['app']>> {
  const urls = { homepage: `${storeUrl}/`, postbackURL: `${storeUrl}/postback`, chargebackURL: `${storeUrl}/chargeback` };
  const saved = state.app;
  if (saved) {
    const r = await api<AppView>('GET', `/api/apps/${encodeURIComponent(saved.appKey)}`);
    if (r.status === 200) {
      let app = saved;
      const patch: Record<string, string> = {};
      for (const [k, v] of Object.entries(urls)) if (r.body[k as keyof typeof urls] !== v) patch[k] = v;
      if (r.body.status === 'disabled') {
        patch.status = 'active';
        say('The demo store\'s app was disabled in Paydesk; enabling it again.');
      }
      if (Object.keys(patch).length > 0) {
        const u = await api('PATCH', `/api/apps/${encodeURIComponent(saved.appKey)}`, patch);
        if (u.status !== 200) fail('Updating the demo app', u);
      }
      if (!r.body.secrets.some((s) => s.id === saved.secretId && s.state === 'active')) {
        // The saved secret was rotated away or revoked in the console: take a fresh one.
        const rot = await api<{ secret: { id: string; secret: string } }>('POST', `/api/apps/${encodeURIComponent(saved.appKey)}/secrets`, { graceSeconds: 0 });
        if (rot.status !== 201) fail('Rotating the demo app\'s secret', rot);
        app = { ...app, secret: rot.body.secret.secret, secretId: rot.body.secret.id };
        say('The demo app\'s saved secret is no longer active; rotated to a new one.');
      }
      const wh = await api<{ webhookSecret: string }>('POST', `/api/apps/${encodeURIComponent(saved.appKey)}/webhook-secret/reveal`, {});
      if (wh.status === 200) app = { ...app, webhookSecret: wh.body.webhookSecret };
      return app;
    }
    if (r.status !== 404) fail('Looking up the demo app', r);
    say('The demo app saved earlier is not in this Paydesk (new ledger?); registering it again.');
  }
  const c = await api<{ app: { key: string }; secret: { id: string; secret: string }; webhookSecret: string }>('POST', '/api/apps', {
    name: 'Elite Sparkle Pony', contactEmail: 'ponies@sparkle-stable.example', access: 'live', ...urls,
  });
  if (c.status !== 201) fail('Registering the demo app', c);
  say(`Registered the demo store in Paydesk as app ${c.body.app.key}.`);
  return { appKey: c.body.app.key, secret: c.body.secret.secret, secretId: c.body.secret.id, webhookSecret: c.body.webhookSecret };
}

/** Trivial PINs are refused by Paydesk too; six random digits almost never are. */
function newPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * A buyer with a preauthorized test card and a PIN. The wallet session is
 * left alone when someone else is signed in and nothing needs setting up.
 */
export async function ensureBuyer(api: ConsoleApi, state: DemoState, say: (line: string) => void): Promise<{ id: string; pin: string; signedIn: boolean; email: string }> {
  let buyer: BuyerView | undefined;
  if (state.buyer) {
    const r = await api<BuyerView>('GET', `/api/buyers/${encodeURIComponent(state.buyer.id)}`);
    if (r.status === 200) buyer = r.body;
  }
  if (!buyer) {
    const list = await api<{ items: BuyerView[] }>('GET', '/api/buyers');
    if (list.status !== 200) fail('Listing buyers', list);
    buyer = list.body.items.find((b) => b.email === DEMO_BUYER_EMAIL);
  }
  if (!buyer) {
    const c = await api<BuyerView>('POST', '/api/buyers', { email: DEMO_BUYER_EMAIL, name: 'Pony Fan' });
    if (c.status !== 201) fail('Creating the demo buyer', c);
    buyer = c.body;
    say(`Created the demo buyer ${DEMO_BUYER_EMAIL}.`);
  }
  const id = buyer.id;
  const knownPin = state.buyer?.id === id ? state.buyer.pin : undefined;
  const needsCard = !buyer.paymentMethods.some((pm) => pm.currency === 'USD');
  const needsPin = !buyer.pin.set || knownPin === undefined;

  const session = await api<{ buyer: { id: string } | null }>('GET', '/api/wallet/session');
  let signedIn = session.body.buyer?.id === id;
  if (!signedIn && (session.body.buyer === null || needsCard || needsPin)) {
    const s = await api('POST', '/api/wallet/session', { buyerId: id });
    if (s.status !== 200) fail('Signing the demo buyer in', s);
    signedIn = true;
  }
  if (needsCard) {
    const pm = await api('POST', `/api/buyers/${id}/payment-methods`, {
      card: { number: DEMO_CARD, expMonth: 12, expYear: new Date().getUTCFullYear() + 4, cvc: '123' },
      currency: 'USD',
    });
    if (pm.status !== 201) fail('Preauthorizing the demo card', pm);
    say('Preauthorized the test card ending 4242 for the demo buyer.');
  }
  let pin = knownPin;
  if (needsPin) {
    // Just signed in, so Paydesk allows setting (or resetting) the PIN without the old one.
    for (let tries = 0; pin === undefined && tries < 5; tries++) {
      const candidate = newPin();
      const r = await api('PUT', `/api/buyers/${id}/pin`, { pin: candidate });
      if (r.status === 200) pin = candidate;
      else if ((r.body as { error?: { code?: string } }).error?.code !== 'pin_too_simple') fail('Setting the demo PIN', r);
    }
    if (pin === undefined) throw new Error('Could not choose a PIN Paydesk accepts.');
    say('Set a new PIN for the demo buyer.');
  }
  return { id, pin: pin!, signedIn, email: buyer.email };
}
