// `npm start`: the desktop app where Electron's binary is installed, otherwise the
// browser console with one line saying why. Plain Node, and it never imports or
// requires the `electron` package: its index.js downloads the binary as a side
// effect, which is exactly what cannot happen here. Instead it reads what that
// index.js would read (ELECTRON_OVERRIDE_DIST_PATH, path.txt, dist/).
import { spawn } from 'node:child_process';
import { ensureRendererBuilt } from './renderer-build.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type ElectronDetection =
  | { readonly kind: 'electron'; readonly executable: string }
  | { readonly kind: 'browser'; readonly reason: string };

type Env = Readonly<Record<string, string | undefined>>;

const INSTALL_HINT = 'get it with `node node_modules/electron/install.js` on a network that reaches Electron\'s downloads';

/** Where the Electron executable is, or why the desktop app cannot start here. */
export function detectElectron(root: string, env: Env, platform: NodeJS.Platform = process.platform): ElectronDetection {
  if (env.PAYDESK_BROWSER === '1') return { kind: 'browser', reason: 'PAYDESK_BROWSER=1 asks for the browser console' };
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { kind: 'browser', reason: 'the electron package is not installed (run `npm ci`)' };
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let executable: string;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    executable = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || defaultExecutable(platform));
    if (!existsSync(executable)) return { kind: 'browser', reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${executable} does not exist` };
  } else {
    if (relative === '') return { kind: 'browser', reason: `Electron's binary was never downloaded (node_modules/electron/path.txt is missing); ${INSTALL_HINT}` };
    executable = join(pkg, 'dist', relative);
    if (!existsSync(executable)) return { kind: 'browser', reason: `Electron's binary is missing (${executable}); ${INSTALL_HINT}` };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { kind: 'browser', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset); run `npm start` in a desktop session' };
  }
  return { kind: 'electron', executable };
}

function defaultExecutable(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'electron.exe';
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return 'electron';
}

/** The one line `npm start` prints before opening the browser console. */
export function browserFallbackLine(reason: string): string {
  return `Paydesk: opening the browser console, not the desktop app, because ${reason}.`;
}

/** Environment for the Electron child: never run it as plain Node (a leftover variable would). */
export function electronEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') out[k] = v;
  return out;
}

/**
 * What runs when there is no desktop app: the headless server, whose `/` serves the
 * console. `serve`, not `start`, so a `start` that itself calls this launcher cannot loop.
 */
export const BROWSER_CONSOLE_ARGS: readonly string[] = ['bin/paydesk.js', 'serve'];

function run(cmd: string, args: readonly string[], root: string, env: Env): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: electronEnv(env) });
    // A SIGTERM to `npm start` reaches this launcher only: pass it on, so the server stops cleanly.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolveExit(1));
  });
}

/** Builds the shell, makes sure the Electron-ABI SQLite binding exists, and starts Electron on the checkout. */
async function startDesktopOrBrowser(root: string, env: Env): Promise<number> {
  ensureRendererBuilt(root, (line) => console.log(line));
  let detection = detectElectron(root, env);
  if (detection.kind === 'electron') {
    const { buildElectron } = await import('./build.ts');
    const { ensureElectronNativeBinding } = await import('./rebuild-native.ts');
    await buildElectron(root);
    const native = ensureElectronNativeBinding(root);
    if (!native.ok) detection = { kind: 'browser', reason: native.reason };
  }
  if (detection.kind === 'electron') return run(detection.executable, [root, ...process.argv.slice(2)], root, env);
  console.log(browserFallbackLine(detection.reason));
  return run(process.execPath, [...BROWSER_CONSOLE_ARGS, ...process.argv.slice(2)], root, env);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startDesktopOrBrowser(join(import.meta.dirname, '..'), process.env).then((code) => process.exit(code));
}
