// Main's side of the bridge. Every invoke is checked in this order before any
// handler runs: a sender frame exists (null is a rejection), it is a top-level
// frame, its URL is our app:// origin, its webContents belongs to a window this app
// created, and that window's role may call this channel. Then the arguments are
// parsed by the contract's parser, and the outcome crosses back as a value.
// Electron is injected (structural types), so this file runs under plain Node in tests.
import { actions, channelsFor, type BridgeErrorCode, type BridgeResult, type InvokeSpec, type WindowRole } from '../contract/bridge.ts';
import { isTrustedSender } from './policy.ts';

/** The parts of Electron's IpcMainInvokeEvent we read. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

/** Which window role, if any, a webContents id belongs to: the registry of windows main created. */
export type RoleOf = (webContentsId: number) => WindowRole | undefined;

export interface Caller {
  readonly role: WindowRole;
  readonly webContentsId: number;
}

/** A refusal a handler reports on purpose; the code is stable, the message says what to do. */
export class BridgeError extends Error {
  constructor(readonly code: BridgeErrorCode, message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

type Actions = typeof actions;
type InvokeName = { [K in keyof Actions]: Actions[K] extends { readonly kind: 'invoke' } ? K : never }[keyof Actions];
type ArgsOf<S> = S extends InvokeSpec<infer A, unknown> ? A : never;
type ResultOf<S> = S extends InvokeSpec<readonly unknown[], infer R> ? R : never;

/** One handler per invoke action, typed from the contract. */
export type BridgeHandlers = {
  readonly [K in InvokeName]: (caller: Caller, ...args: ArgsOf<Actions[K]>) => Promise<ResultOf<Actions[K]>> | ResultOf<Actions[K]>;
};

export type SenderCheck = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly error: { readonly code: 'sender-rejected'; readonly message: string } };

const reject = (why: string): SenderCheck => ({ ok: false, error: { code: 'sender-rejected', message: `Refused: ${why}.` } });

export function checkSender(event: InvokeEventLike, channel: string, roleOf: RoleOf): SenderCheck {
  const frame = event.senderFrame;
  if (frame === null) return reject('the sending frame is gone or unknown');
  if (frame.parent !== null) return reject('only the top-level frame may call the bridge');
  if (!isTrustedSender(frame.url)) return reject('the sender is not the Paydesk console');
  const role = roleOf(event.sender.id);
  if (role === undefined) return reject('the sender is not a Paydesk window');
  if (!channelsFor(role).has(channel)) return reject(`the ${role} window cannot call ${channel}`);
  return { ok: true, caller: { role, webContentsId: event.sender.id } };
}

export function registerBridge(ipcMain: IpcMainLike, roleOf: RoleOf, handlers: BridgeHandlers, log: (message: string) => void): void {
  for (const name of Object.keys(handlers) as InvokeName[]) {
    const spec: InvokeSpec<readonly unknown[], unknown> = actions[name];
    const handler = handlers[name] as (caller: Caller, ...args: readonly unknown[]) => unknown;
    ipcMain.handle(spec.channel, async (event, ...raw): Promise<BridgeResult<unknown>> => {
      const sender = checkSender(event, spec.channel, roleOf);
      if (!sender.ok) {
        log(`ipc: ${spec.channel} refused (${sender.error.message})`);
        return sender;
      }
      const parsed = spec.parse(raw);
      if ('invalid' in parsed) return { ok: false, error: { code: 'invalid-arguments', message: `${name} ${parsed.invalid}.` } };
      try {
        return { ok: true, value: await handler(sender.caller, ...parsed.args) };
      } catch (e) {
        if (e instanceof BridgeError) return { ok: false, error: { code: e.code, message: e.message } };
        // Arguments and values are never logged: they may hold the console token.
        log(`ipc: ${spec.channel} failed: ${e instanceof Error ? e.message : 'unknown error'}`);
        return { ok: false, error: { code: 'internal', message: 'Paydesk could not do that. See the log and try again.' } };
      }
    });
  }
}
