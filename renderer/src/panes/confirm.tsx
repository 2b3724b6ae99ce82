// Wallet → Confirmation: the trusted dialog of DESIGN section 4 step 4. The
// purchase as the provider verified it (item, price, seller and reputation, the
// code the merchant page shows too), and the PIN, typed here and nowhere else.
// The confirm carries the purchase's digest, binding the PIN to what was shown.
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, isApiError, type Buyer, type Purchase } from '../api.ts';
import { useDocumentTitle, useNow, useResource } from '../hooks.ts';
import { navigate } from '../router.ts';
import { bridge } from '../connection.ts';
import { useWallet } from '../wallet-context.tsx';
import { describeError } from '../describe-error.ts';
import { formatClock, formatDate, formatDateTime, formatMoney, formatPercent, formatTime, relativeTime, formatCount } from '../format.ts';
import { Badge, Button, ButtonLink, Callout, Card, EmptyState, ErrorState, IdChip, LoadingBlock, PageHeader, StatusBadge, Avatar, UserText } from '../ui.tsx';
import {
  IconAlert, IconBackspace, IconCard, IconCheck, IconCircleCheck, IconCircleX, IconClock, IconFlag, IconLock, IconShield, IconStore, IconUnlock, IconX,
} from '../icons.tsx';
import { AppAvatar } from './apps.tsx';

const MAX_PIN = 8;

const declineWords: Record<string, string> = {
  card_declined: 'The card issuer declined the charge. Try another payment method.',
  card_insufficient_funds: 'The card has insufficient funds for this purchase.',
  card_expired: 'The processor reports the card as expired. Preauthorize a current card.',
  processor_error: 'The processor failed; nothing was charged.',
};

export function ConfirmPane({ id }: { readonly id?: string }) {
  useDocumentTitle('Confirm purchase');
  const { pending } = useWallet();
  const list = pending.data ?? [];
  const selected = id ?? list[0]?.id;
  const others = list.filter((p) => p.id !== selected);

  return (
    <>
      <PageHeader
        title="Confirm purchase"
        sub="Purchases started on merchant pages wait here. Check the seller, the price and the code the page shows, then confirm with the PIN."
      />
      {!selected ? (
        pending.error && !pending.data ? <Card><ErrorState error={pending.error} retry={pending.reload} /></Card>
          : !pending.data ? <LoadingBlock label="Looking for pending purchases…" />
            : (
              <Card>
                <EmptyState icon={<IconShield />} title="Nothing to confirm" action={<ButtonLink href="#/lab" variant="primary">Start a test purchase</ButtonLink>}>
                  When a merchant page asks for a payment, the purchase appears here at once, with the seller's reputation and a confirmation code.
                </EmptyState>
              </Card>
            )
      ) : (
        <div className="confirm-layout">
          <PurchaseConfirmation key={selected} id={selected} />
          {others.length > 0 && (
            <Card title="Also waiting for you" description={`${others.length} more pending`} flush>
              <nav className="queue" aria-label="Other pending purchases">
                {others.map((p) => (
                  <a key={p.id} href={`#/wallet/confirm/${encodeURIComponent(p.id)}`}>
                    <AppAvatar app={{ key: p.seller.appKey, name: p.seller.name }} />
                    <span className="grow">
                      <span className="ellipsis" style={{ display: 'block', fontWeight: 560 }}>{p.item.name}</span>
                      <span className="small subtle">{p.seller.name} · expires {relativeTime(p.expiresAt)}</span>
                    </span>
                    <span className="num" style={{ fontWeight: 600 }}>{formatMoney(p.price.amount, p.price.currency)}</span>
                  </a>
                ))}
              </nav>
            </Card>
          )}
        </div>
      )}
    </>
  );
}

/** The desktop app's trusted confirmation window (app://paydesk/#/confirm/<id>): this purchase only. */
export function ConfirmWindow({ id }: { readonly id: string }) {
  useDocumentTitle('Confirm purchase');
  return (
    <main className="confirm-window" id="main">
      <PurchaseConfirmation id={id} standalone />
    </main>
  );
}

