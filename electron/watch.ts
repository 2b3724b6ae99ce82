// What main watches on the provider server for the tray, notifications and the
// trusted confirmation window. Pending purchases come from the console API
// (listPurchases with status pending, through the contract's client with the
// console's token, answers checked against the contract), polled every few seconds
// and at once whenever the in-process event bus reports a purchase change. Failed
// notices come from the bus ('notice.failed', emitted by server/notices/dispatcher.ts
// when a notice gives up), the moment they fail, and so do apps whose notices keep
// failing ('app.notices_failing', server/notices/health.ts).
// Pure apart from the injected client: tested in Node.
import { showControls } from '../contract/api.ts';
import type { Client, RouteResult } from '../contract/client.ts';
import { selects, type PaydeskEvent } from '../contract/events.ts';

export const POLL_INTERVAL_MS = 3000;

export type PendingPurchase = RouteResult<'getPurchase'>;
type Api = Pick<Client, 'call'>;

/** A notice that gave up: its id, and its app's key (events carry ids, never names). */
export interface FailedNotice {
  readonly id: string;
  readonly appKey: string;
}

/** Purchase events change the pending count; they trigger an immediate poll. */
export function refreshesPending(e: PaydeskEvent): boolean {
  return selects(['purchase.'], e.type);
}

/** A 'notice.failed' bus event → the notice to announce; null for any other event. */
export function failedNoticeFromEvent(e: PaydeskEvent): FailedNotice | null {
  return e.type === 'notice.failed' ? { id: e.data.id, appKey: e.data.appKey } : null;
}

/** An 'authorization.pending' bus event → the sign-in the trusted window shows; null for any other event. */
export function signInFromEvent(e: PaydeskEvent): string | null {
  return e.type === 'authorization.pending' ? e.data.id : null;
}

/** Events carry no names: the window itself shows the merchant, its reputation and the code. */
export const signInNotification: NotificationText = {
  title: 'Approve a sign-in',
  body: 'A store asks you to sign in with Paydesk. Check that the Paydesk window shows the code the store\'s page shows.',
};

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

// Names come from merchants, or from rows stored before the server refused control
// characters: written out (showControls), a U+202E cannot turn the price around.
export function purchaseNotification(p: PendingPurchase): NotificationText {
  const what = p.item.name ? showControls(p.item.name) : 'A purchase';
  const from = p.seller.name ? ` from ${showControls(p.seller.name)}` : '';
  return { title: 'Confirm a purchase', body: `${what}${from} for ${p.price.display} is waiting for your confirmation. Code ${p.code}.` };
}

/** Names the notice's app as the console API has it now; "A merchant" when the app cannot be read. Never rejects. */
export async function failedNoticeNotification(api: Api, n: FailedNotice): Promise<NotificationText> {
  const appName = await api.call('getApp', { params: { key: n.appKey } }).then((a) => a.name, () => '');
  return { title: 'A notice failed', body: `${appName ? showControls(appName) : 'A merchant'}'s server did not accept a notice. Open Notices to see why and redeliver.` };
}

/** An app whose notices keep failing (the rule is server/notices/health.ts): its key and how many attempts in a row failed. */
export interface FailingApp {
  readonly appKey: string;
  readonly attempts: number;
}

/** An 'app.notices_failing' bus event → the app to announce, once per run of failures; null for any other event. */
export function failingAppFromEvent(e: PaydeskEvent): FailingApp | null {
  return e.type === 'app.notices_failing' ? { appKey: e.data.key, attempts: e.data.attempts } : null;
}

/** Names the app as the console API has it now; "A merchant" when it cannot be read. Never rejects. */
export async function failingAppNotification(api: Api, f: FailingApp): Promise<NotificationText> {
  const appName = await api.call('getApp', { params: { key: f.appKey } }).then((a) => a.name, () => '');
  return {
    title: 'Notices keep failing',
    body: `${appName ? showControls(appName) : 'A merchant'}'s server refused the last ${f.attempts} notice attempts. Open the app to see its endpoint, fix it, then retry all failed.`,
  };
}

/** Tray tooltip and menu line. */
export function pendingLabel(count: number): string {
  if (count === 0) return 'No purchases waiting';
  return count === 1 ? '1 purchase waiting' : `${count} purchases waiting`;
}

export interface WatchCallbacks {
  /** The console API (contract/client.ts), best with checkResponses: what it answers is then a Purchase, or an error. */
  readonly api: Api;
  readonly onPendingCount: (count: number) => void;
  readonly onNewPurchase: (p: PendingPurchase) => void;
  readonly onError: (message: string) => void;
}

/**
 * Polls on each tick, never two at once. The first tick only learns what is already
 * pending, so starting the app does not announce old purchases as new ones.
 */
export function createWatcher(cb: WatchCallbacks): { tick(): Promise<void> } {
  let seeded = false;
  let seen = new Set<string>();
  let lastError = '';
  let running: Promise<void> | null = null;

  const report = (message: string) => {
    // A server that is down answers the same on every poll; say it once.
    if (message !== lastError) cb.onError(message);
    lastError = message;
  };

  async function poll(): Promise<void> {
    let pending: readonly PendingPurchase[];
    try {
      pending = (await cb.api.call('listPurchases', { query: { status: 'pending' } })).items;
    } catch (e) {
      report(`watch: ${e instanceof Error ? e.message : 'request failed'}`);
      return;
    }
    lastError = '';
    cb.onPendingCount(pending.length);
    for (const p of pending) if (seeded && !seen.has(p.id)) cb.onNewPurchase(p);
    // Only what is pending now is remembered (memory stays bounded); a purchase never returns to pending.
    seen = new Set(pending.map((p) => p.id));
    seeded = true;
  }

  let again = false;
  const run = async () => {
    do {
      again = false;
      await poll();
    } while (again);
    running = null;
  };

  return {
    tick() {
      // A change reported mid-poll may have missed that poll's read: poll once more after it.
      if (running !== null) again = true;
      running ??= run();
      return running;
    },
  };
}
