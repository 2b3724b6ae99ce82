// GET /api/openapi.json describes every path the server answers: the JSON
// routes (contract/api.ts routes) and what is served around them (contract/api.ts
// resources: the document itself, the event stream, JWKS, the pay page, the
// console's files). Each resource is probed for real, so a declaration the
// server does not keep fails here too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resources, routes } from '../../contract/api.ts';
import { openApiDocument } from '../../server/http/openapi.ts';
import { startTestServer, errorCode, type TestServer } from '../helpers/paydesk.ts';

interface Doc {
  readonly paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** Every operation the server serves, as "GET /path" with its operationId. */
const served: readonly { readonly op: string; readonly name: string; readonly method: string; readonly path: string }[] = [
  ...Object.entries(routes), ...Object.entries(resources),
].map(([name, r]) => ({ op: `${r.method} ${r.path}`, name, method: r.method, path: r.path }));

/** The served operations `doc` leaves out (or gives another operationId). */
function missingFrom(doc: Doc): string[] {
  return served.filter((s) => doc.paths[s.path]?.[s.method.toLowerCase()]?.operationId !== s.name).map((s) => s.op);
}

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

test('the OpenAPI document has every route and every resource the server serves, each declared once', async () => {
  const r = await t.api<Doc>('GET', '/api/openapi.json');
  assert.equal(r.status, 200);
  assert.deepEqual(missingFrom(r.body), []);
  const ops = served.map((s) => s.op);
  assert.deepEqual(ops.filter((op, i) => ops.indexOf(op) !== i), [], 'a path is declared both as a route and as a resource: keep one');
  assert.ok(served.length > Object.keys(routes).length, 'the resources are walked too');
});

test('the coverage check fails when the document leaves a served path out', () => {
  for (const path of [resources.jwks.path, resources.payStatusPage.path, routes.getApp.path]) {
    const doc = openApiDocument('http://127.0.0.1:1') as unknown as Doc;
    delete doc.paths[path];
    assert.ok(missingFrom(doc).some((op) => op.endsWith(` ${path}`)), `${path} reported missing`);
  }
});

test('each resource is documented with the content type it is served with, and served', async () => {
  const doc = (await t.api<Doc>('GET', '/api/openapi.json')).body;
  const examples: Readonly<Record<string, string>> = { '{id}': 'pur_unknown', '{file}': 'favicon.ico', '{uid}': 'unknown-sign-in' };
  for (const [name, r] of Object.entries(resources)) {
    const documented = Object.keys(doc.paths[r.path]?.[r.method.toLowerCase()]?.responses['200']?.content ?? {});
    assert.deepEqual(documented, [r.contentType], `${name}: documented content type`);
    // The console's files exist only once it is built; whatever the build holds is typed by extension.
    if (name === 'consoleFile') continue;
    const controller = new AbortController();
    // The provider's POST endpoints answer an empty form with an RFC 6749 error, as JSON.
    const res = await fetch(t.url + r.path.replace(/\{\w+\}/g, (k) => examples[k]!), {
      method: r.method, headers: r.auth === 'public' ? {} : { authorization: `Bearer ${t.server.token}` }, signal: controller.signal,
    });
    // An unknown purchase gets the status page's 404 page, the unbuilt console a 503 page: still the declared type.
    assert.ok(res.headers.get('content-type')?.startsWith(r.contentType), `${name}: served as ${res.headers.get('content-type')} (HTTP ${res.status})`);
    controller.abort();
    await res.body?.cancel().catch(() => undefined);
  }
});

test('paths next to the declared ones are not served: the router answers not_found', async () => {
  for (const path of ['/pay', '/pay.jsx', '/.well-known/other.json', '/api/openapi.yaml', '/api/event', '/v1/nothing']) {
    const res = await t.api('GET', path);
    assert.equal(errorCode(res), 'not_found', path);
  }
});
