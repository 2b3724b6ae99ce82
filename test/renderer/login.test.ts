// The browser console's session in Chromium: the link Paydesk prints at start
// opens the console; a reload keeps it (the cookie); the same link in another
// browser, a tab with no link, and the open tab after a restart each show the
// "get a new link" screen, and nothing of the console behind it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { freshDataDir } from '../helpers/paydesk.ts';
import { loginLink } from '../helpers/console.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, type ConsoleLog } from './browser.ts';

describe('console login', { timeout: 180_000 }, () => {
  const dataDir = freshDataDir('renderer-login');
  let server: ServerInternals;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: ConsoleLog;
  let printed: string;

  before(async () => {
    ensureRendererBuilt();
    server = await startServer({ port: 0, dataDir, log: () => undefined });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    log = captureConsole(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The /api paths a page asks for, to show that a page without a session asks for nothing else. */
  function apiCalls(p: Page): string[] {
    const calls: string[] = [];
    p.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) calls.push(`${r.method()} ${u.pathname}`);
    });
    return calls;
  }

  /** A new browser (no cookies) at `url`, showing the login screen. */
  async function freshBrowserAt(url: string, colorScheme: 'light' | 'dark'): Promise<{ context: BrowserContext; page: Page; calls: string[]; log: ConsoleLog }> {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    const p = await c.newPage();
    const calls = apiCalls(p);
    const l = captureConsole(p);
    await p.goto(url);
    await p.getByTestId('login-screen').getByRole('heading', { level: 1 }).waitFor();
    return { context: c, page: p, calls, log: l };
  }

  it('the printed link opens the console, leaves the address bar, and a reload keeps the session', async () => {
    // The very link `npm start` / `npm run serve` print.
    printed = server.loginLink();
    await page.goto(printed);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
    assert.equal(page.url(), `${server.url}/`, 'the code is gone from the address bar');
    // Replaced, not pushed: one step back is where the tab was before (a new tab's blank page).
    await page.goBack();
    assert.equal(page.url(), 'about:blank');
    await page.goForward();
    assert.equal(page.url(), `${server.url}/`, 'the entry itself no longer holds the code');

    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
    assert.equal(await page.getByTestId('login-screen').count(), 0);
    assert.deepEqual(log.unexpected(), []);
  });

  it('the same link in another browser: the "get a new link" screen, and no console behind it', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const other = await freshBrowserAt(printed, scheme);
      const screen = other.page.getByTestId('login-screen');
      assert.equal(await screen.getByRole('heading', { level: 1 }).textContent(), 'This login link no longer works');
      await screen.getByText('It was already used, or it is more than 10 minutes old.', { exact: false }).waitFor();
      assert.equal(await screen.locator('code.login-command').textContent(), 'npm run login');
      assert.equal(other.page.url(), `${server.url}/`, 'even a refused code leaves the address bar');
      assert.equal(await other.page.locator('.shell, .sidebar, .topbar').count(), 0, 'no pane renders without a session');
      assert.deepEqual(other.calls, ['POST /api/console/session', 'GET /api/console/session'], 'and it asks for nothing else');
      await shot(other.page, `login-link-refused-${scheme}`);
      assert.deepEqual(other.log.unexpected([401]), []);
      await other.context.close();
    }
  });

  it('a browser that never opened a link is told how to get one', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const none = await freshBrowserAt(`${server.url}/#/wallet/confirm`, scheme);
      const screen = none.page.getByTestId('login-screen');
      assert.equal(await screen.getByRole('heading', { level: 1 }).textContent(), 'Open the console with a login link');
      await screen.getByText('Open the link it prints in this browser.').waitFor();
      assert.deepEqual(none.calls, ['GET /api/console/session']);
      await shot(none.page, `login-no-session-${scheme}`);
      // A link opened in that same tab changes only the fragment; the page starts afresh with it.
      await none.page.goto(await loginLink(server));
      await none.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await none.page.locator('.live[data-state="live"]').waitFor();
      assert.deepEqual(none.log.unexpected([401]), []);
      await none.context.close();
    }
  });

  it('after a restart the open tab shows the screen instead of a broken console', async () => {
    const port = server.port;
    await server.close();
    server = await startServer({ port, dataDir, log: () => undefined });
    const screen = page.getByTestId('login-screen');
    // The event stream reconnects (with backoff), is refused, and the gate closes.
    await screen.getByRole('heading', { name: 'This console\'s session ended' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.shell').count(), 0);
    await shot(page, 'login-session-ended');
    await page.reload();
    assert.equal(await page.getByTestId('login-screen').getByRole('heading', { level: 1 }).textContent(), 'Open the console with a login link');
    await page.goto(server.loginLink());
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
  });
});
