// The console session, tried as another program on the same machine would try
// it: a plain Node HTTP client (no Origin, no Sec-Fetch-Site) gets no cookie
// from `/`, nothing from a spent code, and nothing done with a live session's
// cookie. The console page gets its session only by trading a single-use,
// short-lived login code minted with the admin token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, createApp, signRequest, pay, readyBuyer, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { routes } from '../../contract/api.ts';

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer({ consoleOrigins: ['app://paydesk'] });
  app = await createApp(t);
});
after(() => t.close());

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: { error?: { code?: string } } & Record<string, unknown>;
}

/** A plain HTTP request: only the headers given, as a script or curl would send them. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawAnswer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, {
      method, headers: { ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}), ...headers },
    }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, json: data.startsWith('{') ? JSON.parse(data) : {} }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const bearer = () => ({ authorization: `Bearer ${t.server.token}` });
/** What Chromium sends with the console page's own fetch of a POST. */
const consolePage = () => ({ origin: t.url, 'sec-fetch-site': 'same-origin' });

async function mintCode(): Promise<{ code: string; url: string; expiresAt: string }> {
  const r = await raw('POST', '/api/console/login-codes', bearer(), {});
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as unknown as { code: string; url: string; expiresAt: string };
}

async function exchange(code: string, headers: Record<string, string> = consolePage()): Promise<RawAnswer> {
  return raw('POST', '/api/console/session', headers, { code });
}

/** The cookie pair (`paydesk_console=<id>`) of a successful exchange. */
function cookieOf(r: RawAnswer): string {
  const set = r.headers['set-cookie'];
  assert.ok(Array.isArray(set) && set.length === 1, `one Set-Cookie: ${JSON.stringify(set)}`);
  return set[0]!.split(';')[0]!;
}

async function session(): Promise<string> {
  const r = await exchange((await mintCode()).code);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return cookieOf(r);
}

test('loading the console grants nothing: no cookie from /, /index.html or HEAD /', async () => {
  for (const [method, path] of [['GET', '/'], ['GET', '/index.html'], ['HEAD', '/']] as const) {
    const r = await raw(method, path);
    assert.ok(r.status === 200 || r.status === 503, `${method} ${path}: ${r.status}`);
    assert.equal(r.headers['set-cookie'], undefined, `${method} ${path} sets no cookie`);
  }
});

