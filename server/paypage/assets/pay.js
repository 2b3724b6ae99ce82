// Paydesk pay.js, served by the provider at GET /pay.js (docs/buy-flow.md).
//
// A merchant page loads it with <script src="<provider>/pay.js"> and calls
//   Paydesk.buy(jwt | jwt[] | Promise, onSuccess, onFailure)
//     (or a Promise for {purchase}: one the merchant's server started with a payments token)
//   await Paydesk.pay(jwt | jwt[] | Promise)          → {transactionID}
//   navigator.mozPay([jwt])                          → DOMRequest-like
// Plain ES2020, no build step, no globals besides `Paydesk` (and the mozPay
// polyfill when the browser has none). The PIN is never asked for here or in
// the status window: the buyer confirms in Paydesk's own wallet (DESIGN §4).
(() => {
  'use strict';

  if (window.Paydesk && typeof window.Paydesk.pay === 'function') return; // loaded twice

  const VERSION = '1';
  const STATUS_POLL_MS = 1000;
  const CLOSED_CHECK_MS = 250;
  /** Consecutive failed polls (about this many seconds) before NETWORK_ERROR. */
  const MAX_POLL_FAILURES = 15;
  const WINDOW_WIDTH = 440;
  const WINDOW_HEIGHT = 700;

  /** The error names of navigator.mozPay (Firefox OS), plus the two Paydesk adds. */
  const errors = Object.freeze({
    USER_CANCELLED: 'USER_CANCELLED',
    DIALOG_CLOSED_BY_USER: 'DIALOG_CLOSED_BY_USER',
    PAYMENT_DECLINED: 'PAYMENT_DECLINED',
    PAYMENT_TIMEOUT: 'PAYMENT_TIMEOUT',
    INVALID_REQUEST: 'INVALID_REQUEST',
    NETWORK_ERROR: 'NETWORK_ERROR',
    INTERNAL_ERROR: 'INTERNAL_ERROR',
  });

  const terminalErrors = { cancelled: errors.USER_CANCELLED, declined: errors.PAYMENT_DECLINED, expired: errors.PAYMENT_TIMEOUT };

  /** The provider is whoever served this file: the page never names it twice. */
  function findProvider() {
    const own = document.currentScript;
    if (own && own.src) return new URL(own.src, location.href).origin;
    for (const el of document.querySelectorAll('script[src]')) {
      const u = new URL(el.getAttribute('src'), location.href);
      if (u.pathname === '/pay.js') return u.origin;
    }
    return location.origin;
  }
  const provider = findProvider();

  function payError(name, message, extra) {
    const e = new Error(message || name);
    e.name = name;
    if (extra) Object.assign(e, extra);
    return e;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * 128 random bits written as letters, one per 4 bits: hex digits could line up
   * as a Luhn-valid run that reads as a card number in a log or the ledger.
   * (crypto.randomUUID() needs a secure context; a merchant page may not be one.)
   */
  function randomKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const letter = (nibble) => String.fromCharCode(97 + nibble);
    return `payjs-${Array.from(bytes, (b) => letter(b >> 4) + letter(b & 15)).join('')}`;
  }

  /** JSON over fetch, without cookies or referrer: the JWT is the only credential. */
  async function call(method, path, body, headers) {
    let res;
    try {
      res = await fetch(provider + path, {
        method,
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw payError(errors.NETWORK_ERROR, `Paydesk at ${provider} could not be reached.`, { cause: e });
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      throw payError(errors.NETWORK_ERROR, `Paydesk at ${provider} sent an unreadable answer (HTTP ${res.status}).`);
    }
    return { status: res.status, data };
  }

  function serverError(r) {
    const err = (r.data && r.data.error) || {};
    const code = typeof err.code === 'string' ? err.code : `http_${r.status}`;
    const message = typeof err.message === 'string' ? `${code}: ${err.message}` : code;
    // 4xx: something about the request itself; 5xx: Paydesk's side.
    const name = r.status >= 500 ? errors.INTERNAL_ERROR : errors.INVALID_REQUEST;
    return payError(name, message, { code, status: r.status, detail: err });
  }

  async function createPurchase(jwts) {
    const key = randomKey();
    let r;
    try {
      r = await call('POST', '/v1/pay', { jwts }, { 'idempotency-key': key });
    } catch (e) {
      // One retry with the same key: a purchase created by the lost attempt is replayed, not doubled.
      if (e.name !== errors.NETWORK_ERROR) throw e;
      await sleep(500);
      r = await call('POST', '/v1/pay', { jwts }, { 'idempotency-key': key });
    }
    if (r.status !== 201 && r.status !== 200) throw serverError(r);
    return r.data;
  }

  async function purchaseStatus(id) {
    const r = await call('GET', `/v1/pay/${encodeURIComponent(id)}`);
    if (r.status !== 200) throw serverError(r);
    return r.data;
  }

  /**
   * Cancels a pending purchase. `cancelledNow` is false when it had already
   * ended (the buyer confirmed in the wallet, or pressed Cancel in the window).
   */
  async function cancelPurchase(id) {
    const r = await call('POST', `/v1/pay/${encodeURIComponent(id)}/cancel`, {});
    if (r.status === 200) return { purchase: r.data, cancelledNow: true };
    return { purchase: await purchaseStatus(id), cancelledNow: false };
  }

  function isStartedPurchase(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.purchase === 'object' && value.purchase !== null
      && typeof value.purchase.id === 'string' && typeof value.purchase.status === 'string';
  }

  function normalizeJwts(value) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0)) {
      throw payError(errors.INVALID_REQUEST, 'pay_no_request: Pass a payment request JWT (a string), or an array of them.', { code: 'pay_no_request' });
    }
    return list;
  }

  // --- the status window --------------------------------------------------

  /**
   * Opened synchronously, inside the click that started the purchase, as
   * about:blank: popup blockers allow a window.open that runs in the click
   * handler, and the JWTs may still be on their way from the merchant's server.
   */
  function openStatusWindow() {
    const left = Math.round((window.screenX || 0) + Math.max(0, ((window.outerWidth || WINDOW_WIDTH) - WINDOW_WIDTH) / 2));
    const top = Math.round((window.screenY || 0) + Math.max(0, ((window.outerHeight || WINDOW_HEIGHT) - WINDOW_HEIGHT) / 3));
    let w = null;
    try {
      w = window.open('', `paydesk_${randomKey()}`, `popup=yes,width=${WINDOW_WIDTH},height=${WINDOW_HEIGHT},left=${left},top=${top}`);
    } catch {
      w = null;
    }
    if (w) paintLoading(w);
    return w;
  }

  /** "Opening Paydesk…" while the purchase is created. DOM and CSSOM only, so a strict page CSP allows it. */
  function paintLoading(w) {
    try {
      const d = w.document;
      d.title = 'Paydesk';
      const dark = w.matchMedia && w.matchMedia('(prefers-color-scheme: dark)').matches;
      Object.assign(d.body.style, {
        margin: '0', height: '100vh', display: 'grid', placeItems: 'center',
        font: '15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif',
        background: dark ? '#0f1115' : '#f6f7fb', color: dark ? '#c9ceda' : '#4a5163',
      });
      const p = d.createElement('p');
      p.textContent = 'Opening Paydesk…';
      d.body.replaceChildren(p);
    } catch {
      // Not ours to paint (already navigated): nothing to do.
    }
  }

  function isClosed(w) {
    try {
      return w.closed;
    } catch {
      return false;
    }
  }

  function closeSoon(w, ms) {
    if (!w) return;
    setTimeout(() => {
      try {
        if (!w.closed) w.close();
      } catch {
        // ignore
      }
    }, ms);
  }

  // --- the flow -----------------------------------------------------------

  function settle(p, popup, closedByUser) {
    if (p.status === 'completed') {
      closeSoon(popup, 1800);
      return { transactionID: p.transactionID };
    }
    closeSoon(popup, 1800);
    const name = closedByUser && p.status === 'cancelled' ? errors.DIALOG_CLOSED_BY_USER : p.error || terminalErrors[p.status] || errors.INTERNAL_ERROR;
    throw payError(name, messageFor(name), { purchaseId: p.id });
  }

  function messageFor(name) {
    switch (name) {
      case errors.USER_CANCELLED: return 'The buyer cancelled the purchase.';
      case errors.DIALOG_CLOSED_BY_USER: return 'The buyer closed the Paydesk window; the purchase was cancelled.';
      case errors.PAYMENT_DECLINED: return 'The payment was declined.';
      case errors.PAYMENT_TIMEOUT: return 'The purchase was not confirmed in time.';
      default: return name;
    }
  }

  async function run(input, popup) {
    let p;
    try {
      const given = await input;
      // A purchase the merchant's server already started with the buyer's payments
      // token (POST /v1/pay with Authorization: Bearer, docs/identity.md): the token
      // stays on that server, and this page only follows the purchase.
      p = isStartedPurchase(given) ? given.purchase : await createPurchase(normalizeJwts(given));
    } catch (e) {
      if (popup) closeSoon(popup, 0);
      if (e && typeof e.name === 'string' && Object.prototype.hasOwnProperty.call(errors, e.name)) throw e;
      // The merchant's own promise for the JWT failed.
      throw payError(errors.INVALID_REQUEST, `The payment request could not be prepared: ${e && e.message ? e.message : e}`, { cause: e });
    }

    let closedByUser = false;
    if (popup) {
      if (isClosed(popup)) {
        // Closed before the purchase even existed.
        popup = null;
        const c = await cancelPurchase(p.id).catch(() => ({ purchase: { ...p, status: 'cancelled' }, cancelledNow: true }));
        p = c.purchase;
        closedByUser = c.cancelledNow;
      } else {
        try {
          popup.location.replace(`${provider}/pay/${encodeURIComponent(p.id)}`);
        } catch {
          popup = null;
        }
      }
    }

    let failures = 0;
    let nextPoll = Date.now() + STATUS_POLL_MS;
    while (p.status === 'pending') {
      await sleep(popup ? CLOSED_CHECK_MS : STATUS_POLL_MS);
      if (popup && isClosed(popup)) {
        // Closed while pending: cancel, unless the buyer confirmed in the wallet meanwhile.
        popup = null;
        try {
          const c = await cancelPurchase(p.id);
          p = c.purchase;
          closedByUser = c.cancelledNow;
        } catch {
          closedByUser = true;
          p = { ...p, status: 'cancelled', error: errors.DIALOG_CLOSED_BY_USER };
        }
        continue;
      }
      if (popup && Date.now() < nextPoll) continue;
      nextPoll = Date.now() + STATUS_POLL_MS;
      try {
        p = await purchaseStatus(p.id);
        failures = 0;
      } catch (e) {
        if (e.name !== errors.NETWORK_ERROR || ++failures >= MAX_POLL_FAILURES) {
          closeSoon(popup, 0);
          throw e;
        }
      }
    }
    return settle(p, popup, closedByUser);
  }

  /**
   * Starts a purchase. Must be called from the click (or key) handler that
   * starts it, so the status window can open; `jwts` may be a promise for the
   * JWT(s) from the merchant's server.
   */
  function pay(jwts) {
    const popup = openStatusWindow();
    let input;
    try {
      input = Promise.resolve(typeof jwts === 'function' ? jwts() : jwts);
    } catch (e) {
      input = Promise.reject(e);
    }
    return run(input, popup);
  }

  /** Callback style, like Google In-App Payments' buy(): onFailure(errorName, error). */
  function buy(jwts, onSuccess, onFailure) {
    pay(jwts).then(
      (result) => {
        if (typeof onSuccess === 'function') onSuccess(result);
      },
      (e) => {
        if (typeof onFailure === 'function') onFailure(e.name, e);
      },
    );
  }

  // --- navigator.mozPay polyfill -----------------------------------------------

  /** Like Firefox OS's DOMRequest: readyState, result, error, onsuccess/onerror and events. */
  class PaydeskRequest extends EventTarget {
    constructor() {
      super();
      this.readyState = 'pending';
      this.result = undefined;
      this.error = null;
      this.onsuccess = null;
      this.onerror = null;
    }
  }

  function fire(req, type) {
    const event = new Event(type);
    req.dispatchEvent(event);
    const handler = req[`on${type}`];
    if (typeof handler === 'function') handler.call(req, event);
  }

  function mozPay(jwts) {
    const req = new PaydeskRequest();
    pay(jwts).then(
      (result) => {
        req.readyState = 'done';
        req.result = result;
        fire(req, 'success');
      },
      (e) => {
        req.readyState = 'done';
        req.error = e;
        fire(req, 'error');
      },
    );
    return req;
  }

  if (typeof navigator.mozPay !== 'function') {
    Object.defineProperty(navigator, 'mozPay', { value: mozPay, configurable: true, writable: true });
  }

  window.Paydesk = Object.freeze({ version: VERSION, provider, errors, buy, pay, mozPay });
})();
