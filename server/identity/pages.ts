// The authorization page and the provider's few pages, server-rendered and
// plain (the signin-ui work restyles them). Nothing is typed here: the buyer
// approves in the wallet, this page only says so and goes on once they did.
import type { SignIns } from './authorizations.ts';

type SignInView = NonNullable<ReturnType<SignIns['byInteraction']>>;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page around `body`; `form` is the library's own form (device flow), submitted by a button outside it. */
export function plainPage(title: string, body: string, form = '', formId = ''): string {
  const submit = formId ? `<button type="submit" form="${esc(formId)}">Continue</button>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Paydesk</title></head><body><main><h1>${esc(title)}</h1>${body}${form}${submit}</main></body></html>`;
}

export function authorizationPage(s: SignInView, uid: string): string {
  const scopes = s.scopes.map((x) => `<li>${esc(x.description)}</li>`).join('');
  return plainPage(`Sign in to ${s.seller.name} with Paydesk`, `
<p><strong>${esc(s.seller.name)}</strong> (${esc(s.seller.homepage)}) asks to:</p>
<ul>${scopes}</ul>
<p>Code: <strong id="code">${esc(s.code)}</strong></p>
<p id="status" role="status" data-uid="${esc(uid)}">Approve this sign-in in Paydesk: check that the wallet shows the same code.</p>
<noscript><p><a href="/oauth/interaction/${esc(uid)}">I decided in Paydesk: continue</a></p></noscript>
<script src="/oauth/interaction.js"></script>`);
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
