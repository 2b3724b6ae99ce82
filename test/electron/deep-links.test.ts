// electron/main/deep-links.ts against the stand-in Electron: links that arrive
// before the server runs wait and open in order (this instance's own argv last);
// later ones open at once; a second instance without a link shows the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { electronEvent, fake } from './fake-electron.ts';
import { importWithFakeElectron } from './with-fake-electron.ts';
import type * as DeepLinks from '../../electron/main/deep-links.ts';
import type { Desktop } from '../../electron/main/desktop.ts';

const { setupDeepLinks, registerLinkHandler } = await importWithFakeElectron<typeof DeepLinks>('electron/main/deep-links.ts');
const state = fake();

test('deep links: queued until start, then each as it comes', () => {
  const seen: string[] = [];
  const desktop: Desktop = {
    log: (m) => seen.push(`log ${m}`),
    roles: { track: () => undefined, roleOf: () => undefined },
    consoleWindow: { show: (route) => seen.push(`console ${route ?? '(home)'}`) },
    confirmations: { open: (id) => seen.push(`confirm ${id}`), close: () => undefined },
  };
  const links = setupDeepLinks(desktop);
  const early = electronEvent();
  state.app.emit('open-url', early, 'paydesk://apps');
  state.app.emit('second-instance', electronEvent(), ['/opt/Paydesk/paydesk', 'paydesk://confirm/pur_f1'], '/');
  state.app.emit('second-instance', electronEvent(), ['/opt/Paydesk/paydesk'], '/');
  assert.equal(early.prevented, true, 'macOS must not open the link elsewhere');
  assert.deepEqual(seen, [], 'nothing opens before the server runs');

  process.argv.push('paydesk://notices');
  try {
    links.start();
  } finally {
    process.argv.pop();
  }
  assert.deepEqual(seen, ['console /apps', 'confirm pur_f1', 'console /notices']);

  seen.length = 0;
  state.app.emit('second-instance', electronEvent(), ['/opt/Paydesk/paydesk'], '/');
  state.app.emit('open-url', electronEvent(), 'paydesk://purchases/pur_f2');
  state.app.emit('open-url', electronEvent(), 'paydesk://nowhere/x');
  assert.deepEqual(seen, ['console (home)', 'console /purchases/pur_f2', 'log ignored a paydesk:// link that names no known pane']);
});

test('the OS handler for paydesk:// is registered only when packaged or asked for', () => {
  const before = state.calls.filter((c) => c.startsWith('setAsDefaultProtocolClient')).length;
  state.app.isPackaged = false;
  registerLinkHandler();
  assert.equal(state.calls.filter((c) => c.startsWith('setAsDefaultProtocolClient')).length, before);
  state.app.isPackaged = true;
  registerLinkHandler();
  assert.equal(state.calls.filter((c) => c.startsWith('setAsDefaultProtocolClient')).length, before + 1);
});
