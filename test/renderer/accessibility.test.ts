// Issue 17: WCAG 2.1 AA on every screen, in both themes, checked by axe-core
// (injected into the page as it is served; the context bypasses the CSP only so
// the checker itself may run). One demo (Paydesk + the pony store, real
// servers on 127.0.0.1), one Chromium, one page per origin, reused for every
// state: each pane and detail view of the console, the desktop confirmation
// window, the login screen, the status window and the demo store. Then the
// layout: no pane scrolls sideways at 320 px, the sidebar folds behind a menu
// button below 900 px, tables keep their key columns at 900 px, and the
// confirm pane does not overflow at 1280×800 after a wrong PIN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../demo/demo.ts';
import type { Client } from '../../contract/client.ts';
import { freshDataDir, signRequest, testClient } from '../helpers/paydesk.ts';
import { loginLink } from '../helpers/console.ts';
import { animationsSettled } from '../helpers/animations.ts';
import { captureConsole, ensureRendererBuilt, launchBrowser, shot, type ConsoleLog } from './browser.ts';

const AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const themes = ['light', 'dark'] as const;

interface Finding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly nodes: readonly { readonly target: string; readonly summary: string }[];
}

/** axe's AA violations on the page as it is now, one line per element. */
async function axeViolations(page: Page): Promise<Finding[]> {
  await animationsSettled(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof import('axe-core') }).axe.run;
    const r = await run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id, impact: v.impact ?? '', help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim() })),
    }));
  }, AA_TAGS);
}

function readable(state: string, findings: readonly Finding[]): string {
  return `${state}: ${findings.length} WCAG 2.1 AA violation(s)\n${findings.map((f) =>
    `  ${f.rule} (${f.impact}): ${f.help}\n${f.nodes.map((n) => `    ${n.target}\n      ${n.summary}`).join('\n')}`).join('\n')}`;
}

