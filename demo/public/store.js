// The store page. It asks its own server for a signed payment request, hands
// it to Paydesk (pay.js), and then does NOT trust Paydesk's callback: the pony
// unlocks only when the store's server says it received the postback, and
// locks again when the server has received a chargeback.
(() => {
  'use strict';

  const ORDER_KEY = 'sparkle-stable.order';
  const product = document.getElementById('product');
  const buy = document.getElementById('buy');
  const message = document.getElementById('message');
  const confetti = document.getElementById('confetti');

  const failures = {
    USER_CANCELLED: 'You cancelled the purchase. The pony is still waiting for you.',
    DIALOG_CLOSED_BY_USER: 'The Paydesk window was closed, so the purchase was cancelled.',
    PAYMENT_DECLINED: 'Your payment was declined. Try another card in Paydesk.',
    PAYMENT_TIMEOUT: 'The purchase was not confirmed in time. Try again when you are ready.',
    NETWORK_ERROR: 'Paydesk could not be reached. Is it running?',
    INVALID_REQUEST: 'Paydesk refused the payment request.',
  };

  let orderId = localStorage.getItem(ORDER_KEY);
  let order = null;
  let watching = null;

  function say(text) {
    message.textContent = text;
  }

  function setState(state) {
    product.dataset.state = state;
    const label = {
      locked: 'Buy with Paydesk',
      buying: 'Waiting for Paydesk…',
      verifying: 'Checking with the store…',
      unlocked: 'You own this pony',
      charged_back: 'Buy again',
    }[state];
    buy.textContent = label;
    buy.disabled = state === 'buying' || state === 'verifying' || state === 'unlocked';
  }

  function celebrate() {
    confetti.replaceChildren();
    const colors = ['#ff5fa2', '#ffb84d', '#ffe45c', '#5fe3a1', '#5cc8ff', '#a78bfa'];
    for (let i = 0; i < 42; i++) {
      const bit = document.createElement('span');
      // CSSOM custom properties: allowed by the page's style-src 'self'.
      bit.style.setProperty('--x', `${Math.round((Math.random() - 0.5) * 520)}px`);
      bit.style.setProperty('--y', `${Math.round(-120 - Math.random() * 260)}px`);
      bit.style.setProperty('--r', `${Math.round(Math.random() * 720 - 360)}deg`);
      bit.style.setProperty('--d', `${(Math.random() * 0.25).toFixed(2)}s`);
      bit.style.setProperty('--c', colors[i % colors.length]);
      confetti.append(bit);
    }
    product.classList.remove('reveal');
    void product.offsetWidth; // restart the animation
    product.classList.add('reveal');
  }

  function show(o, { fresh } = { fresh: false }) {
    order = o;
    product.dataset.order = o.id;
    product.dataset.orderStatus = o.status;
    if (o.status === 'paid') {
      setState('unlocked');
      if (fresh) celebrate();
      say(`It's yours! The store received Paydesk's postback for transaction ${o.transactionID}.`);
    } else if (o.status === 'charged_back') {
      setState('charged_back');
      product.classList.remove('reveal');
      say(`The pony went back to the stable: the store received a chargeback (${o.chargebackReason}).`);
    }
  }

  async function fetchOrder(id) {
    const res = await fetch(`/orders/${encodeURIComponent(id)}`, { cache: 'no-store' });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  /** Polls the store's own server: fast while waiting for the postback, slowly afterwards (a chargeback may come later). */
  function watch(id) {
    if (watching) clearTimeout(watching);
    const step = async () => {
      let next = 3000;
      try {
        const o = await fetchOrder(id);
        if (!o) return;
        const known = order && order.id === o.id ? order : null;
        // Celebrate a payment seen happening, not one found on page load.
        if (!known || known.status !== o.status) show(o, { fresh: o.status === 'paid' && known !== null });
        if (o.status === 'awaiting_payment' && product.dataset.state === 'verifying') next = 1000;
      } catch {
        next = 5000;
      }
      if (id === orderId) watching = setTimeout(step, next);
    };
    step();
  }

  async function newOrder() {
    const res = await fetch('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || `The store could not prepare the order (HTTP ${res.status}).`);
    orderId = body.order.id;
    order = body.order;
    localStorage.setItem(ORDER_KEY, orderId);
    product.dataset.order = orderId;
    return body.jwt;
  }

  buy.addEventListener('click', () => {
    if (!window.Paydesk) {
      say('Paydesk could not be loaded. Is it running?');
      return;
    }
    const before = product.dataset.state;
    setState('buying');
    delete product.dataset.payResult;
    say('A Paydesk window opened. Confirm the purchase in Paydesk with your PIN.');
    // The JWT is fetched while the Paydesk window opens (pay.js opens it inside this click).
    window.Paydesk.buy(
      newOrder(),
      (result) => {
        // Paydesk's word to the page is not proof of payment: wait for the store's server.
        product.dataset.payResult = `success:${result.transactionID}`;
        setState('verifying');
        say(`Paydesk confirmed transaction ${result.transactionID}. Waiting for the store's server to receive the postback…`);
        watch(orderId);
      },
      (name, error) => {
        product.dataset.payResult = `failure:${name}`;
        setState(before === 'charged_back' ? 'charged_back' : 'locked');
        say(failures[name] || `The purchase failed: ${error && error.message ? error.message : name}`);
        // The order may still be paid (a postback can arrive late): keep an eye on it.
        if (orderId) watch(orderId);
      },
    );
  });

  setState('locked');
  if (orderId) watch(orderId);
})();