test('login codes are minted only with the admin token, never with a session', async () => {
  const code = await mintCode();
  assert.match(code.code, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(code.url, `${t.url}/#login=${code.code}`, 'the code rides in the fragment, which no browser sends');
  assert.equal(Date.parse(code.expiresAt), t.clock.now + 10 * 60_000);
  assert.equal((await raw('POST', '/api/console/login-codes', {}, {})).json.error?.code, 'unauthorized');
  assert.equal((await raw('POST', '/api/console/login-codes', { authorization: 'Bearer wrong' }, {})).json.error?.code, 'unauthorized');
  const cookie = await session();
  const withSession = await raw('POST', '/api/console/login-codes', { cookie, ...consolePage() }, {});
  assert.equal(withSession.status, 401, 'a session cannot mint more sessions');
  assert.equal(withSession.json.error?.code, 'unauthorized');
  assert.equal((await raw('GET', '/api/console/session', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200, 'while the session itself works');
});

test('the exchange: only from the console page, once per code, and the code dies after 10 minutes', async () => {
  const { code } = await mintCode();
  // Refused before the code is looked at: a script cannot spend (or probe) a code.
  const notThePage: Record<string, string>[] = [{}, { 'sec-fetch-site': 'same-origin' }, { origin: t.url }, { origin: t.url, 'sec-fetch-site': 'same-site' },
    { origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' }, { origin: 'app://paydesk', 'sec-fetch-site': 'cross-site' }, { origin: 'app://paydesk', 'sec-fetch-site': 'same-origin' }];
  for (const headers of notThePage) {
    const r = await exchange(code, headers);
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.equal(r.json.error?.code, 'cross_origin_refused');
    assert.equal(r.headers['set-cookie'], undefined);
  }
  assert.equal((await exchange(code, { ...bearer() })).status, 403, 'the token does not stand in for the page');

  const first = await exchange(code);
  assert.equal(first.status, 200);
  const set = (first.headers['set-cookie'] as string[])[0]!;
  assert.match(set, /^paydesk_console=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/api$/);
  const value = set.split(';')[0]!.split('=')[1]!;
  assert.notEqual(value, t.server.token, 'never the admin token');
  assert.notEqual(value, code, 'never the code');

  const again = await exchange(code);
  assert.equal(again.status, 401);
  assert.equal(again.json.error?.code, 'login_code_invalid');
  assert.equal(again.headers['set-cookie'], undefined);
  assert.equal((await exchange('x'.repeat(43))).json.error?.code, 'login_code_invalid', 'unknown: the same answer');

  const late = await mintCode();
  t.clock.advance(10 * 60_000 - 1);
  const inTime = await mintCode();
  t.clock.advance(1);
  assert.equal((await exchange(late.code)).json.error?.code, 'login_code_invalid', 'expired: the same answer');
  assert.equal((await exchange(inTime.code)).status, 200, 'a younger code still works');
});

test('a cookie counts only with Sec-Fetch-Site: same-origin; otherwise it is refused like a wrong token', async () => {
  const cookie = await session();
  const get = (headers: Record<string, string>) => raw('GET', '/api/apps', { cookie, ...headers });
  assert.equal((await get({ 'sec-fetch-site': 'same-origin' })).status, 200);
  assert.equal((await get({ 'sec-fetch-site': 'same-origin', origin: t.url })).status, 200);
  const notFromThePage: Record<string, string>[] = [{}, { 'sec-fetch-site': 'none' }, { 'sec-fetch-site': 'same-site' }, { origin: t.url }];
  for (const headers of notFromThePage) {
    const r = await get(headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal(r.json.error?.code, 'unauthorized');
  }
  assert.equal((await get({ 'sec-fetch-site': 'cross-site' })).json.error?.code, 'cross_origin_refused');
  assert.equal((await get({ 'sec-fetch-site': 'same-origin', origin: 'app://paydesk' })).status, 401, 'the desktop origin uses the token, never the cookie');
  assert.equal((await raw('GET', '/api/apps', bearer())).status, 200, 'scripts with the token are unchanged');
});

test('several live sessions at once, each from its own code; all die with the process', async () => {
  const a = await session();
  const b = await session();
  assert.notEqual(a, b);
  for (const cookie of [a, b]) assert.equal((await raw('GET', '/api/console/session', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200);

  // A restart: the same data folder (and admin token), a new process's memory.
  const first = await startTestServer();
  const code = (await first.api<{ code: string }>('POST', '/api/console/login-codes', {})).body.code;
  const opened = await fetch(`${first.url}/api/console/session`, {
    method: 'POST', headers: { origin: first.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  });
  const cookie = opened.headers.getSetCookie()[0]!.split(';')[0]!;
  assert.equal((await fetch(`${first.url}/api/console/session`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } })).status, 200);
  await first.close();
  const second = await startTestServer({ dataDir: first.dataDir });
  try {
    assert.equal(second.server.token, first.server.token, 'the admin token survives the restart');
    const r = await fetch(`${second.url}/api/console/session`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    assert.equal(r.status, 401, 'the session did not');
  } finally {
    await second.close();
  }
});

test('the issue\'s attack: a plain script gets nothing from /, a spent code, or a live session\'s cookie', async () => {
  // Set up as the owner would, with the token: a buyer with a card and a PIN, a pending purchase.
  const buyer = await readyBuyer(t, { pin: '2468' });
  const other = await t.api<{ id: string }>('POST', '/api/buyers', { email: 'other@example.com', name: 'Other Buyer' });
  const purchase = await pay(t, await signRequest(app, { now: t.clock.now }));
  assert.equal(purchase.status, 201);
  const shown = await t.api<{ digest: string }>('GET', `/api/purchases/${purchase.body.id}`);

  // 1. GET / hands out nothing.
  assert.equal((await raw('GET', '/')).headers['set-cookie'], undefined);
  // 2. A code the owner already spent gives nothing, whatever headers the script forges.
  const { code } = await mintCode();
  assert.equal((await exchange(code)).status, 200, 'the owner\'s tab spends it');
  const stolen = await exchange(code, { origin: t.url, 'sec-fetch-site': 'same-origin' });
  assert.equal(stolen.json.error?.code, 'login_code_invalid');
  assert.equal(stolen.headers['set-cookie'], undefined);
  // 3. Even a live session's cookie, sent without Sec-Fetch-Site, does nothing.
  const cookie = await session();
  const attempts: readonly [string, string, unknown][] = [
    ['POST', `/api/apps/${app.key}/secrets/${app.secretId}/reveal`, {}],
    ['POST', `/api/apps/${app.key}/webhook-secret/reveal`, {}],
    ['POST', '/api/wallet/session', { buyerId: other.body.id }],
    ['PUT', `/api/buyers/${buyer.id}/pin`, { pin: '8642' }],
    ['POST', `/api/purchases/${purchase.body.id}/confirm`, { pin: buyer.pin, digest: shown.body.digest }],
  ];
  for (const [method, path, body] of attempts) {
    const r = await raw(method, path, { cookie }, body);
    assert.equal(r.status, 401, `${method} ${path}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error?.code, 'unauthorized');
    assert.ok(!JSON.stringify(r.json).includes(app.secret) && !JSON.stringify(r.json).includes(app.webhookSecret));
  }
  // Nothing changed: the same buyer is signed in, the PIN is the old one, the purchase still waits.
  const walletSession = await t.api<{ buyer: { id: string } | null }>('GET', '/api/wallet/session');
  assert.equal(walletSession.body.buyer?.id, buyer.id);
  assert.equal((await t.api<{ status: string }>('GET', `/api/purchases/${purchase.body.id}`)).body.status, 'pending');
  const confirmed = await t.api<{ status: string }>('POST', `/api/purchases/${purchase.body.id}/confirm`, { pin: buyer.pin, digest: shown.body.digest });
  assert.equal(confirmed.body.status, 'completed', 'the PIN was not reset: the buyer\'s own PIN still confirms');
});

test('the OpenAPI document says which credential each console-session route takes', async () => {
  const doc = await t.api<{ paths: Record<string, Record<string, { security: unknown[] }>>; components: { securitySchemes: Record<string, { in?: string; name?: string }> } }>('GET', '/api/openapi.json');
  assert.deepEqual(doc.body.paths[routes.createLoginCode.path]?.post?.security, [{ consoleToken: [] }]);
  assert.deepEqual(doc.body.paths[routes.startConsoleSession.path]?.post?.security, []);
  assert.deepEqual(doc.body.paths[routes.listApps.path]?.get?.security, [{ consoleToken: [] }, { consoleSession: [] }]);
  assert.deepEqual(doc.body.components.securitySchemes.consoleSession, {
    type: 'apiKey', in: 'cookie', name: 'paydesk_console',
    description: 'The browser console\'s session, set by POST /api/console/session; counts only on requests a browser marks Sec-Fetch-Site: same-origin',
  });
});
