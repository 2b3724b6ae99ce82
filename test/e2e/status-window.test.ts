// The status window (GET /pay/<id>) and pay.js as served: headers, framing,
// the 404 page, merchant text escaped, live updates, and never a PIN field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signPaymentRequest } from '../../sdk/index.ts';
import { startStage, storeJwt, screenshot, type Stage } from './harness.ts';

let stage: Stage;
before(async () => {
  stage = await startStage();
});
after(() => stage.close());

async function newPurchase(jwt?: string): Promise<{ id: string; code: string }> {
  const token = jwt ?? (await storeJwt(stage.demo)).jwt;
  const r = await fetch(`${stage.demo.paydesk.url}/v1/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwts: [token] }) });
  assert.equal(r.status, 201);
  return (await r.json()) as { id: string; code: string };
}

test('status window headers: no framing, strict CSP, no sniffing, no referrer, not cached', async () => {
  const { id } = await newPurchase();
  const r = await fetch(`${stage.demo.paydesk.url}/pay/${id}`);
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'no inline script, no eval');
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // Deliberately not same-origin: that would blind pay.js to the window being closed (docs/buy-flow.md).
  assert.equal(r.headers.get('cross-origin-opener-policy'), 'unsafe-none');
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
  assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, 'no inline styles or handlers');
  assert.doesNotMatch(html, /<(input|form|textarea|select)\b/i, 'nothing to type a PIN into');
});

test('pay.js is served to any origin: JavaScript, CORS and CORP open, revalidated, and conditional GET works', async () => {
  const r = await fetch(`${stage.demo.paydesk.url}/pay.js`, { headers: { origin: 'http://shop.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const body = await r.text();
  assert.match(body, /navigator\.mozPay/);
  const again = await fetch(`${stage.demo.paydesk.url}/pay.js`, { headers: { 'if-none-match': r.headers.get('etag')! } });
  assert.equal(again.status, 304);
  for (const path of ['/pay/status.js', '/pay/status.css']) {
    const a = await fetch(stage.demo.paydesk.url + path);
    assert.equal(a.status, 200, path);
    assert.equal(a.headers.get('cross-origin-resource-policy'), 'same-origin', path);
  }
  const post = await fetch(`${stage.demo.paydesk.url}/pay.js`, { method: 'POST' });
  assert.equal(post.status, 405);
});

test('a page on another origin cannot frame the status window', async (t) => {
  const { id, code } = await newPurchase();
  const framer: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>framer</title><iframe id="f" src="${stage.demo.paydesk.url}/pay/${id}" width="440" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => framer.close(() => resolve())));
  const page = await stage.context.newPage();
  t.after(() => page.close());
  // The page's load event waits for its frame's, refused or not.
  await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`, { waitUntil: 'load' });
  const child = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(child, 'the iframe exists');
  await child.waitForLoadState('load');
  const text = await child.evaluate(() => document.body?.innerText ?? '').catch(() => '');
  assert.ok(!text.includes(code), 'the code must not render inside another origin\'s frame');
  assert.ok(!text.includes('Confirm this purchase'), `framed content rendered: ${text.slice(0, 200)}`);
  assert.notEqual(child.url(), `${stage.demo.paydesk.url}/pay/${id}`, 'the frame was replaced by an error page');
});

