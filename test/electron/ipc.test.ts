// The bridge end to end without Electron: buildBridge (what a preload exposes) talks
// through a fake ipcRenderer to registerBridge (main's handlers) through a fake
// ipcMain, with the sender each call would have in Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBridge, channelsFor, confirmContract, consoleContract, type BridgeResult, type IpcRendererLike, type WindowRole } from '../../contract/bridge.ts';
import { BridgeError, checkSender, registerBridge, type BridgeHandlers, type InvokeEventLike, type IpcMainLike } from '../../electron/ipc.ts';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

const APP = 'app://paydesk/';
const frame = (url: string, parent: unknown = null) => ({ url, parent });
const event = (id: number, senderFrame: InvokeEventLike['senderFrame']): InvokeEventLike => ({ sender: { id }, senderFrame });

/** Window 1 is the console, 2 the confirmation window; anything else is not ours. */
const roleOf = (id: number): WindowRole | undefined => (id === 1 ? 'console' : id === 2 ? 'confirm' : undefined);

function setup(overrides: Partial<BridgeHandlers> = {}) {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener) };
  const logs: string[] = [];
  const calls: string[] = [];
  registerBridge(ipcMain, roleOf, {
    getConnection: () => ({ baseUrl: 'http://127.0.0.1:4312', token: 'tok_secret' }),
    openExternal: (_c, url) => void calls.push(`open ${url}`),
    openConfirmation: (_c, id) => void calls.push(`confirm ${id}`),
    closeConfirmation: (c, id) => {
      if (c.role !== 'confirm') throw new BridgeError('not-your-window', 'no');
      calls.push(`close ${id}`);
    },
    ...overrides,
  }, (l) => logs.push(l));
  const invoke = (ev: InvokeEventLike, channel: string, ...args: unknown[]) => {
    const h = handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(ev, ...args) as Promise<BridgeResult<unknown>>;
  };
  return { handlers, invoke, logs, calls };
}

test('a null senderFrame is a rejection', () => {
  const r = checkSender(event(1, null), 'paydesk:get-connection', roleOf);
  assert.equal(r.ok, false);
});

test('senders must be a top-level app:// frame of a window we created, with a role allowed the channel', () => {
  assert.equal(checkSender(event(1, frame(APP)), 'paydesk:get-connection', roleOf).ok, true);
  assert.equal(checkSender(event(1, frame(APP, {})), 'paydesk:get-connection', roleOf).ok, false, 'subframe');
  assert.equal(checkSender(event(1, frame('https://evil.example/')), 'paydesk:get-connection', roleOf).ok, false, 'foreign origin');
  assert.equal(checkSender(event(1, frame('file:///index.html')), 'paydesk:get-connection', roleOf).ok, false, 'file://');
  assert.equal(checkSender(event(9, frame(APP)), 'paydesk:get-connection', roleOf).ok, false, 'not our window');
  assert.equal(checkSender(event(1, frame(APP)), 'paydesk:close-confirmation', roleOf).ok, false, 'console cannot close confirmations');
  assert.equal(checkSender(event(2, frame(APP)), 'paydesk:open-external', roleOf).ok, false, 'confirm window cannot open links');
  assert.equal(checkSender(event(2, frame(`${APP}#/confirm/pur_1`)), 'paydesk:close-confirmation', roleOf).ok, true);
});

test('every invoke handler checks the sender before running, and answers with a value', async () => {
  const { handlers, invoke, calls, logs } = setup();
  assert.deepEqual([...handlers.keys()].sort(), [...new Set([...channelsFor('console'), ...channelsFor('confirm')])].sort());
  for (const channel of handlers.keys()) {
    const r = await invoke(event(1, null), channel, 'pur_1');
    assert.deepEqual(r.ok ? null : r.error.code, 'sender-rejected', channel);
  }
  assert.deepEqual(calls, []);
  assert.ok(logs.every((l) => !l.includes('tok_secret')));
});

