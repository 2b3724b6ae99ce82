// pay.js from a real merchant page (the demo store on 127.0.0.1): every way a
// purchase ends, as the page sees it, through Paydesk.buy, Paydesk.pay and the
// navigator.mozPay polyfill.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { startStage, clickBuy, payResult, storeJwt, screenshot, type Stage } from './harness.ts';
import { confirmPurchase } from './wallet.ts';
import { isApiError } from '../../contract/client.ts';

interface Outcome {
  ok: boolean;
  result?: { transactionID: string };
  name?: string;
  code?: string;
  message?: string;
  readyState?: string;
  events?: string[];
}

interface PayError extends Error {
  code?: string;
}

interface DOMRequestLike extends EventTarget {
  readyState: string;
  result: { transactionID: string } | undefined;
  error: PayError | null;
  onsuccess: ((this: DOMRequestLike, e: Event) => void) | null;
  onerror: ((this: DOMRequestLike, e: Event) => void) | null;
}

/** What pay.js adds to the page, as the test drives it. */
interface PayWindow {
  Paydesk: { pay(jwts: unknown): Promise<{ transactionID: string }>; errors: Record<string, string> };
  __outcome?: Outcome;
}

interface MozPayNavigator {
  mozPay(jwts: unknown): DOMRequestLike;
}

let stage: Stage;
before(async () => {
  stage = await startStage();
});
after(() => stage.close());

