// The trusted confirmation window (app://paydesk/#/confirm/<id>): on top of every
// other window, out of screen captures, with the confirm-only preload.
import { BrowserWindow } from 'electron';
import { BridgeError, type Caller } from '../ipc.ts';
import { CONFIRM_WINDOW, CONFIRM_WINDOW_LEVEL, confirmationUrl } from '../policy.ts';
import { windowPreferences, type WindowSetup } from './windows.ts';

/** How many purchases may wait for the window; a burst past it is dropped (the console still lists them). */
const QUEUE_LIMIT = 20;

export interface ConfirmationWindows {
  open(purchaseId: string): void;
  /** The bridge's closeConfirmation: only the window showing this purchase may close itself. */
  close(caller: Caller, purchaseId: string): void;
}

/**
 * One trusted confirmation window at a time, and it never switches purchase while
 * shown: a page that creates purchases in a burst must not swap what the buyer is
 * reading under their PIN. Later requests wait in a short queue.
 */
export function setupConfirmationWindows(w: WindowSetup): ConfirmationWindows {
  let shown: { readonly window: BrowserWindow; readonly purchaseId: string } | null = null;
  const queue: string[] = [];

  function open(purchaseId: string): void {
    if (shown !== null && !shown.window.isDestroyed()) {
      if (shown.purchaseId === purchaseId) {
        shown.window.show();
        shown.window.focus();
      } else if (!queue.includes(purchaseId) && queue.length < QUEUE_LIMIT) {
        queue.push(purchaseId);
      }
      return;
    }
    const win = new BrowserWindow({ ...CONFIRM_WINDOW, webPreferences: windowPreferences(w, 'confirm-preload.js') });
    shown = { window: win, purchaseId };
    w.roles.track(win, 'confirm');
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
      if (shown?.window === win) shown = null;
      const next = queue.shift();
      if (next !== undefined) open(next);
    });
    void win.loadURL(confirmationUrl(purchaseId));
  }

  return {
    open,
    close(caller, purchaseId) {
      if (shown === null || shown.purchaseId !== purchaseId || shown.window.webContents.id !== caller.webContentsId) {
        throw new BridgeError('not-your-window', 'This window is not showing that purchase.');
      }
      shown.window.close();
    },
  };
}
