// The console end to end: the real server (startServer) on 127.0.0.1 with a
// fresh data folder, the built renderer it serves at `/`, and Debian Chromium
// driven by playwright-core. Steps run in order and share one browser context,
// like a developer's session, opened with a login link: register an app, set up a buyer, pay, confirm with
// the PIN pad, lock the PIN, inspect a tampered request, then browse seeded
// transactions, notices, the dashboard and history. Every pane is photographed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ServerInternals } from '../../server/main.ts';
import { isApiError, type Client } from '../../contract/client.ts';
import { freshDataDir, signRequest, testClient } from '../helpers/paydesk.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, startMerchant, type ConsoleLog, type Merchant } from './browser.ts';
import { loginLink } from '../helpers/console.ts';

const PIN = '7391';
const DAY = 86_400_000;

describe('console', { timeout: 240_000 }, () => {
  let server: ServerInternals;
  let merchant: Merchant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: ConsoleLog;
  // The server's clock runs this far behind real time while seeding history.
  const shift = { ms: 0 };
  const state: { appKey?: string; secret?: string; buyerId?: string } = {};

  /** The typed client with the admin token, every answer checked against the contract (status included). */
  let api: Client;

  async function payAs(app: { key: string; secret: string }, request: Record<string, unknown>): Promise<{ id: string; code: string }> {
    const jwt = await signRequest(app, { request, now: Date.now() - shift.ms });
    return api.call('pay', { body: { jwts: [jwt] } });
  }

  /**
   * Resolves once `ready()` holds, asking again after each event the server emits
   * (a notice delivered, failed, retried...): no polling interval, no deadline to outgrow.
   */
  async function untilServer(ready: () => Promise<boolean>): Promise<void> {
    for (;;) {
      // Listening before asking: an event between the answer and the wait is not missed.
      let off: () => unknown = () => undefined;
      const next = new Promise<void>((resolve) => (off = server.events.subscribe(() => resolve())));
      try {
        if (await ready()) return;
        await next;
      } finally {
        off();
      }
    }
  }

  /** Waits until the dispatcher has sent every queued notice, so each lands on the seeded day it belongs to. */
  const settleNotices = () => untilServer(async () => (await api.call('listNotices', { query: { status: 'pending', limit: 1 } })).items.length === 0);

  /** The PIN pad takes keys once the buyer's state (lock, tries) is loaded. */
  const padReady = (p: Page = page) => p.waitForFunction(() => {
    const key = document.querySelector('[data-pinkey]');
    return key !== null && !key.hasAttribute('disabled');
  });

  const go = async (hash: string) => {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
    await page.waitForFunction((h) => window.location.hash === h, hash);
  };

  before(async () => {
    ensureRendererBuilt();
    merchant = await startMerchant();
    server = await startServer({ port: 0, dataDir: freshDataDir('renderer'), now: () => Date.now() - shift.ms, noticeTimeScale: 0.00001, log: () => undefined });
    api = testClient(server);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    log = captureConsole(page);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await merchant?.close();
  });

  it('opens with a login link for the HttpOnly cookie, keeps the token and the code out of reach, and logs no errors', async () => {
    const link = await loginLink(server);
    const code = link.split('#login=')[1]!;
    const exchanged = page.waitForResponse((r) => r.url() === `${server.url}/api/console/session` && r.request().method() === 'POST');
    const res = await page.goto(link);
    assert.ok(res);
    assert.equal(res.status(), 200);
    const h = res.headers();
    assert.match(h['content-security-policy'] ?? '', /script-src 'self'/);
    assert.doesNotMatch(h['content-security-policy'] ?? '', /unsafe-inline|unsafe-eval/);
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(await res.headerValue('set-cookie'), null, 'loading the console grants nothing');
    const cookie = (await (await exchanged).headerValue('set-cookie')) ?? '';
    assert.match(cookie, /^paydesk_console=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/api']) assert.ok(cookie.includes(flag), `cookie has ${flag}`);
    assert.ok(!cookie.includes(server.token), 'the cookie is a console session, not the admin token');
    assert.ok(!cookie.includes(code), 'nor the login code');

    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
    await page.getByText('No purchases in this range yet').waitFor();
    const exposed = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), url: location.href }));
    assert.equal(exposed.cookie, '', 'HttpOnly: no script can read the console cookie');
    for (const v of [exposed.local, exposed.session, exposed.url]) assert.ok(!v.includes(server.token) && !v.includes(cookie.split(';')[0]!.split('=')[1]!) && !v.includes(code));
    assert.equal(exposed.url, `${server.url}/`, 'the code left the address bar');
    await shot(page, 'dashboard-empty');

    // Everything is reachable by keyboard, with a visible focus ring.
    await page.locator('a.brand').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    assert.equal(focused.text, 'Apps');
    assert.equal(focused.outline, 'solid');
    await shot(page, 'keyboard-focus');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.location.hash === '#/apps');
    assert.deepEqual(log.unexpected(), []);
  });

  it('registers an app and shows its key and secret once', async () => {
    await go('#/apps');
    await page.getByText('No apps yet').waitFor();
    await shot(page, 'apps-empty');
    await page.getByRole('link', { name: 'Register your first app' }).click();
    await page.getByRole('heading', { name: 'Register an app' }).waitFor();
    await page.getByRole('button', { name: 'Register app' }).click();
    await page.getByText('Give the app a name').waitFor();
    await page.getByText('Enter an email address').waitFor();
    await shot(page, 'apps-new-validation');

    await page.getByLabel('App name').fill('Elite Sparkle Pony');
    await page.getByLabel('Contact email').fill('ponies@example.com');
    await page.getByLabel('Homepage').fill(`${merchant.url}/`);
    await page.getByLabel('Postback URL').fill(`${merchant.url}/postback`);
    assert.equal(await page.getByLabel('Chargeback URL').inputValue(), `${merchant.url}/chargeback`, 'follows the postback URL');
    await page.getByRole('button', { name: 'Register app' }).click();

    const once = page.getByTestId('one-time-secrets');
    await once.waitFor();
    const key = (await page.getByTestId('once-key').textContent()) ?? '';
    const secret = (await page.getByTestId('once-secret').textContent()) ?? '';
    assert.match(key, /^app_[a-z0-9]+$/);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.match((await page.getByTestId('once-whsec').textContent()) ?? '', /^whsec_/);
    await page.getByText('you won\'t see the secret again').waitFor();
    await shot(page, 'app-created-secret-once');
    await page.getByRole('button', { name: 'I\'ve stored them safely' }).click();
    await once.waitFor({ state: 'detached' });

    // Shown once: a reload does not bring it back, and the table shows no value until Reveal.
    await page.reload();
    await page.getByRole('heading', { name: 'Signing secrets' }).waitFor();
    assert.equal(await page.getByTestId('one-time-secrets').count(), 0);
    assert.ok(!(await page.content()).includes(secret), 'the secret is not on the page');
    await page.getByRole('button', { name: /^Reveal secret sec_/ }).click();
    await page.locator('[data-testid^="revealed-"]').waitFor();
    assert.equal(await page.locator('[data-testid^="revealed-"]').textContent(), secret);
    await shot(page, 'app-detail');
    await page.getByRole('button', { name: 'Hide' }).first().click();
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('radio', { name: /End now/ }).waitFor();
    await shot(page, 'app-rotate-dialog');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Edit, then disable and enable again: each explained before it happens.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Contact email').fill('hello@pony.example');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('hello@pony.example').waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog', { name: 'Disable Elite Sparkle Pony?' }).getByRole('button', { name: 'Disable app' }).click();
    await page.getByText('This app is disabled').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('dialog', { name: 'Enable Elite Sparkle Pony?' }).getByRole('button', { name: 'Enable app' }).click();
    await page.getByText('This app is disabled').waitFor({ state: 'detached' });
    await shot(page, 'app-detail-edited');

    // A test notice goes to the merchant's postback URL, and the console opens it.
    await page.getByRole('button', { name: 'Send a test notice' }).click();
    await page.waitForFunction(() => /^#\/notices\/ntc_/.test(window.location.hash));
    await page.getByRole('heading', { name: /Postback notice/ }).waitFor();
    state.appKey = key;
    state.secret = secret;
    assert.deepEqual(log.unexpected(), []);
  });

  it('creates a buyer, signs in, preauthorizes a test card and sets a PIN', async () => {
    await go('#/wallet/buyers');
    await page.getByText('No buyers yet').waitFor();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create buyer' }).click();
    await page.getByTestId('signed-in-buyer').getByText('Ada Lovelace').waitFor();
    await page.getByTestId('buyer-row').getByText('Signed in').waitFor();
    await shot(page, 'wallet-buyers');

    await go('#/wallet/methods');
    await page.getByTestId('test-card').filter({ hasText: '4242 4242 4242 4242' }).click();
    await page.getByRole('button', { name: 'Preauthorize card' }).click();
    await page.getByTestId('payment-method').filter({ hasText: '4242' }).waitFor();
    assert.equal(await page.getByTestId('card-number').inputValue(), '', 'the number is gone from the form after submit');
    await shot(page, 'wallet-payment-methods');

    await go('#/wallet/pin');
    await page.getByRole('heading', { name: 'Set a PIN' }).waitFor();
    await page.getByLabel('New PIN', { exact: true }).fill('1234');
    await page.getByLabel('Repeat new PIN').fill('1234');
    await page.getByRole('button', { name: 'Set PIN' }).click();
    await page.getByText('Too easy to guess').waitFor();
    await page.getByLabel('New PIN', { exact: true }).fill(PIN);
    await page.getByLabel('Repeat new PIN').fill(PIN);
    await page.getByRole('button', { name: 'Set PIN' }).click();
    await page.getByRole('heading', { name: 'Change the PIN' }).waitFor();
    await shot(page, 'wallet-pin');
    const buyers = await api.call('listBuyers');
    const ada = buyers.items.find((b) => b.email === 'ada@example.com');
    assert.ok(ada?.pin.set);
    assert.equal(ada.paymentMethods.length, 1);
    state.buyerId = ada.id;
    assert.deepEqual(log.unexpected(), []);
  });

  it('brings a purchase from POST /v1/pay forward and confirms it with the PIN pad', async () => {
    const app = { key: state.appKey!, secret: state.secret! };
    await go('#/dashboard');
    const p = await payAs(app, { id: 'pony-1', name: 'Elite Sparkle Pony', description: 'The shiniest pony of all!', price: '1.99', currency: 'USD', productData: 'user=42' });
    await page.waitForFunction((id) => window.location.hash === `#/wallet/confirm/${id}`, p.id);
    await page.getByTestId('confirm-dialog').waitFor();
    assert.equal(await page.getByTestId('conf-code').textContent(), p.code);
    await page.getByTestId('new-seller').waitFor();
    assert.equal(await page.getByTestId('price').textContent(), '$1.99');
    await page.getByTestId('pending-count').getByText('1 pending').waitFor();
    await shot(page, 'wallet-confirm-pending');

    await padReady();
    await page.keyboard.type('0000');
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-error').getByText('4 tries left').waitFor();
    await shot(page, 'wallet-confirm-wrong-pin');

    for (const d of PIN) await page.getByRole('group', { name: 'PIN pad' }).getByRole('button', { name: d, exact: true }).click();
    await page.keyboard.press('Backspace');
    await page.keyboard.type(PIN.slice(-1));
    await page.getByRole('button', { name: /^Confirm \$1\.99$/ }).click();
    await page.getByTestId('purchase-result').getByText('Payment complete').waitFor();
    await page.getByTestId('pending-count').getByText('No pending purchases').waitFor();
    await shot(page, 'wallet-confirm-completed');
    const after = await api.call('getPurchase', { params: { id: p.id } });
    assert.equal(after.status, 'completed');
    assert.deepEqual(log.unexpected([403]), []);
  });

  it('counts wrong PINs down and shows the lock with its time after five', async () => {
    log.clear();
    const app = { key: state.appKey!, secret: state.secret! };
    await go('#/dashboard');
    const p = await payAs(app, { id: 'pony-2', name: 'Rainbow Pony', description: 'Leaves a rainbow behind.', price: '4.99', currency: 'USD' });
    await page.waitForFunction((id) => window.location.hash === `#/wallet/confirm/${id}`, p.id);
    await page.getByTestId('confirm-dialog').waitFor();
    await padReady();
    for (const left of ['4 tries left', '3 tries left', '2 tries left', '1 try left']) {
      await page.keyboard.type('0000');
      await page.keyboard.press('Enter');
      await page.getByTestId('confirm-error').getByText(left).waitFor();
    }
    await page.keyboard.type('0000');
    await page.keyboard.press('Enter');
    const lock = page.getByTestId('pin-locked');
    await lock.waitFor();
    assert.match((await lock.locator('.lock-time').textContent()) ?? '', /^0[45]:\d\d$/);
    await lock.getByText(/Unlocks at/).waitFor();
    await shot(page, 'wallet-confirm-locked');

    await go('#/wallet/pin');
    await page.getByTestId('pin-status-locked').waitFor();
    await page.getByText('Reset waits for the lock to end').waitFor();
    await shot(page, 'wallet-pin-locked');

    // The buyer can still walk away from the purchase while locked.
    await go(`#/wallet/confirm/${p.id}`);
    await page.getByTestId('pin-locked').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByTestId('purchase-result').getByText('Purchase cancelled').waitFor();
    await shot(page, 'wallet-confirm-cancelled');

    // Wait the five-minute lock out on the server's injected clock instead of the wall clock,
    // then type the right PIN once (changing it to itself), which clears the lock for good.
    shift.ms = -(5 * 60_000 + 5_000);
    await go('#/wallet/pin');
    const change = page.locator('section', { has: page.getByRole('heading', { name: 'Change the PIN' }) });
    await change.getByRole('button', { name: 'Change PIN' }).and(page.locator(':enabled')).waitFor();
    await change.getByLabel('Current PIN').fill(PIN);
    await change.getByLabel('New PIN', { exact: true }).fill(PIN);
    await change.getByLabel('Repeat new PIN').fill(PIN);
    await change.getByRole('button', { name: 'Change PIN' }).click();
    await page.getByText('PIN changed').waitFor();
    shift.ms = 0;
    const ada = await api.call('getBuyer', { params: { id: state.buyerId! } });
    assert.equal(ada.pin.locked, false);
    assert.equal(ada.pin.triesLeft, 5);
    assert.deepEqual(log.unexpected([403, 423]), []);
  });

  it('explains why a tampered request is refused, and builds, signs and pays one', async () => {
    log.clear();
    const app = { key: state.appKey!, secret: state.secret! };
    const good = await signRequest(app, { request: { id: 'pony-3', name: 'Tiny Pony', description: 'Pocket sized.', price: '0.99', currency: 'USD' } });
    const [h, payload, sig] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { request: Record<string, unknown> };
    claims.request.price = '0.01';
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;

    await go('#/lab');
    await page.getByRole('tab', { name: 'Inspect a token' }).click();
    await page.getByTestId('lab-token').fill(tampered);
    const verdict = page.getByTestId('lab-verdict');
    await verdict.getByText('Paydesk would refuse this request').waitFor();
    assert.match((await verdict.textContent()) ?? '', /request_signature_invalid/);
    assert.match((await verdict.textContent()) ?? '', /altered after signing/);
    // The server's checks, one by one: passed up to the signature, which fails, the rest not reached.
    const checks = page.getByTestId('lab-checks').locator('li');
    const statuses = async () => Object.fromEntries(await checks.evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-status')])));
    const seen = await statuses();
    assert.equal(seen.alg, 'passed');
    assert.equal(seen.app, 'passed');
    assert.equal(seen.signature, 'failed');
    assert.equal(seen.price, 'not_reached');
    assert.match((await checks.filter({ has: page.getByText('request_signature_invalid') }).textContent()) ?? '', /^Signature/);
    await shot(page, 'lab-inspect-tampered', { fullPage: true });

    await page.getByTestId('lab-token').fill(good);
    await page.getByTestId('lab-verdict').getByText('Paydesk would accept this request').waitFor();
    assert.ok(Object.values(await statuses()).every((s) => s === 'passed'));

    await page.getByRole('tab', { name: 'Build a request' }).click();
    await page.getByTestId('lab-pay').waitFor();
    await shot(page, 'lab-build');
    await page.getByTestId('lab-pay').click();
    await page.waitForFunction(() => /^#\/wallet\/confirm\/pur_/.test(window.location.hash));
    await page.getByTestId('confirm-dialog').getByText('Golden sparkle pony').waitFor();
    await padReady();
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.getByTestId('purchase-result').getByText('Payment complete').waitFor();
    assert.deepEqual(log.unexpected(), []);
  });

  it('pages transactions with infinite scroll, filters and searches them, and refunds one', async () => {
    log.clear();
    // History over two weeks: the server's clock is moved back for each day.
    const arcade = await api.call('createApp', {
      body: { name: 'Moonlight Arcade', homepage: `${merchant.url}/`, contactEmail: 'arcade@example.com', postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` },
    });
    const broken = await api.call('createApp', {
      body: { name: 'Broken Widgets', homepage: `${merchant.url}/`, contactEmail: 'widgets@example.com', postbackURL: `${merchant.url}/broken`, chargebackURL: `${merchant.url}/broken` },
    });
    const apps = [
      { key: state.appKey!, secret: state.secret!, items: ['Elite Sparkle Pony', 'Rainbow Pony', 'Pony Saddle'] },
      { key: arcade.app.key, secret: arcade.secret.secret, items: ['100 Tokens', 'Season Pass', 'Neon Skin'] },
    ];
    await api.call('updateBuyer', { params: { id: state.buyerId! }, body: { unlockWindowSeconds: 300 } });
    let n = 0;
    const prices = ['0.99', '1.99', '2.99', '4.99', '9.99', '14.99', '19.99'];
    for (let day = 13; day >= 0; day--) {
      shift.ms = day * DAY + 3_600_000 * (n % 7);
      // The unlock window opened by a day's first PIN covers the rest of that day's confirmations.
      let unlocked = false;
      const perDay = 6 + ((day * 7) % 9);
      for (let i = 0; i < perDay; i++, n++) {
        const app = apps[n % 2]!;
        const p = await payAs(app, { id: `sku-${n}`, name: app.items[n % 3]!, description: 'Seeded for the console test.', price: prices[n % prices.length]!, currency: 'USD', productData: `order=${1000 + n}` });
        if (n % 11 === 5) continue; // left pending, then expires
        if (n % 13 === 7) {
          await api.call('cancelPurchase', { params: { id: p.id }, body: {} });
          continue;
        }
        // Resolves only on the contract's 200; a refusal throws with its code.
        await api.call('confirmPurchase', { params: { id: p.id }, body: unlocked ? {} : { pin: PIN } });
        unlocked = true;
        if (n % 9 === 4) await api.call('refundTransaction', { params: { id: p.id }, body: { amount: 50, reason: 'Partial refund: late delivery' } });
      }
      await settleNotices();
    }
    shift.ms = 0;
    // A declined card, and a merchant whose server is down.
    const grace = await api.call('createBuyer', { body: { email: 'grace@example.com', name: 'Grace Hopper' } });
    await api.call('signIn', { body: { buyerId: grace.id } });
    await api.call('addPaymentMethod', { params: { id: grace.id }, body: { card: { number: '4000000000000002', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } } });
    await api.call('setPin', { params: { id: grace.id }, body: { pin: '5820' } });
    const declined = await payAs(apps[1]!, { id: 'sku-declined', name: 'Season Pass', description: 'Seeded.', price: '19.99', currency: 'USD' });
    await assert.rejects(api.call('confirmPurchase', { params: { id: declined.id }, body: { pin: '5820' } }), (e) => isApiError(e) && e.status === 402);
    await api.call('signIn', { body: { buyerId: state.buyerId! } });
    const brokenApp = { key: broken.app.key, secret: broken.secret.secret };
    for (let i = 0; i < 3; i++) {
      const p = await payAs(brokenApp, { id: `widget-${i}`, name: 'Widget', description: 'Seeded.', price: '3.50', currency: 'USD' });
      await api.call('confirmPurchase', { params: { id: p.id }, body: i === 0 ? { pin: PIN } : {} });
    }
    const total = (await api.call('listPurchases', { query: { limit: 500 } })).items.length;
    assert.ok(total > 120, `seeded ${total}`);

    await go('#/transactions');
    await page.getByTestId('tx-row').first().waitFor();
    const rendered = await page.getByTestId('tx-row').count();
    assert.ok(rendered < total, `virtualized: ${rendered} rows in the DOM for ${total}`);
    await shot(page, 'transactions');
    // Scrolled to the end at every frame until the last page has loaded.
    await page.waitForFunction((want) => {
      const scroller = document.querySelector('[data-testid="tx-scroll"]');
      scroller?.scrollTo(0, scroller.scrollHeight);
      return document.querySelector('[data-testid="tx-count"]')?.textContent === want;
    }, `${total} transactions`, { polling: 'raf' });
    assert.equal(await page.getByTestId('tx-count').textContent(), `${total} transactions`);

    await page.getByLabel('Status').selectOption('declined');
    await page.waitForFunction(() => window.location.hash.includes('status=declined'));
    await page.getByTestId('tx-count').getByText('1 transaction', { exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('');
    const one = await api.call('listTransactions', { query: { status: 'completed', limit: 1 } });
    const txn = one.items[0]!;
    assert.ok(txn.transactionID, 'a completed transaction has its id');
    await page.getByLabel('Search').fill(txn.transactionID);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('tx-count').getByText('1 transaction', { exact: true }).waitFor();
    await page.getByTestId('tx-row').first().click();
    const drawer = page.getByRole('dialog', { name: 'Transaction' });
    await drawer.getByRole('heading', { name: 'Timeline' }).waitFor();
    await drawer.getByText('Confirmed by the buyer and charged').waitFor();
    await drawer.getByLabel(/^Amount/).fill('0.50');
    await drawer.getByRole('button', { name: /^Refund \$0\.50$/ }).click();
    await page.getByRole('dialog', { name: 'Refund part of this purchase?' }).getByRole('button', { name: /^Refund \$0\.50$/ }).click();
    await drawer.getByRole('cell', { name: '$0.50' }).first().waitFor();
    await drawer.locator('.drawer-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await shot(page, 'transaction-detail');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    assert.deepEqual(log.unexpected(), []);
  });

  it('inspects notices: failed ones stand out, with every attempt, curl and redeliver', async () => {
    log.clear();
    // The broken merchant's retries finish within seconds at the test's time scale.
    await untilServer(async () => (await api.call('listNotices', { query: { status: 'failed' } })).items.length >= 3);
    await go('#/notices');
    await page.locator('.notice-row-failed').first().waitFor();
    await page.getByText(/notices? failed/).waitFor();
    await shot(page, 'notices');
    await page.locator('.notice-row-failed').first().getByRole('link').click();
    await page.getByText(/^Failed after \d+ attempts?$/).waitFor();
    await page.getByRole('article', { name: 'Attempt 1', exact: true }).getByText('HTTP 500', { exact: true }).waitFor();
    await shot(page, 'notice-detail-failed');
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const curl = (await page.getByTestId('curl').textContent()) ?? '';
    assert.match(curl, /^curl /);
    assert.match(curl, /webhook-id/);
    await shot(page, 'notice-curl');
    await page.getByRole('button', { name: 'Close' }).click();
    // The merchant is back: redelivered from the inspector, the same notice now goes through.
    const webhookId = (await page.getByText(/^ntc_/).first().textContent())!.trim();
    merchant.heal();
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByRole('dialog', { name: 'Redeliver' }).getByRole('button', { name: 'Redeliver now' }).click();
    await page.getByText('Redelivery queued').waitFor();
    await page.getByTestId('notice-delivered').waitFor();
    assert.equal(merchant.received.filter((r) => r.path === '/broken' && r.webhookId === webhookId).length >= 2, true, 'the same webhook-id, retried then redelivered');
    await shot(page, 'notice-redelivered');
    await page.getByRole('button', { name: 'Edit and resend' }).click();
    await page.getByRole('dialog', { name: 'Edit and resend' }).getByLabel('response').waitFor();
    await shot(page, 'notice-edit-resend');
    await page.getByRole('dialog', { name: 'Edit and resend' }).getByRole('button', { name: 'Cancel' }).click();

    await go('#/notices?status=delivered');
    await page.getByTestId('notice-row').first().getByRole('link').click();
    await page.getByTestId('notice-delivered').waitFor();
    await shot(page, 'notice-detail-delivered');
    assert.deepEqual(log.unexpected(), []);
  });

  it('shows the dashboard, apps and history with data, in light and dark', async () => {
    log.clear();
    await go('#/dashboard');
    await page.getByTestId('metric-sales').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="metric-sales"]')?.textContent !== '$0.00');
    await shot(page, 'dashboard');
    await go('#/apps');
    await page.getByText('Moonlight Arcade').waitFor();
    await shot(page, 'apps');
    await go('#/wallet/history');
    await page.getByTestId('history-row').first().waitFor();
    await page.getByTestId('history-row').filter({ has: page.getByRole('button', { name: 'Dispute' }) }).first().getByRole('button', { name: 'Dispute' }).click();
    await page.getByLabel('What went wrong? (optional)').fill('The pony never arrived');
    await shot(page, 'wallet-history-dispute');
    await page.getByRole('button', { name: 'Dispute purchase' }).click();
    await page.getByText('Purchase disputed').waitFor();
    await shot(page, 'wallet-history', { toasts: true });

    await page.getByTestId('theme-toggle').click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await go('#/dashboard');
    await page.getByTestId('metric-sales').waitFor();
    await shot(page, 'dark-dashboard');
    await go('#/transactions');
    await page.getByTestId('tx-row').first().waitFor();
    await shot(page, 'dark-transactions');
    await go('#/wallet/methods');
    await page.getByTestId('payment-method').first().waitFor();
    await shot(page, 'dark-payment-methods');
    const p = await payAs({ key: state.appKey!, secret: state.secret! }, { id: 'pony-9', name: 'Midnight Pony', description: 'Glows after dark.', price: '2.99', currency: 'USD' });
    await page.waitForFunction((id) => window.location.hash === `#/wallet/confirm/${id}`, p.id);
    await page.getByTestId('confirm-dialog').waitFor();
    await shot(page, 'dark-wallet-confirm');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByTestId('purchase-result').getByText('Purchase cancelled').waitFor();
    await page.getByTestId('theme-toggle').click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    assert.deepEqual(log.unexpected(), []);
  });

  it('serves the desktop app\'s trusted confirmation route on its own', async () => {
    log.clear();
    const p = await payAs({ key: state.appKey!, secret: state.secret! }, { id: 'pony-10', name: 'Pocket Pony', description: 'Fits in a pocket.', pricePoint: 3, currency: 'USD' });
    const small = await context.newPage();
    const smallLog = captureConsole(small);
    await small.setViewportSize({ width: 440, height: 620 });
    await small.goto(`${server.url}/#/confirm/${p.id}`);
    await small.getByTestId('confirm-dialog').waitFor();
    assert.equal(await small.locator('.sidebar').count(), 0, 'no console chrome around the trusted dialog');
    await shot(small, 'confirm-window');
    await small.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await shot(small, 'confirm-window-pin-pad', { keepScroll: true });
    await padReady(small);
    await small.keyboard.type(PIN);
    await small.keyboard.press('Enter');
    await small.getByTestId('purchase-result').getByText('Payment complete').waitFor();
    await shot(small, 'confirm-window-done');
    await small.close();
    assert.deepEqual(smallLog.unexpected(), []);
  });
});