async function storePage(t: { after(fn: () => Promise<void>): void }): Promise<{ context: BrowserContext; page: Page }> {
  // A context per test: its own localStorage, so the store page starts with no order.
  const context = await stage.browser.newContext({ viewport: { width: 1200, height: 760 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(stage.demo.store.url);
  await page.waitForFunction(() => 'Paydesk' in window && 'mozPay' in navigator);
  return { context, page };
}

/**
 * A button on the merchant page that starts a payment when clicked, like a
 * real Buy button: the status window may only open inside a user's click.
 */
async function armButton(page: Page, mode: 'pay' | 'mozPay', jwts: unknown): Promise<void> {
  await page.evaluate(({ mode, jwts }) => {
    const w = window as unknown as PayWindow;
    const b = document.createElement('button');
    b.id = 'e2e-pay';
    b.textContent = `e2e ${mode}`;
    document.body.prepend(b);
    b.addEventListener('click', () => {
      if (mode === 'pay') {
        w.Paydesk.pay(jwts).then(
          (result) => (w.__outcome = { ok: true, result }),
          (e: PayError) => (w.__outcome = { ok: false, name: e.name, code: e.code, message: e.message }),
        );
        return;
      }
      const req = (navigator as unknown as MozPayNavigator).mozPay(jwts);
      const events: string[] = [];
      req.addEventListener('success', () => events.push('success'));
      req.addEventListener('error', () => events.push('error'));
      req.onsuccess = function () {
        w.__outcome = { ok: true, result: this.result, readyState: this.readyState, events };
      };
      req.onerror = function () {
        w.__outcome = { ok: false, name: this.error?.name, code: this.error?.code, message: this.error?.message, readyState: this.readyState, events };
      };
    }, { once: true });
  }, { mode, jwts });
}

async function outcome(page: Page, timeout = 15_000): Promise<Outcome> {
  const h = await page.waitForFunction(() => (window as unknown as PayWindow).__outcome, undefined, { timeout });
  return (await h.jsonValue()) as Outcome;
}

function publicStatus(id: string) {
  return stage.client.call('payStatus', { params: { id } });
}

test('Cancel in the status window: onFailure("USER_CANCELLED"), the purchase is cancelled, the window closes', async (t) => {
  const { page } = await storePage(t);
  const { popup, purchaseId } = await clickBuy(page);
  const closed = popup.waitForEvent('close', { timeout: 10_000 });
  await popup.click('#cancel');
  await popup.waitForSelector('body[data-status="cancelled"]');
  assert.equal((await popup.textContent('#status-title'))?.trim(), 'Purchase cancelled');
  await screenshot(popup, 'status-window-cancelled');
  assert.equal(await payResult(page), 'failure:USER_CANCELLED');
  const after = await publicStatus(purchaseId);
  assert.deepEqual([after.status, after.error], ['cancelled', 'USER_CANCELLED']);
  assert.match((await page.textContent('#message')) ?? '', /You cancelled the purchase/);
  assert.equal(await page.getAttribute('#product', 'data-state'), 'locked');
  await closed;
});

test('closing the status window while pending: DIALOG_CLOSED_BY_USER, and Paydesk cancels the purchase', async (t) => {
  const { page } = await storePage(t);
  const { popup, purchaseId } = await clickBuy(page);
  await popup.close();
  assert.equal(await payResult(page), 'failure:DIALOG_CLOSED_BY_USER');
  assert.equal((await publicStatus(purchaseId)).status, 'cancelled');
  assert.match((await page.textContent('#message')) ?? '', /window was closed/);
});

test('closing the window after confirming in the wallet is not a cancel: the page still gets the transaction', async (t) => {
  const { page } = await storePage(t);
  const { popup, purchaseId } = await clickBuy(page);
  const code = (await popup.textContent('#code'))!.trim();
  // Confirm and close at once, before pay.js's next poll can see the completion.
  await confirmPurchase(stage, purchaseId, code);
  await popup.close();
  assert.match(await payResult(page), /^success:txn_/);
  assert.equal((await publicStatus(purchaseId)).status, 'completed');
});

test('navigator.mozPay polyfill: onsuccess with the transactionID; of several JWTs the one Paydesk serves is used', async (t) => {
  const { page, context } = await storePage(t);
  const { jwt } = await storeJwt(stage.demo);
  const otherProvider = await new SignJWT({ typ: 'google/payments/inapp/item/v1', request: {} })
    .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another provider'));
  await armButton(page, 'mozPay', [otherProvider, jwt]);
  const opened = context.waitForEvent('page');
  const payCall = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/pay');
  await page.click('#e2e-pay');
  // Letters only: hex digits could line up as a Luhn-valid run that the final scan reads as a card.
  assert.match((await payCall).headers()['idempotency-key'] ?? '', /^payjs-[a-p]{32}$/);
  const popup = await opened;
  await popup.waitForURL(/\/pay\/pur_/);
  const purchaseId = new URL(popup.url()).pathname.split('/').pop()!;
  await confirmPurchase(stage, purchaseId, (await popup.textContent('#code'))!.trim());
  const o = await outcome(page);
  const txn = (await stage.client.call('getPurchase', { params: { id: purchaseId } })).transactionID;
  assert.deepEqual(o, { ok: true, result: { transactionID: txn }, readyState: 'done', events: ['success'] });
});

test('navigator.mozPay polyfill: onerror INVALID_REQUEST with the server\'s code; the window opened for it closes', async (t) => {
  const { page, context } = await storePage(t);
  const { jwt } = await storeJwt(stage.demo);
  const [h, p, s] = jwt.split('.');
  const tampered = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
  await armButton(page, 'mozPay', [tampered]);
  const opened = context.waitForEvent('page');
  await page.click('#e2e-pay');
  const o = await outcome(page);
  assert.equal(o.ok, false);
  assert.equal(o.name, 'INVALID_REQUEST');
  assert.equal(o.code, 'request_signature_invalid');
  assert.match(o.message ?? '', /^request_signature_invalid: /);
  assert.deepEqual(o.events, ['error']);
  const popup = await opened;
  if (!popup.isClosed()) await popup.waitForEvent('close');
  assert.equal(context.pages().length, 1, 'the status window opened for the click is closed again');
});

test('Paydesk.pay: a replayed request is INVALID_REQUEST (request_jti_replayed); a non-JWT is pay_no_request', async (t) => {
  const { page } = await storePage(t);
  const { jwt } = await storeJwt(stage.demo);
  // Resolves only on the contract's 201 (the checked client holds it to that).
  await stage.client.call('pay', { body: { jwts: [jwt] } });
  await armButton(page, 'pay', jwt);
  await page.click('#e2e-pay');
  const o = await outcome(page);
  assert.deepEqual([o.ok, o.name, o.code], [false, 'INVALID_REQUEST', 'request_jti_replayed']);

  await page.evaluate(() => {
    delete (window as unknown as PayWindow).__outcome;
  });
  await armButton(page, 'pay', [42]);
  await page.click('#e2e-pay');
  const o2 = await outcome(page);
  assert.deepEqual([o2.ok, o2.name, o2.code], [false, 'INVALID_REQUEST', 'pay_no_request']);
});

test('Paydesk.pay rejects with PAYMENT_DECLINED when the card is declined', async (t) => {
  const { page, context } = await storePage(t);
  const declining = await stage.client.call('addPaymentMethod', {
    params: { id: stage.demo.buyer.id },
    body: { card: { number: '4000 0000 0000 0002', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123' } },
  });
  t.after(async () => {
    await stage.client.call('removePaymentMethod', { params: { id: stage.demo.buyer.id, pm: declining.id } });
  });
  const { jwt } = await storeJwt(stage.demo);
  await armButton(page, 'pay', jwt);
  const opened = context.waitForEvent('page');
  await page.click('#e2e-pay');
  const popup = await opened;
  await popup.waitForURL(/\/pay\/pur_/);
  const purchaseId = new URL(popup.url()).pathname.split('/').pop()!;
  const shown = await stage.client.call('getPurchase', { params: { id: purchaseId } });
  await assert.rejects(stage.client.call('confirmPurchase', { params: { id: purchaseId }, body: { pin: stage.demo.buyer.pin, digest: shown.digest, paymentMethodId: declining.id } }),
    (e) => isApiError(e) && e.status === 402 && e.code === 'card_declined');
  const o = await outcome(page);
  assert.deepEqual([o.ok, o.name], [false, 'PAYMENT_DECLINED']);
  await popup.waitForSelector('body[data-status="declined"]').catch(() => undefined);
});

test('Paydesk.pay rejects with NETWORK_ERROR when Paydesk cannot be reached', async (t) => {
  const { page } = await storePage(t);
  await page.route(`${stage.demo.paydesk.url}/v1/pay`, (route) => route.abort('connectionrefused'));
  const { jwt } = await storeJwt(stage.demo);
  await armButton(page, 'pay', jwt);
  await page.click('#e2e-pay');
  const o = await outcome(page);
  assert.deepEqual([o.ok, o.name], [false, 'NETWORK_ERROR']);
  assert.match(o.message ?? '', /could not be reached/);
});

test('a purchase nobody confirms expires: PAYMENT_TIMEOUT, and the status window says so', async (t) => {
  const clock = { offset: 0 };
  const timed = await startStage({ now: () => Date.now() + clock.offset });
  t.after(() => timed.close());
  await timed.page.goto(timed.demo.store.url);
  await timed.page.waitForFunction(() => 'Paydesk' in window);
  const { popup, purchaseId } = await clickBuy(timed.page);
  clock.offset = 16 * 60_000;
  assert.equal(await payResult(timed.page), 'failure:PAYMENT_TIMEOUT');
  const status = await timed.client.call('payStatus', { params: { id: purchaseId } });
  assert.deepEqual([status.status, status.error], ['expired', 'PAYMENT_TIMEOUT']);
  assert.match((await timed.page.textContent('#message')) ?? '', /not confirmed in time/);
  if (!popup.isClosed()) {
    await popup.waitForSelector('body[data-status="expired"]').catch(() => undefined);
  }
});

test('a blocked popup does not stop the purchase: the buyer still confirms in the wallet', async (t) => {
  const { page, context } = await storePage(t);
  const { jwt, orderId } = await storeJwt(stage.demo);
  // Paying from the load event, with no click, has no user activation: Chromium's popup blocker refuses window.open.
  await context.addInitScript((token: string) => {
    window.addEventListener('load', () => {
      const w = window as unknown as PayWindow;
      w.Paydesk.pay(token).then(
        (result) => (w.__outcome = { ok: true, result }),
        (e: PayError) => (w.__outcome = { ok: false, name: e.name, code: e.code, message: e.message }),
      );
    });
  }, jwt);
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/pay');
  await page.reload();
  const { id: purchaseId } = (await (await created).json()) as { id: string };
  const list = await stage.client.call('listPurchases', { query: { status: 'pending' } });
  assert.equal(list.items.find((p) => p.item.productData === `order=${orderId}`)?.id, purchaseId, 'the purchase was created');
  assert.equal(context.pages().length, 1, 'no window opened');
  const code = (await stage.client.call('getPurchase', { params: { id: purchaseId } })).code;
  await confirmPurchase(stage, purchaseId, code);
  const o = await outcome(page);
  assert.equal(o.ok, true, JSON.stringify(o));
  assert.match(o.result?.transactionID ?? '', /^txn_/);
});
