// The PIN entry of the trusted confirmation: usePinEntry holds what the buyer has
// typed and what the server last said (the lock, the unlock window, the tries left),
// and sends the confirm or the cancel; PinEntryPanel only draws it. The PIN is typed
// here and nowhere else, and cleared from state the moment it is sent.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { call, isApiError, type Buyer, type PaymentMethod, type Purchase } from '../api.ts';
import { useNow } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { describeError } from '../describe-error.ts';
import { formatClock, formatMoney, formatTime } from '../format.ts';
import { Avatar, Button, Callout } from '../ui.tsx';
import { IconBackspace, IconCard, IconCheck, IconLock, IconUnlock, IconX } from '../icons.tsx';

const MAX_PIN = 8;

/** What this pane's own confirm or cancel ended in. It stays on screen until the buyer moves on. */
export type Outcome =
  | { readonly kind: 'completed' | 'cancelled'; readonly purchase: Purchase }
  | { readonly kind: 'failed'; readonly code: string };

/**
 * Confirm errors that end the attempt, and the state each leaves the purchase in:
 * shown as the attempt's result, not as a hint beside the PIN pad.
 */
export const failedStatus: Readonly<Record<string, Purchase['status']>> = {
  card_declined: 'declined', card_insufficient_funds: 'declined', card_expired: 'declined', processor_error: 'pending', purchase_expired: 'expired',
};

export interface PinEntryProps {
  readonly purchase: Purchase;
  readonly buyer: Buyer | null;
  readonly onChanged: () => void;
  readonly onOutcome: (o: Outcome) => void;
}

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
export type PadKey = Digit | 'back' | 'clear';

export interface PinEntryState {
  /** How many digits are typed (the digits themselves never leave the hook). */
  readonly digits: number;
  readonly busy: 'confirm' | 'cancel' | null;
  readonly error: unknown;
  /** A wrong PIN shakes the dots for a moment. */
  readonly shake: boolean;
  /** Until when the PIN is locked, while it is. */
  readonly lock: string | null;
  /** Until when the buyer may confirm without the PIN, if they may now. */
  readonly unlockWindow: string | null;
  readonly now: number;
  readonly needsCard: boolean;
  readonly methods: readonly PaymentMethod[];
  readonly method: PaymentMethod | undefined;
  /** Signed in, PIN set and not locked, and a card if the price needs one. */
  readonly ready: boolean;
  /** The typed PIN may be sent (none at all inside an unlock window). */
  readonly pinOk: boolean;
  chooseMethod(id: string): void;
  press(key: PadKey): void;
  confirm(): Promise<void>;
  cancel(): Promise<void>;
}

