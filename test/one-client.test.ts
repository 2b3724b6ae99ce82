// One client of Paydesk's API (STYLE.md, "One client, derived from the contract"):
// whatever calls the console API with the admin token goes through
// contract/client.ts, which builds the Authorization header, the path, the
// Idempotency-Key and reads the error's code. This fails when a file sets that
// header by hand, the mark of a hand-rolled client. test/server/ is left out: its
// tests send raw and hostile HTTP on purpose. The few other files that must, say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const SCANNED = ['bench', 'contract', 'demo', 'electron', 'renderer', 'sdk', 'test'];
const RAW_BY_DESIGN = 'test/server/';

/** Files that set the header by hand, and why the typed client cannot do their job. */
const allowed: Readonly<Record<string, string>> = {
  'contract/client.ts': 'the one client',
  'test/helpers/paydesk.ts': 'rawApi: the tests\' one raw door, for bodies and headers the typed client refuses to send',
  'test/renderer/security.test.ts': 'probes what a foreign page can do with and without the token (CSRF, CORS)',
  'test/electron/main-process.test.ts': 'sends the token the way Chromium does from app:// (CORS preflight, then the request)',
  'renderer/src/events.ts': 'the SSE stream (GET /api/events): a stream read as it arrives, which client.call does not do',
  'renderer/vite.config.ts': 'the dev server\'s proxy adds the token to the console\'s requests',
  'test/one-client.test.ts': 'plants each form to show the scan sees it',
  'sdk/sign-in.ts': 'the merchant SDK stands alone (imports nothing of ours), and the Bearer it sends to /v1/pay is the buyer\'s payments token, not the console\'s',
};

/** An Authorization header or a Bearer credential written out by hand; prose such as `Authorization: Bearer <token>` is not. */
const handSetCredential = /["'`]?\bauthorization\b["'`]?\s*:(?!\s*Bearer\b)|\.authorization\s*=|\[\s*["'`]authorization["'`]\s*\]\s*=|\.(?:set|append|setHeader)\(\s*["'`]authorization["'`]|["'`]Bearer\s/i;

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name === 'results') return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(?:ts|tsx|js|mjs)$/.test(name) ? [relative(root, p).split('\\').join('/')] : [];
  });
}

/** Lines of `text` where a credential is set by hand, as "file:line: text". */
function handSetCredentials(file: string, text: string): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => (line.search(handSetCredential) >= 0 ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

test('no file outside contract/client.ts sets the console credential by hand (test/server/ sends raw HTTP on purpose)', () => {
  const found = SCANNED.flatMap((d) => sources(join(root, d)))
    .filter((f) => !f.startsWith(RAW_BY_DESIGN) && !(f in allowed))
    .flatMap((f) => handSetCredentials(f, readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, [], `call the API with createClient (contract/client.ts), e.g. testClient(server).call('getApp', {params: {key}}):\n${found.join('\n')}`);
});

test('every file allowed to set it still does: the list shrinks when one stops needing it', () => {
  const stale = Object.keys(allowed).filter((f) => !existsSync(join(root, f)) || handSetCredentials(f, readFileSync(join(root, f), 'utf8')).length === 0);
  assert.deepEqual(stale, []);
});

test('the scan sees the forms a hand-rolled client takes, and not the header named as a value', () => {
  const planted = [
    'headers: { authorization: `Bearer ${token}` }',
    "headers: { 'Authorization': 'Bearer ' + token }",
    'headers.authorization = token;',
    "h['authorization'] = token;",
    "req.setHeader('authorization', token);",
    "new Headers().set('Authorization', token);",
  ];
  for (const line of planted) assert.equal(handSetCredentials('bench/x.ts', line).length, 1, line);
  assert.deepEqual(handSetCredentials('test/e2e/x.ts', [
    "'access-control-request-headers': 'authorization'",
    'assert.match(h, /authorization/i);',
    "message: 'Send the console token as `Authorization: Bearer <token>`'",
  ].join('\n')), []);
});
