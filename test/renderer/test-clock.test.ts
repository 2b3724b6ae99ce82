// The console's "Test clock" banner in Chromium: absent in normal mode; with
// --test-clock it shows Paydesk's time, and its buttons and field move it
// forward through POST /api/test-clock/advance (a pending purchase expires).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { createApp, freshDataDir, signRequest, testClient } from '../helpers/paydesk.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot } from './browser.ts';
import { openConsole } from '../helpers/console.ts';

describe('test clock banner', { timeout: 180_000 }, () => {
  let browser: Browser;
  const servers: ServerInternals[] = [];
  before(async () => {
    ensureRendererBuilt();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (testClock: boolean) => {
    const s = await startServer({ port: 0, dataDir: freshDataDir('clock-ui'), checkResponses: true, testClock, log: () => undefined });
    servers.push(s);
    return s;
  };

  it('is not shown when Paydesk runs without --test-clock', async () => {
    const server = await start(false);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const log = captureConsole(page);
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/test-clock'));
    await openConsole(page, server);
    const answer = await asked;
    assert.equal(answer.status(), 200, 'asking is no error: the console asks on every load');
    assert.deepEqual({ ...(await answer.json() as object), now: undefined }, { enabled: false, now: undefined, offsetMs: 0 });
    assert.equal(await page.getByTestId('test-clock').count(), 0);
    assert.deepEqual(log.unexpected(), []);
    await page.context().close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`shows Paydesk's time and moves it forward (${scheme})`, async () => {
      const server = await start(true);
      const client = testClient(server);
      const app = await createApp({ client, clock: { now: Date.now(), advance: () => undefined } });
      const pending = await client.call('pay', { body: { jwts: [await signRequest(app, { now: Date.now() })] } });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      const page = await context.newPage();
      const log = captureConsole(page);
      await openConsole(page, server, '#/dashboard');
      const banner = page.getByTestId('test-clock');
      await banner.waitFor();
      assert.match(await banner.getByTestId('test-clock-offset').innerText(), /The same as this computer's clock/);
      await shot(page, `test-clock-${scheme}`);

      await banner.getByRole('button', { name: '+15 min' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="test-clock-offset"]')?.textContent?.includes('15 min ahead'));
      assert.equal((await client.call('getPurchase', { params: { id: pending.id } })).status, 'expired');

      await banner.getByLabel('Advance by').fill('3');
      await banner.getByLabel('Unit').selectOption('days');
      await banner.getByRole('button', { name: 'Advance', exact: true }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="test-clock-offset"]')?.textContent?.includes('3 d ahead'));
      const state = await client.call('getTestClock');
      assert.equal(state.offsetMs, (15 * 60 + 3 * 86_400) * 1000);
      // The banner shows Paydesk's time (3 days and 15 minutes ahead), not the computer's: within a minute of the server's answer.
      const shown = Date.parse(await banner.getByTestId('test-clock-now').innerText());
      assert.ok(Math.abs(shown - Date.parse(state.now)) < 60_000, `${new Date(shown).toISOString()} vs ${state.now}`);
      await shot(page, `test-clock-advanced-${scheme}`, { toasts: true });
      assert.deepEqual(log.unexpected(), []);
      await context.close();
    });
  }
});
