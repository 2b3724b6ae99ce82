// The tray icon: how many purchases wait, and the way back to the console.
import { app, Menu, Tray, nativeImage } from 'electron';
import { TRAY_ICON_PNG_BASE64 } from '../icon.ts';
import { pendingLabel } from '../watch.ts';
import type { ConsoleWindow } from './windows.ts';

export interface PendingTray {
  setPendingCount(count: number): void;
}

export function setupTray(consoleWindow: ConsoleWindow): PendingTray {
  const tray = new Tray(nativeImage.createFromDataURL(`data:image/png;base64,${TRAY_ICON_PNG_BASE64}`));
  tray.on('click', () => consoleWindow.show());
  const setPendingCount = (count: number) => {
    const label = pendingLabel(count);
    tray.setToolTip(`Paydesk: ${label}`);
    if (process.platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
    app.setBadgeCount(count);
    tray.setContextMenu(Menu.buildFromTemplate([
      { label, enabled: false },
      { label: 'Open Paydesk', click: () => consoleWindow.show() },
      { label: 'Pending purchases', click: () => consoleWindow.show('/purchases') },
      { type: 'separator' },
      { label: 'Quit Paydesk', role: 'quit' },
    ]));
  };
  setPendingCount(0);
  return { setPendingCount };
}
