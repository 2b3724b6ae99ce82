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
const valueImports = (text: string) => [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');

const ELECTRON_FILES = ['main.ts', 'preload.ts', 'confirm-preload.ts'];
/** main.ts's setup steps, one file per concern: with main.ts, the only code that wires Electron. */
const WIRING_DIR = 'main';
const wiringFiles = readdirSync(join(electronDir, WIRING_DIR)).filter((f) => f.endsWith('.ts')).map((f) => `${WIRING_DIR}/${f}`);

test('only main, its setup steps and the preloads load electron; every policy file runs under plain Node', () => {
  const files = readdirSync(electronDir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('policy.ts') && files.includes('ipc.ts'));
  for (const f of files) {
    const loadsElectron = valueImports(source(f)).includes('electron');
    assert.equal(loadsElectron, ELECTRON_FILES.includes(f), f);
  }
});

test('main.ts reaches every setup step (a hook in a file nothing imports protects nothing)', () => {
  const reached = new Set<string>();
  const visit = (f: string) => {
    if (reached.has(f)) return;
    reached.add(f);
    for (const i of valueImports(source(f))) {
      if (!i.startsWith('./')) continue;
      visit(join(f, '..', i).split('\\').join('/'));
    }
  };
  visit('main.ts');
  assert.ok(wiringFiles.length > 0);
  // desktop.ts holds only the shared type, which erases to nothing.
  for (const f of wiringFiles.filter((x) => x !== `${WIRING_DIR}/desktop.ts`)) assert.ok(reached.has(f), `main.ts never loads ${f}`);
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

test('main and its setup steps wire every checklist hook, each in the file of its concern', () => {
  const checklist: Readonly<Record<string, readonly string[]>> = {
    'main.ts': ['registerSchemesAsPrivileged(', 'enableSandbox()', 'requestSingleInstanceLock()'],
    'main/security.ts': [
      "'web-contents-created'", "'will-navigate'", "'will-frame-navigate'", "'will-redirect'", "'will-attach-webview'", 'setWindowOpenHandler(',
      'setPermissionRequestHandler(', 'setPermissionCheckHandler(', 'setDevicePermissionHandler(',
    ],
    'main/app-protocol.ts': ['protocol.handle('],
    'main/deep-links.ts': ["'second-instance'", "'open-url'"],
    'main/bridge.ts': ['registerBridge('],
    'main/windows.ts': ['secureWebPreferences('],
    'main/confirmation-window.ts': ['windowPreferences(', 'setContentProtection(true)'],
  };
  for (const [file, hooks] of Object.entries(checklist)) for (const hook of hooks) assert.ok(source(file).includes(hook), `${file}: ${hook}`);
  for (const f of ['main.ts', ...wiringFiles]) {
    const text = source(f);
    assert.doesNotMatch(text, /loadFile\(|file:\/\//, `${f}: the console loads from app://, never file://`);
    assert.doesNotMatch(text, /log\([^)]*token\b(?!:)/i, `${f}: the token is never logged`);
    assert.doesNotMatch(text, /\bfetch\(/, `${f}: main calls its own API through contract/client.ts`);
  }
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
