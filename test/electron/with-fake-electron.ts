// Loads one of electron/main/'s setup steps under plain Node: bundled with
// test/electron/fake-electron.ts standing in for `electron` (as main-process.test
// does for the whole of main.ts), so a step's own behaviour is tested on its own.
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after } from 'node:test';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');
// Inside the checkout, so the bundle's bare imports (zod) resolve from node_modules.
const outDir = join(root, 'build', 'test-wiring', String(process.pid));
after(() => rmSync(outDir, { recursive: true, force: true }));

export async function importWithFakeElectron<T>(file: string): Promise<T> {
  const name = basename(file, '.ts');
  await build({
    absWorkingDir: root,
    entryPoints: { [name]: file },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    alias: { electron: join(import.meta.dirname, 'fake-electron.ts') },
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(join(outDir, `${name}.js`)).href)) as T;
}
