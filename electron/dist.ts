// `npm run dist`: this OS's installers (electron-builder.yml: AppImage and deb, dmg,
// nsis) into out/installers. electron-builder downloads Electron's binary, and its
// own packaging tools, from github.com the first time it packs. Where that cannot
// happen, this says so in one line before building anything, rather than
// electron-builder failing half-way through with a stack.
// Plain Node, like launch.ts: it never loads the `electron` package (whose index.js
// would try the download itself).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildElectron } from './build.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where @electron/get (which electron-builder uses) looks before it downloads. */
const DEFAULT_ELECTRON_MIRROR = 'https://github.com/electron/electron/releases/download/';

export interface Target {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

function electronZipName(version: string, t: Target): string {
  return `electron-v${version}-${t.platform}-${t.arch}.zip`;
}

/** The URL electron-builder will fetch Electron from (ELECTRON_MIRROR moves it, as it does for @electron/get). */
export function electronDownloadUrl(version: string, t: Target, env: Env): string {
  const mirror = env.ELECTRON_MIRROR || DEFAULT_ELECTRON_MIRROR;
  return `${mirror.endsWith('/') ? mirror : `${mirror}/`}v${version}/${electronZipName(version, t)}`;
}

/** @electron/get's cache folder (env-paths 'electron'), or electron_config_cache. */
export function electronCacheDir(env: Env, platform: NodeJS.Platform, home: string): string {
  if (env.electron_config_cache) return env.electron_config_cache;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** The cache keeps each zip in a folder named by a hash of its URL: look one level down. */
function isCached(cacheDir: string, zip: string): boolean {
  if (!existsSync(cacheDir)) return false;
  if (existsSync(join(cacheDir, zip))) return true;
  return readdirSync(cacheDir, { withFileTypes: true }).some((d) => d.isDirectory() && existsSync(join(cacheDir, d.name, zip)));
}

/** Resolves when the URL answers at all (a redirect counts); rejects with why not. */
export type Probe = (url: string) => Promise<void>;

export const httpProbe: Probe = async (url) => {
  let res: Response;
  try {
    res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
    throw new Error(cause ?? (e instanceof Error ? e.message : String(e)), { cause: e });
  }
  if (res.status >= 400) throw new Error(`${url} answered HTTP ${res.status}`);
};

export interface DistContext {
  readonly root: string;
  readonly env: Env;
  readonly target: Target;
  readonly home: string;
  readonly probe: Probe;
}

const AWAY = 'run npm run dist on a machine with access to github.com';

/** Why installers cannot be built here, as one line, or null when electron-builder can go ahead. */
export async function distBlocker(c: DistContext): Promise<string | null> {
  if (!existsSync(join(c.root, 'node_modules', 'electron-builder', 'cli.js'))) {
    return 'npm run dist needs electron-builder, which is not installed: run npm ci first.';
  }
  const electronPkg = join(c.root, 'node_modules', 'electron', 'package.json');
  if (!existsSync(electronPkg)) return 'npm run dist needs the electron package, which is not installed: run npm ci first.';
  const version = (JSON.parse(readFileSync(electronPkg, 'utf8')) as { version?: unknown }).version;
  if (typeof version !== 'string') return `npm run dist cannot read Electron's version from ${electronPkg}.`;
  if (isCached(electronCacheDir(c.env, c.target.platform, c.home), electronZipName(version, c.target))) return null;
  try {
    await c.probe(electronDownloadUrl(version, c.target, c.env));
    return null;
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return `electron-builder needs the Electron ${version} binary for ${c.target.platform}-${c.target.arch}, which could not be downloaded: ${reason}; ${AWAY}.`;
  }
}

function runBuilder(root: string, env: Env): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'electron-builder', 'cli.js'), '--config', 'electron-builder.yml', '--publish', 'never'], {
      cwd: root, stdio: 'inherit', env: { ...env },
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
    child.on('error', () => done(1));
  });
}

/** The console, the main process bundle, then electron-builder. Returns the exit code. */
export async function dist(c: DistContext, log: (line: string) => void): Promise<number> {
  const blocker = await distBlocker(c);
  if (blocker !== null) {
    log(blocker);
    return 1;
  }
  try {
    ensureRendererBuilt(c.root, log);
    const files = await buildElectron(c.root);
    log(`built ${files.map((f) => relative(c.root, f)).join(', ')}`);
  } catch (e) {
    log((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'the build failed');
    return 1;
  }
  const code = await runBuilder(c.root, c.env);
  if (code !== 0) log(`electron-builder stopped with exit code ${code}; its output is above.`);
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const context: DistContext = {
    root: join(import.meta.dirname, '..'),
    env: process.env,
    target: { platform: process.platform, arch: process.arch },
    home: homedir(),
    probe: httpProbe,
  };
  void dist(context, (line) => console.error(line)).then((code) => process.exit(code));
}
