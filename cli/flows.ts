// The flows `paydesk trigger` and `paydesk fixtures run` share, through the
// console API only (contract/client.ts): a buyer who can pay with a test card of
// a given behaviour, an app's signing secret, a purchase signed as the merchant's
// server signs it (sdk/, the merchant library) and confirmed as the wallet does,
// and the notice that follows, read from the event stream (no polling).
import { signPaymentRequest, type PaymentRequest } from '../sdk/index.ts';
import { streamEvents, unless, type Client, type RouteResult } from '../contract/client.ts';
import type { PaydeskEvent } from '../contract/events.ts';
import { randomPin } from '../contract/pin.ts';
import type { Connection } from './connect.ts';
import { CliError, EXIT } from './exit.ts';

/** The buyer `paydesk trigger` pays as, made on first use. */
export const TRIGGER_BUYER = { email: 'paydesk-cli@example.com', name: 'Paydesk CLI buyer' } as const;

/** Behaviours of the vault's test cards (GET /api/test-cards lists them). */
export type CardBehaviour = 'success' | 'decline' | 'insufficient_funds' | 'processing_error';

export interface ReadyBuyer {
  readonly id: string;
  readonly email: string;
  /** Set by this run; never printed. */
  readonly pin: string;
  readonly paymentMethodId: string;
}

/**
 * The buyer with `email` (created when missing), signed in to the wallet, holding a USD test card
 * of `behaviour`, with a fresh PIN: a PIN is never stored anywhere by the command, so each run sets
 * one (Paydesk allows that right after signing in).
 */
export async function readyBuyer(client: Client, who: { readonly email: string; readonly name: string }, behaviour: CardBehaviour): Promise<ReadyBuyer> {
  let buyer = (await client.call('listBuyers')).items.find((b) => b.email === who.email);
  buyer ??= await client.call('createBuyer', { body: { email: who.email, name: who.name } });
  await client.call('signIn', { body: { buyerId: buyer.id } });
  const card = (await client.call('testCards')).items.find((c) => c.behaviour === behaviour);
  if (!card) throw new CliError(EXIT.failed, 'no_test_card', `This Paydesk has no test card that behaves as "${behaviour}" (GET /api/test-cards).`);
  const last4 = card.number.replace(/\D/g, '').slice(-4);
  let pm = buyer.paymentMethods.find((m) => m.last4 === last4 && m.brand === card.brand && m.currency === 'USD');
  pm ??= await client.call('addPaymentMethod', {
    params: { id: buyer.id },
    body: { card: { number: card.number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: card.brand === 'amex' ? '1234' : '123' }, currency: 'USD' },
  });
  for (let tries = 0; tries < 5; tries++) {
    const pin = randomPin();
    if (await unless('pin_too_simple', client.call('setPin', { params: { id: buyer.id }, body: { pin } }))) {
      return { id: buyer.id, email: buyer.email, pin, paymentMethodId: pm.id };
    }
  }
  throw new CliError(EXIT.failed, 'pin_refused', 'Could not choose a PIN Paydesk accepts; run the command again.');
}

/** The app's key and the value of its newest active secret (revealed through the console API, as the app's page does). */
export async function appSigner(client: Client, key: string): Promise<{ readonly key: string; readonly secret: string }> {
  const app = await unless('app_not_found', client.call('getApp', { params: { key } }));
  if (!app) throw new CliError(EXIT.usage, 'app_not_found', `There is no app "${key}" in this Paydesk; \`paydesk trigger --help\` says how to pick one.`);
  if (app.status !== 'active') throw new CliError(EXIT.failed, 'app_disabled', `The app "${key}" is disabled; enable it in the console first.`);
  const active = app.secrets.filter((s) => s.state === 'active').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!active) throw new CliError(EXIT.failed, 'no_active_secret', `The app "${key}" has no active secret; rotate one in the console first.`);
  const { secret } = await client.call('revealSecret', { params: { key, secretId: active.id }, body: {} });
  return { key, secret };
}

