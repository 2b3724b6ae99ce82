// electron/main/windows.ts and confirmation-window.ts against the stand-in Electron:
// one trusted window at a time, later purchases queued (once each, at most 20), only
// the window showing a purchase may close it; one console window, navigated when open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fake, type BrowserWindow } from './fake-electron.ts';
import { importWithFakeElectron } from './with-fake-electron.ts';
import type * as Confirmation from '../../electron/main/confirmation-window.ts';
import type * as Windows from '../../electron/main/windows.ts';

const { setupConfirmationWindows } = await importWithFakeElectron<typeof Confirmation>('electron/main/confirmation-window.ts');
const { createWindowRoles, setupConsoleWindow, setupBackgroundMode } = await importWithFakeElectron<typeof Windows>('electron/main/windows.ts');

const state = fake();
const opened = (from: number) => state.windows.slice(from).map((w) => w.webContents.url);
const caller = (w: BrowserWindow) => ({ role: 'confirm' as const, webContentsId: w.webContents.id });

function setup() {
  const roles = createWindowRoles();
  return { roles, confirmations: setupConfirmationWindows({ roles, buildDir: '/app/build/electron', devTools: false }), from: state.windows.length };
}

test('the trusted window: confirm preload, its role, on top, out of screen captures', async () => {
  const { roles, confirmations, from } = setup();
  confirmations.open('pur_a1');
  const [win] = state.windows.slice(from);
  assert.ok(win);
  assert.equal(win.webContents.url, 'app://paydesk/#/confirm/pur_a1');
  assert.equal((win.options.webPreferences as Record<string, unknown>).preload, '/app/build/electron/confirm-preload.js');
  assert.equal(roles.roleOf(win.webContents.id), 'confirm');
  assert.ok(win.calls.includes('setAlwaysOnTop true screen-saver') && win.calls.includes('setContentProtection true'));
  await new Promise((resolve) => win.once('ready-to-show', resolve));
  assert.equal(win.visible && win.focused, true);
  confirmations.close(caller(win), 'pur_a1');
  assert.equal(roles.roleOf(win.webContents.id), undefined, 'a closed window has no role left');
});

test('one purchase at a time: the same purchase refocuses, others wait in order and open as each closes', () => {
  const { confirmations, from } = setup();
  confirmations.open('pur_b1');
  confirmations.open('pur_b2');
  confirmations.open('pur_b1');
  confirmations.open('pur_b3');
  confirmations.open('pur_b2');
  assert.deepEqual(opened(from), ['app://paydesk/#/confirm/pur_b1']);
  for (const id of ['pur_b1', 'pur_b2', 'pur_b3']) confirmations.close(caller(state.windows.at(-1)!), id);
  assert.deepEqual(opened(from), ['pur_b1', 'pur_b2', 'pur_b3'].map((id) => `app://paydesk/#/confirm/${id}`));
});

test('a burst queues at most 20 purchases behind the shown one', () => {
  const { confirmations, from } = setup();
  for (let i = 0; i < 30; i++) confirmations.open(`pur_c${i}`);
  for (let i = 0; i < 30 && !state.windows.at(-1)!.destroyed; i++) state.windows.at(-1)!.close();
  assert.equal(opened(from).length, 21);
  assert.equal(opened(from).at(-1), 'app://paydesk/#/confirm/pur_c20');
});

test('closeConfirmation: only the window showing that purchase', () => {
  const { confirmations, from } = setup();
  confirmations.open('pur_d1');
  const win = state.windows[from]!;
  assert.throws(() => confirmations.close(caller(win), 'pur_other'), { code: 'not-your-window' });
  assert.throws(() => confirmations.close({ role: 'confirm', webContentsId: win.webContents.id + 1000 }, 'pur_d1'), { code: 'not-your-window' });
  assert.equal(win.destroyed, false);
  confirmations.close(caller(win), 'pur_d1');
  assert.equal(win.destroyed, true);
  assert.throws(() => confirmations.close(caller(win), 'pur_d1'), { code: 'not-your-window' }, 'not twice');
});

test('the console window: one at a time, reopened when closed, navigated when open; the dock icon shows it', () => {
  const roles = createWindowRoles();
  const consoleWindow = setupConsoleWindow({ roles, buildDir: '/app/build/electron', devTools: false });
  const from = state.windows.length;
  consoleWindow.show('/apps');
  consoleWindow.show('/purchases/pur_e1');
  consoleWindow.show();
  const [win] = state.windows.slice(from);
  assert.ok(win);
  assert.equal(state.windows.length, from + 1);
  assert.equal(win.webContents.url, 'app://paydesk/#/apps');
  assert.equal(roles.roleOf(win.webContents.id), 'console');
  assert.equal((win.options.webPreferences as Record<string, unknown>).preload, '/app/build/electron/preload.js');
  assert.deepEqual(win.webContents.sent, [['paydesk:navigate', { route: '/purchases/pur_e1' }]]);
  win.close();
  setupBackgroundMode(consoleWindow);
  state.app.emit('window-all-closed');
  assert.equal(state.calls.includes('quit'), false, 'closing every window does not quit');
  state.app.emit('activate');
  assert.equal(state.windows.length, from + 2);
  assert.equal(state.windows.at(-1)!.webContents.url, 'app://paydesk/');
});
