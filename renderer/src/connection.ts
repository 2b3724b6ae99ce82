// How the console reaches the provider. In the desktop app the preload exposes
// `window.paydesk.getConnection()` and the console sends the bearer token it
// returns; in a browser tab the console is same-origin with the server and
// authenticates with the HttpOnly session cookie it got for a login code
// (console-session.ts).
// The token is kept in this module's memory only: never in a URL or in storage.

export interface Connection {
  /** '' for same-origin. */
  readonly baseUrl: string;
  /** null when the HttpOnly cookie authenticates. */
  readonly token: string | null;
}

/** What the desktop preloads may expose (contract/bridge.ts); every action but getConnection is optional. */
export interface PaydeskBridge {
  getConnection(): Promise<{ baseUrl: string; token: string }>;
  openExternal?(url: string): Promise<void>;
  openConfirmation?(purchaseId: string): Promise<void>;
  closeConfirmation?(purchaseId: string): Promise<void>;
  onNavigate?(listener: (e: { route: string }) => void): () => void;
}

/** The desktop bridge, or undefined in a browser tab. */
export function bridge(): PaydeskBridge | undefined {
  const candidate = (globalThis as { paydesk?: unknown }).paydesk;
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as PaydeskBridge).getConnection === 'function') {
    return candidate as PaydeskBridge;
  }
  return undefined;
}

let current: Promise<Connection> | undefined;

export function connection(): Promise<Connection> {
  current ??= (async () => {
    const b = bridge();
    if (!b) return { baseUrl: '', token: null };
    const c = await b.getConnection();
    return { baseUrl: c.baseUrl.replace(/\/+$/, ''), token: c.token };
  })();
  current.catch(() => {
    current = undefined;
  });
  return current;
}

/** True in the desktop window (the preload bridge exists). */
export function isDesktop(): boolean {
  return bridge() !== undefined;
}
