// What several setup steps of electron/main.ts share, as one typed object: the log,
// the registry of windows main created, and the two kinds of window.
import type { ConfirmationWindows } from './confirmation-window.ts';
import type { ConsoleWindow, WindowRoles } from './windows.ts';

export type Log = (message: string) => void;

export interface Desktop {
  readonly log: Log;
  readonly roles: WindowRoles;
  readonly consoleWindow: ConsoleWindow;
  readonly confirmations: ConfirmationWindows;
}
