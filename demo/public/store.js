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
  const account = document.getElementById('account');
  const greeting = document.getElementById('greeting');
  const signout = document.getElementById('signout');
  /** The buyer signed in with Paydesk ({name}), or null: the store's server knows, the page only asks. */
  let buyer = null;
  /** The store asks buyers to sign in before buying (data-checkout="sign-in"), or also sells to guests. */
  const signInToBuy = document.body.dataset.checkout === 'sign-in';

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
      locked: !buyer && signInToBuy ? 'Sign in and buy with Paydesk' : 'Buy with Paydesk',
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
    follow(body.order);
    // Signed in: the store's server started the purchase with the buyer's payments token; pay.js follows it.
    return body.purchase ? { purchase: body.purchase } : body.jwt;
  }

  function follow(o) {
    orderId = o.id;
    order = o;
    localStorage.setItem(ORDER_KEY, orderId);
    product.dataset.order = orderId;
  }

  function showBuyer() {
    account.dataset.state = buyer ? 'signed-in' : 'signed-out';
    greeting.textContent = buyer ? `Hi, ${buyer.name}!` : '';
    if (product.dataset.state === 'locked') setState('locked');
  }

  signout.addEventListener('click', async () => {
    await fetch('/signout', { method: 'POST' }).catch(() => undefined);
    buyer = null;
    showBuyer();
    say('Signed out of the store. Paydesk still lists it in Connected apps until you revoke it there.');
  });

  /** Pay.js follows a purchase: from this click (jwt or started purchase), or one the sign-in already started. */
  function pay(input, before, text) {
    setState('buying');
    delete product.dataset.payResult;
    say(text);
    window.Paydesk.buy(
      input,
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
  }

  buy.addEventListener('click', () => {
    if (!window.Paydesk) {
      say('Paydesk could not be loaded. Is it running?');
      return;
    }
    if (!buyer && signInToBuy) {
      // One approval in the Paydesk wallet signs in; the store then starts the purchase by itself.
      say('Taking you to Paydesk to sign in…');
      location.assign('/signin?intent=buy');
      return;
    }
    // The JWT is fetched while the Paydesk window opens (pay.js opens it inside this click).
    pay(newOrder(), product.dataset.state, 'A Paydesk window opened. Confirm the purchase in Paydesk with your PIN.');
  });

  const signInWords = {
    denied: 'You declined to sign in with Paydesk. Nothing was shared with the store.',
    failed: 'Signing in with Paydesk did not complete. Try again.',
    expired: 'That sign-in had expired. Try again.',
  };

  async function start() {
    const outcome = new URLSearchParams(location.search).get('signin');
    if (outcome) history.replaceState(null, '', '/');
    let me = { buyer: null, started: null };
    try {
      const res = await fetch('/me', { cache: 'no-store' });
      if (res.ok) me = await res.json();
    } catch {
      // The store's server is away: stay signed out.
    }
    buyer = me.buyer;
    showBuyer();
    setState('locked');
    if (outcome && signInWords[outcome]) say(signInWords[outcome]);
    if (me.started && window.Paydesk) {
      // Pressed Buy signed out: the sign-in's return started the purchase. No click here, so no window:
      // the code is on this page, to compare with the wallet's.
      follow({ id: me.started.orderId, status: 'awaiting_payment' });
      pay(Promise.resolve({ purchase: me.started.purchase }), 'locked',
        `Signed in as ${buyer ? buyer.name : 'you'}. Confirm the purchase in Paydesk: it shows the code ${me.started.purchase.code}.`);
      product.dataset.code = me.started.purchase.code;
      return;
    }
    if (orderId) watch(orderId);
  }

  start();
})();
