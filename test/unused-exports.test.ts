// Dead code in the console and the desktop shell: every function, constant and
// class that renderer/ or electron/ exports is used by some other file (the app or
// its tests), and every icon is drawn somewhere. An export only its own file uses
// is not exported; one nobody uses is deleted. Types are left out: they name the
// shapes of exported functions, whether or not a caller spells them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const SOURCE_DIRS = ['bench', 'contract', 'demo', 'electron', 'renderer/src', 'sdk', 'server', 'test'];
const CHECKED = ['electron/', 'renderer/src/'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const texts = new Map(SOURCE_DIRS.flatMap((d) => sources(join(root, d))).map((p) => [relative(root, p).split('\\').join('/'), readFileSync(p, 'utf8')]));

/** Exported values (not types) of a module's text. */
function exportedValues(text: string): string[] {
  return [...text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|class|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1] ?? '');
}

/** Exported values of `file` that no other file names. */
function unusedExports(file: string, all: ReadonlyMap<string, string>): string[] {
  return exportedValues(all.get(file) ?? '').filter((name) => {
    const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
    return ![...all].some(([other, text]) => other !== file && word.test(text));
  });
}

test('every value renderer/ and electron/ export is used by another file', () => {
  const unused = [...texts.keys()].filter((f) => CHECKED.some((d) => f.startsWith(d))).flatMap((f) => unusedExports(f, texts).map((n) => `${f}: ${n}`));
  assert.deepEqual(unused, []);
});

test('the check sees an export nobody imports', () => {
  // Built at run time, so this file does not itself name the probe.
  const probe = ['Icon', 'Unused', 'Probe'].join('');
  const withDead = new Map(texts);
  withDead.set('renderer/src/icons.tsx', `${texts.get('renderer/src/icons.tsx')}\nexport const ${probe} = make(<path d="M0 0" />);\n`);
  assert.deepEqual(unusedExports('renderer/src/icons.tsx', withDead), [probe]);
  assert.deepEqual(exportedValues('export async function a() {}\nexport type B = 1;\nexport class C {}\n'), ['a', 'C']);
});
