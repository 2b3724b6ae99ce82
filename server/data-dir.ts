import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The OS's per-user application-data folder, the same one the desktop app uses
 * (Electron's userData), so headless and desktop share one data folder.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Paydesk');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Paydesk');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Paydesk');
}
