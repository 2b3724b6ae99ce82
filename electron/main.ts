// The desktop app's main process. It owns no policy: every decision (what may load,
// navigate, open, be granted, call the bridge) is a pure function in policy.ts,
// ipc.ts, keystore.ts or watch.ts, tested in Node; this file wires them to Electron.
// Built by electron/build.ts into build/electron/main.js (ESM).
import {
  app, BrowserWindow, Menu, Notification, Tray, dialog, ipcMain, nativeImage, protocol, safeStorage, session, shell,
  type WebContents,
} from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../server/main.ts';
import { actions, isPurchaseId, type WindowRole } from '../contract/bridge.ts';
import { createClient } from '../contract/client.ts';
import { BridgeError, registerBridge } from './ipc.ts';
import { exportPlainKey, safeStorageKeySource } from './keystore.ts';
import { TRAY_ICON_PNG_BASE64 } from './icon.ts';
import {
  APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, CONFIRM_WINDOW, CONFIRM_WINDOW_LEVEL, appProtocolHeaders, confirmationUrl, contentSecurityPolicy,
  deepLinkFromArgv, deepLinkToRoute, isAllowedExternalUrl, isAllowedNavigation, isPermissionGranted, nativeBindingFor,
  protocolClientArgs, resolveAppProtocolPath, secureWebPreferences, userDataDir, windowOpenDecision,
} from './policy.ts';
import { POLL_INTERVAL_MS, createWatcher, failedNoticeFromEvent, failedNoticeNotification, pendingLabel, purchaseNotification, refreshesPending } from './watch.ts';

// electron/ in the checkout; build.ts maps import.meta.dirname back to the source folder.
const appRoot = join(import.meta.dirname, '..');
const rendererRoot = join(appRoot, 'renderer', 'dist');
const buildDir = join(appRoot, 'build', 'electron');
const log = (message: string) => console.log(`[paydesk] ${message}`);

type ServerHandle = Awaited<ReturnType<typeof startServer>>;

// Before 'ready': privileged scheme, global sandbox, isolated profile for tests.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
app.enableSandbox();
app.setPath('userData', userDataDir(process.env, app.getPath('appData')));
// Chromium's own files share this folder; their names never collide with the server's.
const dataDir = app.getPath('userData');

if (process.argv.includes('--export-key')) {
  void app.whenReady().then(() => {
    try {
      console.log(`Wrote ${exportPlainKey(dataDir, safeStorage)} (mode 0600). Headless Paydesk can open ${dataDir} now.`);
      app.exit(0);
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      app.exit(1);
    }
  });
} else if (!app.requestSingleInstanceLock()) {
  // The running instance receives our argv (and any deep link) through 'second-instance'.
  app.quit();
} else {
  runDesktop();
}

