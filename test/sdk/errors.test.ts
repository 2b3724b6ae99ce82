import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NoticeError, noticeErrorCodes } from '../../sdk/index.ts';

// The codes are a contract with merchants' logs and the provider's inspector:
// each one is documented in the README table and has a sentence to act on.
test('every NoticeError code is in the README table with a message', () => {
  const readme = readFileSync(new URL('../../sdk/README.md', import.meta.url), 'utf8');
  for (const code of noticeErrorCodes) {
    assert.match(readme, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `README is missing ${code}`);
    const e = new NoticeError(code, 'detail');
    assert.equal(e.code, code);
    assert.match(e.message, /\(detail\)$/);
  }
  assert.equal(new Set(noticeErrorCodes).size, 15);
});
