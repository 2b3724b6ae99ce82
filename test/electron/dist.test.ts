// `npm run dist` where installers cannot be built: one line saying why, before any
// build step, and no stack. Fake node_modules trees stand in for machines with and
// without electron-builder; a closed port on 127.0.0.1 stands in for a network that
// cannot reach github.com.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distBlocker, electronCacheDir, electronDownloadUrl, httpProbe, type DistContext, type Probe } from '../../electron/dist.ts';

const repo = join(import.meta.dirname, '..', '..');
const target = { platform: 'linux', arch: 'x64' } as const;

/** A port that was just free and is closed again: connecting is refused at once (fetch refuses port 9 itself). */
async function unreachableMirror(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

function fakeRoot(opts: { builder: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'paydesk-dist-'));
  mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{"name":"electron","version":"45.4.1"}');
  if (opts.builder) {
    mkdirSync(join(root, 'node_modules', 'electron-builder'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'electron-builder', 'cli.js'), '');
  }
  return root;
}

function context(root: string, probe: Probe, env: Record<string, string> = {}): DistContext {
  return { root, env: { electron_config_cache: mkdtempSync(join(tmpdir(), 'paydesk-electron-cache-')), ...env }, target, home: tmpdir(), probe };
}

const refused: Probe = () => Promise.reject(new Error('getaddrinfo ENOTFOUND github.com'));
const probed: string[] = [];
const reachable: Probe = (url) => {
  probed.push(url);
  return Promise.resolve();
};

test('electron-builder not installed: one line naming npm ci', async () => {
  const line = await distBlocker(context(fakeRoot({ builder: false }), reachable));
  assert.equal(line, 'npm run dist needs electron-builder, which is not installed: run npm ci first.');
});

test('Electron cannot be downloaded: one line with the reason and where to run it instead', async () => {
  const line = await distBlocker(context(fakeRoot({ builder: true }), refused));
  assert.equal(line, 'electron-builder needs the Electron 45.4.1 binary for linux-x64, which could not be downloaded: getaddrinfo ENOTFOUND github.com; run npm run dist on a machine with access to github.com.');
});

test('Electron downloadable: no blocker; the probe asks the URL electron-builder will fetch (ELECTRON_MIRROR honoured)', async () => {
  probed.length = 0;
  assert.equal(await distBlocker(context(fakeRoot({ builder: true }), reachable)), null);
  assert.equal(await distBlocker(context(fakeRoot({ builder: true }), reachable, { ELECTRON_MIRROR: 'https://mirror.example/electron' })), null);
  assert.deepEqual(probed, [
    'https://github.com/electron/electron/releases/download/v45.4.1/electron-v45.4.1-linux-x64.zip',
    'https://mirror.example/electron/v45.4.1/electron-v45.4.1-linux-x64.zip',
  ]);
  assert.equal(electronDownloadUrl('1.2.3', { platform: 'darwin', arch: 'arm64' }, {}), 'https://github.com/electron/electron/releases/download/v1.2.3/electron-v1.2.3-darwin-arm64.zip');
});

test('Electron already in the download cache: no network needed', async () => {
  const c = context(fakeRoot({ builder: true }), refused);
  const cache = c.env.electron_config_cache!;
  mkdirSync(join(cache, 'a1b2c3'));
  writeFileSync(join(cache, 'a1b2c3', 'electron-v45.4.1-linux-x64.zip'), '');
  assert.equal(await distBlocker(c), null);
  assert.equal(electronCacheDir({}, 'linux', '/home/u'), '/home/u/.cache/electron');
  assert.equal(electronCacheDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/electron');
});

test('httpProbe: a refused connection rejects with the socket error, not "fetch failed"', async () => {
  await assert.rejects(httpProbe(`${await unreachableMirror()}x.zip`), /ECONNREFUSED/);
});

test('npm run dist here: exits non-zero with exactly one line on stderr and no stack', async () => {
  const mirror = await unreachableMirror();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/dist.ts'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_MIRROR: mirror, electron_config_cache: mkdtempSync(join(tmpdir(), 'paydesk-electron-cache-')) },
  });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^(npm run dist needs electron-builder, which is not installed|electron-builder needs the Electron [\d.]+ binary .* ECONNREFUSED)/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
});
