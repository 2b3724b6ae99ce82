// What main watches on the provider server for the tray, notifications and the
// trusted confirmation window. For now it polls the console API (the same HTTP API
// the console uses, with the console token); when the server's event stream settles
// this can subscribe to it instead without changing the callbacks.
// Pure apart from the injected fetchJson, so it is tested in Node.

export const PENDING_PURCHASES_PATH = '/api/purchases?status=pending';
export const FAILED_NOTICES_PATH = '/api/notices?status=failed';
export const POLL_INTERVAL_MS = 2000;

export interface PendingPurchase {
  readonly id: string;
  /** Item name, when the server sends it. */
  readonly name?: string;
  /** The short code shown on the merchant's status window too (DESIGN.md section 4). */
  readonly code?: string;
}

export interface FailedNotice {
  readonly id: string;
  readonly appName?: string;
}

function listOf(json: unknown, key: string): readonly unknown[] | null {
  if (Array.isArray(json)) return json;
  if (typeof json === 'object' && json !== null) {
    const inner = (json as Record<string, unknown>)[key];
    if (Array.isArray(inner)) return inner;
  }
  return null;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 && v.length <= 255 ? v : undefined;
}

function records(list: readonly unknown[] | null): readonly Record<string, unknown>[] | null {
  if (list === null) return null;
  return list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string');
}

/** Accepts `[...]` or `{purchases: [...]}`; each item needs a string id. */
export function parsePendingPurchases(json: unknown): readonly PendingPurchase[] | null {
  const items = records(listOf(json, 'purchases'));
  if (items === null) return null;
  return items.map((p) => {
    const name = str(p, 'name') ?? str(p, 'itemName');
    const code = str(p, 'code') ?? str(p, 'confirmationCode');
    return { id: p.id as string, ...(name ? { name } : {}), ...(code ? { code } : {}) };
  });
}

/** Accepts `[...]` or `{notices: [...]}`; each item needs a string id. */
export function parseFailedNotices(json: unknown): readonly FailedNotice[] | null {
  const items = records(listOf(json, 'notices'));
  if (items === null) return null;
  return items.map((n) => {
    const appName = str(n, 'appName');
    return { id: n.id as string, ...(appName ? { appName } : {}) };
  });
}

export function purchaseNotification(p: PendingPurchase): { readonly title: string; readonly body: string } {
  const what = p.name ?? 'A purchase';
  return { title: 'Purchase waiting for you', body: `${what} needs your confirmation in Paydesk${p.code ? ` (code ${p.code})` : ''}.` };
}

export function failedNoticeNotification(n: FailedNotice): { readonly title: string; readonly body: string } {
  return { title: 'A notice failed', body: `${n.appName ?? 'A merchant'}'s server did not accept a notice. Open Notices to see why and redeliver.` };
}

export interface WatchCallbacks {
  readonly fetchJson: (path: string) => Promise<unknown>;
  readonly onPendingCount: (count: number) => void;
  readonly onNewPurchase: (p: PendingPurchase) => void;
  readonly onFailedNotice: (n: FailedNotice) => void;
  readonly onError: (message: string) => void;
}

/**
 * One poll per tick. The first tick only learns what already exists, so starting the
 * app does not replay old purchases and failures as new ones.
 */
export function createWatcher(cb: WatchCallbacks): { tick(): Promise<void> } {
  let seeded = false;
  let seenPurchases = new Set<string>();
  let seenNotices = new Set<string>();
  let lastError = '';

  const report = (message: string) => {
    // A server that is down answers the same every 2 s; say it once.
    if (message !== lastError) cb.onError(message);
    lastError = message;
  };

  return {
    async tick() {
      let pending: readonly PendingPurchase[] | null;
      let failed: readonly FailedNotice[] | null;
      try {
        [pending, failed] = await Promise.all([
          cb.fetchJson(PENDING_PURCHASES_PATH).then(parsePendingPurchases),
          cb.fetchJson(FAILED_NOTICES_PATH).then(parseFailedNotices),
        ]);
      } catch (e) {
        report(`watch: ${e instanceof Error ? e.message : 'request failed'}`);
        return;
      }
      if (pending === null || failed === null) {
        report('watch: the server answered in an unexpected shape');
        return;
      }
      lastError = '';
      cb.onPendingCount(pending.length);
      for (const p of pending) if (seeded && !seenPurchases.has(p.id)) cb.onNewPurchase(p);
      for (const n of failed) if (seeded && !seenNotices.has(n.id)) cb.onFailedNotice(n);
      // Only what is listed now is remembered, so memory stays bounded; a purchase never returns to pending.
      seenPurchases = new Set(pending.map((p) => p.id));
      seenNotices = new Set(failed.map((n) => n.id));
      seeded = true;
    },
  };
}