/** The app a command uses when none is named: the only active one, or a usage error listing them. */
export async function onlyApp(client: Client): Promise<string> {
  const active = (await client.call('listApps')).items.filter((a) => a.status === 'active');
  if (active.length === 1) return active[0]!.key;
  throw new CliError(EXIT.usage, 'app_required', active.length === 0
    ? 'This Paydesk has no active app: create one in the console (or with `paydesk fixtures run`), then pass --app KEY.'
    : `Pass --app KEY: this Paydesk has ${active.length} active apps (${active.map((a) => a.key).join(', ')}).`);
}

/** A pending purchase from a payment request signed with the app's secret, sent to /v1/pay as a merchant page does. */
export async function startPurchase(client: Client, app: { readonly key: string; readonly secret: string }, request: PaymentRequest, audience?: string): Promise<RouteResult<'pay'>> {
  const jwt = await signPaymentRequest({ appKey: app.key, secret: app.secret, request, ...(audience ? { audience } : {}) });
  return client.call('pay', { body: { jwts: [jwt] } });
}

/** Confirms as the wallet does: the signed-in buyer, the PIN, the payment method. */
export function confirm(client: Client, purchaseId: string, buyer: ReadyBuyer): Promise<RouteResult<'confirmPurchase'>> {
  return client.call('confirmPurchase', { params: { id: purchaseId }, body: { pin: buyer.pin, paymentMethodId: buyer.paymentMethodId } });
}

type Attempted = Extract<PaydeskEvent, { type: 'notice.attempted' }>['data'];

/**
 * The event stream, opened before a flow starts so nothing it causes is missed; `until` finds an
 * event among those seen so far or waits for it. The stream ending means Paydesk went away.
 */
export class EventWatch {
  private readonly seen: PaydeskEvent[] = [];
  private readonly wake = new Set<() => void>();
  private ended = false;
  private readonly stop = new AbortController();

  private constructor() {}

  static async open(conn: Connection, signal: AbortSignal): Promise<EventWatch> {
    const w = new EventWatch();
    signal.addEventListener('abort', () => w.close(), { once: true });
    const stream = streamEvents({ baseUrl: conn.url, token: conn.token }, { signal: w.stop.signal, onOpen: () => opened() });
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const pump = (async () => {
      for await (const e of stream) {
        w.seen.push(e);
        for (const f of w.wake) f();
      }
    })().finally(() => {
      w.ended = true;
      for (const f of w.wake) f();
    });
    // Opening fails (unreachable, refused) or the stream opens: whichever comes first.
    await Promise.race([open, pump.then(() => {
      throw new CliError(EXIT.unreachable, 'not_running', `The event stream of ${conn.url} ended before it opened.`);
    })]);
    return w;
  }

  async until<T>(pick: (e: PaydeskEvent) => T | undefined, what: string): Promise<T> {
    for (let from = 0; ; ) {
      for (; from < this.seen.length; from++) {
        const hit = pick(this.seen[from]!);
        if (hit !== undefined) return hit;
      }
      if (this.ended) {
        throw new CliError(this.stop.signal.aborted ? EXIT.failed : EXIT.unreachable, this.stop.signal.aborted ? 'interrupted' : 'stopped',
          this.stop.signal.aborted ? `Stopped while waiting for ${what}.` : `Paydesk stopped answering while the command waited for ${what}.`);
      }
      await new Promise<void>((resolve) => {
        const f = () => {
          this.wake.delete(f);
          resolve();
        };
        this.wake.add(f);
      });
    }
  }

  /** The first delivery attempt of the notice written for `sourceId` (a purchase or a refund). */
  async firstAttempt(sourceId: string, type: 'postback' | 'chargeback'): Promise<Attempted> {
    const noticeId = await this.until((e) => (e.type === 'notice.queued' && e.data.purchaseId === sourceId && e.data.type === type ? e.data.id : undefined), `the ${type} of ${sourceId}`);
    return this.firstAttemptOf(noticeId, type);
  }

  firstAttemptOf(noticeId: string, type: string): Promise<Attempted> {
    return this.until((e) => (e.type === 'notice.attempted' && e.data.id === noticeId ? e.data : undefined), `the first delivery of ${type} ${noticeId}`);
  }

  close(): void {
    this.stop.abort();
  }
}
