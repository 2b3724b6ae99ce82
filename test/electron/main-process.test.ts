// electron/main.ts itself, run under plain Node: bundled exactly as for Electron but
// with test/electron/fake-electron.ts standing in for the `electron` module, and a
// real provider server behind it. Checks the wiring the pure tests cannot: which
// hooks main installs and what they decide, the bridge as registered, the trusted
// window opening for a new purchase, tray and notifications, deep links, quit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { mainBuildOptions } from '../../electron/build.ts';
import { freshDataDir } from '../helpers/paydesk.ts';
import { BrowserWindow, electronEvent, fake } from './fake-electron.ts';
import { consoleClient, readyWallet, requestPurchase, until, type Connection } from './scenario.ts';

const root = join(import.meta.dirname, '..', '..');
const state = fake();
// Inside the checkout, so the bundle's bare imports (better-sqlite3, zod, jose) resolve from node_modules.
const outDir = join(root, 'build', 'test-main', String(process.pid));
// Under the run's test root, so the final scan checks the desktop's databases for card data too.
const userData = freshDataDir('desktop');

type Invoke = (event: unknown, ...args: unknown[]) => Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;

function invoke(channel: string, win: BrowserWindow | null, frameUrl: string | null, ...args: unknown[]) {
  const h = state.ipcHandlers.get(channel) as Invoke | undefined;
  assert.ok(h, `main registered ${channel}`);
  return h({ sender: { id: win?.webContents.id ?? 999 }, senderFrame: frameUrl === null ? null : { url: frameUrl, parent: null } }, ...args);
}

const consoleWindow = () => {
  const w = state.windows.find((x) => x.webContents.url.startsWith('app://paydesk/') && !x.webContents.url.includes('#/confirm/'));
  assert.ok(w, 'a console window');
  return w;
};