describe('accessibility: WCAG 2.1 AA (axe) on every screen, in light and dark', { timeout: 300_000 }, () => {
  let demo: RunningDemo;
  let api: Client;
  let browser: Browser;
  let context: BrowserContext;
  let publicContext: BrowserContext;
  /** The console, signed in. */
  let page: Page;
  /** No console session: the login screen, the status window, the store. */
  let outside: Page;
  let log: ConsoleLog;
  const seeded = { appKey: '', brokenKey: '', pendingId: '', completedId: '', declinedId: '', noticeFailed: '', noticeDelivered: '', token: '' };

  /** Resolves once `ready()` holds, asking again after each event the server emits. */
  async function untilServer(ready: () => Promise<boolean>): Promise<void> {
    for (;;) {
      let off: () => unknown = () => undefined;
      const next = new Promise<void>((resolve) => (off = demo.paydesk.events.subscribe(() => resolve())));
      try {
        if (await ready()) return;
        await next;
      } finally {
        off();
      }
    }
  }

  async function purchase(app: { key: string; secret: string }, name: string, price: string): Promise<{ id: string; code: string }> {
    const jwt = await signRequest(app, { request: { id: `sku-${name.toLowerCase().replace(/\W+/g, '-')}`, name, description: 'Seeded for the accessibility test.', price, currency: 'USD' } });
    seeded.token ||= jwt;
    return api.call('pay', { body: { jwts: [jwt] } });
  }

  before(async () => {
    ensureRendererBuilt();
    demo = await startDemo({ dataDir: freshDataDir('a11y'), port: 0, storePort: 0, log: () => undefined });
    api = testClient(demo.paydesk);
    const store = { key: demo.app.appKey, secret: demo.app.secret };
    seeded.appKey = demo.app.appKey;
    const broken = await api.call('createApp', {
      body: { name: 'Broken Widgets', homepage: 'http://127.0.0.1:9/', contactEmail: 'widgets@example.com', postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback' },
    });
    seeded.brokenKey = broken.app.key;
    const widgets = { key: broken.app.key, secret: broken.secret.secret };
    const done = await purchase(store, 'Elite Sparkle Pony', '1.99');
    await api.call('confirmPurchase', { params: { id: done.id }, body: { pin: demo.buyer.pin } });
    seeded.completedId = done.id;
    const refunded = await purchase(widgets, 'Widget', '3.50');
    await api.call('confirmPurchase', { params: { id: refunded.id }, body: { pin: demo.buyer.pin } });
    await api.call('refundTransaction', { params: { id: refunded.id }, body: { amount: 50, reason: 'Partial refund: late delivery' } });
    const cancelled = await purchase(store, 'Pony Saddle', '2.99');
    await api.call('cancelPurchase', { params: { id: cancelled.id }, body: {} });
    seeded.pendingId = (await purchase(store, 'Rainbow Pony', '4.99')).id;
    await untilServer(async () => {
      const notices = (await api.call('listNotices', { query: { limit: 50 } })).items;
      const delivered = notices.find((n) => n.status === 'delivered');
      const failed = notices.find((n) => n.appKey === seeded.brokenKey && n.attempts > 0);
      if (delivered) seeded.noticeDelivered = delivered.id;
      if (failed) seeded.noticeFailed = failed.id;
      return delivered !== undefined && failed !== undefined;
    });

    browser = await launchBrowser();
    // bypassCSP: the console's CSP (script-src 'self') would refuse the injected checker, nothing else.
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', bypassCSP: true });
    publicContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', bypassCSP: true });
    page = await context.newPage();
    log = captureConsole(page);
    await page.goto(await loginLink(demo.paydesk));
    await page.locator('.shell').waitFor();
    outside = await publicContext.newPage();
  });

  after(async () => {
    await context?.close();
    await publicContext?.close();
    await browser?.close();
    await demo?.close();
  });

  async function go(hash: string): Promise<void> {
    await page.evaluate((h) => {
      window.location.hash = h;
    }, hash);
    await page.waitForFunction((h) => window.location.hash.startsWith(h), hash);
  }

  /** Every screen, by name: how to reach it and what shows it is ready. */
  const consoleStates: readonly { readonly name: string; readonly open: () => Promise<void> }[] = [
    { name: 'dashboard', open: async () => {
      await go('#/dashboard');
      await page.getByTestId('metric-sales').waitFor();
    } },
    { name: 'apps', open: async () => {
      await go('#/apps');
      await page.getByText('Broken Widgets').first().waitFor();
    } },
    { name: 'apps-new', open: async () => {
      await go('#/apps/new');
      await page.getByRole('heading', { name: 'Register an app' }).waitFor();
    } },
    { name: 'app-detail', open: async () => {
      await go(`#/apps/${seeded.appKey}`);
      await page.getByRole('heading', { name: 'Signing secrets' }).waitFor();
    } },
    { name: 'app-rotate-dialog', open: async () => {
      await page.getByRole('button', { name: 'Rotate' }).click();
      await page.getByRole('radio', { name: /End now/ }).waitFor();
    } },
    { name: 'transactions', open: async () => {
      await page.keyboard.press('Escape');
      await go('#/transactions');
      await page.getByTestId('tx-row').first().waitFor();
    } },
    { name: 'transaction-detail', open: async () => {
      await go(`#/transactions/${seeded.completedId}`);
      await page.getByRole('dialog', { name: 'Transaction' }).getByRole('heading', { name: 'Timeline' }).waitFor();
    } },
    { name: 'lab-build', open: async () => {
      await page.keyboard.press('Escape');
      await go('#/lab');
      await page.getByTestId('lab-pay').waitFor();
    } },
    { name: 'lab-inspect', open: async () => {
      await page.getByRole('tab', { name: 'Inspect a token' }).click();
      await page.getByTestId('lab-token').fill(seeded.token);
      await page.getByTestId('lab-verdict').waitFor();
    } },
    { name: 'notices', open: async () => {
      await go('#/notices');
      await page.getByTestId('notice-row').first().waitFor();
    } },
    { name: 'notice-detail-failing', open: async () => {
      await go(`#/notices/${seeded.noticeFailed}`);
      await page.getByRole('article', { name: 'Attempt 1', exact: true }).waitFor();
    } },
    { name: 'notice-redeliver-dialog', open: async () => {
      await go(`#/notices/${seeded.noticeFailed}`);
      await page.getByRole('button', { name: 'Redeliver' }).click();
      await page.getByRole('dialog', { name: 'Redeliver' }).getByRole('radio').first().waitFor();
    } },
    { name: 'notice-detail-delivered', open: async () => {
      await go(`#/notices/${seeded.noticeDelivered}`);
      await page.getByTestId('notice-delivered').waitFor();
    } },
    { name: 'wallet-confirm-pending', open: async () => {
      await go(`#/wallet/confirm/${seeded.pendingId}`);
      await page.getByTestId('confirm-dialog').waitFor();
      await page.locator('[data-pinkey]:not([disabled])').first().waitFor();
    } },
    { name: 'wallet-confirm-result', open: async () => {
      await go(`#/wallet/confirm/${seeded.completedId}`);
      await page.getByTestId('purchase-result').waitFor();
    } },
    { name: 'wallet-buyers', open: async () => {
      await go('#/wallet/buyers');
      await page.getByTestId('buyer-row').first().waitFor();
    } },
    { name: 'wallet-methods', open: async () => {
      await go('#/wallet/methods');
      await page.getByTestId('payment-method').first().waitFor();
    } },
    { name: 'wallet-pin', open: async () => {
      await go('#/wallet/pin');
      await page.getByRole('heading', { name: 'Change the PIN' }).waitFor();
    } },
    { name: 'wallet-history', open: async () => {
      await go('#/wallet/history');
      await page.getByTestId('history-row').first().waitFor();
    } },
    { name: 'wallet-sign-ins', open: async () => {
      // A sign-in waiting in the wallet: the store's "Sign in with Paydesk" asks for one.
      await outside.goto(`${demo.store.url}/signin`);
      await outside.locator('#sign-in-title').waitFor();
      await go('#/wallet/sign-in');
      await page.getByRole('button', { name: /^(Sign in as|Approve)/ }).first().waitFor();
    } },
    { name: 'wallet-connections', open: async () => {
      await go('#/wallet/connections');
      await page.getByRole('heading', { name: 'Connected apps' }).first().waitFor();
    } },
    { name: 'confirm-window', open: async () => {
      await go(`#/confirm/${seeded.pendingId}`);
      await page.getByTestId('confirm-dialog').waitFor();
      await page.locator('[data-pinkey]:not([disabled])').first().waitFor();
    } },
  ];

  /** Screens outside the console session. */
  const outsideStates: readonly { readonly name: string; readonly open: () => Promise<void> }[] = [
    { name: 'login-screen', open: async () => {
      await outside.goto(`${demo.paydesk.url}/`);
      await outside.getByRole('heading').first().waitFor();
    } },
    { name: 'status-window-pending', open: async () => {
      await outside.goto(`${demo.paydesk.url}/pay/${seeded.pendingId}`);
      await outside.locator('#code').waitFor();
    } },
    { name: 'status-window-completed', open: async () => {
      await outside.goto(`${demo.paydesk.url}/pay/${seeded.completedId}`);
      await outside.locator('#code').waitFor();
    } },
    { name: 'demo-store', open: async () => {
      await outside.goto(demo.store.url);
      await outside.locator('#buy').waitFor();
    } },
    // The sign-in's authorization page (issue 12): the store's "Sign in with Paydesk" lands on it.
    { name: 'authorization-page', open: async () => {
      await outside.goto(`${demo.store.url}/signin`);
      await outside.locator('#sign-in-title').waitFor();
      await outside.locator('#code').waitFor();
    } },
  ];

  for (const theme of themes) {
    for (const s of consoleStates) {
      it(`console ${s.name} (${theme})`, async () => {
        await page.emulateMedia({ colorScheme: theme });
        await s.open();
        const found = await axeViolations(page);
        assert.equal(found.length, 0, readable(`${s.name} (${theme})`, found));
      });
    }
    for (const s of outsideStates) {
      it(`${s.name} (${theme})`, async () => {
        await outside.emulateMedia({ colorScheme: theme });
        await s.open();
        const found = await axeViolations(outside);
        assert.equal(found.length, 0, readable(`${s.name} (${theme})`, found));
      });
    }
  }

  /** The document's sideways overflow at the current size, with the elements that stick out, for a readable failure. */
  async function sideways(p: Page): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
    return p.evaluate(() => {
      const d = document.documentElement;
      const culprits: string[] = [];
      for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
        const r = el.getBoundingClientRect();
        // Inside a box that scrolls or clips (a wide table in its own scroller) is not the page's overflow.
        let clipped = false;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) if (getComputedStyle(up).overflowX !== 'visible') clipped = true;
        if (!clipped && r.width > 0 && r.right > d.clientWidth + 0.5 && culprits.length < 6) {
          culprits.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(r.right)})`);
        }
      }
      // Nothing sticks out by itself: name the boxes whose content is wider than they are.
      if (culprits.length === 0) {
        for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
          if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' && culprits.length < 8) culprits.push(`${el.tagName.toLowerCase()}.${String(el.className).trim().split(/\s+/).join('.')} (${el.scrollWidth} in ${el.clientWidth})`);
        }
      }
      return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, culprits };
    });
  }

  describe('at 320 px wide (and so at 200% zoom) nothing scrolls sideways', () => {
    before(async () => {
      await page.setViewportSize({ width: 320, height: 640 });
      await outside.setViewportSize({ width: 320, height: 640 });
      await page.emulateMedia({ colorScheme: 'light' });
      await outside.emulateMedia({ colorScheme: 'light' });
    });
    after(async () => {
      await page.setViewportSize({ width: 1280, height: 860 });
      await outside.setViewportSize({ width: 1280, height: 860 });
    });
    for (const [where, states] of [['console', consoleStates], ['outside', outsideStates]] as const) {
      for (const s of states) {
        it(`${where} ${s.name} at 320 px`, async () => {
          const p = where === 'console' ? page : outside;
          await s.open();
          await animationsSettled(p);
          const o = await sideways(p);
          assert.ok(o.scrollWidth <= o.clientWidth, `${s.name}: ${o.scrollWidth} px wide in a ${o.clientWidth} px window; sticking out: ${o.culprits.join(', ')}`);
          if (['dashboard', 'transactions', 'wallet-confirm-pending', 'notice-detail-failing', 'demo-store', 'status-window-pending'].includes(s.name)) await shot(p, `a11y-320-${s.name}`);
        });
      }
    }
  });

  it('a choice of a few is a radio group: Tab reaches the checked one, the arrows move the choice', async () => {
    await go('#/apps/new');
    const group = page.getByRole('radiogroup', { name: 'Access' });
    await group.getByRole('radio', { name: /^Live/ }).focus();
    assert.equal(await group.locator('[role="radio"][tabindex="0"]').count(), 1, 'one Tab stop for the group');
    await page.keyboard.press('ArrowRight');
    assert.equal(await group.getByRole('radio', { name: /^Simulate only/ }).getAttribute('aria-checked'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.startsWith('Simulate only')), true, 'focus follows the choice');
    await page.keyboard.press('ArrowRight');
    assert.equal(await group.getByRole('radio', { name: /^Live/ }).getAttribute('aria-checked'), 'true', 'and wraps around');
  });

  it('below 900 px the sidebar folds behind a menu button that says whether it is open', async () => {
    await page.setViewportSize({ width: 880, height: 800 });
    try {
      await go('#/dashboard');
      const menu = page.getByRole('button', { name: 'Menu' });
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      assert.equal(await nav.isVisible(), false, 'the sidebar is folded away');
      await menu.focus();
      await page.keyboard.press('Enter');
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await nav.getByRole('link', { name: 'Transactions' }).waitFor();
      await shot(page, 'a11y-880-menu-open');
      await page.keyboard.press('Escape');
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Menu', 'Escape gives focus back to the button');
      await menu.click();
      await nav.getByRole('link', { name: 'Transactions' }).click();
      await page.waitForFunction(() => window.location.hash === '#/transactions');
      assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'choosing a pane folds the menu again');
      assert.equal(await nav.isVisible(), false);

      await page.setViewportSize({ width: 1280, height: 800 });
      assert.equal(await menu.isVisible(), false, 'wide windows show the sidebar and no menu button');
      assert.equal(await nav.isVisible(), true);
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('at 900 px every table shows its key columns without scrolling', async () => {
    const keyColumns: readonly { readonly hash: string; readonly ready: string; readonly columns: readonly string[] }[] = [
      { hash: '#/transactions', ready: '[data-testid="tx-row"]', columns: ['Item', 'Amount', 'Status'] },
      { hash: '#/notices', ready: '[data-testid="notice-row"]', columns: ['Notice', 'Status'] },
      { hash: '#/apps', ready: 'tbody tr', columns: ['App', 'Status'] },
      { hash: '#/wallet/history', ready: '[data-testid="history-row"]', columns: ['Purchase', 'Amount', 'Status', 'Actions'] },
      { hash: '#/wallet/buyers', ready: '[data-testid="buyer-row"]', columns: ['Buyer', 'PIN', 'Actions'] },
    ];
    await page.setViewportSize({ width: 900, height: 800 });
    try {
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false, 'at 900 px the sidebar is folded, the tables get the width');
      for (const table of keyColumns) {
        await go(table.hash);
        await page.locator(table.ready).first().waitFor();
        const hidden = await page.evaluate((want) => {
          const heads = Array.from(document.querySelectorAll<HTMLElement>('th, [role="columnheader"]'));
          return want.filter((name) => {
            const h = heads.find((x) => x.textContent?.trim() === name);
            if (!h) return true;
            const r = h.getBoundingClientRect();
            let clip = document.documentElement.clientWidth;
            for (let el = h.parentElement; el; el = el.parentElement) {
              if (getComputedStyle(el).overflowX !== 'visible') clip = Math.min(clip, el.getBoundingClientRect().right);
            }
            return r.right > clip + 0.5;
          });
        }, table.columns);
        assert.deepEqual(hidden, [], `${table.hash}: key columns out of view at 900 px`);
        assert.ok((await sideways(page)).scrollWidth <= 900, `${table.hash} does not scroll sideways`);
      }
      await go('#/transactions');
      await page.getByTestId('tx-row').first().waitFor();
      await shot(page, 'a11y-900-transactions');
      await go('#/notices');
      await page.getByTestId('notice-row').first().waitFor();
      await shot(page, 'a11y-900-notices');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('at 1280×800 the confirm pane keeps the PIN pad and Confirm in view after a wrong PIN', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await go(`#/wallet/confirm/${seeded.pendingId}`);
      await page.getByTestId('confirm-dialog').waitFor();
      await page.locator('[data-pinkey]:not([disabled])').first().waitFor();
      await page.locator('main').focus();
      await page.keyboard.type('0000');
      await page.keyboard.press('Enter');
      await page.getByTestId('confirm-error').waitFor();
      await animationsSettled(page);
      const o = await sideways(page);
      assert.ok(o.scrollWidth <= o.clientWidth, `sticking out: ${o.culprits.join(', ')}`);
      const inView = await page.evaluate(() => {
        const confirm = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim().startsWith('Confirm $'));
        const r = confirm?.getBoundingClientRect();
        return r ? { bottom: Math.round(r.bottom), height: window.innerHeight, pageHeight: document.documentElement.scrollHeight } : null;
      });
      await shot(page, 'a11y-1280x800-confirm-wrong-pin');
      assert.ok(inView && inView.bottom <= inView.height, `Confirm ends at ${inView?.bottom} px in an ${inView?.height} px window (page ${inView?.pageHeight} px)`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'a11y-dark-1280x800-confirm-wrong-pin');
      await page.emulateMedia({ colorScheme: 'light' });
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('logged no errors in the console page', () => {
    assert.deepEqual(log.unexpected([403]), []);
  });

  it('shows the screens it changed, in both themes, at 1280, 900 and 320 px', async () => {
    const consoleShots: readonly [string, string, string][] = [
      ['app-detail', `#/apps/${seeded.appKey}`, 'Signing secrets'],
      ['notice-detail', `#/notices/${seeded.noticeFailed}`, 'Decoded notice'],
      ['payment-methods', '#/wallet/methods', 'Add a card'],
      ['transactions', '#/transactions', 'Transactions'],
      ['confirm', `#/wallet/confirm/${seeded.pendingId}`, 'Rainbow Pony'],
    ];
    for (const [width, height] of [[1280, 860], [900, 800], [320, 640]] as const) {
      await page.setViewportSize({ width, height });
      await outside.setViewportSize({ width, height });
      for (const theme of themes) {
        await page.emulateMedia({ colorScheme: theme });
        await outside.emulateMedia({ colorScheme: theme });
        const tag = `a11y-${theme}-${width}`;
        for (const [name, hash, heading] of consoleShots) {
          await go(hash);
          await page.getByRole('heading', { name: heading }).first().waitFor();
          await shot(page, `${tag}-${name}`);
        }
        await outside.goto(`${demo.paydesk.url}/pay/${seeded.completedId}`);
        await outside.locator('#code').waitFor();
        await shot(outside, `${tag}-status-window-completed`);
        await outside.goto(demo.store.url);
        await outside.locator('#buy').waitFor();
        await shot(outside, `${tag}-demo-store`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    await outside.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