function runDesktop(): void {
  let server: ServerHandle | null = null;
  let consoleWindow: BrowserWindow | null = null;
  let confirmWindow: { readonly window: BrowserWindow; readonly purchaseId: string } | null = null;
  const confirmQueue: string[] = [];
  const roles = new Map<number, WindowRole>();
  let pendingRoute: string | null = null;
  let tray: Tray | null = null;
  const earlyLinks: string[] = [];

  function track(win: BrowserWindow, role: WindowRole): void {
    const id = win.webContents.id;
    roles.set(id, role);
    win.webContents.once('destroyed', () => roles.delete(id));
  }

  function showConsole(route?: string): void {
    if (consoleWindow === null || consoleWindow.isDestroyed()) {
      pendingRoute = route ?? null;
      createConsoleWindow();
      return;
    }
    if (consoleWindow.isMinimized()) consoleWindow.restore();
    consoleWindow.show();
    consoleWindow.focus();
    if (route === undefined) return;
    const contents = consoleWindow.webContents;
    const send = () => contents.send(actions.onNavigate.channel, { route });
    // A console still loading has not subscribed to onNavigate yet.
    if (contents.isLoading()) contents.once('did-finish-load', send);
    else send();
  }

  function createConsoleWindow(): void {
    const win = new BrowserWindow({
      width: 1280, height: 820, minWidth: 800, minHeight: 560, show: false, title: 'Paydesk',
      webPreferences: secureWebPreferences(join(buildDir, 'preload.js'), { devTools: !app.isPackaged }),
    });
    consoleWindow = win;
    track(win, 'console');
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (consoleWindow === win) consoleWindow = null;
    });
    const route = pendingRoute;
    pendingRoute = null;
    void win.loadURL(route === null ? `${APP_ORIGIN}/` : `${APP_ORIGIN}/#${route}`);
  }

  /**
   * One trusted confirmation window at a time, and it never switches purchase while
   * shown: a page that creates purchases in a burst must not swap what the buyer is
   * reading under their PIN. Later requests wait in a short queue.
   */
  function openConfirmation(purchaseId: string): void {
    if (confirmWindow !== null && !confirmWindow.window.isDestroyed()) {
      if (confirmWindow.purchaseId === purchaseId) {
        confirmWindow.window.show();
        confirmWindow.window.focus();
      } else if (!confirmQueue.includes(purchaseId) && confirmQueue.length < 20) {
        confirmQueue.push(purchaseId);
      }
      return;
    }
    const win = new BrowserWindow({
      ...CONFIRM_WINDOW,
      webPreferences: secureWebPreferences(join(buildDir, 'confirm-preload.js'), { devTools: !app.isPackaged }),
    });
    confirmWindow = { window: win, purchaseId };
    track(win, 'confirm');
    win.setAlwaysOnTop(true, CONFIRM_WINDOW_LEVEL);
    win.setVisibleOnAllWorkspaces(true);
    // Keeps the PIN entry out of screen captures and screen-sharing apps (macOS, Windows).
    win.setContentProtection(true);
    win.setMenu(null);
    win.once('ready-to-show', () => {
      win.show();
      win.moveTop();
      win.focus();
    });
    win.on('closed', () => {
      if (confirmWindow?.window === win) confirmWindow = null;
      const next = confirmQueue.shift();
      if (next !== undefined) openConfirmation(next);
    });
    void win.loadURL(confirmationUrl(purchaseId));
  }

  function handleDeepLink(url: string): void {
    const target = deepLinkToRoute(url);
    if (target === null) {
      log('ignored a paydesk:// link that names no known pane');
      return;
    }
    if (target.kind === 'confirm') openConfirmation(target.purchaseId);
    else showConsole(target.route);
  }

  function updateTray(count: number): void {
    if (tray === null) return;
    const label = pendingLabel(count);
    tray.setToolTip(`Paydesk: ${label}`);
    if (process.platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
    app.setBadgeCount(count);
    tray.setContextMenu(Menu.buildFromTemplate([
      { label, enabled: false },
      { label: 'Open Paydesk', click: () => showConsole() },
      { label: 'Pending purchases', click: () => showConsole('/purchases') },
      { type: 'separator' },
      { label: 'Quit Paydesk', role: 'quit' },
    ]));
  }

  function notify(title: string, body: string, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title, body });
    n.on('click', onClick);
    n.show();
  }

  function hardenWebContents(contents: WebContents): void {
    contents.on('will-navigate', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url);
      if (decision.openExternally) void shell.openExternal(url);
      return { action: decision.action };
    });
  }

  function hardenSession(): void {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
      callback(isPermissionGranted(permission, details.requestingUrl));
    });
    ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
    ses.setDevicePermissionHandler(() => false);
  }

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('second-instance', (_event, argv) => {
    const link = deepLinkFromArgv(argv);
    if (!app.isReady() || server === null) {
      if (link !== null) earlyLinks.push(link);
      return;
    }
    if (link !== null) handleDeepLink(link);
    else showConsole();
  });

  // macOS delivers deep links here, possibly before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (server === null) earlyLinks.push(url);
    else handleDeepLink(url);
  });

  // The tray keeps Paydesk (and the provider server merchants post to) running with no window open.
  app.on('window-all-closed', () => {});
  app.on('activate', () => showConsole());

  let quitting = false;
  app.on('will-quit', (event) => {
    if (quitting || server === null) return;
    event.preventDefault();
    quitting = true;
    void server.close().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    hardenSession();
    if (app.isPackaged || process.env.PAYDESK_REGISTER_PROTOCOL === '1') {
      const [scheme, exe, args] = protocolClientArgs({ defaultApp: process.defaultApp === true, execPath: process.execPath, argv: process.argv });
      if (exe === undefined) app.setAsDefaultProtocolClient(scheme);
      else app.setAsDefaultProtocolClient(scheme, exe, [...(args ?? [])]);
    }

    const options: Parameters<typeof startServer>[0] = {
      port: 0,
      dataDir,
      keySource: safeStorageKeySource(dataDir, safeStorage, log),
      consoleOrigins: [APP_ORIGIN],
      log,
      ...withNativeBinding(nativeBindingFor({ isPackaged: app.isPackaged, appRoot })),
    };
    let running: ServerHandle;
    try {
      running = await startServer(options);
    } catch (e) {
      // Key or database problems carry a sentence saying what to do; show it and stop.
      dialog.showErrorBox('Paydesk cannot start', e instanceof Error ? e.message : String(e));
      app.exit(1);
      return;
    }
    server = running;
    log(`provider server on ${running.url}`);

    const csp = contentSecurityPolicy({ apiOrigin: running.url });
    protocol.handle(APP_SCHEME, async (request) => {
      const file = resolveAppProtocolPath(rendererRoot, request.url);
      if (file === null) return new Response('Not found', { status: 404 });
      try {
        return new Response(await readFile(file), { headers: appProtocolHeaders(file, csp) });
      } catch {
        return new Response('Not found', { status: 404 });
      }
    });

    registerBridge(ipcMain, (id) => roles.get(id), {
      getConnection: () => ({ baseUrl: running.url, token: running.token }),
      openExternal: async (_caller, url) => {
        if (!isAllowedExternalUrl(url)) throw new BridgeError('external-url-refused', 'Paydesk opens only https links to known documentation sites.');
        await shell.openExternal(url);
      },
      openConfirmation: (_caller, purchaseId) => openConfirmation(purchaseId),
      closeConfirmation: (caller, purchaseId) => {
        // Only the confirmation window showing this purchase may close itself.
        if (confirmWindow === null || confirmWindow.purchaseId !== purchaseId || confirmWindow.window.webContents.id !== caller.webContentsId) {
          throw new BridgeError('not-your-window', 'This window is not showing that purchase.');
        }
        confirmWindow.window.close();
      },
    }, log);

    tray = new Tray(nativeImage.createFromDataURL(`data:image/png;base64,${TRAY_ICON_PNG_BASE64}`));
    tray.on('click', () => showConsole());
    updateTray(0);

    // The tray and notifications read the console API as the console does; answers checked against the contract.
    const api = createClient({ baseUrl: running.url, token: running.token, checkResponses: true });
    const watcher = createWatcher({
      api,
      onPendingCount: updateTray,
      onNewPurchase: (p) => {
        openConfirmation(p.id);
        const text = purchaseNotification(p);
        notify(text.title, text.body, () => openConfirmation(p.id));
      },
      onError: log,
    });
    const timer = setInterval(() => void watcher.tick(), POLL_INTERVAL_MS);
    const unsubscribe = running.events.subscribe((e) => {
      if (refreshesPending(e)) void watcher.tick();
      const failed = failedNoticeFromEvent(e);
      if (failed !== null) {
        void failedNoticeNotification(api, failed).then((text) => notify(text.title, text.body, () => showConsole(isPurchaseId(failed.id) ? `/notices/${failed.id}` : '/notices')));
      }
    });
    app.once('will-quit', () => {
      clearInterval(timer);
      unsubscribe();
    });
    void watcher.tick();

    const firstLink = deepLinkFromArgv(process.argv);
    if (firstLink !== null) earlyLinks.push(firstLink);
    showConsole();
    for (const link of earlyLinks.splice(0)) handleDeepLink(link);
  });
}

function withNativeBinding(path: string | undefined): { readonly nativeBinding?: string } {
  return path === undefined ? {} : { nativeBinding: path };
}
