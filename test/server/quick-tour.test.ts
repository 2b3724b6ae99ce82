// docs/quick-tour.sh is what the README sends new users to: it must keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startTestServer } from '../helpers/paydesk.ts';

test('docs/quick-tour.sh walks one purchase from app registration to a completed transaction', async () => {
  const t = await startTestServer();
  try {
    const root = join(import.meta.dirname, '..', '..');
    // Async: the server answers from this process, so the script must not block it.
    const r = await promisify(execFile)('bash', [join(root, 'docs/quick-tour.sh')], {
      cwd: root, encoding: 'utf8', env: { ...process.env, PAYDESK_URL: t.url, PAYDESK_DATA_DIR: t.dataDir }, timeout: 60_000,
    });
    assert.match(String(r.stdout), /status completed, transaction txn_[a-z0-9]+/);
    assert.match(String(r.stdout), /txn_[a-z0-9]+ {2}completed {2}1\.99 USD {2}Elite Sparkle Pony/);
  } finally {
    await t.close();
  }
});
