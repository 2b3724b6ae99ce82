import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue, PaydeskError } from '../../contract/errors.ts';
import { errorsMarkdown, priceTiersMarkdown, openApiJson } from '../../server/tools/gen-docs.ts';
import { createHttpServer } from '../../server/http/server.ts';
import { EventBus } from '../../server/events/bus.ts';
import type { Handlers } from '../../server/http/handlers.ts';
import type { IdempotencyStore } from '../../server/http/idempotency.ts';

const root = join(import.meta.dirname, '..', '..');

function testSources(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out += testSources(p);
    else if (/\.test\.tsx?$/.test(name)) out += readFileSync(p, 'utf8');
  }
  return out;
}

test('every error code is asserted by some test', () => {
  const sources = testSources(join(root, 'test'));
  const missing = Object.keys(errorCatalogue).filter((code) => !sources.includes(`'${code}'`));
  assert.deepEqual(missing, [], `codes no test asserts: ${missing.join(', ')}`);
});

test('every error has an HTTP error status and a sentence that says what to do', () => {
  for (const [code, e] of Object.entries(errorCatalogue)) {
    assert.match(code, /^[a-z][a-z0-9_]+$/);
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.match(e.message, /^[A-Z].{15,}[.)]$/, code);
  }
});

test('docs/errors.md, docs/price-tiers.md and docs/openapi.json are generated from the code and up to date (npm run docs)', () => {
  assert.equal(readFileSync(join(root, 'docs', 'errors.md'), 'utf8'), errorsMarkdown());
  assert.equal(readFileSync(join(root, 'docs', 'price-tiers.md'), 'utf8'), priceTiersMarkdown());
  assert.equal(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8'), openApiJson());
});

test('an unexpected failure answers internal_error without leaking its message, and is logged', async () => {
  const logs: string[] = [];
  const boom = () => {
    throw new Error('secret detail: database path /x');
  };
  const handlers = new Proxy({}, { get: () => boom }) as Handlers;
  const { server, setPort } = createHttpServer({
    token: 't'.repeat(43), handlers, events: new EventBus(), consoleOrigins: [], log: (l) => logs.push(l),
    idempotency: { begin: () => undefined, finish: () => undefined } as unknown as IdempotencyStore,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  setPort(port);
  const res = await fetch(`http://127.0.0.1:${port}/api/apps`, { headers: { authorization: `Bearer ${'t'.repeat(43)}` } });
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(res.status, 500);
  assert.equal(body.error.code, 'internal_error');
  assert.ok(!JSON.stringify(body).includes('secret detail'));
  assert.ok(logs.some((l) => l.includes('secret detail')));
  await new Promise((r) => server.close(r));
  assert.equal(new PaydeskError('internal_error').status, 500);
});
