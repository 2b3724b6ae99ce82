// The console's serving and its session: static files with the right types
// and headers, traversal refused, the build hint when renderer/dist is missing,
// and the session cookie usable only from the server's own pages. The browser
// part runs a page on another 127.0.0.1 port (same site, other origin: the
// browser does attach the cookie) and checks it can neither read nor act.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { consoleStatic } from '../../server/http/console-static.ts';
import { freshDataDir } from '../helpers/paydesk.ts';
import { loginLink, openConsole } from '../helpers/console.ts';
import { ensureRendererBuilt, launchBrowser, root, shot } from './browser.ts';

/** A raw GET, so paths like /../x reach the server exactly as written (fetch would normalize them). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('console serving and token handover', { timeout: 120_000 }, () => {
  let server: ServerInternals;
  let cookie: string;

  before(async () => {
    ensureRendererBuilt();
    server = await startServer({ port: 0, dataDir: freshDataDir('renderer-sec'), log: () => undefined });
    // The exchange as the console page makes it (same-origin browser headers).
    const code = (await loginLink(server)).split('#login=')[1]!;
    const own = `127.0.0.1:${server.port}`;
    const session = await rawGet(server.url, '/api/console/session', {
      host: own, origin: `http://${own}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json',
    }, 'POST', JSON.stringify({ code }));
    const set = session.headers['set-cookie'];
    cookie = (Array.isArray(set) ? set[0]! : String(set)).split(';')[0]!;
  });

  after(async () => {
    await server?.close();
  });

  it('serves the built console with strict headers and correct content types', async () => {
    const home = await rawGet(server.url, '/', { host: `127.0.0.1:${server.port}` });
    assert.equal(home.status, 200);
    assert.match(String(home.headers['content-type']), /^text\/html/);
    const csp = String(home.headers['content-security-policy']);
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
      assert.ok(csp.includes(d), `CSP has ${d}`);
    }
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(home.headers['x-frame-options'], 'DENY');
    assert.equal(home.headers['x-content-type-options'], 'nosniff');
    assert.equal(home.headers['cache-control'], 'no-store');
    assert.doesNotMatch(home.body, /<script>|<style>|style="/, 'no inline script or style for the CSP to allow');
    assert.equal(home.headers['set-cookie'], undefined, 'loading the console grants nothing');

    const js = readdirSync(join(root, 'renderer', 'dist', 'assets')).find((f) => f.endsWith('.js'))!;
    const css = readdirSync(join(root, 'renderer', 'dist', 'assets')).find((f) => f.endsWith('.css'))!;
    const asset = await rawGet(server.url, `/assets/${js}`, { host: `127.0.0.1:${server.port}` });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal(asset.headers['set-cookie'], undefined, 'nor does an asset');
    assert.equal((await rawGet(server.url, `/assets/${css}`, { host: `127.0.0.1:${server.port}` })).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await rawGet(server.url, '/favicon.svg', { host: `127.0.0.1:${server.port}` })).headers['content-type'], 'image/svg+xml');
  });

  it('refuses path traversal, encoded dots, NUL and dot-files', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/server/main.ts', '/..%5c..%5cpackage.json', '/assets/x%00.js', '/.env', '/%E0%A4%A']) {
      const r = await rawGet(server.url, path, { host: `127.0.0.1:${server.port}` });
      assert.ok(r.status === 400 || r.status === 404, `${path} answered ${r.status}`);
      assert.doesNotMatch(r.body, /"devDependencies"|startServer/, `${path} leaked a file`);
    }
    // A DNS-rebinding page (foreign Host) gets nothing either.
    assert.equal((await rawGet(server.url, '/', { host: `evil.example:${server.port}` })).status, 421);
  });

  it('says how to build the console when renderer/dist is missing', async () => {
    const hook = consoleStatic({ dir: mkdtempSync(join(tmpdir(), 'paydesk-nodist-')) });
    const s: Server = createServer((req, res) => {
      void hook(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await rawGet(`http://127.0.0.1:${(s.address() as AddressInfo).port}`, '/');
      assert.equal(r.status, 503);
      assert.match(r.body, /npm run build:renderer/);
      assert.ok(String(r.headers['content-security-policy']).includes("frame-ancestors 'none'"));
      assert.equal(r.headers['set-cookie'], undefined);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('accepts the cookie only from the server\'s own origin, on requests the browser marks same-origin', async () => {
    const own = `http://127.0.0.1:${server.port}`;
    const get = (headers: Record<string, string>) => fetch(`${server.url}/api/apps`, { headers });
    assert.match(cookie, /^paydesk_console=[A-Za-z0-9_-]{43}$/);
    const script = await get({ cookie });
    assert.equal(script.status, 401, 'a script with the cookie and no browser headers');
    assert.equal(((await script.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.equal((await get({ cookie, 'sec-fetch-site': 'same-origin' })).status, 200);
    assert.equal((await get({ cookie, origin: own, 'sec-fetch-site': 'same-origin' })).status, 200);
    const other = await get({ cookie, origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' });
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'cross_origin_refused');
    assert.equal((await get({ cookie, 'sec-fetch-site': 'same-site' })).status, 401, 'another port of 127.0.0.1, no Origin (e.g. an <img>)');
    assert.equal((await get({ cookie, 'sec-fetch-site': 'none' })).status, 401, 'typed into the address bar');
    assert.equal((await get({ cookie, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await get({ cookie: 'paydesk_console=forged', 'sec-fetch-site': 'same-origin' })).status, 401);
    assert.equal((await get({ cookie: `paydesk_console=${server.token}`, 'sec-fetch-site': 'same-origin' })).status, 401, 'the admin token is not the cookie value');
    assert.equal((await get({})).status, 401);
    assert.equal((await get({ authorization: `Bearer ${server.token}` })).status, 200, 'scripts keep using the bearer token');
  });

  it('a page on another 127.0.0.1 port can neither read the token nor call the API', async () => {
    const target = server.url;
    const attackerPage = `<!doctype html><title>evil</title><iframe id="f" src="${target}/"></iframe><script>
      window.results = {};
      (async () => {
        try { const r = await fetch('${target}/api/apps', { credentials: 'include' }); results.read = 'status ' + r.status + ' ' + (await r.text()); }
        catch (e) { results.read = 'blocked: ' + e.message; }
        try { const r = await fetch('${target}/api/events', { credentials: 'include' }); results.events = 'status ' + r.status; }
        catch (e) { results.events = 'blocked: ' + e.message; }
        try { await fetch('${target}/api/buyers', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ email: 'evil@example.com', name: 'Evil' }) }); results.write = 'sent'; }
        catch (e) { results.write = 'blocked: ' + e.message; }
        try { const r = await fetch('${target}/', { credentials: 'include' }); results.home = 'status ' + r.status; }
        catch (e) { results.home = 'blocked: ' + e.message; }
        results.cookie = document.cookie;
        results.done = true;
      })();
    </script>`;
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(attackerPage);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const consolePage = await context.newPage();
      await openConsole(consolePage, server);
      await consolePage.locator('.live[data-state="live"]').waitFor();
      assert.equal((await context.cookies(`${target}/api/apps`)).filter((c) => c.name === 'paydesk_console').length, 1, 'the browser holds the console cookie');

      const page = await context.newPage();
      await page.goto(evilUrl);
      await page.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results.done === true);
      const results = await page.evaluate(() => (window as unknown as { results: Record<string, string> }).results);
      assert.match(results.read!, /^blocked/, `read: ${results.read}`);
      assert.match(results.events!, /^blocked/, `events: ${results.events}`);
      assert.match(results.home!, /^blocked/, `home: ${results.home}`);
      assert.equal(results.cookie, '');
      // The framed console never rendered (frame-ancestors 'none', X-Frame-Options DENY).
      const framed = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(framed);
      assert.ok(!framed.url().startsWith(target) || (await framed.locator('#root').count().catch(() => 0)) === 0, 'the console did not render in a frame');
      await shot(page, 'security-cross-origin-page');
      const buyers = await fetch(`${target}/api/buyers`, { headers: { authorization: `Bearer ${server.token}` } });
      const list = (await buyers.json()) as { items: { email: string }[] };
      assert.ok(!list.items.some((b) => b.email === 'evil@example.com'), 'the no-cors POST created nothing');
      await context.close();
    } finally {
      await browser.close();
      await new Promise<void>((r) => evil.close(() => r()));
    }
  });
});
