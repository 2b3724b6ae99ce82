// Makes `npm test` account for the Electron suite: skipped, with the reason, where
// no Electron binary exists; run (and required to pass) where one does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { detectElectron } from '../../electron/launch.ts';

const root = join(import.meta.dirname, '..', '..');

test('Electron suite (npm run test:electron)', (t) => {
  const detection = detectElectron(root, process.env);
  if (detection.kind === 'browser') {
    t.skip(`no Electron binary: ${detection.reason}; run npm run test:electron where Electron is installed`);
    return;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/electron/desktop.e2e.ts'], {
    cwd: root, stdio: 'inherit', timeout: 10 * 60_000,
  });
  assert.equal(r.status, 0, 'test/electron/desktop.e2e.ts failed; its output is above');
});
