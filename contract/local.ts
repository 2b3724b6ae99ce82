// How a program on the same machine finds a running Paydesk: the data folder,
// and the files the server writes there. The server (server/main.ts) writes
// them and the `paydesk` command (cli/) reads them, so both take the names
// and the default folder from here. Pure (no Node modules): the caller passes
// its environment, platform and home folder.

/** The console API bearer token, mode 0600 (server/main.ts loadOrCreateToken). */
export const ADMIN_TOKEN_FILE = 'admin-token';
/** The running server's base URL (http://127.0.0.1:<port>), written once it listens and removed when it stops. */
export const SERVER_URL_FILE = 'server-url';

/**
 * The OS's per-user application-data folder, the same one the desktop app uses
 * (Electron's userData), so headless and desktop share one data folder.
 */
export function defaultDataDirFor(env: Readonly<Record<string, string | undefined>>, platform: string, home: string): string {
  const sep = platform === 'win32' ? '\\' : '/';
  const join = (...parts: string[]) => parts.join(sep);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Paydesk');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Paydesk');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Paydesk');
}

/** A base URL as the server writes it: the loopback address and a port, nothing else. */
export function isServerUrl(text: string): boolean {
  return /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(text);
}
