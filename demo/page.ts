// The store page. Server-rendered only to name the provider's pay.js; the
// behaviour is in public/store.js, the look in public/store.css.

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => escapes[c]!);

export interface StorePageInput {
  /** Paydesk's origin. */
  readonly provider: string;
  readonly pony: { readonly name: string; readonly description: string; readonly display: string };
  /** sign-in: Buy signs the buyer in with Paydesk first (one approval), then pays with the token; guest: pay.js alone. */
  readonly checkout: 'sign-in' | 'guest';
}

const sparkles = Array.from({ length: 9 }, (_, i) => `<span class="sparkle s${i + 1}"></span>`).join('');

export function renderStorePage({ provider, pony, checkout }: StorePageInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(pony.name)} · Sparkle Stable</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/store.css">
<script src="${escapeHtml(provider)}/pay.js" defer></script>
<script src="/static/store.js" defer></script>
</head>
<body data-checkout="${checkout}">
<header class="topbar">
  <a class="shop-name" href="/"><img src="/favicon.svg" alt="" width="28" height="28">Sparkle Stable</a>
  <span class="topbar-note">A demo store · pays with Paydesk</span>
  <div class="account" id="account" data-state="signed-out">
    <a class="signin" id="signin" href="/signin">Sign in with Paydesk</a>
    <span class="greeting" id="greeting"></span>
    <button type="button" class="signout" id="signout">Sign out</button>
  </div>
</header>
<main class="shop">
  <article class="product" id="product" data-state="locked">
    <div class="stage">
      <div class="glow"></div>
      <img class="pony" src="/static/pony.svg" alt="${escapeHtml(pony.name)}: a pink pony with a rainbow mane and a golden star" width="400" height="320">
      <div class="sparkles" aria-hidden="true">${sparkles}</div>
      <div class="confetti" id="confetti" aria-hidden="true"></div>
      <div class="lock-badge" aria-hidden="true">
        <svg viewBox="0 0 24 24" focusable="false"><rect x="5" y="10.5" width="14" height="10" rx="2.5" fill="currentColor"/><path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>
        <span>Locked</span>
      </div>
      <div class="owned-badge" aria-hidden="true">
        <svg viewBox="0 0 24 24" focusable="false"><path d="M6 12.5l4 4 8-9" fill="none" stroke="currentColor" stroke-width="2.8" stroke-linecap="round" stroke-linejoin="round"/></svg>
        <span>Yours</span>
      </div>
    </div>
    <div class="info">
      <p class="eyebrow">Limited edition · instant delivery</p>
      <h1 class="title">${escapeHtml(pony.name)}</h1>
      <p class="description">${escapeHtml(pony.description)}</p>
      <ul class="perks">
        <li>Rainbow mane, combed daily</li>
        <li>Golden star of excellence</li>
        <li>Sparkles included (no batteries)</li>
      </ul>
      <div class="buy-row">
        <span class="price">${escapeHtml(pony.display)}</span>
        <button type="button" class="buy" id="buy">Buy with Paydesk</button>
      </div>
      <p class="message" id="message" role="status" aria-live="polite"></p>
      <p class="fineprint">You confirm in Paydesk with your PIN, never on this page. The pony unlocks when this store's
      server has received Paydesk's signed notice, not when the page is told it was paid.</p>
    </div>
  </article>
</main>
<footer class="footer">Paydesk at <code>${escapeHtml(provider)}</code></footer>
</body>
</html>
`;
}
