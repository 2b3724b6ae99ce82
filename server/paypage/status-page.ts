// The status window's HTML (GET /pay/<id>): what the buyer is buying, from
// whom, for how much, and the code to compare with the wallet. It never asks
// for the PIN: a window a merchant page opened is a window the merchant page
// controls (it can navigate it, or open a look-alike in its place), so the
// PIN is typed only in Paydesk's own wallet (DESIGN section 4, threat 4 of 9).
import type { z } from 'zod';
import { showControls, type PublicPurchase } from '../../contract/api.ts';

export type PublicPurchaseView = z.output<typeof PublicPurchase>;

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: every merchant-supplied string goes through here. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapes[c]!);
}

/**
 * Text a merchant or a console user wrote (item, description, seller): isolated
 * from the text around it, with any control or bidi character written out. New
 * requests cannot carry those (payment-request.ts); rows stored before can.
 */
function userText(s: string): string {
  return `<bdi>${escapeHtml(showControls(s))}</bdi>`;
}

/** What the window says for each state; status.js holds the same sentences for live updates. */
export const statusText: Readonly<Record<PublicPurchaseView['status'], { readonly title: string; readonly detail: string }>> = {
  pending: {
    title: 'Confirm this purchase in Paydesk',
    detail: 'Switch to the Paydesk app (or its console tab), check that it shows the same code, and enter your PIN there.',
  },
  completed: { title: 'Paid', detail: 'Paydesk confirmed your purchase. This window closes by itself.' },
  cancelled: { title: 'Purchase cancelled', detail: 'Nothing was charged. You can close this window.' },
  declined: { title: 'Payment declined', detail: 'Your card was not charged. Try another payment method in Paydesk.' },
  expired: { title: 'Request expired', detail: 'It was not confirmed in time, and nothing was charged. Start again from the store.' },
};

/** "$1.99", "€5.00", "¥100": symbols in en-US, where no two currencies share one ($ is USD, CA$ is CAD). */
export function formatPrice(price: PublicPurchaseView['price']): string {
  try {
    // A decimal string keeps it exact: no float between the ledger and the screen.
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: price.currency }).format(price.display as `${number}`);
  } catch {
    return `${price.display} ${price.currency}`;
  }
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Paydesk's mark, also on the sign-in pages (server/identity/pages.ts). */
export const logo = `<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect x="2" y="2" width="28" height="28" rx="8" fill="currentColor"/>
  <path d="M10 22V10h6.5a4.5 4.5 0 0 1 0 9H13" fill="none" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

const lockIcon = `<svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
  <rect x="4" y="9" width="12" height="8.5" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/>
  <path d="M7 9V6.5a3 3 0 0 1 6 0V9" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>
</svg>`;

const stateIcons = `<span class="state-icon" aria-hidden="true">
  <span class="spinner"></span>
  <svg class="tick" viewBox="0 0 24 24" focusable="false"><path d="M6 12.5l4 4 8-9" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>
  <svg class="cross" viewBox="0 0 24 24" focusable="false"><path d="M7 7l10 10M17 7L7 17" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg>
</span>`;

function page(title: string, bodyAttrs: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/pay/status.css">
<link rel="icon" href="/pay/favicon.svg" type="image/svg+xml">
<script src="/pay/status.js" defer></script>
</head>
<body ${bodyAttrs}>
<main class="sheet">
<header class="brand">${logo}<span class="brand-name">Paydesk</span><span class="brand-tag">Payment status</span></header>
${main}
</main>
</body>
</html>
`;
}

/** The status window for one purchase. `now` lets the countdown correct for a skewed page clock. */
export function renderStatusPage(p: PublicPurchaseView, now: number): string {
  const s = statusText[p.status];
  const attrs = [
    `data-purchase="${escapeHtml(p.id)}"`,
    `data-status="${escapeHtml(p.status)}"`,
    `data-expires-at="${escapeHtml(p.expiresAt)}"`,
    `data-server-now="${now}"`,
  ].join(' ');
  const description = p.item.description ? `<p class="description">${userText(p.item.description)}</p>` : '';
  return page(`${p.status === 'pending' ? 'Confirm in Paydesk' : s.title} · ${showControls(p.item.name)}`, attrs, `
<section class="purchase" aria-label="Purchase">
  <p class="seller"><span class="seller-label">Sold by</span><span class="seller-name">${userText(p.seller.name)}</span><span class="seller-host">${escapeHtml(showControls(host(p.seller.homepage)))}</span></p>
  <h1 class="item">${userText(p.item.name)}</h1>
  ${description}
  <p class="price"><span class="amount">${escapeHtml(formatPrice(p.price))}</span> <span class="currency">${escapeHtml(p.price.currency)}</span></p>
</section>
<section class="code" aria-label="Confirmation code">
  <span class="code-label">Confirmation code</span>
  <output class="code-value" id="code">${escapeHtml(p.code)}</output>
  <span class="code-hint">Paydesk shows the same code next to this purchase.</span>
</section>
<section class="status" role="status" aria-live="polite">
  ${stateIcons}
  <div class="status-text">
    <h2 class="status-title" id="status-title">${escapeHtml(s.title)}</h2>
    <p class="status-detail" id="status-detail">${escapeHtml(s.detail)}</p>
    <p class="expires" id="expires"></p>
  </div>
</section>
<p class="pin-note">${lockIcon}<span>Paydesk never asks for your PIN in this window. If a page or window asks for it, close it.</span></p>
<footer class="actions">
  <button type="button" class="cancel" id="cancel"${p.status === 'pending' ? '' : ' hidden'}>Cancel purchase</button>
  <p class="error" id="error" hidden></p>
</footer>`);
}

/** Unknown or malformed id: says what happened and what to do, in the same frame. */
export function renderNotFoundPage(): string {
  return page('Payment not found · Paydesk', 'data-status="missing"', `
<section class="missing" role="alert">
  <span class="state-icon" aria-hidden="true"><svg class="cross" viewBox="0 0 24 24" focusable="false"><path d="M7 7l10 10M17 7L7 17" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg></span>
  <h1 class="item">We can't find this payment</h1>
  <p class="description">The link may be incomplete, or Paydesk was restarted with another data folder.
  Close this window and start the purchase again from the store.</p>
</section>`);
}