test('arguments are parsed before a handler sees them', async () => {
  const { invoke, calls } = setup();
  const bad = [[], ['../../x'], [42], ['pur_1', 'extra'], ['a'.repeat(65)]];
  for (const args of bad) {
    const r = await invoke(event(1, frame(APP)), 'paydesk:open-confirmation', ...args);
    assert.equal(r.ok ? 'ok' : r.error.code, 'invalid-arguments', JSON.stringify(args));
  }
  assert.deepEqual(calls, []);
  const ok = await invoke(event(1, frame(APP)), 'paydesk:open-confirmation', 'pur_1');
  assert.deepEqual(ok, { ok: true, value: undefined });
  assert.deepEqual(calls, ['confirm pur_1']);
});

test('handler errors cross as values; unexpected ones say nothing inside', async () => {
  const { invoke, logs } = setup({ getConnection: () => { throw new Error('db exploded'); } });
  assert.deepEqual(await invoke(event(1, frame(APP)), 'paydesk:get-connection'), {
    ok: false, error: { code: 'internal', message: 'Paydesk could not do that. See the log and try again.' },
  });
  assert.ok(logs.some((l) => l.includes('db exploded')));
  const refused = await invoke(event(2, frame(APP)), 'paydesk:close-confirmation', 'pur_1');
  assert.equal(refused.ok, true);
});

function wire(senderId: number, url: string | null, overrides: Partial<BridgeHandlers> = {}) {
  const main = setup(overrides);
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const ipcRenderer: IpcRendererLike = {
    invoke: (channel, ...args) => main.invoke(event(senderId, url === null ? null : frame(url)), channel, ...args),
    on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'the IPC event object' }, payload);
  };
  return { main, ipcRenderer, emit, listeners };
}

test('preload bridge: one function per action, nothing raw, frozen', () => {
  const bridge = buildBridge(consoleContract, wire(1, APP).ipcRenderer);
  assert.deepEqual(Object.keys(bridge).sort(), ['getConnection', 'onNavigate', 'openConfirmation', 'openExternal']);
  assert.ok(Object.isFrozen(bridge));
  for (const v of Object.values(bridge)) assert.equal(typeof v, 'function');
  const confirm = buildBridge(confirmContract, wire(2, APP).ipcRenderer);
  assert.deepEqual(Object.keys(confirm).sort(), ['closeConfirmation', 'getConnection']);
});

test('preload bridge: getConnection resolves to the value, refusals reject with the code', async () => {
  const good = buildBridge(consoleContract, wire(1, APP).ipcRenderer);
  assert.deepEqual(await good.getConnection(), { baseUrl: 'http://127.0.0.1:4312', token: 'tok_secret' });
  const foreign = buildBridge(consoleContract, wire(1, 'https://evil.example/').ipcRenderer);
  await assert.rejects(foreign.getConnection(), /\(sender-rejected\)$/);
  const refusing = buildBridge(consoleContract, wire(1, APP, {
    openExternal: () => { throw new BridgeError('external-url-refused', 'Not on the allowlist.'); },
  }).ipcRenderer);
  await assert.rejects(refusing.openExternal('https://evil.example/'), { message: 'Not on the allowlist. (external-url-refused)' });
});

test('preload bridge: listeners get the payload without the event object, and unsubscribe', () => {
  const w = wire(1, APP);
  const bridge = buildBridge(consoleContract, w.ipcRenderer);
  const seen: unknown[][] = [];
  const off = bridge.onNavigate((...args: unknown[]) => void seen.push(args));
  w.emit('paydesk:navigate', { route: '/purchases/pur_1' });
  w.emit('paydesk:navigate', { route: 'javascript:alert(1)' });
  w.emit('paydesk:navigate', 'garbage');
  assert.deepEqual(seen, [[{ route: '/purchases/pur_1' }]]);
  off();
  assert.equal(w.listeners.get('paydesk:navigate')?.size, 0);
  w.emit('paydesk:navigate', { route: '/apps' });
  assert.equal(seen.length, 1);
});