test('unknown or malformed ids: a clear 404 page with the same protections', async () => {
  const page = await stage.context.newPage();
  try {
    for (const id of ['pur_doesnotexist0000000', 'not-a-purchase', 'pur_%3Cscript%3E']) {
      const r = await fetch(`${stage.demo.paydesk.url}/pay/${id}`);
      assert.equal(r.status, 404, id);
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.match(r.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.match(await r.text(), /We can&#39;t find this payment|We can't find this payment/);
    }
    await page.setViewportSize({ width: 440, height: 520 });
    const res = await page.goto(`${stage.demo.paydesk.url}/pay/pur_doesnotexist0000000`);
    assert.equal(res?.status(), 404);
    assert.equal((await page.textContent('h1'))?.trim(), 'We can\'t find this payment');
    await screenshot(page, 'status-window-404');
  } finally {
    await page.close();
  }
});

test('merchant text is escaped, never markup', async () => {
  const jwt = await signPaymentRequest({
    appKey: stage.demo.app.appKey,
    secret: stage.demo.app.secret,
    request: {
      id: 'xss', name: '<img src=x onerror=alert(1)>Pony', description: '"><script>alert(2)</script>', price: '1.00', currency: 'USD',
      postbackURL: `${stage.demo.store.url}/postback`, chargebackURL: `${stage.demo.store.url}/chargeback`,
    },
  });
  const { id } = await newPurchase(jwt);
  const html = await (await fetch(`${stage.demo.paydesk.url}/pay/${id}`)).text();
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;Pony'));
  assert.ok(html.includes('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
  assert.ok(!html.includes('<img src=x'));
  assert.ok(!html.includes('<script>alert'));
});

test('the window follows the purchase live: confirmed in the wallet, it turns to "Paid"', async () => {
  const { id, code } = await newPurchase();
  const page = await stage.context.newPage();
  try {
    await page.setViewportSize({ width: 440, height: 680 });
    await page.goto(`${stage.demo.paydesk.url}/pay/${id}`);
    assert.equal((await page.textContent('#code'))?.trim(), code);
    assert.match((await page.textContent('#expires')) ?? '', /^Expires in 1[45]:\d\d$/);
    assert.equal(await page.locator('input, textarea, select, form').count(), 0);
    const shown = await stage.client.call('getPurchase', { params: { id } });
    // Resolves only on the contract's success status (the checked client holds it to 200).
    await stage.client.call('confirmPurchase', { params: { id }, body: { pin: stage.demo.buyer.pin, digest: shown.digest } });
    await page.waitForSelector('body[data-status="completed"]');
    assert.equal((await page.textContent('#status-title'))?.trim(), 'Paid');
    assert.ok(await page.locator('#cancel').isHidden(), 'no Cancel once paid');
    assert.equal(await page.title(), 'Paid · Elite Sparkle Pony');
    await screenshot(page, 'status-window-paid');
  } finally {
    await page.close();
  }
});

test('the status window has its icon: Chromium fetches it, and nothing it asks for is a 404', async () => {
  const { id } = await newPurchase();
  const page = await stage.context.newPage();
  const failures: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  try {
    const icon = page.waitForResponse((r) => /favicon/.test(r.url()));
    await page.goto(`${stage.demo.paydesk.url}/pay/${id}`);
    const res = await icon;
    assert.deepEqual([res.status(), new URL(res.url()).pathname, res.headers()['content-type']], [200, '/pay/favicon.svg', 'image/svg+xml']);
    assert.equal(res.headers()['cross-origin-resource-policy'], 'same-origin');
    await page.waitForSelector('#code');
    assert.deepEqual(failures, []);
    // The console's icon, byte for byte: one mark, kept in two places only because each is served from its own folder.
    assert.deepEqual(await res.body(), readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'public', 'favicon.svg')));
  } finally {
    await page.close();
  }
});

test('POST /v1/pay/{id}/cancel: cancels a pending purchase once; afterwards it is no longer pending', async () => {
  const { id } = await newPurchase();
  const url = `${stage.demo.paydesk.url}/v1/pay/${id}/cancel`;
  const r = await fetch(url, { method: 'POST', headers: { origin: 'http://shop.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  const body = (await r.json()) as { status: string; error: string };
  assert.deepEqual([body.status, body.error], ['cancelled', 'USER_CANCELLED']);
  const again = await fetch(url, { method: 'POST' });
  assert.equal(again.status, 409);
  assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'purchase_not_pending');
  const unknown = await fetch(`${stage.demo.paydesk.url}/v1/pay/pur_nosuchpurchase00000/cancel`, { method: 'POST' });
  assert.equal(unknown.status, 404);
});
