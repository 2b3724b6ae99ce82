// A folder is a process boundary (STYLE.md): the lint rules that enforce it run
// inside `npm test`, and this checks that they really fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, file) });
  return r!.messages.map((m) => `${m.ruleId}`);
}

const cases: [file: string, code: string][] = [
  ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
  ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
  ['renderer/src/x.ts', "import { Apps } from '../../server/apps/apps.ts';\nexport const x = Apps;\n"],
  ['server/x.ts', "import { app } from 'electron';\nexport const x = app;\n"],
  ['server/x.ts', "import { x as y } from '../electron/main.ts';\nexport const x = y;\n"],
  ['contract/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
  ['contract/x.ts', "import { Apps } from '../server/apps/apps.ts';\nexport const x = Apps;\n"],
  ['contract/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
  ['renderer/src/x.ts', "import { routes } from '../../server/http/openapi.ts';\nexport const x = routes;\n"],
  ['sdk/x.ts', "import { startServer } from '../server/main.ts';\nexport const x = startServer;\n"],
  // The `paydesk` command is a client of the server (contract/), and `serve` starts it through server/main.ts only.
  ['cli/x.ts', "import { startServer } from '../server/main.ts';\nexport const x = startServer;\n"],
  ['cli/x.ts', "import { Apps } from '../server/apps/apps.ts';\nexport const x = Apps;\n"],
  ['cli/x.ts', "import { ensureApp } from '../demo/setup.ts';\nexport const x = ensureApp;\n"],
  ['cli/serve-server.ts', "import { defaultDataDir } from '../server/data-dir.ts';\nexport const x = defaultDataDir;\n"],
];

for (const [file, code] of cases) {
  test(`lint refuses in ${file}: ${code.split('\n')[0]}`, async () => {
    assert.ok((await ruleIds(file, code)).includes('no-restricted-imports'));
  });
}

test('lint allows what each folder may import', async () => {
  assert.deepEqual(await ruleIds('renderer/src/x.ts', "import type { Routes } from '../../contract/api.ts';\nexport type X = Routes;\n"), []);
  assert.deepEqual(await ruleIds('contract/x.ts', "import { z } from 'zod';\nimport { routes } from './api.ts';\nexport const x = [z, routes];\n"), []);
  assert.deepEqual(await ruleIds('server/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"), []);
  assert.deepEqual(await ruleIds('cli/x.ts', "import { createClient } from '../contract/client.ts';\nimport { signPaymentRequest } from '../sdk/index.ts';\nimport { readFileSync } from 'node:fs';\nexport const x = [createClient, signPaymentRequest, readFileSync];\n"), []);
  assert.deepEqual(await ruleIds('cli/serve-server.ts', "import { startServer } from '../server/main.ts';\nexport const x = startServer;\n"), []);
});

test('lint refuses default exports', async () => {
  assert.ok((await ruleIds('server/x.ts', 'export default 1;\n')).includes('no-restricted-syntax'));
});

test('lint refuses a Tx made by a cast outside server/db/ (only commit() and immediate() make one)', async () => {
  const code = "import type { Tx } from '../db/tx.ts';\nimport type { Db } from '../db/open.ts';\nexport const f = (db: Db) => db as unknown as Tx;\n";
  assert.ok((await ruleIds('server/apps/x.ts', code)).includes('no-restricted-syntax'));
  assert.ok((await ruleIds('test/server/x.test.ts', code.replaceAll('../db/', '../../server/db/'))).includes('no-restricted-syntax'));
  assert.deepEqual(await ruleIds('server/db/x.ts', code.replaceAll('../db/', './')), [], 'the commit helpers may');
});