function PurchaseConfirmation({ id, standalone = false }: { readonly id: string; readonly standalone?: boolean }) {
  const res = useResource((signal) => call('getPurchase', { params: { id }, signal }), [id], { events: ['purchase.'] });
  const p = res.data;
  if (!p) return res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock />;
  if (p.status !== 'pending') return <PurchaseResult purchase={p} standalone={standalone} />;
  return <PendingPurchase purchase={p} onChanged={res.reload} />;
}

function SellerBlock({ p }: { readonly p: Purchase }) {
  const s = p.seller;
  return (
    <div className={`seller ${s.newSeller ? 'new-seller' : ''}`} data-testid="seller">
      <AppAvatar app={{ key: s.appKey, name: s.name }} />
      <div className="grow">
        <div className="row wrap">
          <b style={{ fontSize: 15 }}><UserText text={s.name} /></b>
          {s.newSeller && <span className="new-seller-flag" data-testid="new-seller"><IconFlag />New seller</span>}
        </div>
        <div className="small muted"><a href={s.homepage} target="_blank" rel="noreferrer noopener"><UserText text={s.homepage} /></a></div>
        <div className="seller-stats">
          <span>Registered <b>{formatDate(s.registeredAt)}</b></span>
          <span><b>{formatCount(s.sales)}</b> {s.sales === 1 ? 'sale' : 'sales'}</span>
          <span>Refund rate <b>{formatPercent(s.refundRate)}</b></span>
        </div>
        {s.newSeller && <div className="small seller-note" style={{ marginTop: 8 }}>This seller is new to Paydesk (under 30 days or fewer than 5 sales). Make sure you know who you're paying.</div>}
      </div>
    </div>
  );
}

function PendingPurchase({ purchase: p, onChanged }: { readonly purchase: Purchase; readonly onChanged: () => void }) {
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  const now = useNow(1000);
  const expiresIn = Date.parse(p.expiresAt) - now;
  const expired = expiresIn <= 0;
  useEffect(() => {
    if (expired) onChanged();
  }, [expired, onChanged]);

  return (
    <div className="trusted" aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <div className="trusted-head"><IconShield />Paydesk wallet<span className="head-long"> · verified payment request</span><span className="grow" />
        <span className="row small" title={`Expires ${formatDateTime(p.expiresAt, true)}`}><IconClock width={14} height={14} />Expires in {formatClock(expiresIn)}</span>
      </div>
      <div className="trusted-grid">
        <div className="trusted-body">
          <div className="stack-sm" style={{ gap: 4 }}>
            <h2 id="confirm-title"><UserText text={p.item.name} /></h2>
            <div className="muted"><UserText text={p.item.description} /></div>
          </div>
          <div className="row wrap" style={{ alignItems: 'baseline', gap: 12 }}>
            <div className="price-big" data-testid="price">{formatMoney(p.price.amount, p.price.currency)}</div>
            {p.simulate ? <Badge tone="accent">Simulated: no money moves</Badge> : p.pricePoint !== null ? <span className="small subtle">price point {p.pricePoint}</span> : null}
          </div>
          <SellerBlock p={p} />
          <div className="code-box">
            <div>
              <div className="small muted">Confirmation code</div>
              <div className="small subtle code-hint">The merchant's page shows the same code. Don't confirm if they differ.</div>
            </div>
            <span className="conf-code" data-testid="conf-code">{p.code}</span>
          </div>
          <ul className="confirm-facts">
            <li><IconShield />Paydesk verified this request with {p.seller.name}'s secret: the page that opened it could not change the price or the seller.</li>
            <li><IconCard />{p.simulate ? 'Simulated: nothing is charged, but the seller still gets its notice.' : `Nothing is charged until you confirm; then ${p.seller.name} gets a signed receipt.`}</li>
            <li><IconFlag />Not delivered? Dispute the purchase later in <a href="#/wallet/history">History</a>.</li>
          </ul>
        </div>
        <div className="trusted-side">
          <PinPanel purchase={p} buyer={buyer} onChanged={onChanged} />
        </div>
      </div>
    </div>
  );
}

function PinPanel({ purchase: p, buyer, onChanged }: { readonly purchase: Purchase; readonly buyer: Buyer | null; readonly onChanged: () => void }) {
  const { session } = useWallet();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState<'confirm' | 'cancel' | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [shake, setShake] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<string | null>(null);
  const [pmId, setPmId] = useState<string | undefined>(undefined);
  const now = useNow(1000);
  const panelRef = useRef<HTMLDivElement>(null);

  const serverLock = buyer?.pin.locked ? buyer.pin.lockedUntil : null;
  const lock = lockedUntil ?? serverLock;
  const locked = lock !== null && Date.parse(lock) > now;
  const unlockWindow = buyer?.pin.unlockedUntil && Date.parse(buyer.pin.unlockedUntil) > now ? buyer.pin.unlockedUntil : null;
  const methods = buyer?.paymentMethods ?? [];
  const needsCard = !p.simulate && p.price.amount > 0;
  const method = methods.find((m) => m.id === pmId) ?? methods[0];
  const ready = buyer !== null && buyer.pin.set && !locked && (!needsCard || methods.length > 0);
  const pinOk = unlockWindow !== null ? pin.length === 0 || pin.length >= 4 : pin.length >= 4;

  const reloadSession = session.reload;
  // The lock, the tries and the unlock window can change at any time: start from the server's view.
  useEffect(() => reloadSession(), [reloadSession]);
  useEffect(() => {
    if (lockedUntil && Date.parse(lockedUntil) <= now) {
      setLockedUntil(null);
      setError(undefined);
      reloadSession();
    }
  }, [lockedUntil, now, reloadSession]);

  const confirm = useCallback(async () => {
    if (!ready || busy || !pinOk) return;
    setBusy('confirm');
    setError(undefined);
    const typed = pin;
    setPin('');
    try {
      await call('confirmPurchase', {
        params: { id: p.id },
        body: { ...(typed ? { pin: typed } : {}), digest: p.digest, ...(needsCard && method ? { paymentMethodId: method.id } : {}) },
      });
      onChanged();
      reloadSession();
    } catch (e) {
      setError(e);
      if (isApiError(e)) {
        if (e.code === 'pin_incorrect') {
          setShake(true);
          setTimeout(() => setShake(false), 400);
        }
        if (e.code === 'pin_locked' && typeof e.details.lockedUntil === 'string') setLockedUntil(e.details.lockedUntil);
        if (['card_declined', 'card_insufficient_funds', 'card_expired', 'purchase_expired', 'purchase_not_pending'].includes(e.code)) onChanged();
      }
      reloadSession();
    } finally {
      setBusy(null);
    }
  }, [ready, busy, pinOk, pin, p.id, p.digest, needsCard, method, onChanged, reloadSession]);

  const cancel = async () => {
    setBusy('cancel');
    setError(undefined);
    try {
      await call('cancelPurchase', { params: { id: p.id }, body: {} });
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const press = useCallback((key: string) => {
    if (key === 'back') setPin((x) => x.slice(0, -1));
    else if (key === 'clear') setPin('');
    else setPin((x) => (x.length >= MAX_PIN ? x : x + key));
  }, []);

  // The pad also takes the keyboard: digits, Backspace, Enter (not while typing in a field or a dialog is open).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
      if (!ready || busy) return;
      if (/^[0-9]$/.test(e.key)) {
        e.preventDefault();
        press(e.key);
      } else if (e.key === 'Backspace') {
        e.preventDefault();
        press('back');
      } else if (e.key === 'Enter' && !(t instanceof HTMLButtonElement && !t.dataset.pinkey)) {
        e.preventDefault();
        void confirm();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ready, busy, press, confirm]);

  const errText = error ? describeError(error) : null;
  const errCode = isApiError(error) ? error.code : undefined;

  return (
    <div className="stack" ref={panelRef}>
      {!buyer ? (
        <Callout tone="warning" title="No buyer is signed in">Sign a buyer in to the wallet to pay. <a href="#/wallet/buyers">Choose a buyer</a></Callout>
      ) : (
        <div className="payer">
          <Avatar name={buyer.name} seed={buyer.id} large />
          <div className="grow" style={{ minWidth: 0 }}>
            <div style={{ fontWeight: 600 }} className="ellipsis">Paying as {buyer.name}</div>
            <div className="small muted ellipsis">{buyer.email}</div>
            {needsCard && methods.length > 0 && (
              methods.length === 1 || !method ? (
                <div className="row small" style={{ marginTop: 4 }}><IconCard width={15} height={15} />{method!.brand.toUpperCase()} •••• {method!.last4}</div>
              ) : (
                <label className="row small" style={{ marginTop: 6 }}>
                  <IconCard width={15} height={15} /><span className="sr-only">Payment method</span>
                  <select className="select" style={{ height: 30 }} value={method.id} onChange={(e) => setPmId(e.target.value)}>
                    {methods.map((m) => <option key={m.id} value={m.id}>{m.brand.toUpperCase()} •••• {m.last4} ({m.currency})</option>)}
                  </select>
                </label>
              )
            )}
          </div>
        </div>
      )}
      {buyer && needsCard && methods.length === 0 && (
        <Callout tone="warning" title="No payment method">{buyer.name} has no preauthorized card. <a href="#/wallet/methods">Add a payment method</a>, then come back.</Callout>
      )}
      {buyer && !buyer.pin.set && (
        <Callout tone="warning" title="No PIN yet">{buyer.name} needs a PIN before confirming purchases. <a href="#/wallet/pin">Set a PIN</a></Callout>
      )}

      {locked ? (
        <div className="lock-box" role="alert" data-testid="pin-locked">
          <IconLock width={28} height={28} />
          <b>PIN locked after too many wrong tries</b>
          <span className="lock-time">{formatClock(Date.parse(lock!) - now)}</span>
          <span className="small muted">Unlocks at {formatTime(lock)}. Each later lock lasts twice as long, so take your time.</span>
        </div>
      ) : (
        <div className="pinpad-card" style={{ padding: 0 }}>
          {unlockWindow && (
            <Callout tone="success" icon={<IconUnlock />} title="Unlock window open">
              You confirmed with your PIN recently: until {formatTime(unlockWindow)} you can confirm without it.
            </Callout>
          )}
          <div className="stack-sm" style={{ alignItems: 'center' }}>
            <div className="label" id="pin-label">{unlockWindow ? 'PIN (optional)' : 'Enter your PIN'}</div>
            <div className={`pin-dots ${shake ? 'shake' : ''}`} role="img" aria-labelledby="pin-label" aria-describedby="pin-count" data-testid="pin-dots">
              {Array.from({ length: Math.max(4, Math.min(MAX_PIN, pin.length + (pin.length < MAX_PIN ? 1 : 0))) }, (_, i) => <span key={i} className={i < pin.length ? 'filled' : ''} />)}
            </div>
            <span id="pin-count" className="sr-only" aria-live="polite">{pin.length} digits entered</span>
          </div>
          <div className="pinpad" role="group" aria-label="PIN pad">
            {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
              <button key={d} type="button" className="pinkey" data-pinkey="1" disabled={!ready || busy !== null} onClick={() => press(d)}>{d}</button>
            ))}
            <button type="button" className="pinkey pinkey-muted" data-pinkey="1" disabled={!ready || busy !== null || pin.length === 0} onClick={() => press('clear')}>Clear</button>
            <button type="button" className="pinkey" data-pinkey="1" disabled={!ready || busy !== null} onClick={() => press('0')}>0</button>
            <button type="button" className="pinkey pinkey-muted" data-pinkey="1" aria-label="Delete last digit" disabled={!ready || busy !== null || pin.length === 0} onClick={() => press('back')}><IconBackspace /></button>
          </div>
        </div>
      )}

      {errText && !locked && (
        <Callout tone={errCode === 'pin_incorrect' ? 'warning' : 'danger'} title={errText.title}>
          <span data-testid="confirm-error">{errText.body}</span>
          {errCode === 'payment_method_missing' && <> <a href="#/wallet/methods">Add a payment method</a></>}
          {errCode === 'wallet_signed_out' && <> <a href="#/wallet/buyers">Sign a buyer in</a></>}
          {errCode === 'pin_not_set' && <> <a href="#/wallet/pin">Set a PIN</a></>}
          {(errCode === 'limit_per_purchase_exceeded' || errCode === 'limit_per_month_exceeded' || errCode === 'payment_method_currency_mismatch') && <> <a href="#/wallet/methods">Payment methods</a></>}
        </Callout>
      )}

      <div className="grid-2">
        <Button size="lg" icon={<IconX />} busy={busy === 'cancel'} disabled={busy !== null} onClick={cancel}>Cancel</Button>
        <Button size="lg" variant="primary" icon={<IconCheck />} busy={busy === 'confirm'} disabled={!ready || !pinOk || busy !== null} onClick={() => void confirm()}>
          Confirm {formatMoney(p.price.amount, p.price.currency)}
        </Button>
      </div>
      <p className="xsmall subtle pad-hint" style={{ textAlign: 'center' }}>Type the PIN with the keys or the pad · Enter confirms · Backspace deletes</p>
    </div>
  );
}

