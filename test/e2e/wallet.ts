// Confirming a purchase the way a buyer does: in Paydesk's own wallet (the
// console in a browser tab, opened with a login link), with the PIN. While
// the console is not built, the same confirmation goes through the console API.
import type { BrowserContext, Page } from 'playwright-core';
import { screenshot, type Stage } from './harness.ts';
import { openConsole, type ConsoleServer } from '../helpers/console.ts';

export type ConfirmedVia = 'wallet pane' | 'console API';

async function consoleBuilt(url: string): Promise<boolean> {
  const r = await fetch(`${url}/`);
  return r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('text/html');
}

/**
 * Drives the wallet's confirm pane (`#/wallet/confirm/<id>`) in a second page:
 * checks it shows the same code as the status window, types the PIN on its pad
 * (the keyboard feeds the pad) and confirms. False when that pane is not there.
 */
async function confirmInWalletPane(context: BrowserContext, paydesk: ConsoleServer, purchaseId: string, code: string, pin: string): Promise<boolean> {
  const wallet: Page = await context.newPage();
  try {
    await openConsole(wallet, paydesk, `#/wallet/confirm/${purchaseId}`);
    const dialog = wallet.locator('[data-testid="confirm-dialog"]');
    try {
      await dialog.waitFor({ timeout: 10_000 });
    } catch {
      return false;
    }
    const shown = (await wallet.locator('[data-testid="conf-code"]').textContent())?.trim();
    if (shown !== code) throw new Error(`the wallet shows code ${shown}, the status window ${code}`);
    await wallet.locator('.pinkey').first().waitFor();
    for (const digit of pin) await wallet.locator('.pinpad button.pinkey', { hasText: new RegExp(`^${digit}$`) }).click();
    await screenshot(wallet, 'wallet-confirm');
    await wallet.getByRole('button', { name: /^Confirm\b/ }).click();
    await wallet.locator('[data-testid="purchase-result"]').waitFor({ timeout: 10_000 });
    return true;
  } finally {
    await wallet.close();
  }
}

export async function confirmPurchase(stage: Stage, purchaseId: string, code: string): Promise<ConfirmedVia> {
  const { demo } = stage;
  if (await consoleBuilt(demo.paydesk.url) && (await confirmInWalletPane(stage.context, demo.paydesk, purchaseId, code, demo.buyer.pin))) {
    return 'wallet pane';
  }
  const shown = await stage.client.call('getPurchase', { params: { id: purchaseId } });
  if (shown.code !== code) throw new Error(`the wallet shows code ${shown.code}, the status window ${code}`);
  const r = await stage.client.call('confirmPurchase', { params: { id: purchaseId }, body: { pin: demo.buyer.pin, digest: shown.digest } });
  if (r.status !== 'completed') throw new Error(`confirm: the purchase is ${r.status}`);
  return 'console API';
}
