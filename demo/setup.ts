// First-run setup of the demo, through Paydesk's console API (the same calls a
// developer would script): the store's app, and a buyer who can pay. What the
// demo must remember (app key and secrets, the buyer and the PIN it set) goes
// in its own 0600 file in the data folder. Nothing here logs a secret.
import { existsSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import type { StoreCredentials } from './store.ts';
import { randomPin } from '../contract/pin.ts';
import { createClient, isApiError, unless, type Client, type RouteResult } from '../contract/client.ts';

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

/** The console API client with the bearer token; the token never leaves it. Answers are checked against the contract. */
export function consoleClient(baseUrl: string, token: string): Client {
  return createClient({ baseUrl, token, checkResponses: true });
}

/** A setup step: a refusal stops the demo with what failed and Paydesk's code and sentence. */
async function step<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (!isApiError(e)) throw e;
    throw new Error(`${what} failed: HTTP ${e.status} ${e.code}: ${e.message}`);
  }
}

/** Registers the store's app, or checks and repairs the one registered before. */
export async function ensureApp(client: Client, storeUrl: string, state: DemoState, say: (line: string) => void): Promise<NonNullable<DemoState['app']>> {
  const urls = { homepage: `${storeUrl}/`, postbackURL: `${storeUrl}/postback`, chargebackURL: `${storeUrl}/chargeback` };
  const saved = state.app;
  if (saved) {
    const params = { key: saved.appKey };
    const registered = await step('Looking up the demo app', unless('app_not_found', client.call('getApp', { params })));
    if (registered) {
      let app = saved;
      const patch: { homepage?: string; postbackURL?: string; chargebackURL?: string; status?: 'active' } = {};
      for (const k of Object.keys(urls) as (keyof typeof urls)[]) if (registered[k] !== urls[k]) patch[k] = urls[k];
      if (registered.status === 'disabled') {
        patch.status = 'active';
        say('The demo store\'s app was disabled in Paydesk; enabling it again.');
      }
      if (Object.keys(patch).length > 0) await step('Updating the demo app', client.call('updateApp', { params, body: patch }));
      if (!registered.secrets.some((s) => s.id === saved.secretId && s.state === 'active')) {
        // The saved secret was rotated away or revoked in the console: take a fresh one.
        const rot = await step('Rotating the demo app\'s secret', client.call('rotateSecret', { params, body: { graceSeconds: 0 } }));
        app = { ...app, secret: rot.secret.secret, secretId: rot.secret.id };
        say('The demo app\'s saved secret is no longer active; rotated to a new one.');
      }
      const wh = await unless(undefined, client.call('revealWebhookSecret', { params, body: {} }));
      if (wh) app = { ...app, webhookSecret: wh.webhookSecret };
      return app;
    }
    say('The demo app saved earlier is not in this Paydesk (new ledger?); registering it again.');
  }
  const c = await step('Registering the demo app', client.call('createApp', {
    body: { name: 'Elite Sparkle Pony', contactEmail: 'ponies@sparkle-stable.example', access: 'live', ...urls },
  }));
  say(`Registered the demo store in Paydesk as app ${c.app.key}.`);
  return { appKey: c.app.key, secret: c.secret.secret, secretId: c.secret.id, webhookSecret: c.webhookSecret };
}

/**
 * "Sign in with Paydesk" for the store: its app as an OAuth client whose one
 * redirect URI is the store's callback (matched exactly, so a new store port
 * updates it). Public, with PKCE: the demo keeps no client secret.
 */
export async function ensureOAuthClient(client: Client, appKey: string, storeUrl: string): Promise<void> {
  const redirectURI = `${storeUrl}/signin/callback`;
  const params = { key: appKey };
  const now = await step('Reading the demo app\'s sign-in settings', client.call('getOAuthClient', { params }));
  if (now.updatedAt !== null && now.enabled && now.redirectURIs.length === 1 && now.redirectURIs[0] === redirectURI && now.allowedScopes.includes('payments')) return;
  await step('Setting the demo app\'s sign-in settings', client.call('setOAuthClient', {
    params, body: { enabled: true, type: 'public', redirectURIs: [redirectURI], allowedScopes: ['openid', 'profile', 'payments'] },
  }));
}

/**
 * A buyer with a preauthorized test card and a PIN. The wallet session is
 * left alone when someone else is signed in and nothing needs setting up.
 */
export async function ensureBuyer(client: Client, state: DemoState, say: (line: string) => void): Promise<{ id: string; pin: string; signedIn: boolean; email: string }> {
  let buyer: RouteResult<'getBuyer'> | undefined;
  if (state.buyer) buyer = await unless(undefined, client.call('getBuyer', { params: { id: state.buyer.id } }));
  if (!buyer) buyer = (await step('Listing buyers', client.call('listBuyers'))).items.find((b) => b.email === DEMO_BUYER_EMAIL);
  if (!buyer) {
    buyer = await step('Creating the demo buyer', client.call('createBuyer', { body: { email: DEMO_BUYER_EMAIL, name: 'Pony Fan' } }));
    say(`Created the demo buyer ${DEMO_BUYER_EMAIL}.`);
  }
  const id = buyer.id;
  const knownPin = state.buyer?.id === id ? state.buyer.pin : undefined;
  const needsCard = !buyer.paymentMethods.some((pm) => pm.currency === 'USD');
  const needsPin = !buyer.pin.set || knownPin === undefined;

  const session = await step('Reading the wallet session', client.call('getSession'));
  let signedIn = session.buyer?.id === id;
  if (!signedIn && (session.buyer === null || needsCard || needsPin)) {
    await step('Signing the demo buyer in', client.call('signIn', { body: { buyerId: id } }));
    signedIn = true;
  }
  if (needsCard) {
    await step('Preauthorizing the demo card', client.call('addPaymentMethod', {
      params: { id },
      body: { card: { number: DEMO_CARD, expMonth: 12, expYear: new Date().getUTCFullYear() + 4, cvc: '123' }, currency: 'USD' },
    }));
    say('Preauthorized the test card ending 4242 for the demo buyer.');
  }
  let pin = knownPin;
  if (needsPin) {
    // Just signed in, so Paydesk allows setting (or resetting) the PIN without the old one.
    for (let tries = 0; pin === undefined && tries < 5; tries++) {
      const candidate = randomPin();
      if (await step('Setting the demo PIN', unless('pin_too_simple', client.call('setPin', { params: { id }, body: { pin: candidate } })))) pin = candidate;
    }
    if (pin === undefined) throw new Error('Could not choose a PIN Paydesk accepts.');
    say('Set a new PIN for the demo buyer.');
  }
  return { id, pin: pin!, signedIn, email: buyer.email };
}
