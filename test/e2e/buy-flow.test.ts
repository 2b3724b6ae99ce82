// The buy flow of DESIGN section 4, end to end in a real Chromium: the demo
// store's page loads pay.js, the status window shows the purchase (and never a
// PIN field), the buyer confirms in the wallet, the page's callback gets the
// transactionID, and the pony unlocks only when the store's server has
// Paydesk's postback; a refund's chargeback locks it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'playwright-core';
import { animationsSettled, atAnimationTime } from '../helpers/animations.ts';
import { startStage, clickBuy, payResult, screenshot } from './harness.ts';
import { confirmPurchase } from './wallet.ts';

test('demo store: status window, confirm in the wallet, onSuccess, postback unlocks the pony, chargeback locks it', async (t) => {
  const stage = await startStage();
  t.after(() => stage.close());
  const { page, demo } = stage;

  await page.goto(demo.store.url);
  await page.waitForFunction(() => 'Paydesk' in window && 'mozPay' in navigator);
  assert.equal(await page.getAttribute('#product', 'data-state'), 'locked');
  await screenshot(page, 'store-locked');

  const { popup, purchaseId } = await clickBuy(page);
  const pub = await stage.client.call('payStatus', { params: { id: purchaseId } });
  assert.equal(pub.status, 'pending');

  // The status window: item, price, seller and code; no field to type anything into.
  assert.equal((await popup.textContent('#code'))?.trim(), pub.code);
  assert.equal((await popup.textContent('.item'))?.trim(), 'Elite Sparkle Pony');
  assert.equal((await popup.textContent('.price .amount'))?.trim(), '$1.99');
  assert.equal((await popup.textContent('.price .currency'))?.trim(), 'USD');
  assert.equal((await popup.textContent('.seller-name'))?.trim(), 'Elite Sparkle Pony');
  assert.equal((await popup.textContent('.seller-host'))?.trim(), new URL(demo.store.url).host);
  assert.equal((await popup.textContent('#status-title'))?.trim(), 'Confirm this purchase in Paydesk');
  assert.match((await popup.textContent('.pin-note')) ?? '', /never asks for your PIN/);
  assert.equal(await popup.locator('input, textarea, select, form, [contenteditable]').count(), 0, 'no PIN field, no field at all');
  assert.match((await popup.textContent('#expires')) ?? '', /^Expires in 1[45]:\d\d$/);
  assert.equal(await page.getAttribute('#product', 'data-state'), 'buying');
  await screenshot(popup, 'status-window-light');
  await popup.emulateMedia({ colorScheme: 'dark' });
  await screenshot(popup, 'status-window-dark');
  await popup.emulateMedia({ colorScheme: 'light' });

  const via = await confirmPurchase(stage, purchaseId, pub.code);
  t.diagnostic(`purchase confirmed through the ${via}${via === 'console API' ? ' (the console is not built, so the wallet pane is not there to drive)' : ''}`);

  // pay.js: onSuccess with the transactionID; the status window says so and closes itself.
  const done = await stage.client.call('getPurchase', { params: { id: purchaseId } });
  const closed = popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close', { timeout: 10_000 });
  assert.equal(await payResult(page), `success:${done.transactionID}`);

  // The store unlocks on its server's postback, not on the page's callback.
  await page.waitForSelector('#product[data-state="unlocked"]', { timeout: 20_000 });
  // The celebration 400 ms in, whatever time the machine took to get here.
  await atAnimationTime(page, 400, () => screenshot(page, 'store-reveal'));
  assert.match((await page.textContent('#message')) ?? '', new RegExp(`received Paydesk's postback for transaction ${done.transactionID}`));
  assert.ok(stage.logs.some((l) => l.startsWith(`postback ${done.transactionID}: order `)), stage.logs.join('\n'));
  await closed;
  await animationsSettled(page);
  await screenshot(page, 'store-unlocked');

  // A reload keeps the pony (the store's server remembers the order).
  await page.reload();
  await page.waitForSelector('#product[data-state="unlocked"]');

  // Refund in Paydesk: the chargeback reaches the store and the pony goes back.
  // Resolves only on the contract's 201 (the checked client holds it to that); a refusal throws with its code.
  await stage.client.call('refundTransaction', { params: { id: purchaseId }, body: { reason: 'Changed my mind' } });
  await page.waitForSelector('#product[data-state="charged_back"]', { timeout: 20_000 });
  assert.match((await page.textContent('#message')) ?? '', /chargeback \(refund\)/);
  assert.equal(await page.textContent('#buy'), 'Buy again');
  await animationsSettled(page);
  await screenshot(page, 'store-charged-back');
});

test('the page does not trust its own callback: no postback, no pony', async (t) => {
  const stage = await startStage();
  t.after(() => stage.close());
  const { page, demo } = stage;
  const dispatcher = demo.paydesk.services.dispatcher;

  await page.goto(demo.store.url);
  await page.waitForFunction(() => 'Paydesk' in window);
  // Hold the notices back: Paydesk still completes the purchase and tells the page.
  await dispatcher.stop();
  const { purchaseId, popup } = await clickBuy(page);
  const code = (await popup.textContent('#code'))!.trim();
  await confirmPurchase(stage, purchaseId, code);
  assert.match(await payResult(page), /^success:txn_/);
  await page.waitForSelector('#product[data-state="verifying"]');
  // The page keeps asking its store's server. A poll sent means the answer to the one
  // before it was handled: two polls seen, and the pony is still locked.
  const orderPoll = (r: Request) => r.method() === 'GET' && new URL(r.url()).pathname.startsWith('/orders/');
  await page.waitForRequest(orderPoll);
  await page.waitForRequest(orderPoll);
  assert.equal(await page.getAttribute('#product', 'data-state'), 'verifying', 'still locked without the postback');
  assert.match((await page.textContent('#message')) ?? '', /Waiting for the store's server to receive the postback/);
  await screenshot(page, 'store-verifying');

  // Let the outbox go: the postback arrives and only then the pony unlocks.
  dispatcher.start();
  await page.waitForSelector('#product[data-state="unlocked"]', { timeout: 20_000 });
});
