// `npm run build:electron`: Electron cannot run TypeScript, so esbuild bundles
//   electron/main.ts            → build/electron/main.js           (ESM; server/ bundled in, node_modules external)
//   electron/preload.ts         → build/electron/preload.js        (CommonJS: sandboxed preloads must be)
//   electron/confirm-preload.ts → build/electron/confirm-preload.js
// A sandboxed preload may require only 'electron', so the build fails if a preload
// bundle imports anything else.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const OUT_DIR = join('build', 'electron');

/**
 * Bundling moves every module into build/electron/main.js, which would change what
 * `import.meta.dirname` means in server/ and electron/ code that finds files next to
 * itself (renderer/dist, static assets). This rewrites it per source file to the
 * folder that file came from, relative to the bundle, so the checkout and the asar
 * (which keeps the same layout) both resolve as they do under tsx.
 */
function keepSourceDirname(outDir: string): Plugin {
  return {
    name: 'keep-source-dirname',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!/import\.meta\.(dirname|filename)/.test(source)) return { contents: source, loader: 'ts' };
        const fromBundle = (p: string) => JSON.stringify(relative(outDir, p).split('\\').join('/'));
        const contents = source
          .replace(/import\.meta\.dirname/g, `__paydeskSourcePath(${fromBundle(dirname(args.path))})`)
          .replace(/import\.meta\.filename/g, `__paydeskSourcePath(${fromBundle(args.path)})`);
        return { contents, loader: 'ts' };
      });
    },
  };
}

const MAIN_BANNER = [
  "import { createRequire as __paydeskCreateRequire } from 'node:module';",
  "import { fileURLToPath as __paydeskFileURLToPath } from 'node:url';",
  "import { join as __paydeskJoin, dirname as __paydeskDirname } from 'node:path';",
  // Bundled CommonJS-style code (rare) still gets a working require.
  'const require = __paydeskCreateRequire(import.meta.url);',
  'const __paydeskSourcePath = (rel) => __paydeskJoin(__paydeskDirname(__paydeskFileURLToPath(import.meta.url)), rel);',
].join('\n');

/** The main-process bundle's esbuild options (tests reuse them with a stand-in electron). */
export function mainBuildOptions(root: string, outDir: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: { main: 'electron/main.ts' },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    external: ['electron'],
    banner: { js: MAIN_BANNER },
    plugins: [keepSourceDirname(outDir)],
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

export async function buildElectron(root: string, outDir: string = join(root, OUT_DIR)): Promise<readonly string[]> {
  await build(mainBuildOptions(root, outDir));
  const preloads = await build({
    absWorkingDir: root,
    entryPoints: { preload: 'electron/preload.ts', 'confirm-preload': 'electron/confirm-preload.ts' },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    metafile: true,
    logLevel: 'warning',
  });
  const foreign = Object.values(preloads.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => i.external && i.path !== 'electron')
    .map((i) => i.path);
  if (foreign.length > 0) throw new Error(`A sandboxed preload can require only 'electron', but the bundle imports ${[...new Set(foreign)].join(', ')}.`);
  return ['main.js', 'preload.js', 'confirm-preload.js'].map((f) => join(outDir, f));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(import.meta.dirname, '..');
  buildElectron(root).then(
    (files) => console.log(`built ${files.map((f) => relative(root, f)).join(', ')}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
