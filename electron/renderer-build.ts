// The console (renderer/) is a Vite build that both the desktop window and the
// headless server's `/` load. `npm start` and the browser tests build it when it
// is missing or older than its sources, so a fresh checkout needs no extra step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Builds renderer/dist when it is missing or older than the sources (or the contract it imports). Returns whether it built. */
export function ensureRendererBuilt(root: string, log: (line: string) => void = () => undefined): boolean {
  const index = join(root, 'renderer', 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(root, 'renderer', 'src')),
    statSync(join(root, 'renderer', 'index.html')).mtimeMs,
    statSync(join(root, 'renderer', 'vite.config.ts')).mtimeMs,
    newestMtime(join(root, 'contract')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return false;
  log('Building the console (renderer/dist)...');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`The console build failed; run \`npm run build:renderer\` to see why.\n${r.stdout}\n${r.stderr}`);
  return true;
}
