// Issue 12, the wallet's side of "Sign in with Paydesk" in a real Chromium
// against a real server: a sign-in a merchant starts appears in the console tab
// by itself (the SSE event), shows the seller, the code the authorization page
// shows, the scopes in words and the buyer login_hint named; the buyer switches
// buyer, approves, and the server holds that buyer's grant. Connected apps
// lists it and revokes it; the app pane edits the app's OAuth client settings.
// Every pane is pictured in light and dark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PaydeskSignIn } from '../../sdk/index.ts';
import { createApp, startTestServer, type CreatedApp, type TestServer } from '../helpers/paydesk.ts';
import { Browser as OAuthBrowser, oauthApp } from '../helpers/sign-in.ts';
import { openConsole } from '../helpers/console.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, type ConsoleLog } from './browser.ts';

const redirectURI = 'http://127.0.0.1:9/callback';

describe('wallet sign-in panes', { timeout: 180_000 }, () => {
  let t: TestServer;
  let app: CreatedApp;
  let browser: Browser;
  let robin: { id: string };
  let sam: { id: string };

  before(async () => {
    ensureRendererBuilt();
    t = await startTestServer();
    app = await createApp(t, { name: 'Moonlight Arcade' });
    await oauthApp(t, app.key, { redirectURI });
    sam = await t.client.call('createBuyer', { body: { email: 'sam@example.com', name: 'Sam Ortiz' } });
    robin = await t.client.call('createBuyer', { body: { email: 'robin@example.com', name: 'Robin Vale' } });
    await t.client.call('signIn', { body: { buyerId: robin.id } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function freshPage(colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page; log: ConsoleLog }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
    const page = await context.newPage();
    await page.clock.install({ time: t.clock.now });
    return { context, page, log: captureConsole(page) };
  }

  /** A merchant's sign-in, up to the authorization page (which makes the sign-in pending in the wallet). */
  async function startSignIn(loginHint?: string) {
    const paydesk = await PaydeskSignIn.discover({ issuer: t.url, clientId: app.key, redirectURI, allowHttp: true });
    const { url } = await paydesk.start(loginHint ? { loginHint } : {});
    const page = await new OAuthBrowser().walk(url.href, redirectURI);
    const html = await page.res!.text();
    const code = /id="code">([^<]+)</.exec(html)?.[1];
    assert.ok(code, html);
    return { code };
  }

  it('a sign-in arrives by itself; the buyer checks the code, switches buyer and approves', async () => {
    const { context, page, log } = await freshPage();
    await openConsole(page, t.server, '#/wallet/history');
    await page.getByText('Live', { exact: true }).waitFor();
    const { code } = await startSignIn('sam@example.com');

    // Brought forward by the authorization.pending event, as a new purchase is.
    await page.getByTestId('sign-in-dialog').waitFor();
    assert.equal((await page.getByTestId('sign-in-code').textContent())?.trim(), code, 'the same code as the authorization page');
    const scopes = (await page.getByTestId('sign-in-scopes').textContent()) ?? '';
    assert.match(scopes, /Start purchases as you/);
    assert.match(scopes, /See your profile/);
    assert.equal(await page.getByTestId('sign-in-buyer').inputValue(), sam.id, 'login_hint preselects the buyer');
    assert.ok(await page.getByTestId('sign-in-remember').isChecked(), 'remember is the default');
    assert.match((await page.getByTestId('seller').textContent()) ?? '', /Moonlight Arcade/);
    await shot(page, 'sign-in-consent-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'sign-in-consent-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByLabel('Sign in as').selectOption(robin.id);
    await page.getByTestId('sign-in-approve').click();
    const result = page.getByTestId('sign-in-result');
    await result.waitFor();
    assert.match((await result.getByRole('status').textContent()) ?? '', /Signed in to Moonlight Arcade/);
    assert.match((await result.textContent()) ?? '', /Robin Vale \(robin@example\.com\)/);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H2', 'the result takes focus');
    await shot(page, 'sign-in-approved-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'sign-in-approved-dark');

    const decided = (await t.client.call('listAuthorizations', { query: {} })).items.find((a) => a.code === code);
    assert.equal(decided?.status, 'approved');
    assert.equal(decided?.buyer?.id, robin.id, 'signed in as the buyer switched to');
    assert.deepEqual(log.unexpected(), []);
    await context.close();
  });

  it('Connected apps lists the merchant with its scopes and revokes it after a confirmation', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await freshPage(scheme);
      await openConsole(page, t.server, '#/wallet/connections');
      await page.getByTestId(`connection-${app.key}`).waitFor();
      await shot(page, `connected-apps-${scheme}`);
      await context.close();
    }
    const { context, page, log } = await freshPage();
    await openConsole(page, t.server, '#/wallet/connections');
    const row = page.getByTestId(`connection-${app.key}`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Start purchases as you/);
    await page.getByRole('button', { name: 'Revoke Moonlight Arcade' }).click();
    await page.getByRole('dialog').waitFor();
    await shot(page, 'connected-apps-revoke');
    await page.getByRole('button', { name: 'Revoke access' }).click();
    await page.getByText('No connected apps').waitFor();
    assert.match((await page.getByTestId('connections-status').textContent()) ?? '', /disconnected/);
    assert.equal((await t.client.call('listConnections', { query: { buyerId: robin.id } })).items.length, 0, 'the server revoked it');
    assert.deepEqual(log.unexpected(), []);
    await context.close();
  });

  it('the app pane edits the OAuth client: exact redirect URIs, client type, scopes, a secret shown once', async () => {
    const { context, page, log } = await freshPage();
    await openConsole(page, t.server, `#/apps/${app.key}`);
    const form = page.getByTestId('oauth-form');
    await form.waitFor();
    await form.scrollIntoViewIfNeeded();
    await page.getByTestId('oauth-redirects').fill('https://arcade.example/cb\nhttps://arcade.example/*');
    await form.getByRole('button', { name: 'Save sign-in settings' }).click();
    await form.getByRole('alert').getByText(/Line 2:/).waitFor();
    await page.getByTestId('oauth-redirects').fill('https://arcade.example/cb');
    await form.getByRole('radio', { name: /Confidential/ }).click();
    await form.getByRole('button', { name: 'Save sign-in settings' }).click();
    await page.getByTestId('oauth-secret-value').waitFor();
    const shown = (await page.getByTestId('oauth-secret-value').textContent())?.trim();
    const revealed = await t.client.call('revealOAuthSecret', { params: { key: app.key }, body: {} });
    assert.equal(shown, revealed.secret, 'the secret made now is the one shown');
    const saved = await t.client.call('getOAuthClient', { params: { key: app.key } });
    assert.equal(saved.type, 'confidential');
    assert.deepEqual(saved.redirectURIs, ['https://arcade.example/cb']);
    await page.getByTestId('oauth-secret').scrollIntoViewIfNeeded();
    await shot(page, 'app-oauth-light', { keepScroll: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'app-oauth-dark', { keepScroll: true });
    assert.deepEqual(log.unexpected(), []);
    await context.close();
  });
});
