// Notices recovered end to end through the console (issue 15, "done when"): a
// notice fails (the app's postback URL points where nothing listens), the app
// page shows its endpoint failing, the user fixes the app's URL in the console,
// redelivers to it and sees it delivered; then cancels one failed notice and
// retries the rest with "Retry all failed", watching its progress and summary.
// The server's clock is injected: each failed attempt moves it 3 minutes, so
// the retries are "keeps failing" as the rule defines it (server/notices/health.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, createApp, readyBuyer, signRequest, pay, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { openConsole } from '../helpers/console.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, startMerchant, type ConsoleLog, type Merchant } from './browser.ts';

const DOWN = 'http://127.0.0.1:9';

describe('notices that can be recovered, in the console', { timeout: 240_000 }, () => {
  let t: TestServer;
  let merchant: Merchant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: ConsoleLog;
  let app: CreatedApp;
  let noticeId: string;

  /** Resolves once `ready()` holds, asking again after each event the server emits. */
  async function untilServer(ready: () => Promise<boolean>): Promise<void> {
    for (;;) {
      let off: () => unknown = () => undefined;
      const next = new Promise<void>((resolve) => (off = t.server.events.subscribe(() => resolve())));
      try {
        if (await ready()) return;
        await next;
      } finally {
        off();
      }
    }
  }

  const go = async (hash: string) => {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
    await page.waitForFunction((h) => window.location.hash === h, hash);
  };

  /** Light, then dark as the system's choice (the theme button is out of reach behind an open dialog). */
  const bothThemes = async (name: string, fullPage = false) => {
    await shot(page, name, { fullPage });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, `dark-${name}`, { fullPage });
    await page.emulateMedia({ colorScheme: 'light' });
  };

  before(async () => {
    ensureRendererBuilt();
    merchant = await startMerchant();
    // An hour behind real time, so the moved clock stays in the past the browser's relative times describe.
    t = await startTestServer({ startAt: Date.now() - 3_600_000, noticeTimeScale: 0.00001 });
    t.server.events.subscribe((e) => {
      if (e.type === 'notice.attempted' && e.data.verdict !== 'delivered') t.clock.advance(3 * 60_000);
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    log = captureConsole(page);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await merchant?.close();
  });

  it('a notice to a wrong URL fails; the app page shows the endpoint failing, and that a request\'s own URL overrides the app\'s', async () => {
    app = await createApp(t, { name: 'Pony Shop', postbackURL: `${DOWN}/postback`, chargebackURL: `${DOWN}/chargeback` });
    const buyer = await readyBuyer(t);
    const created = await pay(t, await signRequest(app));
    assert.equal(created.status, 201);
    await t.client.call('confirmPurchase', { params: { id: created.body.id }, body: { pin: buyer.pin } });
    await untilServer(async () => (await t.client.call('listNotices', { query: { appKey: app.key, status: 'failed' } })).items.length === 1);
    noticeId = (await t.client.call('listNotices', { query: { appKey: app.key } })).items[0]!.id;
    // Two test notices to the same dead address: the ones "Retry all failed" picks up later.
    for (let i = 0; i < 2; i++) await t.client.call('testNotice', { params: { key: app.key }, body: {} });

    await openConsole(page, { url: t.url, token: t.server.token }, `#/apps/${app.key}`);
    await page.getByTestId('endpoint-failing').waitFor();
    const banner = await page.getByTestId('endpoint-failing').innerText();
    assert.match(banner, /Notices to this app keep failing/);
    assert.match(banner, /127\.0\.0\.1:9\/postback/);
    assert.match(await page.locator('#endpoint').innerText(), /overrides the app's/);
    assert.equal(await page.getByTestId('endpoint-notice').count(), 3);
    await bothThemes('app-endpoint-failing', true);
  });

  it('the app\'s URL fixed in the console, the notice redelivered to it from its page: delivered', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const field = page.getByLabel('Postback URL');
    await field.fill(`${merchant.url}/postback`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`${merchant.url}/postback`).first().waitFor();

    await go(`#/notices/${noticeId}`);
    await page.getByRole('heading', { name: /Postback notice/ }).waitFor();
    await page.getByRole('button', { name: 'Redeliver' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redeliver' });
    await dialog.waitFor();
    // The default is the app's current URL, the one just fixed.
    assert.equal(await dialog.getByRole('radio', { checked: true }).innerText().then((s) => s.includes(`${merchant.url}/postback`)), true);
    await bothThemes('notice-redeliver-dialog');
    await dialog.getByRole('button', { name: 'Redeliver now' }).click();
    await page.getByTestId('notice-delivered').waitFor();
    assert.equal(merchant.received.filter((r) => r.webhookId === noticeId).length, 1, 'the merchant got it, with its webhook-id');
    // Closed attempt cards hide their text from innerText: read what each says.
    const urls = await page.getByTestId('attempt-url').allTextContents();
    assert.equal(urls[0], `POST ${merchant.url}/postback`, 'the newest attempt went to the fixed URL');
    assert.equal(urls.at(-1), `POST ${DOWN}/postback`);
    await page.locator('details.attempt').nth(1).evaluate((d) => (d as HTMLDetailsElement).open = false);
    await bothThemes('notice-delivered-after-fix');
  });

  it('a failed notice cancelled; "Retry all failed" retries the others with progress and a summary', async () => {
    const tests = (await t.client.call('listNotices', { query: { appKey: app.key, status: 'failed' } })).items;
    assert.equal(tests.length, 2);
    await go(`#/notices/${tests[0]!.id}`);
    await page.getByRole('button', { name: 'Cancel notice' }).click();
    await bothThemes('notice-cancel-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Stop retrying' }).click();
    await page.getByText('Paydesk stopped trying').waitFor();
    await bothThemes('notice-cancelled');

    await go(`#/notices?app=${app.key}&status=failed`);
    await page.getByRole('button', { name: 'Retry all failed for this app' }).click();
    await page.getByTestId('retry-summary').getByText('Done: 1 queued, 1 delivered, 0 failed again.').waitFor();
    const retried = await t.client.call('getNotice', { params: { id: tests[1]!.id } });
    assert.equal(retried.status, 'delivered');
    assert.equal((await t.client.call('getNotice', { params: { id: tests[0]!.id } })).status, 'cancelled', 'a cancelled notice is not retried');
    await bothThemes('notices-retry-all-failed');

    await go(`#/apps/${app.key}`);
    await page.locator('#endpoint').getByText('Success rate').waitFor();
    await page.getByTestId('endpoint-failing').waitFor({ state: 'detached' });
    await bothThemes('app-endpoint-recovered', true);
    assert.deepEqual(log.unexpected([400, 404, 409]), []);
  });
});
