// The screens whose words changed in issue 15, in Chromium, light and dark: an
// app's access says what live and simulate mean in an offline tool; the confirm
// pane's code hint names Paydesk's status window; History shows a disputed
// purchase as Disputed; a notice's next attempt says when, with the time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import type { Client } from '../../contract/client.ts';
import { createApp, freshDataDir, readyBuyer, signRequest, testClient } from '../helpers/paydesk.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot } from './browser.ts';
import { openConsole } from '../helpers/console.ts';

describe('issue 15 wording', { timeout: 240_000 }, () => {
  let browser: Browser;
  let server: ServerInternals;
  let client: Client;
  const seeded: { appKey?: string; noticeId?: string; pendingId?: string } = {};

  before(async () => {
    ensureRendererBuilt();
    browser = await launchBrowser();
    server = await startServer({ port: 0, dataDir: freshDataDir('wording'), checkResponses: true, log: () => undefined });
    client = testClient(server);
    const clock = { now: Date.now(), advance: () => undefined };
    // Port 9 (discard) is privileged: nothing listens there, so the first attempt fails and a retry is scheduled.
    const app = await createApp({ client, clock }, { postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback' });
    seeded.appKey = app.key;
    const buyer = await readyBuyer({ client, clock });
    const firstAttempt = new Promise<string>((resolve) => {
      const off = server.events.subscribe((e) => {
        if (e.type === 'notice.attempted') {
          off();
          resolve(e.data.id);
        }
      });
    });
    const bought = await client.call('pay', { body: { jwts: [await signRequest(app, { now: Date.now() })] } });
    const shown = await client.call('getPurchase', { params: { id: bought.id } });
    await client.call('confirmPurchase', { params: { id: bought.id }, body: { pin: buyer.pin, digest: shown.digest } });
    await client.call('disputePurchase', { params: { id: bought.id }, body: { reason: 'never arrived' } });
    seeded.noticeId = await firstAttempt;
    seeded.pendingId = (await client.call('pay', { body: { jwts: [await signRequest(app, { now: Date.now(), request: { name: 'Midnight Pony', description: 'Glows after dark.', price: '2.99', currency: 'USD' } })] } })).id;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(scheme: 'light' | 'dark', hash: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme })).newPage();
    await openConsole(page, server, hash);
    return page;
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`says what the words mean (${scheme})`, async () => {
      const page = await open(scheme, `#/apps/${seeded.appKey}`);
      const log = captureConsole(page);
      await page.getByText('Purchases charge the buyer\'s test card in Paydesk\'s local vault').waitFor();
      assert.equal(await page.getByText('real charges').count(), 0);
      await shot(page, `wording-app-${scheme}`);

      await page.evaluate(() => (window.location.hash = '#/apps/new'));
      await page.getByRole('radio', { name: /Simulate only/ }).waitFor();
      assert.match(await page.getByRole('radio', { name: /Live/ }).innerText(), /no real money moves/);
      await shot(page, `wording-new-app-${scheme}`);

      await page.evaluate((id) => (window.location.hash = `#/wallet/confirm/${id}`), seeded.pendingId!);
      await page.getByText('Paydesk\'s status window (opened by the merchant\'s page) shows the same code').waitFor();
      await shot(page, `wording-confirm-${scheme}`);

      await page.evaluate(() => (window.location.hash = '#/wallet/history'));
      const disputed = page.getByTestId('history-row').filter({ hasText: 'Elite Sparkle Pony' });
      await disputed.getByText('Disputed', { exact: true }).waitFor();
      assert.equal(await disputed.getByText('Refunded', { exact: true }).count(), 0);
      await shot(page, `wording-history-${scheme}`);

      await page.evaluate((id) => (window.location.hash = `#/notices/${id}`), seeded.noticeId!);
      // The next attempt (10 s after the first, then longer) is said with its time, not "in a moment".
      const when = page.getByText(/Attempt \d+ of \d+ (is scheduled for \d{1,2}:\d\d:\d\d( [AP]M)? \(in \d+ (seconds?|minutes?)\)|is due now)/);
      await when.waitFor();
      assert.doesNotMatch(await when.innerText(), /in a moment/);
      await page.getByText('Connection refused (127.0.0.1:9 answered that nothing listens on that port)').first().waitFor();
      await shot(page, `wording-notice-${scheme}`);
      assert.deepEqual(log.unexpected(), []);
      await page.context().close();
    });
  }
});
