// Text that could not be refused, seen in Chromium: a merchant's opaque
// productData and a seller name stored before the server refused control
// characters (issue 10, point 6). Where people read them (the transaction
// detail, the notices inspector, the status window) each sits in a <bdi>, so
// it is isolated from the text around it, and its U+202E is written out
// instead of turning the text around. The purchase has no id (the design
// notes' request shape), which the detail leaves out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import type { Client } from '../../contract/client.ts';
import { freshDataDir, signRequest, testClient } from '../helpers/paydesk.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, startMerchant, type ConsoleLog, type Merchant } from './browser.ts';
import { openConsole } from '../helpers/console.ts';

const RLO = '\u202E';
const productData = `order=42${RLO}gnp.exe`;
const legacySeller = `Pony Shop${RLO}321 reffo`;

describe('text someone else wrote, in the browser', { timeout: 120_000 }, () => {
  let server: ServerInternals;
  let merchant: Merchant;
  let browser: Browser;
  let page: Page;
  let log: ConsoleLog;
  const ids: { purchase?: string; notice?: string } = {};

  /** The typed client with the admin token, every answer checked against the contract. */
  let api: Client;

  /** What the element shows and how it is isolated. */
  const inspect = (selector: string) => page.locator(selector).evaluate((el) => ({
    tag: el.tagName.toLowerCase(), text: el.textContent ?? '', unicodeBidi: getComputedStyle(el).unicodeBidi,
  }));

  before(async () => {
    ensureRendererBuilt();
    merchant = await startMerchant();
    server = await startServer({ port: 0, dataDir: freshDataDir('renderer-text'), noticeTimeScale: 0.00001, log: () => undefined });
    api = testClient(server);
    const created = await api.call('createApp', {
      body: { name: 'Pony Shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` },
    });
    const app = { key: created.app.key, secret: created.secret.secret };
    const buyer = await api.call('createBuyer', { body: { email: 'text@example.com', name: 'Ada' } });
    await api.call('signIn', { body: { buyerId: buyer.id } });
    await api.call('addPaymentMethod', { params: { id: buyer.id }, body: { card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' } } });
    await api.call('setPin', { params: { id: buyer.id }, body: { pin: '7391' } });
    const request = { price: 1.99, currency: 'USD', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', productData };
    const pending = await api.call('pay', { body: { jwts: [await signRequest(app, { request })] } });
    ids.purchase = pending.id;
    const confirmed = await api.call('confirmPurchase', { params: { id: pending.id }, body: { pin: '7391' } });
    // A seller name from before the server refused control characters: only the database can still hold one.
    server.services.ctx.db.prepare('UPDATE apps SET name = ? WHERE key = ?').run(legacySeller, app.key);
    assert.ok(confirmed.transactionID, 'the purchase completed');
    const notices = await api.call('listNotices', { query: { transactionID: confirmed.transactionID } });
    ids.notice = notices.items[0]!.id;

    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    log = captureConsole(page);
    await openConsole(page, server);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await merchant?.close();
  });

  it('the transaction detail isolates productData and the seller in <bdi>, with U+202E written out, and shows no id', async () => {
    await page.evaluate((id) => { window.location.hash = `#/transactions/${id}`; }, ids.purchase!);
    await page.locator('[data-testid="tx-product-data"] bdi').waitFor();
    const pd = await inspect('[data-testid="tx-product-data"] bdi');
    assert.deepEqual(pd, { tag: 'bdi', text: 'order=42\\u202egnp.exe', unicodeBidi: 'isolate' });
    const seller = await inspect(`a[href="#/apps/${encodeURIComponent((await api.call('getPurchase', { params: { id: ids.purchase! } })).seller.appKey)}"] bdi`);
    assert.deepEqual(seller, { tag: 'bdi', text: 'Pony Shop\\u202e321 reffo', unicodeBidi: 'isolate' });
    const item = await page.locator('dt:has-text("Item") + dd').textContent();
    assert.equal(item, 'Elite Sparkle PonyThe shiniest pony of all!', 'no "()" for a request without id');
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('\u202E'), 'no raw U+202E anywhere on the page');
    await shot(page, 'user-text-transaction');
  });

  it('the notices inspector shows the signed request with U+202E escaped, still valid JSON', async () => {
    await page.evaluate((id) => { window.location.hash = `#/notices/${id}`; }, ids.notice!);
    const claims = page.locator('.card:has-text("Decoded notice") pre.code').nth(1);
    await claims.waitFor();
    const text = (await claims.textContent()) ?? '';
    assert.ok(!text.includes(RLO));
    assert.equal((JSON.parse(text) as { request: { productData: string } }).request.productData, productData, 'the JSON means what was signed');
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('\u202E'));
    assert.deepEqual(log.unexpected(), []);
  });

  it('the status window isolates the seller name and writes its U+202E out', async () => {
    await page.goto(`${server.url}/pay/${ids.purchase}`);
    assert.deepEqual(await inspect('.seller-name bdi'), { tag: 'bdi', text: 'Pony Shop\\u202e321 reffo', unicodeBidi: 'isolate' });
    assert.equal((await inspect('.item bdi')).unicodeBidi, 'isolate');
  });
});
