// The preload bridge, described once. Each entry is one action: its IPC channel,
// how main parses its arguments, and (as a phantom type) what it returns. From this
// table come the renderer's `window.paydesk` type, the preload's functions
// (buildBridge) and main's per-window channel allowlist (ipc.ts). Nothing here
// imports `electron` or any Node module: sandboxed preloads are bundled from it
// (they may only require 'electron'), and tests run it in Node.

/** Purchase ids are `pur_…` (server/ids.ts); anything outside this shape never reaches a route or a window. */
export function isPurchaseId(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(raw);
}

export type WindowRole = 'console' | 'confirm';

/** How the console reaches the provider server. The token arrives only through here. */
export interface Connection {
  readonly baseUrl: string;
  readonly token: string;
}

/**
 * Why main refused a bridge call. sender-rejected: the caller failed the sender checks
 * (electron/ipc.ts); invalid-arguments: the contract's parser refused them; internal: a
 * handler failed unexpectedly (logged, never the details); the rest are handlers' own refusals.
 */
export type BridgeErrorCode = 'sender-rejected' | 'invalid-arguments' | 'internal' | 'external-url-refused' | 'not-your-window';

export interface BridgeErrorValue {
  readonly code: BridgeErrorCode;
  readonly message: string;
}

/** Errors cross IPC as values; a thrown Error would lose everything but its message. */
export type BridgeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BridgeErrorValue };

/** Argument parser: returns the typed arguments, or a message saying what is wrong. */
type Parse<A extends readonly unknown[]> = (raw: readonly unknown[]) => { readonly args: A } | { readonly invalid: string };

export interface InvokeSpec<A extends readonly unknown[], R> {
  readonly kind: 'invoke';
  readonly channel: string;
  readonly parse: Parse<A>;
  /** Phantom: carries the result type; never set. */
  readonly result?: R;
}

export interface EventSpec<P> {
  readonly kind: 'event';
  readonly channel: string;
  /** The preload checks payloads too: main is trusted, but a typo must not reach React as garbage. */
  readonly parse: (raw: unknown) => P | undefined;
}

function invoke<A extends readonly unknown[], R>(channel: string, parse: Parse<A>): InvokeSpec<A, R> {
  return { kind: 'invoke', channel, parse };
}

function event<P>(channel: string, parse: (raw: unknown) => P | undefined): EventSpec<P> {
  return { kind: 'event', channel, parse };
}

const noArgs: Parse<[]> = (raw) => (raw.length === 0 ? { args: [] } : { invalid: 'takes no arguments' });

const onePurchaseId: Parse<[purchaseId: string]> = (raw) =>
  raw.length === 1 && isPurchaseId(raw[0]) ? { args: [raw[0]] } : { invalid: 'takes one purchase id' };

const oneUrl: Parse<[url: string]> = (raw) =>
  raw.length === 1 && typeof raw[0] === 'string' && raw[0].length <= 2048 ? { args: [raw[0]] } : { invalid: 'takes one URL string' };

export interface NavigateEvent {
  /** A console hash route, e.g. "/purchases/pur_123" (from a paydesk:// deep link). */
  readonly route: string;
}

const parseNavigate = (raw: unknown): NavigateEvent | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const route = (raw as { route?: unknown }).route;
  return typeof route === 'string' && route.startsWith('/') ? { route } : undefined;
};

/** Every bridge action, each described once. */
export const actions = {
  getConnection: invoke<[], Connection>('paydesk:get-connection', noArgs),
  openExternal: invoke<[url: string], void>('paydesk:open-external', oneUrl),
  openConfirmation: invoke<[purchaseId: string], void>('paydesk:open-confirmation', onePurchaseId),
  closeConfirmation: invoke<[purchaseId: string], void>('paydesk:close-confirmation', onePurchaseId),
  onNavigate: event<NavigateEvent>('paydesk:navigate', parseNavigate),
} as const;

/** What each window's preload exposes. The confirmation window gets the least it needs. */
export const consoleContract = {
  getConnection: actions.getConnection,
  openExternal: actions.openExternal,
  openConfirmation: actions.openConfirmation,
  onNavigate: actions.onNavigate,
} as const;

export const confirmContract = {
  getConnection: actions.getConnection,
  closeConfirmation: actions.closeConfirmation,
} as const;

export const contracts = { console: consoleContract, confirm: confirmContract } as const satisfies Record<WindowRole, object>;

export type Unsubscribe = () => void;

type AnySpec = InvokeSpec<readonly unknown[], unknown> | EventSpec<unknown>;

/** The renderer-facing type of a contract: one function per action. */
export type BridgeOf<C> = {
  readonly [K in keyof C]: C[K] extends InvokeSpec<infer A, infer R>
    ? (...args: A) => Promise<R>
    : C[K] extends EventSpec<infer P>
      ? (listener: (payload: P) => void) => Unsubscribe
      : never;
};

/** `window.paydesk` in the console window. */
export type PaydeskBridge = BridgeOf<typeof consoleContract>;
/** `window.paydesk` in the trusted confirmation window. */
export type PaydeskConfirmBridge = BridgeOf<typeof confirmContract>;

/** Invoke channels a window role may call (main refuses the rest). */
export function channelsFor(role: WindowRole): ReadonlySet<string> {
  const specs: readonly AnySpec[] = Object.values(contracts[role]);
  return new Set(specs.filter((s) => s.kind === 'invoke').map((s) => s.channel));
}

/** The slice of ipcRenderer a preload needs; the object itself never leaves the preload. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function isBridgeResult(v: unknown): v is BridgeResult<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

/**
 * Builds the object a preload exposes with contextBridge: a named function per action.
 * Failures reject with an Error whose message ends in the stable code, e.g.
 * "The URL is not on the allowlist. (external-url-refused)".
 */
export function buildBridge<C extends Record<string, AnySpec>>(contract: C, ipc: IpcRendererLike): BridgeOf<C> {
  const bridge: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(contract)) {
    if (spec.kind === 'invoke') {
      const channel = spec.channel;
      bridge[name] = async (...args: unknown[]) => {
        const reply = await ipc.invoke(channel, ...args);
        if (!isBridgeResult(reply)) throw new Error(`Paydesk desktop bridge: malformed reply on ${channel} (bridge-protocol)`);
        if (!reply.ok) throw new Error(`${reply.error.message} (${reply.error.code})`);
        return reply.value;
      };
    } else {
      const { channel, parse } = spec;
      bridge[name] = (listener: (payload: unknown) => void): Unsubscribe => {
        // The IPC event object (with its sender and ports) stays in the preload.
        const wrapped = (_event: unknown, payload: unknown) => {
          const parsed = parse(payload);
          if (parsed !== undefined) listener(parsed);
        };
        ipc.on(channel, wrapped);
        return () => {
          ipc.removeListener(channel, wrapped);
        };
      };
    }
  }
  return Object.freeze(bridge) as BridgeOf<C>;
}
