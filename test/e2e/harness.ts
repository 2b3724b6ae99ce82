// End-to-end fixtures: the demo (Paydesk + the pony store) on OS-picked ports
// with its own data folder, and Debian's Chromium driven by playwright-core.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Client } from '../../contract/client.ts';
import { freshDataDir, testClient } from '../helpers/paydesk.ts';
import { startDemo, type RunningDemo } from '../../demo/demo.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotDir = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Chromium may still be installing (apt) when the suite starts: wait for it rather than fail. */
async function waitForChromium(timeoutMs = 10 * 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(CHROMIUM)) {
    if (Date.now() > until) throw new Error(`${CHROMIUM} did not appear within ${timeoutMs / 60_000} minutes (apt-get install chromium).`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function launchBrowser(): Promise<Browser> {
  await waitForChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    // Playwright turns the popup blocker off by default; keep it on, as buyers have it.
    ignoreDefaultArgs: ['--disable-popup-blocking'],
  });
}

export interface Stage {
  readonly demo: RunningDemo;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Store log lines (postbacks, chargebacks). */
  readonly logs: string[];
  /** The typed client as the admin (bearer token), every answer checked against the contract. */
  readonly client: Client;
  close(): Promise<void>;
}

/** `checkout`: the buy-flow tests sell to guests (pay.js alone); the sign-in test (sign-in.test.ts) signs in first. */
export async function startStage(opts: { colorScheme?: 'light' | 'dark'; now?: () => number; checkout?: 'sign-in' | 'guest' } = {}): Promise<Stage> {
  const logs: string[] = [];
  const demo = await startDemo({ dataDir: freshDataDir('e2e'), port: 0, storePort: 0, checkout: opts.checkout ?? 'guest', log: (l) => logs.push(l), ...(opts.now ? { now: opts.now } : {}) });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, colorScheme: opts.colorScheme ?? 'light' });
    const page = await context.newPage();
    const b = browser;
    return {
      demo, browser: b, context, page, logs, client: testClient(demo.paydesk),
      async close() {
        await b.close();
        await demo.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await demo.close();
    throw e;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Clicks Buy on the store page and answers the status window it opened, once it shows the purchase. */
export async function clickBuy(page: Page): Promise<{ popup: Page; purchaseId: string }> {
  const opened = page.waitForEvent('popup');
  await page.click('#buy');
  const popup = await opened;
  await popup.waitForURL(/\/pay\/pur_[a-z0-9]+$/);
  await popup.waitForSelector('#code');
  const purchaseId = new URL(popup.url()).pathname.split('/').pop()!;
  return { popup, purchaseId };
}

/** The page-side outcome pay.js reported to the store page (`success:<txn>` or `failure:<NAME>`). */
export async function payResult(page: Page, timeout = 15_000): Promise<string> {
  const handle = await page.waitForFunction(() => document.getElementById('product')?.dataset.payResult, undefined, { timeout });
  return (await handle.jsonValue()) as string;
}

/** A fresh payment request from the store's server, as its page would get one. */
export async function storeJwt(demo: RunningDemo): Promise<{ orderId: string; jwt: string }> {
  const r = await fetch(`${demo.store.url}/orders`, { method: 'POST' });
  const body = (await r.json()) as { order: { id: string }; jwt: string };
  return { orderId: body.order.id, jwt: body.jwt };
}
