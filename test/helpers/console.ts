// Opening the console the way a user does: a login code minted with the admin
// token (the route `npm run login` calls), then the `/#login=<code>` link in
// the browser. Every browser test that needs a console session comes here.
import type { Page, Response } from 'playwright-core';
import { createClient } from '../../contract/client.ts';

export interface ConsoleServer {
  readonly url: string;
  readonly token: string;
}

/** A fresh single-use login link, as `npm run login` prints it. */
export async function loginLink(server: ConsoleServer): Promise<string> {
  return (await createClient({ baseUrl: server.url, token: server.token, checkResponses: true }).call('createLoginCode', { body: {} })).url;
}

/**
 * Opens a new login link in `page` and waits until the console runs behind
 * its gate; then goes to `hash` (e.g. `#/wallet/confirm/pur_x`) if given.
 * Returns the document's response.
 */
export async function openConsole(page: Page, server: ConsoleServer, hash?: string): Promise<Response | null> {
  const res = await page.goto(await loginLink(server));
  await page.locator('.shell').waitFor();
  if (hash !== undefined) {
    await page.evaluate((h) => {
      window.location.hash = h;
    }, hash);
    // A pane may complete its own route (the confirm pane adds the purchase it picked).
    await page.waitForFunction((h) => window.location.hash.startsWith(h), hash);
  }
  return res;
}
