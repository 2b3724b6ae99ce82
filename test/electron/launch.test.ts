// `npm start`'s choice between the desktop app and the browser console, and the
// Electron-ABI build of better-sqlite3. Fake node_modules trees stand in for
// machines with and without Electron's binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserFallbackLine, detectElectron, electronEnv } from '../../electron/launch.ts';
import { abiCheck, buildEnv, findNodeGyp, isUpToDate, nativeBuildPlan, type NativeStamp } from '../../electron/rebuild-native.ts';

const repo = join(import.meta.dirname, '..', '..');

function fakeRoot(opts: { pathTxt?: string; binary?: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'paydesk-launch-'));
  const pkg = join(root, 'node_modules', 'electron');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"electron","version":"45.4.1"}');
  if (opts.pathTxt !== undefined) writeFileSync(join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary) writeFileSync(join(pkg, 'dist', opts.pathTxt ?? 'electron'), '');
  return root;
}

const display = { DISPLAY: ':0' };

test('no binary downloaded: browser console, with how to get the desktop app', () => {
  const d = detectElectron(fakeRoot({}), display, 'linux');
  assert.equal(d.kind, 'browser');
  assert.match(d.kind === 'browser' ? d.reason : '', /never downloaded.*install\.js/);
  const line = browserFallbackLine(d.kind === 'browser' ? d.reason : '');
  assert.equal(line.split('\n').length, 1, 'one line');
});

test('path.txt without dist/: browser console (no lazy download triggered)', () => {
  const d = detectElectron(fakeRoot({ pathTxt: 'electron' }), display, 'linux');
  assert.equal(d.kind, 'browser');
});

test('binary present: the desktop app', () => {
  const root = fakeRoot({ pathTxt: 'electron', binary: true });
  assert.deepEqual(detectElectron(root, display, 'linux'), { kind: 'electron', executable: join(root, 'node_modules', 'electron', 'dist', 'electron') });
});

test('ELECTRON_OVERRIDE_DIST_PATH is honoured, and checked', () => {
  const root = fakeRoot({});
  const dist = mkdtempSync(join(tmpdir(), 'paydesk-dist-'));
  assert.equal(detectElectron(root, { ...display, ELECTRON_OVERRIDE_DIST_PATH: dist }, 'linux').kind, 'browser');
  writeFileSync(join(dist, 'electron'), '');
  assert.deepEqual(detectElectron(root, { ...display, ELECTRON_OVERRIDE_DIST_PATH: dist }, 'linux'), { kind: 'electron', executable: join(dist, 'electron') });
});

test('Linux without a display, no electron package, or PAYDESK_BROWSER=1: browser console', () => {
  const root = fakeRoot({ pathTxt: 'electron', binary: true });
  assert.match(JSON.stringify(detectElectron(root, {}, 'linux')), /no display/);
  assert.equal(detectElectron(root, {}, 'darwin').kind, 'electron');
  assert.equal(detectElectron(root, { ...display, PAYDESK_BROWSER: '1' }, 'linux').kind, 'browser');
  assert.match(JSON.stringify(detectElectron(mkdtempSync(join(tmpdir(), 'paydesk-empty-')), display, 'linux')), /npm ci/);
});

test('this checkout: the detection answers without downloading anything', () => {
  const d = detectElectron(repo, process.env);
  assert.ok(d.kind === 'electron' || d.reason.length > 0);
});

test('Electron never inherits ELECTRON_RUN_AS_NODE', () => {
  assert.deepEqual(electronEnv({ ELECTRON_RUN_AS_NODE: '1', PATH: '/bin', X: undefined }), { PATH: '/bin' });
});

const stamp: NativeStamp = { electron: '45.4.1', betterSqlite3: '12.9.0', platform: 'linux', arch: 'x64' };

test('native plan: a separate Electron-ABI copy, prebuilt first, then node-gyp against Electron headers', () => {
  const plan = nativeBuildPlan('/repo', stamp, '/npm/node-gyp.js', '/usr/bin/node');
  assert.equal(plan.output, join('/repo', 'build', 'native', 'electron', 'better_sqlite3.node'));
  assert.ok(!plan.workDir.includes('node_modules'), 'node_modules keeps its Node-ABI build');
  assert.deepEqual(plan.steps.map((s) => s.title.split(' ')[0]), ['download', 'compile']);
  const gyp = plan.steps[1]!.args;
  for (const a of ['rebuild', '--runtime=electron', '--target=45.4.1', '--arch=x64', '--dist-url=https://electronjs.org/headers']) assert.ok(gyp.includes(a), a);
  assert.equal(nativeBuildPlan('/repo', stamp, null, '/usr/bin/node').steps.length, 1);
});

test('native build runs without .npmrc nodedir, which would silently compile for Node', () => {
  assert.deepEqual(buildEnv({ npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', PATH: '/bin' }), { PATH: '/bin' });
});

test('native output is refused when it loads in plain Node or names another ABI', () => {
  assert.equal(abiCheck(null, '150').ok, false);
  assert.equal(abiCheck('Error: ... was compiled against a different Node.js version using\nNODE_MODULE_VERSION 150. This version of Node.js requires\nNODE_MODULE_VERSION 115.', '150').ok, true);
  assert.equal(abiCheck('... using\nNODE_MODULE_VERSION 1500. This version ...', '150').ok, false);
  assert.equal(abiCheck('Error: invalid ELF header', '150').ok, false);
});

test('native stamp: rebuilt when Electron, better-sqlite3 or the platform change', () => {
  const plan = nativeBuildPlan('/repo', stamp, null, 'node');
  const files = new Map<string, string>([[plan.output, 'bin'], [plan.stampFile, JSON.stringify(stamp)]]);
  const read = (p: string) => files.get(p) ?? null;
  assert.equal(isUpToDate(plan, read), true);
  files.set(plan.stampFile, JSON.stringify({ ...stamp, electron: '46.0.0' }));
  assert.equal(isUpToDate(plan, read), false);
  files.delete(plan.output);
  files.set(plan.stampFile, JSON.stringify(stamp));
  assert.equal(isUpToDate(plan, read), false);
});

test('node-gyp is found beside npm, or through npm_config_node_gyp', () => {
  const here = (p: string) => p === '/opt/node/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js';
  assert.equal(findNodeGyp({}, '/opt/node/bin/node', here), '/opt/node/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  assert.equal(findNodeGyp({ npm_config_node_gyp: '/x/gyp.js' }, '/opt/node/bin/node', (p) => p === '/x/gyp.js'), '/x/gyp.js');
  assert.equal(findNodeGyp({}, '/opt/node/bin/node', () => false), null);
});
