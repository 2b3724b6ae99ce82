// The windows main creates, the role each plays for the bridge, and the console
// window. ipc.ts asks `roleOf` before any handler runs, so a webContents that main
// did not create here (or in confirmation-window.ts) is rejected.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { actions, type WindowRole } from '../../contract/bridge.ts';
import type { RoleOf } from '../ipc.ts';
import { APP_ORIGIN, secureWebPreferences } from '../policy.ts';

export interface WindowRoles {
  track(win: BrowserWindow, role: WindowRole): void;
  readonly roleOf: RoleOf;
}

export function createWindowRoles(): WindowRoles {
  const roles = new Map<number, WindowRole>();
  return {
    track(win, role) {
      const id = win.webContents.id;
      roles.set(id, role);
      win.webContents.once('destroyed', () => roles.delete(id));
    },
    roleOf: (id) => roles.get(id),
  };
}

/** What every window main opens needs: the role registry, where the preloads are built, whether DevTools may open. */
export interface WindowSetup {
  readonly roles: WindowRoles;
  readonly buildDir: string;
  readonly devTools: boolean;
}

export function windowPreferences(w: WindowSetup, preload: string): ReturnType<typeof secureWebPreferences> {
  return secureWebPreferences(join(w.buildDir, preload), { devTools: w.devTools });
}

export interface ConsoleWindow {
  /** Shows the console (opening it if closed), on `route` if given. */
  show(route?: string): void;
}

/** One console window at a time. */
export function setupConsoleWindow(w: WindowSetup): ConsoleWindow {
  let current: BrowserWindow | null = null;

  function create(route: string | undefined): void {
    const win = new BrowserWindow({
      width: 1280, height: 820, minWidth: 800, minHeight: 560, show: false, title: 'Paydesk',
      webPreferences: windowPreferences(w, 'preload.js'),
    });
    current = win;
    w.roles.track(win, 'console');
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (current === win) current = null;
    });
    void win.loadURL(route === undefined ? `${APP_ORIGIN}/` : `${APP_ORIGIN}/#${route}`);
  }

  return {
    show(route) {
      if (current === null || current.isDestroyed()) {
        create(route);
        return;
      }
      if (current.isMinimized()) current.restore();
      current.show();
      current.focus();
      if (route === undefined) return;
      const contents = current.webContents;
      const send = () => contents.send(actions.onNavigate.channel, { route });
      // A console still loading has not subscribed to onNavigate yet.
      if (contents.isLoading()) contents.once('did-finish-load', send);
      else send();
    },
  };
}

/** The tray keeps Paydesk (and the provider server merchants post to) running with no window open. */
export function setupBackgroundMode(consoleWindow: ConsoleWindow): void {
  app.on('window-all-closed', () => {});
  app.on('activate', () => consoleWindow.show());
}
