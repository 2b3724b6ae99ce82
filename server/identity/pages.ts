// The authorization page and the provider's few pages, server-rendered in the
// look of the status window (its stylesheet, /pay/status.css). Nothing is typed here: the buyer
// approves in the wallet, this page only says so and goes on once they did.
import type { SignIns } from './authorizations.ts';
import { logo } from '../paypage/status-page.ts';

type SignInView = NonNullable<ReturnType<SignIns['byInteraction']>>;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A page around `body`, in the status window's look (its stylesheet, same
 * origin, both themes follow the system); `form` is the library's own form
 * (device flow), submitted by a button outside it.
 */
export function plainPage(title: string, body: string, form = '', formId = '', script = ''): string {
  const submit = formId ? `<button type="submit" class="primary" form="${esc(formId)}">Continue</button>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="referrer" content="no-referrer">
<title>${esc(title)} · Paydesk</title><link rel="stylesheet" href="/pay/status.css">${script}</head>
<body class="sign-in-page"><main class="sheet">
<header class="brand">${logo}<span class="brand-name">Paydesk</span><span class="brand-tag">Sign in</span></header>
<section class="purchase"><h1 class="item">${esc(title)}</h1>${body}${form}${submit}</section>
</main></body></html>`;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

export function authorizationPage(s: SignInView, uid: string): string {
  const scopes = s.scopes.map((x) => `<li>${esc(x.description)}</li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="referrer" content="no-referrer">
<title>Sign in to ${esc(s.seller.name)} with Paydesk</title><link rel="stylesheet" href="/pay/status.css">
<script src="/oauth/interaction.js" defer></script></head>
<body class="sign-in-page" data-status="pending"><main class="sheet">
<header class="brand">${logo}<span class="brand-name">Paydesk</span><span class="brand-tag">Sign in</span></header>
<section class="purchase" aria-labelledby="sign-in-title">
  <p class="seller"><span class="seller-label">Asked by</span><span class="seller-name">${esc(s.seller.name)}</span><span class="seller-host">${esc(hostOf(s.seller.homepage))}</span></p>
  <h1 class="item" id="sign-in-title">Sign in to ${esc(s.seller.name)} with Paydesk</h1>
  <p class="description">If you approve, ${esc(s.seller.name)} will be able to:</p>
  <ul class="scopes">${scopes}</ul>
</section>
<section class="code" aria-label="Sign-in code">
  <span class="code-label">Sign-in code</span>
  <output class="code-value" id="code">${esc(s.code)}</output>
  <span class="code-hint">Paydesk shows the same code next to this sign-in.</span>
</section>
<section class="status" aria-labelledby="status-title">
  <span class="state-icon" aria-hidden="true"><span class="spinner"></span></span>
  <div class="status-text">
    <h2 class="status-title" id="status-title">Approve this sign-in in Paydesk</h2>
    <p class="status-detail" id="status" role="status" data-uid="${esc(uid)}">Open the Paydesk wallet, check that it shows the same code, and approve or deny there. This page goes on by itself.</p>
  </div>
</section>
<p class="pin-note"><span>Paydesk never asks for a password or PIN on this page. If a page asks for one, close it.</span></p>
<noscript><p><a href="/oauth/interaction/${esc(uid)}">I decided in Paydesk: continue</a></p></noscript>
</main></body></html>`;
}

/**
 * Long-polls until the wallet decides, then reloads: the server redirects a
 * decided sign-in to the merchant. Without JavaScript the link does the same.
 */
export const authorizationScript = `(() => {
  const status = document.getElementById('status');
  const uid = status && status.dataset.uid;
  if (!uid) return;
  const poll = () => fetch('/oauth/interaction/' + encodeURIComponent(uid) + '/wait', { credentials: 'same-origin' })
    .then((r) => r.json())
    .then((b) => { if (b.status === 'pending') poll(); else location.reload(); })
    .catch(() => { status.textContent = 'Lost contact with Paydesk. Reload this page once you decided.'; });
  poll();
})();
`;
