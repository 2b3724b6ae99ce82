// The console's Export buttons (issue 15) in a real Chromium against a real server: the
// current filter goes to the server, the file saved holds what the list shows, and a
// refusal (text too short to search) is shown in the server's words.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { createApp, freshDataDir, ponyRequest, signRequest, testClient } from '../helpers/paydesk.ts';
import { ensureRendererBuilt, launchBrowser, shot } from './browser.ts';
import { openConsole } from '../helpers/console.ts';

let server: ServerInternals;
let browser: Browser;
let page: Page;

before(async () => {
  ensureRendererBuilt();
  server = await startServer({ port: 0, dataDir: freshDataDir('renderer-export'), log: () => undefined });
  const client = testClient(server);
  const app = await createApp({ client, clock: { now: Date.now(), advance: () => undefined } });
  for (let i = 0; i < 5; i++) {
    await client.call('pay', { body: { jwts: [await signRequest(app, { request: { ...ponyRequest, productData: `order-${70 + i}` } })] } });
  }
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', acceptDownloads: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

it('exports the current filter as CSV and JSON, and says what the server refused', async () => {
  await openConsole(page, server, '#/transactions?q=order-72');
  await page.getByRole('heading', { name: 'Transactions' }).waitFor();
  await page.locator('[data-testid="tx-row"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="tx-row"]').count(), 1);
  await shot(page, 'transactions-export-buttons');

  const csv = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await csv;
  assert.match(file.suggestedFilename(), /^paydesk-transactions-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await file.path())!, 'utf8').trim().split('\r\n');
  assert.equal(lines.length, 2, 'a header and the one row the filter shows');
  assert.ok(lines[1]!.includes('order-72'));
  await page.getByText('Export saved').waitFor();
  await shot(page, 'transactions-export-saved', { toasts: true });

  const json = page.waitForEvent('download');
  await openConsole(page, server, '#/transactions');
  await page.locator('[data-testid="tx-row"]').first().waitFor();
  await page.getByRole('button', { name: 'Export JSON' }).click();
  assert.equal((JSON.parse(readFileSync((await (await json).path())!, 'utf8')) as unknown[]).length, 5);

  await openConsole(page, server, '#/transactions?q=or');
  await page.getByRole('heading', { name: 'Transactions' }).waitFor();
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await page.getByText(/at least/).first().waitFor();
  await shot(page, 'transactions-search-too-short');

  await openConsole(page, server, '#/notices');
  await page.getByRole('heading', { name: 'Notices', exact: true, level: 1 }).waitFor();
  await shot(page, 'notices-export-buttons');
});
