// The shell's own boundaries: policy lives in files that never load Electron (so
// the tests above mean something), preloads stay tiny, and the build produces
// what a sandboxed renderer and Electron's ESM main can run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElectron } from '../../electron/build.ts';

const root = join(import.meta.dirname, '..', '..');
const electronDir = join(root, 'electron');
const source = (f: string) => readFileSync(join(electronDir, f), 'utf8');
/** Value imports of a module (type-only imports are erased and load nothing). */
const valueImports = (text: string) => [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);

const ELECTRON_FILES = ['main.ts', 'preload.ts', 'confirm-preload.ts'];

test('only main and the preloads load electron; every policy file runs under plain Node', () => {
  const files = readdirSync(electronDir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('policy.ts') && files.includes('ipc.ts'));
  for (const f of files) {
    const loadsElectron = valueImports(source(f)).includes('electron');
    assert.equal(loadsElectron, ELECTRON_FILES.includes(f), f);
  }
});

test('preloads expose the contract through contextBridge and nothing else', () => {
  for (const f of ['preload.ts', 'confirm-preload.ts']) {
    const text = source(f);
    assert.deepEqual(valueImports(text).sort(), ['../contract/bridge.ts', 'electron'], f);
    assert.equal((text.match(/exposeInMainWorld\(/g) ?? []).length, 1, f);
    assert.match(text, /exposeInMainWorld\('paydesk', buildBridge\((console|confirm)Contract, ipcRenderer\)\)/, f);
  }
  assert.doesNotMatch(readFileSync(join(root, 'contract', 'bridge.ts'), 'utf8'), /from 'node:|from 'electron'/, 'the bridge contract is bundled into sandboxed preloads');
});

test('main wires every checklist hook', () => {
  const main = source('main.ts');
  for (const hook of [
    "'will-navigate'", "'will-frame-navigate'", "'will-redirect'", "'will-attach-webview'", 'setWindowOpenHandler(',
    'setPermissionRequestHandler(', 'setPermissionCheckHandler(', 'registerSchemesAsPrivileged(', 'protocol.handle(',
    'enableSandbox()', 'requestSingleInstanceLock()', "'second-instance'", "'open-url'", 'registerBridge(', 'secureWebPreferences(',
  ]) assert.ok(main.includes(hook), hook);
  assert.doesNotMatch(main, /loadFile\(|file:\/\//, 'the console loads from app://, never file://');
  assert.doesNotMatch(main, /log\([^)]*token\b(?!:)/i, 'the token is never logged');
});

test('build: ESM main with electron external, CommonJS preloads that require only electron', async () => {
  const out = mkdtempSync(join(tmpdir(), 'paydesk-build-'));
  const files = await buildElectron(root, out);
  assert.deepEqual(files.map((f) => f.slice(out.length + 1)), ['main.js', 'preload.js', 'confirm-preload.js']);
  const main = readFileSync(join(out, 'main.js'), 'utf8');
  assert.match(main, /from "electron";/);
  assert.doesNotMatch(main, /import\.meta\.dirname/, 'rewritten to the source folder');
  for (const f of ['preload.js', 'confirm-preload.js']) {
    const text = readFileSync(join(out, f), 'utf8');
    assert.deepEqual([...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], ['electron'], f);
    assert.doesNotMatch(text, /^import /m, `${f} is CommonJS`);
  }
});
