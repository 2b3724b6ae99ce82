// What main watches on the provider server for the tray, notifications and the
// trusted confirmation window. Pending purchases come from the console API
// (GET /api/purchases?status=pending, the same call and token the console uses),
// polled every few seconds and at once whenever the in-process event bus reports a
// purchase change. Failed notices come from the bus ('notice.failed', emitted by
// server/notices/dispatcher.ts when a notice gives up), the moment they fail.
// Pure apart from the injected fetchJson: tested in Node.
import { showControls } from '../contract/api.ts';

export const PENDING_PURCHASES_PATH = '/api/purchases?status=pending';
export const POLL_INTERVAL_MS = 3000;

export interface PendingPurchase {
  readonly id: string;
  readonly code?: string;
  readonly itemName?: string;
  readonly price?: string;
  readonly sellerName?: string;
}

export interface FailedNotice {
  readonly id: string;
  readonly appName?: string;
}

type Rec = Readonly<Record<string, unknown>>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 255 ? v : undefined;
}

function field(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const k of path) cur = isRec(cur) ? cur[k] : undefined;
  return cur;
}

/** `{items: Purchase[]}` (server/http/contract.ts listPurchases) → summaries; null for any other shape. */
export function parsePendingPurchases(json: unknown): readonly PendingPurchase[] | null {
  const items = field(json, 'items');
  if (!Array.isArray(items)) return null;
  const out: PendingPurchase[] = [];
  for (const p of items) {
    const id = text(field(p, 'id'));
    if (id === undefined) continue;
    const code = text(field(p, 'code'));
    const itemName = text(field(p, 'item', 'name'));
    const price = text(field(p, 'price', 'display'));
    const sellerName = text(field(p, 'seller', 'name'));
    out.push({ id, ...(code && { code }), ...(itemName && { itemName }), ...(price && { price }), ...(sellerName && { sellerName }) });
  }
  return out;
}

export interface BusEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Purchase events change the pending count; they trigger an immediate poll. */
export function refreshesPending(e: BusEvent): boolean {
  return e.type.startsWith('purchase.');
}

/** A 'notice.failed' bus event → the notice to announce (ids and names only; never bodies). */
export function failedNoticeFromEvent(e: BusEvent): FailedNotice | null {
  if (e.type !== 'notice.failed') return null;
  const id = text(e.data.id);
  if (id === undefined) return null;
  const appName = text(e.data.appName);
  return { id, ...(appName && { appName }) };
}

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

// Names come from merchants, or from rows stored before the server refused control
// characters: written out (showControls), a U+202E cannot turn the price around.
export function purchaseNotification(p: PendingPurchase): NotificationText {
  const what = p.itemName ? showControls(p.itemName) : 'A purchase';
  const from = p.sellerName ? ` from ${showControls(p.sellerName)}` : '';
  const price = p.price ? ` for ${p.price}` : '';
  const code = p.code ? ` Code ${p.code}.` : '';
  return { title: 'Confirm a purchase', body: `${what}${from}${price} is waiting for your confirmation.${code}` };
}

export function failedNoticeNotification(n: FailedNotice): NotificationText {
  return { title: 'A notice failed', body: `${n.appName ? showControls(n.appName) : 'A merchant'}'s server did not accept a notice. Open Notices to see why and redeliver.` };
}

/** Tray tooltip and menu line. */
export function pendingLabel(count: number): string {
  if (count === 0) return 'No purchases waiting';
  return count === 1 ? '1 purchase waiting' : `${count} purchases waiting`;
}

export interface WatchCallbacks {
  readonly fetchJson: (path: string) => Promise<unknown>;
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
    let pending: readonly PendingPurchase[] | null;
    try {
      pending = parsePendingPurchases(await cb.fetchJson(PENDING_PURCHASES_PATH));
    } catch (e) {
      report(`watch: ${e instanceof Error ? e.message : 'request failed'}`);
      return;
    }
    if (pending === null) {
      report('watch: the server answered GET /api/purchases in an unexpected shape');
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