function PurchaseResult({ purchase: p, standalone }: { readonly purchase: Purchase; readonly standalone: boolean }) {
  const close = bridge()?.closeConfirmation;
  const ok = p.status === 'completed';
  const declined = p.status === 'declined';
  const title = ok ? 'Payment complete' : declined ? 'Payment declined' : p.status === 'cancelled' ? 'Purchase cancelled' : 'Purchase expired';
  const body = ok
    ? `${formatMoney(p.price.amount, p.price.currency)} paid to ${p.seller.name}. The store's page gets its confirmation, and Paydesk sends the merchant a signed postback.`
    : declined
      ? `${p.failure ? declineWords[p.failure.code] ?? p.failure.code : 'The charge was declined.'} Nothing was charged; the store's page was told PAYMENT_DECLINED.`
      : p.status === 'cancelled' ? 'Nothing was charged. The store\'s page was told USER_CANCELLED.' : 'It waited too long for a confirmation. Nothing was charged; ask the store to start again.';
  return (
    <Card>
      <div className="result-hero" data-testid="purchase-result">
        <div className={`hero-icon ${ok ? 'hero-success' : declined ? 'hero-danger' : 'hero-neutral'}`}>{ok ? <IconCircleCheck /> : declined ? <IconCircleX /> : <IconAlert />}</div>
        <h2>{title}</h2>
        <p className="muted" style={{ maxWidth: 520 }}>{body}</p>
        <StatusBadge status={p.status} large />
      </div>
      <dl className="kv" style={{ maxWidth: 560, margin: '0 auto' }}>
        <dt>Item</dt><dd>{p.item.name}</dd>
        <dt>Seller</dt><dd className="row"><IconStore width={15} height={15} />{p.seller.name}</dd>
        <dt>Amount</dt><dd className="num">{formatMoney(p.price.amount, p.price.currency)}</dd>
        {p.transactionID && <><dt>Transaction id</dt><dd><IdChip value={p.transactionID} /></dd></>}
        {p.paymentMethod && <><dt>Paid with</dt><dd>{p.paymentMethod.brand.toUpperCase()} •••• {p.paymentMethod.last4}</dd></>}
        {p.failure && <><dt>Reason</dt><dd><code className="code-inline">{p.failure.code}</code></dd></>}
        <dt>{ok ? 'Completed' : 'Started'}</dt><dd>{formatDateTime(p.completedAt ?? p.createdAt, true)}</dd>
      </dl>
      <div className="row" style={{ justifyContent: 'center', marginTop: 24 }}>
        {standalone && close ? (
          <Button variant="primary" onClick={() => void close(p.id)}>Close</Button>
        ) : (
          <>
            <Button onClick={() => navigate('/wallet/history')}>Purchase history</Button>
            <Button variant="primary" onClick={() => navigate('/wallet/confirm')}>Done</Button>
          </>
        )}
      </div>
    </Card>
  );
}
