// `npm run test:electron`: the real desktop app driven by Playwright's _electron.
// Launch, the console loads from app://, a purchase is confirmed in the trusted
// window, and each item of the security checklist is asserted in the running app.
// Named *.e2e.ts so `npm test` (which runs *.test.ts) does not pick it up; it is
// run from electron-suite.test.ts when an Electron binary exists. Without one it
// prints why and reports itself skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { detectElectron, electronEnv } from '../../electron/launch.ts';
import { consoleClient, readyWallet, requestPurchase, until, type Connection } from './scenario.ts';

const root = join(import.meta.dirname, '..', '..');
const detection = detectElectron(root, process.env);

/** `window.paydesk` as the page sees it (contract/bridge.ts PaydeskBridge, loosely). */
declare global {
  interface Window {
    paydesk?: Record<string, (...args: unknown[]) => Promise<unknown>>;
  }
}

function prepare(): void {
  const run = (args: string[]) => {
    const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed`);
  };
  run(['run', 'build:electron']);
  if (!existsSync(join(root, 'renderer', 'dist', 'index.html'))) run(['run', 'build:renderer']);
  const native = spawnSync(process.execPath, ['--import', 'tsx', 'electron/rebuild-native.ts'], { cwd: root, stdio: 'inherit' });
  if (native.status !== 0) throw new Error('the Electron build of better-sqlite3 is missing (electron/rebuild-native.ts failed)');
}

if (detection.kind === 'browser') {
  console.log(`Electron suite skipped: no Electron binary: ${detection.reason}.`);
  test('desktop app (Electron)', { skip: `no Electron binary: ${detection.reason}` }, () => {});
} else {
  const executable = detection.executable;
  describe('desktop app (Electron)', () => {
    let app: ElectronApplication;
    let consolePage: Page;

    before(async () => {
      prepare();
      app = await _electron.launch({
        executablePath: executable,
        args: [root],
        cwd: root,
        env: { ...electronEnv(process.env), PAYDESK_USER_DATA: mkdtempSync(join(tmpdir(), 'paydesk-e2e-')) },
        timeout: 60_000,
      });
      consolePage = await app.firstWindow();
      await consolePage.waitForLoadState('load');
    });

    after(async () => {
      await app?.close();
    });

    test('the console loads from app://paydesk with its CSP, not file://', async () => {
      assert.match(consolePage.url(), /^app:\/\/paydesk\//);
      await consolePage.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0);
      const csp = await consolePage.evaluate(async () => (await fetch('/')).headers.get('content-security-policy'));
      assert.match(csp ?? '', /default-src 'none'/);
      assert.match(csp ?? '', /script-src 'self'/);
      const evalResult = await consolePage.evaluate(() => {
        try {
          return String((0, eval)('1 + 1'));
        } catch {
          return 'blocked';
        }
      });
      assert.equal(evalResult, 'blocked', 'CSP forbids eval');
    });

    test('renderers are sandboxed and isolated, with no Node', async () => {
      const prefs = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => {
        // Not in electron.d.ts, but part of WebContents (Electron's own specs read it): the preferences in force.
        const contents = w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
        const p = contents.getLastWebPreferences();
        return { sandbox: p?.sandbox, contextIsolation: p?.contextIsolation, nodeIntegration: p?.nodeIntegration, webSecurity: p?.webSecurity, webviewTag: p?.webviewTag };
      }));
      assert.ok(prefs.length >= 1);
      for (const p of prefs) assert.deepEqual(p, { sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
      const globals = await consolePage.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { module?: unknown }).module]);
      assert.deepEqual(globals, ['undefined', 'undefined', 'undefined']);
      const bridge = await consolePage.evaluate(() => ({ keys: Object.keys(window.paydesk ?? {}).sort(), frozen: Object.isFrozen(window.paydesk) }));
      assert.deepEqual(bridge, { keys: ['getConnection', 'onNavigate', 'openConfirmation', 'openExternal'], frozen: true });
      // contextBridge hands the page proxies, never the preload's own functions (it refuses to run without contextIsolation).
      const source = await consolePage.evaluate(() => String(window.paydesk?.getConnection));
      assert.doesNotMatch(source, /ipcRenderer|invoke/);
    });

    test('window.open is denied', async () => {
      const before = app.windows().length;
      const opened = await consolePage.evaluate(() => window.open('https://example.com/') === null);
      assert.equal(opened, true);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(app.windows().length, before);
    });

    test('navigation away from the app is denied', async () => {
      for (const target of ['https://example.com/', 'file:///etc/passwd']) {
        await consolePage.evaluate((url) => {
          window.location.href = url;
        }, target);
        await new Promise((r) => setTimeout(r, 500));
        assert.match(consolePage.url(), /^app:\/\/paydesk\//, target);
      }
    });

    test('permission requests and checks are denied', async () => {
      const r = await consolePage.evaluate(async () => ({
        notifications: await Notification.requestPermission(),
        geolocation: (await navigator.permissions.query({ name: 'geolocation' })).state,
        media: await navigator.mediaDevices.getUserMedia({ audio: true }).then(() => 'granted', () => 'denied'),
      }));
      assert.deepEqual(r, { notifications: 'denied', geolocation: 'denied', media: 'denied' });
    });

    test('the bridge refuses links off the allowlist and malformed arguments', async () => {
      const refused = await consolePage.evaluate(async () => {
        const p = window.paydesk!;
        const outcome = (x: Promise<unknown>) => x.then(() => 'ok', (e: Error) => e.message);
        return [await outcome(p.openExternal!('https://evil.example/')), await outcome(p.openConfirmation!('../../x'))];
      });
      assert.match(refused[0] ?? '', /\(external-url-refused\)$/);
      assert.match(refused[1] ?? '', /\(invalid-arguments\)$/);
    });

    test('a purchase is confirmed in the trusted confirmation window', async () => {
      const conn = (await consolePage.evaluate(() => window.paydesk!.getConnection!())) as Connection;
      assert.match(conn.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);

      const { app: merchant, pin } = await readyWallet(conn);
      const confirmWindow = app.waitForEvent('window', { predicate: (p) => p.url().includes('#/confirm/'), timeout: 20_000 });
      const purchase = { id: await requestPurchase(conn, merchant) };

      const trusted = await confirmWindow;
      assert.equal(trusted.url(), `app://paydesk/#/confirm/${purchase.id}`);
      await trusted.waitForLoadState('load');
      const state = await app.evaluate(({ BrowserWindow }, id) => {
        const w = BrowserWindow.getAllWindows().find((x) => x.webContents.getURL().endsWith(`#/confirm/${id}`));
        return w && { onTop: w.isAlwaysOnTop(), focused: w.isFocused(), visible: w.isVisible() };
      }, purchase.id);
      assert.deepEqual(state, { onTop: true, focused: true, visible: true });
      const confirmBridge = await trusted.evaluate(() => Object.keys(window.paydesk ?? {}).sort());
      assert.deepEqual(confirmBridge, ['closeConfirmation', 'getConnection'], 'the trusted window has its own, smaller preload');

      // The confirm pane's contract with renderer/: a PIN pad that takes typed digits, and a Confirm button.
      await trusted.getByRole('group', { name: 'PIN pad' }).waitFor();
      await trusted.keyboard.type(pin);
      await trusted.getByRole('button', { name: /confirm/i }).click();
      const done = await until('the purchase to complete', async () => {
        const body = await consoleClient(conn).call('payStatus', { params: { id: purchase.id } });
        return body.status === 'pending' ? undefined : body;
      });
      assert.equal(done.status, 'completed');
      assert.ok(done.transactionID);
    });
  });
}
