// The Request lab's client-side judgement must agree with the server's: each
// case here is verified by the real server too (POST /v1/pay), so a drift in
// either shows up as a failing assertion. Also: the browser-side HS256 signer
// interoperates with jose, and the SSE parser frames events correctly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { freshDataDir, signRequest, testClient } from '../helpers/paydesk.ts';
import { explainRequest, DEFAULT_AUDIENCES, type CheckContext } from '../../renderer/src/request-check.ts';
import { signHS256, verifyHS256, decodeJwt } from '../../renderer/src/jwt.ts';
import { SseParser } from '../../renderer/src/events.ts';

describe('request lab judgement matches the server', () => {
  let server: ServerInternals;
  let app: { key: string; secret: string; secretId: string };
  let ctx: (signature?: CheckContext['signature']) => Promise<CheckContext>;

  before(async () => {
    server = await startServer({ port: 0, dataDir: freshDataDir('renderer-lab'), log: () => undefined });
    const api = testClient(server);
    const body = await api.call('createApp', {
      body: { name: 'Lab', homepage: 'http://127.0.0.1:9/', contactEmail: 'lab@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' },
    });
    app = { key: body.app.key, secret: body.secret.secret, secretId: body.secret.id };
    const tiers = await api.call('priceTiers');
    ctx = async (signature) => ({
      now: Date.now(), audiences: DEFAULT_AUDIENCES, defaultCurrency: 'USD', tiers: tiers.tiers, currencies: tiers.currencies,
      apps: [{ key: app.key, name: 'Lab', status: 'active', access: 'live' }], ...(signature ? { signature } : {}),
    });
  });

  after(async () => {
    await server?.close();
  });

  async function serverCode(jwt: string): Promise<string | null> {
    const r = await fetch(`${server.url}/v1/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwts: [jwt] }) });
    if (r.status === 201) return null;
    return ((await r.json()) as { error: { code: string } }).error.code;
  }

  const request = { id: 'x', name: 'X', description: 'An x.', price: '1.00', currency: 'USD' };
  const cases: [string, () => Promise<string>][] = [
    ['valid', () => signRequest(app, { request })],
    ['wrong aud', () => signRequest(app, { request, claims: { aud: 'someone-else' } })],
    ['wrong typ', () => signRequest(app, { request, claims: { typ: 'JWT' } })],
    ['expired', () => signRequest(app, { request, now: Date.now() - 2 * 3600_000, claims: { exp: Math.floor(Date.now() / 1000) - 3600 } })],
    ['lifetime too long', () => signRequest(app, { request, claims: { exp: Math.floor(Date.now() / 1000) + 7200 } })],
    ['iat in the future', () => signRequest(app, { request, now: Date.now() + 600_000 })],
    ['no exp', () => signRequest(app, { request, claims: { exp: undefined } })],
    ['unknown price point', () => signRequest(app, { request: { id: 'x', name: 'X', description: 'd', pricePoint: 99 } })],
    ['price and pricePoint', () => signRequest(app, { request: { ...request, pricePoint: 1 } })],
    ['bad amount', () => signRequest(app, { request: { ...request, price: '1.999' } })],
    ['missing name', () => signRequest(app, { request: { id: 'x', description: 'd', price: '1.00', currency: 'USD' } })],
    ['design notes\' shape: no id, price a number, productdata', () => signRequest(app, { request: { price: 1.99, currency: 'USD', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', productdata: 'ABC123_DEF456_GHI_789.XYZ' } })],
    ['name holding U+202E', () => signRequest(app, { request: { ...request, name: 'X\u202Egnp.exe' } })],
    ['description holding NUL', () => signRequest(app, { request: { ...request, description: 'An\u0000x.' } })],
    ['description over two lines, productData holding U+202E', () => signRequest(app, { request: { ...request, description: 'An x.\nTwo lines.', productData: 'a\u202Eb' } })],
    ['bad postback URL', () => signRequest(app, { request: { ...request, postbackURL: 'ftp://x' } })],
    ['unknown iss', () => signRequest({ key: 'app_nobody', secret: app.secret }, { request })],
    ['wrong secret', () => signRequest({ key: app.key, secret: 'not-the-secret' }, { request })],
    ['tampered payload', async () => {
      const [h, p, s] = (await signRequest(app, { request })).split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { request: Record<string, unknown> };
      claims.request.price = '0.01';
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    }],
    ['alg none', async () => {
      const [, p] = (await signRequest(app, { request })).split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    }],
    ['not a JWT', async () => 'hello.world'],
  ];

  for (const [name, make] of cases) {
    it(`${name}: the lab names the server's code`, async () => {
      const jwt = await make();
      const expected = await serverCode(jwt);
      // The lab checks the signature the way the console does: against the app's secret(s).
      const matched = (await verifyHS256(jwt, app.secret)) ? { id: app.secretId, state: 'active' as const } : null;
      const decoded = decodeJwt(jwt);
      const issKnown = decoded.ok && decoded.jwt.payload.iss === app.key;
      const explanation = await explainRequest(jwt, await ctx(issKnown ? { matched } : undefined));
      if (expected === null) assert.equal(explanation.verdict, 'accepted', JSON.stringify(explanation.failed));
      else assert.equal(explanation.failed?.code, expected, `server said ${expected}; lab said ${explanation.failed?.code ?? explanation.verdict}`);
    });
  }

  it('without the signature check, a tampered token is "unknown", never "accepted"', async () => {
    const [h, p, s] = (await signRequest(app, { request })).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { request: Record<string, unknown> };
    claims.request.price = '0.01';
    const e = await explainRequest(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`, await ctx());
    assert.equal(e.verdict, 'unknown');
  });
});

describe('browser-side signing and event framing', () => {
  it('signHS256 makes tokens jose verifies with the UTF-8 bytes of the secret', async () => {
    const secret = 'a-secret-with-ünïcode';
    const jwt = await signHS256({ iss: 'app_x', n: 1 }, secret);
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.iss, 'app_x');
    assert.equal(await verifyHS256(jwt, secret), true);
    assert.equal(await verifyHS256(jwt, `${secret}x`), false);
  });

  it('SseParser frames events across chunk boundaries and skips comments', () => {
    const p = new SseParser();
    assert.deepEqual(p.push(': paydesk events\n\nevent: purchase.created\ndata: {"id":"pur_1"'), []);
    assert.deepEqual(p.push(',"seq":1}\n\n: keep-alive\n\nevent: app.updated\r\ndata: {"key":"app_1"}\r\n\r\n'), [
      { type: 'purchase.created', data: { id: 'pur_1', seq: 1 } },
      { type: 'app.updated', data: { key: 'app_1' } },
    ]);
  });
});
