// Issue 12's done-when, in a real Chromium: a first-time buyer goes from the
// store's Buy button to a completed purchase with ONE sign-in approval and ONE
// confirmation in the wallet; the next purchase at that store needs only the
// confirmation. The wallet is the console in a second tab; every click the buyer
// makes there is counted, and the decisions (approve, confirm) separately.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openConsole } from '../helpers/console.ts';
import { ensureRendererBuilt } from '../renderer/browser.ts';
import { screenshot, startStage } from './harness.ts';

test('Buy → sign in once → confirm; the second purchase needs only the confirmation', { timeout: 180_000 }, async (t) => {
  // The wallet is the console: built from the current sources, never a stale one.
  ensureRendererBuilt();
  const stage = await startStage({ checkout: 'sign-in' });
  t.after(() => stage.close());
  const { page: store, demo, context } = stage;

  // The wallet: the console tab, open before anything happens, as a buyer keeps it.
  const wallet = await context.newPage();
  await openConsole(wallet, demo.paydesk, '#/wallet/history');
  await wallet.getByText('Live', { exact: true }).waitFor();
  const clicks = { decisions: 0, other: 0 };

  /** The buyer's PIN on the pad and Confirm: one decision (the digits are part of it). */
  async function confirmInWallet(code: string): Promise<void> {
    await wallet.getByTestId('confirm-dialog').waitFor();
    assert.match((await wallet.getByTestId('signed-in-at').textContent()) ?? '', /Signed in at Elite Sparkle Pony as Pony Fan/);
    assert.equal((await wallet.getByTestId('conf-code').textContent())?.trim(), code, 'the wallet shows the code the store shows');
    await wallet.waitForFunction(() => document.querySelector('[data-pinkey]:not([disabled])') !== null);
    for (const digit of demo.buyer.pin) await wallet.locator('.pinpad button.pinkey', { hasText: new RegExp(`^${digit}$`) }).click();
    await screenshot(wallet, 'wallet-confirm-signed-in');
    await wallet.emulateMedia({ colorScheme: 'dark' });
    await screenshot(wallet, 'wallet-confirm-signed-in-dark');
    await wallet.emulateMedia({ colorScheme: 'light' });
    await wallet.getByRole('button', { name: /^Confirm\b/ }).click();
    clicks.decisions++;
    await wallet.getByTestId('purchase-result').waitFor();
  }
  const unlocked = (p: Page) => p.waitForSelector('#product[data-state="unlocked"]', { timeout: 30_000 });

  // --- first purchase: Buy while signed out -------------------------------------
  await store.goto(demo.store.url);
  await store.waitForFunction(() => 'Paydesk' in window);
  assert.equal((await store.textContent('#buy'))?.trim(), 'Sign in and buy with Paydesk');
  await screenshot(store, 'store-signed-out');
  await store.click('#buy');

  // The authorization page, on Paydesk's origin: the merchant, scopes in words, the code.
  await store.waitForURL((u) => u.origin === new URL(demo.paydesk.url).origin);
  const pageCode = (await store.textContent('#code'))?.trim();
  assert.ok(pageCode);
  assert.match((await store.textContent('body')) ?? '', /Start purchases as you/);
  await screenshot(store, 'authorization-page-light');
  await store.emulateMedia({ colorScheme: 'dark' });
  await screenshot(store, 'authorization-page-dark');
  await store.emulateMedia({ colorScheme: 'light' });

  // The wallet brought the sign-in forward by itself; the buyer checks the code and approves.
  await wallet.getByTestId('sign-in-dialog').waitFor();
  assert.equal((await wallet.getByTestId('sign-in-code').textContent())?.trim(), pageCode);
  await wallet.getByTestId('sign-in-approve').click();
  clicks.decisions++;
  await wallet.getByTestId('sign-in-result').waitFor();

  // The page goes on by itself to the store, which greets the buyer and has started the purchase.
  await store.waitForURL(`${demo.store.url}/`);
  await store.getByText('Hi, Pony Fan!').waitFor();
  const code1 = await (await store.waitForFunction(() => document.getElementById('product')?.dataset.code)).jsonValue();
  await screenshot(store, 'store-signed-in-confirming');
  await store.emulateMedia({ colorScheme: 'dark' });
  await screenshot(store, 'store-signed-in-confirming-dark');
  await store.emulateMedia({ colorScheme: 'light' });
  await confirmInWallet(code1 as string);
  await unlocked(store);
  const first = { ...clicks };
  assert.deepEqual(first, { decisions: 2, other: 0 }, 'one sign-in approval and one confirmation');
  const bought = (await stage.client.call('listPurchases', { query: { status: 'completed', limit: 10 } })).items;
  assert.equal(bought.length, 1);
  assert.equal(bought[0]!.signedIn, true, 'attributed by the payments token');
  assert.equal(bought[0]!.buyer?.id, demo.buyer.id);

  // --- second purchase: signed in, only the confirmation ---------------------------
  // The pony is one of a kind: a refund puts it back on sale.
  await stage.client.call('refundTransaction', { params: { id: bought[0]!.id }, body: { reason: 'Buying it again' } });
  await store.waitForSelector('#product[data-state="charged_back"]', { timeout: 30_000 });
  // The buyer leaves the first result ("Done"), so the wallet waits for the next purchase.
  await wallet.getByRole('button', { name: 'Done' }).click();
  clicks.other++;

  const opened = store.waitForEvent('popup');
  await store.click('#buy');
  const popup = await opened;
  await popup.waitForURL(/\/pay\/pur_[a-z0-9]+$/);
  const code2 = (await popup.textContent('#code'))?.trim();
  assert.ok(code2);
  await confirmInWallet(code2);
  await unlocked(store);
  assert.equal(clicks.decisions - first.decisions, 1, 'the second purchase: only the confirmation');
  assert.equal((await stage.client.call('listAuthorizations', { query: {} })).items.length, 1, 'no second sign-in was asked');
  t.diagnostic(`wallet decisions: first purchase ${first.decisions} (approve + confirm), second ${clicks.decisions - first.decisions} (confirm); other wallet clicks: ${clicks.other} (Done)`);
});
