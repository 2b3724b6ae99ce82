// Bad input never reaches a 500: malformed percent-encodings, cut UTF-8
// sequences, over-long paths, odd request targets and odd methods, against a
// real server, with and without the console token. Each must answer below 500
// and leave nothing in the server's log (no "internal error", no stack).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { routes, type RouteSpec } from '../../contract/api.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

let server: ServerInternals;
const logs: string[] = [];

before(async () => {
  server = await startServer({ port: 0, dataDir: freshDataDir('malformed'), checkResponses: true, log: (l) => logs.push(l) });
});
after(() => server.close());

/** A raw request: the target goes on the wire exactly as written (fetch and URL would normalise or refuse it). */
function raw(method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const body = method === 'GET' || method === 'HEAD' ? undefined : '{}';
  // A length, not chunked: Node's parser itself refuses a chunked DELETE body, before Paydesk sees it.
  const length = body === undefined ? {} : { 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { host: `127.0.0.1:${server.port}`, ...length, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => reject(new Error(`${method} ${target.slice(0, 80)}: ${e.message}`)));
    req.end(body);
  });
}

// Escapes decodeURIComponent refuses: not hex, cut short, a cut or invalid UTF-8 sequence, an encoded surrogate.
const badEscapes = ['%zz', '%', '%%', '%E0%A4%A', '%E0%A4', '%C0%AF', '%ED%A0%80', '%FF', 'a%2'];
// Escapes that decode, to odd values: NUL, a slash, "..", a very long value.
const oddValues = ['%00', '..%2f..%2f', '%2e%2e', 'x'.repeat(6000), '%41'.repeat(1500)];

const issueExamples: readonly (readonly [string, string])[] = [
  ['GET', '/v1/pay/%zz'],
  ['POST', '/v1/pay/%E0%A4%A/cancel'],
  ['GET', '/api/apps/%zz'],
];
const oddTargets = [
  '/%zz', '/%E0%A4%A', '/assets/%zz.js', '/pay/%zz', '/pay/%E0%A4%A', '/pay/pur_%zz', '/pay.js%zz', '/api/%zz', '/v1/%zz',
  `/${'a'.repeat(8000)}`, `/api/${'%zz'.repeat(2000)}`, '//api/apps', '///', '/api//apps', '/v1/pay/', '/api/apps/',
  'http://x:y/', 'http://[::1/api/apps', '*', '/api/apps?%zz=%zz', '/api/transactions?cursor=%E0%A4%A', '/api/notices?q=%00',
  '/api/purchases?limit=1e999', '/api/transactions?limit=-1&limit=2',
];
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE', 'PURGE'];

async function expectNoServerError(method: string, target: string, headers: Record<string, string>): Promise<void> {
  const before = logs.length;
  const r = await raw(method, target, headers);
  assert.ok(r.status > 0 && r.status < 500, `${method} ${target.slice(0, 80)} answered ${r.status} ${r.body.slice(0, 200)}`);
  assert.deepEqual(logs.slice(before), [], `${method} ${target.slice(0, 80)} logged`);
}

test('the issue\'s examples answer 404 not_found, and log nothing', async () => {
  const token = { authorization: `Bearer ${server.token}` };
  for (const [method, target] of issueExamples) {
    const before = logs.length;
    const r = await raw(method, target, target.startsWith('/api/') ? token : {});
    assert.equal(r.status, 404, `${method} ${target}: ${r.body}`);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'not_found');
    assert.deepEqual(logs.slice(before), []);
  }
});

test('every route, with each path parameter malformed or odd, answers below 500 with and without the token', async () => {
  for (const spec of Object.values(routes) as RouteSpec[]) {
    if (!spec.path.includes('{')) continue;
    for (const value of [...badEscapes, ...oddValues]) {
      const target = spec.path.replace(/\{\w+\}/g, value);
      const headerSets: Record<string, string>[] = [{ authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, {}];
      for (const headers of headerSets) await expectNoServerError(spec.method, target, headers);
      if (badEscapes.includes(value)) {
        const r = await raw(spec.method, target, { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' });
        assert.equal(r.status, 404, `${spec.method} ${target}: a malformed escape names nothing`);
      }
    }
  }
});

test('odd targets and odd methods answer below 500, with and without the token', async () => {
  for (const target of oddTargets) {
    for (const method of methods) {
      const headerSets: Record<string, string>[] = [{ authorization: `Bearer ${server.token}` }, {}];
      for (const headers of headerSets) await expectNoServerError(method, target, headers);
    }
  }
});