export function usePinEntry({ purchase: p, buyer, onChanged, onOutcome }: PinEntryProps): PinEntryState {
  const { session } = useWallet();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState<'confirm' | 'cancel' | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [shake, setShake] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<string | null>(null);
  const [pmId, setPmId] = useState<string | undefined>(undefined);
  const now = useNow(1000);

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
      const done = await call('confirmPurchase', {
        params: { id: p.id },
        body: { ...(typed ? { pin: typed } : {}), digest: p.digest, ...(needsCard && method ? { paymentMethodId: method.id } : {}) },
      });
      onOutcome({ kind: 'completed', purchase: done });
    } catch (e) {
      if (isApiError(e) && Object.hasOwn(failedStatus, e.code)) {
        onOutcome({ kind: 'failed', code: e.code });
        onChanged();
      } else {
        setError(e);
        if (isApiError(e)) {
          if (e.code === 'pin_incorrect') {
            setShake(true);
            setTimeout(() => setShake(false), 400);
          }
          if (e.code === 'pin_locked' && typeof e.details.lockedUntil === 'string') setLockedUntil(e.details.lockedUntil);
          // Decided elsewhere a moment ago: the reload shows what became of it.
          if (e.code === 'purchase_not_pending') onChanged();
        }
      }
    } finally {
      setBusy(null);
      reloadSession();
    }
  }, [ready, busy, pinOk, pin, p.id, p.digest, needsCard, method, onChanged, onOutcome, reloadSession]);

  const cancel = async () => {
    setBusy('cancel');
    setError(undefined);
    try {
      onOutcome({ kind: 'cancelled', purchase: await call('cancelPurchase', { params: { id: p.id }, body: {} }) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const press = useCallback((key: PadKey) => {
    if (key === 'back') setPin((x) => x.slice(0, -1));
    else if (key === 'clear') setPin('');
    else setPin((x) => (x.length >= MAX_PIN ? x : x + key));
  }, []);

  // The pad also takes the keyboard: digits, Backspace, Enter (not while typing in a field or a dialog is open).
  // Enter on a focused control is that control's own (a PIN key types its digit, Cancel cancels, a link opens).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
      if (!ready || busy) return;
      if (/^[0-9]$/.test(e.key)) {
        e.preventDefault();
        press(e.key as Digit);
      } else if (e.key === 'Backspace') {
        e.preventDefault();
        press('back');
      } else if (e.key === 'Enter' && !(t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement)) {
        e.preventDefault();
        void confirm();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ready, busy, press, confirm]);

  return {
    digits: pin.length, busy, error, shake, lock: locked ? lock : null, unlockWindow, now,
    needsCard, methods, method, ready, pinOk, chooseMethod: setPmId, press, confirm, cancel,
  };
}

const PAD_DIGITS: readonly Digit[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * No action leaves focus on a control it has just disabled, where the browser would drop it to
 * the body (WCAG 2.4.3): Clear or Delete at no digits, Confirm while the request runs or after a
 * wrong PIN empties the field. Focus goes to the pad's first key; while every key is disabled (a
 * request in flight) the panel itself holds it, and hands it to the pad once the pad is back.
 * A layout effect: it runs before the browser's own focus fix-up at the next frame.
 */
function useFocusKeptIn(panel: RefObject<HTMLDivElement | null>): void {
  const holding = useRef(false);
  useLayoutEffect(() => {
    const root = panel.current;
    if (!root) return;
    const active = document.activeElement;
    const firstKey = root.querySelector<HTMLButtonElement>('[data-pinkey]:not(:disabled)');
    if (holding.current && active === root) {
      if (firstKey) {
        holding.current = false;
        firstKey.focus();
      }
      return;
    }
    holding.current = false;
    if (active instanceof HTMLButtonElement && active.disabled && root.contains(active)) {
      if (firstKey) firstKey.focus();
      else {
        holding.current = true;
        root.focus();
      }
    }
  });
}

/** Who pays with what, the PIN pad (or the lock), what went wrong, and Cancel / Confirm. Draws a PinEntryState; holds no state. */
export function PinEntryPanel({ entry: e, purchase: p, buyer }: { readonly entry: PinEntryState; readonly purchase: Purchase; readonly buyer: Buyer | null }) {
  const { methods, method, needsCard, digits, busy, unlockWindow } = e;
  const errText = e.error ? describeError(e.error) : null;
  const errCode = isApiError(e.error) ? e.error.code : undefined;
  const keyDisabled = !e.ready || busy !== null;
  const panel = useRef<HTMLDivElement>(null);
  useFocusKeptIn(panel);

  return (
    <div className="stack pin-entry" ref={panel} tabIndex={-1} role="group" aria-label="PIN entry" aria-busy={busy !== null || undefined}>
      {/* Always in the page, so a screen reader hears what the last try said (a wrong PIN, a limit). */}
      <div className="sr-only" role="status" data-testid="pin-announcer">{errText && e.lock === null ? `${errText.title}. ${errText.body}` : ''}</div>
      {!buyer ? (
        <Callout tone="warning" title="No buyer is signed in">Sign a buyer in to the wallet to pay. <a href="#/wallet/buyers">Choose a buyer</a></Callout>
      ) : (
        <div className="payer">
          <Avatar name={buyer.name} seed={buyer.id} large />
          <div className="grow" style={{ minWidth: 0 }}>
            <div style={{ fontWeight: 600 }} className="ellipsis">Paying as {buyer.name}</div>
            <div className="small muted ellipsis">{buyer.email}</div>
            {needsCard && method && (
              methods.length === 1 ? (
                <div className="row small" style={{ marginTop: 4 }}><IconCard width={15} height={15} />{method.brand.toUpperCase()} •••• {method.last4}</div>
              ) : (
                <label className="row small" style={{ marginTop: 6 }}>
                  <IconCard width={15} height={15} /><span className="sr-only">Payment method</span>
                  <select className="select" style={{ height: 30 }} value={method.id} onChange={(ev) => e.chooseMethod(ev.target.value)}>
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

      {e.lock !== null ? (
        <div className="lock-box" role="alert" data-testid="pin-locked">
          <IconLock width={28} height={28} />
          <b>PIN locked after too many wrong tries</b>
          <span className="lock-time">{formatClock(Date.parse(e.lock) - e.now)}</span>
          <span className="small muted">Unlocks at {formatTime(e.lock)}. Each later lock lasts twice as long, so take your time.</span>
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
            <div className={`pin-dots ${e.shake ? 'shake' : ''}`} role="img" aria-labelledby="pin-label" aria-describedby="pin-count" data-testid="pin-dots">
              {Array.from({ length: Math.max(4, Math.min(MAX_PIN, digits + (digits < MAX_PIN ? 1 : 0))) }, (_, i) => <span key={i} className={i < digits ? 'filled' : ''} />)}
            </div>
            <span id="pin-count" className="sr-only" aria-live="polite">{digits} digits entered</span>
          </div>
          <div className="pinpad" role="group" aria-label="PIN pad">
            {PAD_DIGITS.map((d) => (
              <button key={d} type="button" className="pinkey" data-pinkey="1" disabled={keyDisabled} onClick={() => e.press(d)}>{d}</button>
            ))}
            <button type="button" className="pinkey pinkey-muted" data-pinkey="1" disabled={keyDisabled || digits === 0} onClick={() => e.press('clear')}>Clear</button>
            <button type="button" className="pinkey" data-pinkey="1" disabled={keyDisabled} onClick={() => e.press('0')}>0</button>
            <button type="button" className="pinkey pinkey-muted" data-pinkey="1" aria-label="Delete last digit" disabled={keyDisabled || digits === 0} onClick={() => e.press('back')}><IconBackspace /></button>
          </div>
        </div>
      )}

      {errText && e.lock === null && (
        <Callout tone={errCode === 'pin_incorrect' ? 'warning' : 'danger'} title={errText.title}>
          <span data-testid="confirm-error">{errText.body}</span>
          {errCode === 'payment_method_missing' && <> <a href="#/wallet/methods">Add a payment method</a></>}
          {errCode === 'wallet_signed_out' && <> <a href="#/wallet/buyers">Sign a buyer in</a></>}
          {errCode === 'pin_not_set' && <> <a href="#/wallet/pin">Set a PIN</a></>}
          {(errCode === 'limit_per_purchase_exceeded' || errCode === 'limit_per_month_exceeded' || errCode === 'payment_method_currency_mismatch') && <> <a href="#/wallet/methods">Payment methods</a></>}
        </Callout>
      )}

      <div className="grid-2">
        <Button size="lg" icon={<IconX />} busy={busy === 'cancel'} disabled={busy !== null} onClick={() => void e.cancel()}>Cancel</Button>
        <Button size="lg" variant="primary" icon={<IconCheck />} busy={busy === 'confirm'} disabled={!e.ready || !e.pinOk || busy !== null} onClick={() => void e.confirm()}>
          Confirm {formatMoney(p.price.amount, p.price.currency)}
        </Button>
      </div>
      <p className="xsmall subtle pad-hint" style={{ textAlign: 'center' }}>Type the PIN with the keys or the pad · Enter confirms · Backspace deletes</p>
    </div>
  );
}
