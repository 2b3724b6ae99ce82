// The status window's live part (GET /pay/status.js): polls the purchase,
// counts down to its expiry, offers Cancel, and closes the window once the
// purchase has ended. It takes no PIN and no card: the buyer confirms in
// Paydesk's own wallet (docs/buy-flow.md).
(() => {
  'use strict';

  // The merchant page keeps its handle to this window (pay.js watches `closed`);
  // this window has no use for its opener.
  try {
    window.opener = null;
  } catch {
    // ignore
  }

  const body = document.body;
  const id = body.dataset.purchase;
  if (!id) return;

  const POLL_MS = 1000;
  const CLOSE_AFTER_MS = 1500;
  const text = {
    pending: ['Confirm this purchase in Paydesk', 'Switch to the Paydesk app (or its console tab), check that it shows the same code, and enter your PIN there.'],
    completed: ['Paid', 'Paydesk confirmed your purchase. This window closes by itself.'],
    cancelled: ['Purchase cancelled', 'Nothing was charged. You can close this window.'],
    declined: ['Payment declined', 'Your card was not charged. Try another payment method in Paydesk.'],
    expired: ['Request expired', 'It was not confirmed in time, and nothing was charged. Start again from the store.'],
  };

  const $ = (sel) => document.getElementById(sel);
  const title = $('status-title');
  const detail = $('status-detail');
  const expires = $('expires');
  const cancel = $('cancel');
  const error = $('error');

  const expiresAt = Date.parse(body.dataset.expiresAt || '');
  // The page clock may be off; the server said what time it was when it rendered.
  const skew = Number(body.dataset.serverNow) - Date.now() || 0;
  let status = body.dataset.status;
  let closing = false;

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function render(next) {
    status = next;
    body.dataset.status = next;
    const t = text[next] || text.pending;
    title.textContent = t[0];
    detail.textContent = t[1];
    cancel.hidden = next !== 'pending';
    const prefix = next === 'pending' ? 'Confirm in Paydesk' : t[0];
    document.title = `${prefix} · ${document.querySelector('.item').textContent}`;
    tick();
    if (next !== 'pending' && !closing) {
      closing = true;
      // Only windows a script opened may close themselves; otherwise the text above says what to do.
      setTimeout(() => window.close(), next === 'completed' ? CLOSE_AFTER_MS : CLOSE_AFTER_MS * 2);
    }
  }

  function tick() {
    if (status !== 'pending' || Number.isNaN(expiresAt)) {
      expires.textContent = '';
      return;
    }
    const left = Math.max(0, Math.round((expiresAt - (Date.now() + skew)) / 1000));
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, '0');
    expires.textContent = left > 0 ? `Expires in ${m}:${s}` : 'Expiring…';
  }

  async function poll() {
    if (status !== 'pending') return;
    try {
      const res = await fetch(`/v1/pay/${encodeURIComponent(id)}`, { cache: 'no-store', credentials: 'omit' });
      if (res.ok) {
        const p = await res.json();
        showError('');
        if (p.status !== status) render(p.status);
      } else if (res.status === 404) {
        showError('Paydesk no longer knows this purchase.');
        return;
      }
    } catch {
      showError('Paydesk is not answering. Is it still running?');
    }
    setTimeout(poll, POLL_MS);
  }

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    showError('');
    try {
      const res = await fetch(`/v1/pay/${encodeURIComponent(id)}/cancel`, {
        method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: '{}',
      });
      const p = await res.json();
      if (res.ok) render(p.status);
      else if (p && p.error && p.error.code === 'purchase_busy') showError('Paydesk is confirming this purchase right now; it can no longer be cancelled.');
      // Any other refusal means it already ended: the next poll shows how.
    } catch {
      showError('Paydesk is not answering. Is it still running?');
    } finally {
      cancel.disabled = false;
    }
  });

  render(status);
  setInterval(tick, 1000);
  setTimeout(poll, POLL_MS);
})();