describe('electron/main.ts against a stand-in Electron', () => {
  let conn: Connection;

  before(async () => {
    mkdirSync(outDir, { recursive: true });
    await build({ ...mainBuildOptions(root, outDir), external: [], alias: { electron: join(import.meta.dirname, 'fake-electron.ts') }, sourcemap: false });
    state.app.setPath('appData', userData);
    state.app.setPath('userData', join(userData, 'electron-default'));
    process.env.PAYDESK_USER_DATA = join(userData, 'Paydesk');
    await import(pathToFileURL(join(outDir, 'main.js')).href);
    state.app.ready();
    await until('the console window', () => state.windows[0]);
    const got = await invoke('paydesk:get-connection', consoleWindow(), 'app://paydesk/');
    assert.equal(got.ok, true);
    conn = got.value as Connection;
  });

  after(() => {
    delete process.env.PAYDESK_USER_DATA;
    rmSync(outDir, { recursive: true, force: true });
  });

  test('before ready: app:// privileged (never bypassing CSP), global sandbox, isolated user data', () => {
    assert.deepEqual(state.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false, codeCache: true } }]);
    assert.ok(state.calls.includes('enableSandbox'));
    assert.equal(state.app.getPath('userData'), join(userData, 'Paydesk'));
    assert.ok(existsSync(join(userData, 'Paydesk', 'master.key.safe')), 'the master key is in the (fake) OS keystore');
    assert.equal(existsSync(join(userData, 'Paydesk', 'master.key')), false);
    assert.ok(state.calls.some((c) => c.startsWith('setAsDefaultProtocolClient ["paydesk"')));
  });

  test('the console window: secure webPreferences, loaded from app://paydesk', () => {
    const w = consoleWindow();
    assert.equal(w.webContents.url, 'app://paydesk/');
    const prefs = w.options.webPreferences as Record<string, unknown>;
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.match(String(prefs.preload), /build[/\\]electron[/\\]preload\.js$/);
  });

  test('navigation, redirects, webviews and window.open are denied; allowlisted links go to the browser', async () => {
    const contents = consoleWindow().webContents;
    for (const hook of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = electronEvent('https://evil.example/');
      contents.emit(hook, away);
      assert.equal(away.prevented, true, hook);
      const own = electronEvent('app://paydesk/');
      contents.emit(hook, own);
      assert.equal(own.prevented, false, hook);
    }
    const webview = electronEvent();
    contents.emit('will-attach-webview', webview);
    assert.equal(webview.prevented, true);
    assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://evil.example/' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://github.com/paydesk' }), { action: 'deny' });
    await until('openExternal', () => (state.openedExternally.length > 0 ? true : undefined));
    assert.deepEqual(state.openedExternally, ['https://github.com/paydesk']);
  });

  test('permission request and check handlers deny', () => {
    const decisions: boolean[] = [];
    const request = state.session.request as unknown as (wc: unknown, p: string, cb: (ok: boolean) => void, d: { requestingUrl: string }) => void;
    for (const p of ['geolocation', 'media', 'notifications', 'openExternal']) request(null, p, (ok) => decisions.push(ok), { requestingUrl: 'app://paydesk/' });
    assert.deepEqual(decisions, [false, false, false, false]);
    const check = state.session.check as unknown as (wc: unknown, p: string, origin: string) => boolean;
    assert.equal(check(null, 'media', 'app://paydesk'), false);
    assert.equal(check(null, 'clipboard-sanitized-write', 'https://evil.example'), false);
    assert.equal((state.session.device as unknown as () => boolean)(), false);
  });

  test('app:// serves renderer/dist with the CSP and refuses traversal', async () => {
    const handle = state.protocolHandlers.get('app');
    assert.ok(handle);
    assert.equal((await handle(new Request('app://paydesk/..%2f..%2fpackage.json'))).status, 404);
    assert.equal((await handle(new Request('app://paydesk/no-such-file.js'))).status, 404);
    const index = await handle(new Request('app://paydesk/'));
    if (existsSync(join(root, 'renderer', 'dist', 'index.html'))) {
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-security-policy') ?? '', new RegExp(`connect-src ${conn.baseUrl.replace(/[.]/g, '\\.')}`));
    } else {
      assert.equal(index.status, 404, 'renderer/dist is not built in this checkout');
    }
  });

  test('the bridge rejects a null senderFrame, foreign frames and windows main did not create', async () => {
    assert.equal((await invoke('paydesk:get-connection', consoleWindow(), null)).error?.code, 'sender-rejected');
    assert.equal((await invoke('paydesk:get-connection', consoleWindow(), 'https://evil.example/')).error?.code, 'sender-rejected');
    assert.equal((await invoke('paydesk:get-connection', null, 'app://paydesk/')).error?.code, 'sender-rejected');
    assert.equal((await invoke('paydesk:open-external', consoleWindow(), 'app://paydesk/', 'https://evil.example/')).error?.code, 'external-url-refused');
    assert.match(conn.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof conn.token, 'string');
  });

  test('a new purchase opens the trusted window on top, notifies, and counts in the tray', async () => {
    const { app: merchant, pin } = await readyWallet(conn);
    const purchaseId = await requestPurchase(conn, merchant);
    const trusted = await until('the confirmation window', () => state.windows.find((w) => w.webContents.url === `app://paydesk/#/confirm/${purchaseId}`));
    await until('it to show', () => (trusted.visible && trusted.focused ? true : undefined));
    assert.equal(trusted.options.alwaysOnTop, true);
    assert.ok(trusted.calls.includes('setAlwaysOnTop true screen-saver'));
    assert.ok(trusted.calls.includes('setContentProtection true'));
    assert.match(String((trusted.options.webPreferences as Record<string, unknown>).preload), /confirm-preload\.js$/);
    assert.equal((trusted.options.webPreferences as Record<string, unknown>).sandbox, true);
    assert.ok(state.notifications.some((n) => n.title === 'Confirm a purchase' && n.body.includes('Elite Sparkle Pony')));
    await until('tray count 1', () => (state.trays[0]?.tooltip === 'Paydesk: 1 purchase waiting' ? true : undefined));

    // What the trusted window's page does: confirm with the PIN, then close itself.
    const api = consoleClient(conn);
    const shown = await api.call('getPurchase', { params: { id: purchaseId } });
    const confirmed = await api.call('confirmPurchase', { params: { id: purchaseId }, body: { pin, digest: shown.digest } });
    assert.equal(confirmed.status, 'completed');
    assert.equal((await invoke('paydesk:close-confirmation', consoleWindow(), 'app://paydesk/', purchaseId)).error?.code, 'sender-rejected', 'the console cannot close it');
    assert.equal((await invoke('paydesk:close-confirmation', trusted, `app://paydesk/#/confirm/${purchaseId}`, 'pur_other')).error?.code, 'not-your-window');
    assert.deepEqual(await invoke('paydesk:close-confirmation', trusted, `app://paydesk/#/confirm/${purchaseId}`, purchaseId), { ok: true, value: undefined });
    assert.equal(trusted.destroyed, true);
    await until('tray count 0', () => (state.trays[0]?.tooltip === 'Paydesk: No purchases waiting' ? true : undefined));
  });

  test('the console API answers the app:// page as Chromium will ask (CORS preflight, cross-site fetch)', async () => {
    const browserish = { origin: 'app://paydesk', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' };
    const preflight = await fetch(`${conn.baseUrl}/api/purchases?status=pending`, {
      method: 'OPTIONS',
      headers: { ...browserish, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.ok(preflight.status === 204 || preflight.status === 200, `preflight answered ${preflight.status}`);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'app://paydesk');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const get = await fetch(`${conn.baseUrl}/api/purchases?status=pending`, { headers: { ...browserish, authorization: `Bearer ${conn.token}` } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'app://paydesk');
    const foreign = await fetch(`${conn.baseUrl}/api/purchases`, { headers: { ...browserish, origin: 'https://evil.example', authorization: `Bearer ${conn.token}` } });
    assert.notEqual(foreign.status, 200, 'other origins stay refused');
  });

  test('paydesk:// links from a second instance and from macOS open the right pane', () => {
    const contents = consoleWindow().webContents;
    state.app.emit('second-instance', electronEvent(), ['/opt/Paydesk/paydesk', 'paydesk://purchases/pur_1'], '/');
    const open = electronEvent();
    state.app.emit('open-url', open, 'paydesk://apps');
    state.app.emit('open-url', electronEvent(), 'paydesk://nowhere/x');
    assert.equal(open.prevented, true);
    assert.deepEqual(contents.sent.filter(([c]) => c === 'paydesk:navigate'), [
      ['paydesk:navigate', { route: '/purchases/pur_1' }],
      ['paydesk:navigate', { route: '/apps' }],
    ]);
  });

  test('a notice that gives up is announced naming its app', async () => {
    const api = consoleClient(conn);
    const created = await api.call('createApp', {
      body: {
        name: 'Pony Shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'merchant@example.com',
        postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback',
      },
    });
    // A test notice has one attempt: to a closed port it fails at once.
    const sent = await api.call('testNotice', { params: { key: created.app.key }, body: {} });
    assert.equal(sent.status, 'failed');
    const shown = await until('the failed-notice notification', () => state.notifications.find((n) => n.title === 'A notice failed'));
    assert.equal(shown.body, 'Pony Shop\'s server did not accept a notice. Open Notices to see why and redeliver.');
  });

  test('quitting closes the provider server first', async () => {
    const quit = electronEvent();
    state.app.emit('will-quit', quit);
    assert.equal(quit.prevented, true);
    await until('app.quit', () => (state.calls.includes('quit') ? true : undefined));
    await assert.rejects(fetch(`${conn.baseUrl}/v1/pay/pur_x`));
  });
});
