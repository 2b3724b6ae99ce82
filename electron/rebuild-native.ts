// better-sqlite3 is a native module: node_modules holds the build for Node's ABI
// (tests, headless), and Electron needs one for its own ABI. Rebuilding in place
// would break whichever side ran second, so the Electron copy is built from a copy
// of the package into build/native/electron/better_sqlite3.node, which main.ts hands
// to the server as `nativeBinding`. Packaged apps don't use it: electron-builder
// rebuilds node_modules for Electron when it packs.
//
// `npx tsx electron/rebuild-native.ts` (the launcher runs it when missing or stale).
// Needs network access to Electron's headers or to better-sqlite3's prebuilt binaries.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers';

export interface NativeStamp {
  readonly electron: string;
  readonly betterSqlite3: string;
  readonly platform: string;
  readonly arch: string;
}

export interface NativeBuildStep {
  readonly title: string;
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * A `nodedir` in .npmrc (npx exports it as npm_config_nodedir) makes node-gyp compile
 * against the local Node headers whatever --target says: a Node-ABI binary with an
 * Electron label. The build steps run without it.
 */
export function buildEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k.toLowerCase() !== 'npm_config_nodedir') out[k] = v;
  return out;
}

/**
 * Node refuses a module built for another ABI with "... NODE_MODULE_VERSION <n> ...".
 * Loading our output in plain Node must fail with Electron's number; if it loads, it
 * was built for Node and must not be used.
 */
export function abiCheck(dlopenError: string | null, electronAbi: string): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  if (dlopenError === null) return { ok: false, reason: 'the binary loads in plain Node, so it was built for Node, not Electron' };
  return new RegExp(`NODE_MODULE_VERSION ${electronAbi}\\b`).test(dlopenError)
    ? { ok: true }
    : { ok: false, reason: `the binary is not for Electron's ABI ${electronAbi}: ${dlopenError.split('\n')[0] ?? ''}` };
}

export interface NativeBuildPlan {
  readonly stamp: NativeStamp;
  /** The package is copied here and built; node_modules is never touched. */
  readonly workDir: string;
  readonly built: string;
  readonly output: string;
  readonly stampFile: string;
  /** Tried in order until one leaves `built` behind. */
  readonly steps: readonly NativeBuildStep[];
}

export function nativeBuildPlan(root: string, stamp: NativeStamp, nodeGyp: string | null, nodeExecutable: string): NativeBuildPlan {
  const workDir = join(root, 'build', 'native', 'src', 'better-sqlite3');
  const outDir = join(root, 'build', 'native', 'electron');
  const target = [`--runtime=electron`, `--target=${stamp.electron}`, `--arch=${stamp.arch}`];
  const steps: NativeBuildStep[] = [{
    title: 'download the prebuilt binary (prebuild-install)',
    command: nodeExecutable,
    args: [join(root, 'node_modules', 'prebuild-install', 'bin.js'), ...target, `--platform=${stamp.platform}`, '--verbose'],
  }];
  if (nodeGyp !== null) {
    steps.push({
      title: 'compile against Electron headers (node-gyp)',
      command: nodeExecutable,
      args: [nodeGyp, 'rebuild', '--release', ...target, `--dist-url=${ELECTRON_HEADERS_URL}`],
    });
  }
  return {
    stamp,
    workDir,
    built: join(workDir, 'build', 'Release', 'better_sqlite3.node'),
    output: join(outDir, 'better_sqlite3.node'),
    stampFile: join(outDir, 'stamp.json'),
    steps,
  };
}

/** npm ships node-gyp; npm sets npm_config_node_gyp inside scripts, otherwise look beside node. */
export function findNodeGyp(env: Readonly<Record<string, string | undefined>>, nodeExecutable: string, exists: (p: string) => boolean = existsSync): string | null {
  const bin = dirname(nodeExecutable);
  const candidates = [
    env.npm_config_node_gyp,
    join(bin, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(bin, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c): c is string => c !== undefined && c !== '' && exists(c)) ?? null;
}

export function isUpToDate(plan: NativeBuildPlan, read: (p: string) => string | null): boolean {
  const raw = read(plan.stampFile);
  if (raw === null || read(plan.output) === null) return false;
  try {
    const s = JSON.parse(raw) as Partial<NativeStamp>;
    return s.electron === plan.stamp.electron && s.betterSqlite3 === plan.stamp.betterSqlite3 && s.platform === plan.stamp.platform && s.arch === plan.stamp.arch;
  } catch {
    return false;
  }
}

function versionOf(root: string, pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function dlopenError(file: string): string | null {
  const r = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file], { encoding: 'utf8' });
  return r.status === 0 ? null : r.stderr;
}

function currentStamp(root: string): NativeStamp {
  return { electron: versionOf(root, 'electron'), betterSqlite3: versionOf(root, 'better-sqlite3'), platform: process.platform, arch: process.arch };
}

export type NativeResult = { readonly ok: true; readonly path: string; readonly rebuilt: boolean } | { readonly ok: false; readonly reason: string };

export function ensureElectronNativeBinding(root: string, log: (line: string) => void = (l) => console.log(l)): NativeResult {
  const plan = nativeBuildPlan(root, currentStamp(root), findNodeGyp(process.env, process.execPath), process.execPath);
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : null);
  if (isUpToDate(plan, read)) return { ok: true, path: plan.output, rebuilt: false };

  log(`Building better-sqlite3 ${plan.stamp.betterSqlite3} for Electron ${plan.stamp.electron} (${plan.stamp.platform}-${plan.stamp.arch})...`);
  rmSync(plan.workDir, { recursive: true, force: true });
  const source = join(root, 'node_modules', 'better-sqlite3');
  // The Node build (build/) stays behind; sources, deps/ and binding.gyp come along.
  cpSync(source, plan.workDir, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build') + sep) && p !== join(source, 'build') });
  for (const step of plan.steps) {
    log(`  ${step.title}`);
    const r = spawnSync(step.command, step.args, { cwd: plan.workDir, stdio: 'inherit', timeout: 15 * 60_000, env: buildEnv(process.env) });
    if (r.status === 0 && existsSync(plan.built)) {
      const abi = abiCheck(dlopenError(plan.built), readFileSync(join(root, 'node_modules', 'electron', 'abi_version'), 'utf8').trim());
      if (!abi.ok) {
        log(`  refused: ${abi.reason}`);
        continue;
      }
      mkdirSync(dirname(plan.output), { recursive: true });
      copyFileSync(plan.built, plan.output);
      writeFileSync(plan.stampFile, JSON.stringify(plan.stamp, null, 2) + '\n');
      return { ok: true, path: plan.output, rebuilt: true };
    }
  }
  return {
    ok: false,
    reason: `better-sqlite3 could not be built for Electron ${plan.stamp.electron} (no prebuilt binary was downloaded${plan.steps.length > 1 ? ' and node-gyp could not compile it' : ' and node-gyp was not found'}); see docs/desktop.md, "Native module"`,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = ensureElectronNativeBinding(join(import.meta.dirname, '..'));
  if (result.ok) console.log(`${result.rebuilt ? 'Built' : 'Up to date:'} ${result.path}`);
  else console.error(result.reason);
  process.exit(result.ok ? 0 : 1);
}
