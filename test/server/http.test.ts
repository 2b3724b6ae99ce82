// The console API's front door: Host and Origin checks, the token, body rules,
// idempotency, the OpenAPI document and the open CORS of the public API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { routes } from '../../contract/api.ts';
import { parseEvent, type PaydeskEvent } from '../../contract/events.ts';
import { SseParser } from '../../renderer/src/events.ts';

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer({ consoleOrigins: ['app://paydesk'] });
  app = await createApp(t);
});
after(() => t.close());

/** A raw request, so tests can send headers fetch() refuses to forge (Host). */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, { method, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const code = (r: { body: string }) => (JSON.parse(r.body) as { error: { code: string } }).error.code;

test('DNS rebinding: a foreign Host header is refused, on the console and public APIs alike', async () => {
  const auth = { authorization: `Bearer ${t.server.token}` };
  const r = await raw('/api/apps', { ...auth, host: `attacker.example:${t.server.port}` });
  assert.equal(r.status, 421);
  assert.equal(code(r), 'host_not_allowed');
  assert.equal(code(await raw('/v1/pay/pur_x', { host: 'attacker.example' })), 'host_not_allowed');
  assert.equal((await raw('/api/apps', { ...auth, host: `localhost:${t.server.port}` })).status, 200);
});

test('cross-origin browser requests to the console API are refused, even with the token', async () => {
  const r = await t.api('GET', '/api/apps', undefined, { origin: 'http://evil.example' });
  assert.equal(r.status, 403);
  assert.equal(errorCode(r), 'cross_origin_refused');
  assert.equal(errorCode(await t.api('GET', '/api/apps', undefined, { 'sec-fetch-site': 'cross-site' })), 'cross_origin_refused');
  assert.equal((await t.api('GET', '/api/apps', undefined, { origin: t.url })).status, 200, 'the console\'s own origin');
});

test('every console call needs the bearer token', async () => {
  for (const [, r] of Object.entries(routes)) {
    if (r.auth !== 'console' && r.auth !== 'token') continue;
    const path = r.path.replace(/\{\w+\}/g, 'x');
    const res = await fetch(t.url + path, { method: r.method, headers: { authorization: 'Bearer wrong' } });
    assert.equal(res.status, 401, `${r.method} ${r.path}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
  }
  for (const p of ['/api/openapi.json', '/api/events']) assert.equal((await fetch(t.url + p)).status, 401, p);
});

test('the public API is open to any page (CORS), with a preflight', async () => {
  const pre = await fetch(`${t.url}/v1/pay`, { method: 'OPTIONS', headers: { origin: 'http://shop.example', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  const r = await fetch(`${t.url}/v1/pay`, { method: 'POST', headers: { origin: 'http://shop.example', 'content-type': 'application/json' }, body: JSON.stringify({ jwts: [await signRequest(app, { now: t.clock.now })] }) });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
});

test('bodies: bad JSON, too large, unknown route and method, field validation', async () => {
  assert.equal(errorCode(await t.api('POST', '/api/buyers', '{"email":')), 'bad_json');
  assert.equal(errorCode(await t.api('POST', '/api/buyers', { email: 'x@example.com', name: 'x'.repeat(70 * 1024) })), 'body_too_large');
  assert.equal(errorCode(await t.api('GET', '/api/nothing-here')), 'not_found');
  assert.equal(errorCode(await t.api('PUT', '/api/apps')), 'method_not_allowed');
  const v = await t.api('GET', '/api/transactions?limit=5000&status=lost');
  assert.equal(errorCode(v), 'validation_failed');
  assert.equal(errorCode(await t.api('GET', '/api/transactions?cursor=garbage')), 'validation_failed');
});

test('OpenAPI is generated from the contract: every route, with its schemas and the error codes', async () => {
  const r = await t.api<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; operationId: string }>>; 'x-error-codes': { code: string }[] }>('GET', '/api/openapi.json');
  assert.equal(r.body.openapi, '3.1.0');
  for (const [name, route] of Object.entries(routes)) {
    const op = r.body.paths[route.path]?.[route.method.toLowerCase()];
    assert.equal(op?.operationId, name, `${route.method} ${route.path}`);
    if ('body' in route) assert.ok(op?.requestBody, `${name} documents its body`);
  }
  assert.ok(r.body['x-error-codes'].some((e) => e.code === 'request_jti_replayed'));
});

test('Idempotency-Key: same key and body replays, another body is 422, a concurrent duplicate is 409', async () => {
  const body = { email: 'idem@example.com', name: 'Idem' };
  const first = await t.api<{ id: string }>('POST', '/api/buyers', body, { 'idempotency-key': 'create-idem-1' });
  const again = await t.api<{ id: string }>('POST', '/api/buyers', body, { 'idempotency-key': 'create-idem-1' });
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.body.id, first.body.id, 'the same buyer, not a second one');
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const other = await t.api('POST', '/api/buyers', { ...body, name: 'Changed' }, { 'idempotency-key': 'create-idem-1' });
  assert.equal(other.status, 422);
  assert.equal(errorCode(other), 'idempotency_key_reused');
  assert.equal(errorCode(await t.api('POST', '/api/buyers', body, { 'idempotency-key': 'bad key with spaces' })), 'idempotency_key_invalid');

  // Errors are remembered too: the same failing request gives the same answer.
  const dup1 = await t.api('POST', '/api/buyers', body, { 'idempotency-key': 'create-idem-2' });
  assert.equal(errorCode(dup1), 'buyer_email_taken');

  const buyer = await readyBuyer(t, { card: '4000000000000077' });
  const p = await pay(t, await signRequest(app, { now: t.clock.now }));
  const h = { 'idempotency-key': `confirm-${p.body.id}` };
  const slow = t.api<{ status: string; transactionID: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin }, h);
  await t.slowProcessor.charging(slow);
  const concurrent = await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin }, h);
  assert.equal(concurrent.status, 409);
  assert.equal(errorCode(concurrent), 'idempotency_in_progress');
  t.slowProcessor.release();
  const done = await slow;
  assert.equal(done.body.status, 'completed');
  const replay = await t.api<{ transactionID: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin }, h);
  assert.equal(replay.status, 200);
  assert.equal(replay.body.transactionID, done.body.transactionID);
});

test('the public pay call takes an Idempotency-Key too', async () => {
  const jwt = await signRequest(app, { now: t.clock.now });
  const a = await t.api<{ id: string }>('POST', '/v1/pay', { jwts: [jwt] }, { 'idempotency-key': 'page-click-1' });
  const b = await t.api<{ id: string }>('POST', '/v1/pay', { jwts: [jwt] }, { 'idempotency-key': 'page-click-1' });
  assert.equal(a.body.id, b.body.id);
});

test('server-sent events report state changes', async () => {
  const ac = new AbortController();
  const res = await fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${t.server.token}` }, signal: ac.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const paid = await pay(t, await signRequest(app, { now: t.clock.now }));
  const parser = new SseParser();
  let text = '';
  let created: PaydeskEvent | undefined;
  while (created === undefined) {
    const chunk = new TextDecoder().decode((await reader.read()).value);
    text += chunk;
    created = parser.push(chunk).map((m) => parseEvent(m.type, m.data)).find((e) => e?.type === 'purchase.created' && e.data.id === paid.body.id) ?? undefined;
  }
  assert.match(text, /event: purchase.created\ndata: \{"id":"pur_/);
  assert.deepEqual(created.data, { id: paid.body.id, appKey: app.key, status: 'pending', seq: created.data.seq });
  ac.abort();
});

test('the desktop console\'s own origin may call the API by CORS, with the bearer token only', async () => {
  const pre = await fetch(`${t.url}/api/apps`, { method: 'OPTIONS', headers: { origin: 'app://paydesk', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'app://paydesk');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
  assert.equal(pre.headers.get('access-control-allow-private-network'), 'true');
  const r = await t.api('GET', '/api/apps', undefined, { origin: 'app://paydesk', 'sec-fetch-site': 'cross-site' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), 'app://paydesk');
  const other = await fetch(`${t.url}/api/apps`, { method: 'OPTIONS', headers: { origin: 'app://evil' } });
  assert.equal(other.status, 403);
});
