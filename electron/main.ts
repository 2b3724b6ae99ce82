// The desktop app's main process, as a list of setup steps, one file per concern in
// electron/main/. It owns no policy: every decision (what may load, navigate, open,
// be granted, call the bridge) is a pure function in policy.ts, ipc.ts, keystore.ts
// or watch.ts, tested in Node; electron/main/ wires them to Electron.
// Built by electron/build.ts into build/electron/main.js (ESM).
import { app, protocol, safeStorage } from 'electron';
import { join } from 'node:path';
import { exportPlainKey } from './keystore.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, userDataDir } from './policy.ts';
import { setupAlerts } from './main/alerts.ts';
import { setupAppProtocol } from './main/app-protocol.ts';
import { setupBridge } from './main/bridge.ts';
import { setupConfirmationWindows } from './main/confirmation-window.ts';
import { registerLinkHandler, setupDeepLinks } from './main/deep-links.ts';
import type { Desktop } from './main/desktop.ts';
import { setupNavigationGuards, setupPermissionHandlers } from './main/security.ts';
import { setupServer } from './main/server.ts';
import { setupTray } from './main/tray.ts';
import { createWindowRoles, setupBackgroundMode, setupConsoleWindow, type WindowSetup } from './main/windows.ts';

// electron/ in the checkout; build.ts maps import.meta.dirname back to the source folder.
const appRoot = join(import.meta.dirname, '..');
const log = (message: string) => console.log(`[paydesk] ${message}`);

// Before 'ready': privileged scheme, global sandbox, isolated profile for tests.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
app.enableSandbox();
app.setPath('userData', userDataDir(process.env, app.getPath('appData')));
// Chromium's own files share this folder; their names never collide with the server's.
const dataDir = app.getPath('userData');

if (process.argv.includes('--export-key')) {
  void app.whenReady().then(exportKey);
} else if (!app.requestSingleInstanceLock()) {
  // The running instance receives our argv (and any deep link) through 'second-instance'.
  app.quit();
} else {
  runDesktop();
}

function runDesktop(): void {
  const windows: WindowSetup = { roles: createWindowRoles(), buildDir: join(appRoot, 'build', 'electron'), devTools: !app.isPackaged };
  const desktop: Desktop = {
    log,
    roles: windows.roles,
    consoleWindow: setupConsoleWindow(windows),
    confirmations: setupConfirmationWindows(windows),
  };
  setupNavigationGuards();
  const links = setupDeepLinks(desktop);
  setupBackgroundMode(desktop.consoleWindow);

  void app.whenReady().then(async () => {
    setupPermissionHandlers();
    registerLinkHandler();
    const server = await setupServer({ dataDir, appRoot, log });
    if (server === null) return;
    setupAppProtocol(join(appRoot, 'renderer', 'dist'), server.url);
    setupBridge(desktop, server);
    setupAlerts(desktop, server, setupTray(desktop.consoleWindow));
    desktop.consoleWindow.show();
    links.start();
  });
}

/** `Paydesk --export-key`: the master key out of the OS keystore, for headless Paydesk. */
function exportKey(): void {
  try {
    console.log(`Wrote ${exportPlainKey(dataDir, safeStorage)} (mode 0600). Headless Paydesk can open ${dataDir} now.`);
    app.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    app.exit(1);
  }
}
