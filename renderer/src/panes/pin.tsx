// Wallet → PIN: set, change (with the current PIN), reset (only within five
// minutes of a fresh sign-in), the lock state with a live countdown, and the
// optional unlock window (0 to 300 s) during which confirmations skip the PIN.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { call, type Buyer } from '../api.ts';
import { useAction, useDocumentTitle, useNow } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatClock, formatDateTime, formatTime } from '../format.ts';
import { Badge, Button, ButtonLink, Callout, Card, EmptyState, ErrorCallout, Field, LoadingBlock, PageHeader, Segmented, UserText, described, showControls, useToast } from '../ui.tsx';
import { isPinFormat, isTrivialPin } from '../../../contract/pin.ts';
import { IconLock, IconLogin, IconUsers } from '../icons.tsx';

const RESET_WINDOW_MS = 5 * 60_000;

/** server/wallet/pin-policy.ts, for instant hints while typing; the server decides. */
/** The server's own rule (contract/pin.ts), told as the buyer types; the server checks again. */
function pinProblem(pin: string): string | undefined {
  if (!isPinFormat(pin)) return /^\d*$/.test(pin) ? '4 to 8 digits.' : 'Digits only.';
  if (isTrivialPin(pin)) return 'Too easy to guess: no repeated or sequential digits (like 1111 or 1234), repeated patterns (like 1212) or very common PINs.';
  return undefined;
}

export function PinPane() {
  useDocumentTitle('PIN');
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  // Tries, lock and windows change with time and elsewhere: show the server's current view.
  const reload = session.reload;
  useEffect(() => reload(), [reload]);
  return (
    <>
      <PageHeader title="PIN" sub="The PIN confirms purchases. It is typed only in this wallet, never on a merchant's page." />
      {!session.data ? (session.error ? <ErrorCallout error={session.error} /> : <LoadingBlock />) : !buyer ? (
        <Card><EmptyState icon={<IconUsers />} title="No buyer signed in" action={<ButtonLink variant="primary" href="#/wallet/buyers">Choose a buyer</ButtonLink>}>The PIN belongs to a buyer. Sign one in first.</EmptyState></Card>
      ) : (
        <div className="split">
          <div className="stack-lg">
            <PinStatusCard buyer={buyer} />
            {buyer.pin.set ? <ChangePinCard buyer={buyer} /> : <SetPinCard buyer={buyer} mode="set" />}
            {buyer.pin.set && <ResetPinCard buyer={buyer} signedInAt={session.data.signedInAt} />}
          </div>
          <UnlockWindowCard buyer={buyer} />
        </div>
      )}
    </>
  );
}

function PinStatusCard({ buyer }: { readonly buyer: Buyer }) {
  const { session } = useWallet();
  const now = useNow(1000);
  const lockedFor = buyer.pin.lockedUntil ? Date.parse(buyer.pin.lockedUntil) - now : 0;
  const lockOver = buyer.pin.locked && lockedFor <= 0;
  const reload = session.reload;
  useEffect(() => {
    if (lockOver) reload();
  }, [lockOver, reload]);
  return (
    <Card title="Status">
      {buyer.pin.locked && lockedFor > 0 ? (
        <div className="lock-box" role="alert" data-testid="pin-status-locked">
          <IconLock width={28} height={28} />
          <b>Locked after too many wrong PINs</b>
          <span className="lock-time">{formatClock(lockedFor)}</span>
          <span className="small muted">Unlocks at {formatTime(buyer.pin.lockedUntil)}. Each later lock lasts twice as long; a reset has to wait for the lock to end too.</span>
        </div>
      ) : (
        <dl className="kv">
          <dt>PIN</dt><dd>{buyer.pin.set ? <Badge tone="success">Set</Badge> : <Badge tone="warning">Not set</Badge>}</dd>
          {buyer.pin.setAt && <><dt>Set</dt><dd>{formatDateTime(buyer.pin.setAt)}</dd></>}
          {buyer.pin.set && <><dt>Tries left</dt><dd>{buyer.pin.triesLeft} of 5{buyer.pin.triesLeft < 5 && <span className="small muted"> · resets after a correct PIN</span>}</dd></>}
          <dt>Unlock window</dt><dd>{buyer.pin.unlockWindowSeconds === 0 ? 'Off' : `${buyer.pin.unlockWindowSeconds} s`}{buyer.pin.unlockedUntil && <Badge tone="success">Open until {formatTime(buyer.pin.unlockedUntil)}</Badge>}</dd>
        </dl>
      )}
    </Card>
  );
}

function PinInputs({ id, values, onChange, errors, withCurrent }: {
  readonly id: string; readonly withCurrent: boolean;
  readonly values: { current: string; pin: string; repeat: string }; readonly onChange: (v: { current: string; pin: string; repeat: string }) => void;
  readonly errors: { current?: string; pin?: string; repeat?: string };
}) {
  const input = (k: 'current' | 'pin' | 'repeat', label: string, hint?: string) => (
    <Field label={label} htmlFor={`${id}-${k}`} error={errors[k]} hint={hint}>
      <input id={`${id}-${k}`} className="input mono" type="password" inputMode="numeric" autoComplete="off" maxLength={8} value={values[k]}
        onChange={(e) => onChange({ ...values, [k]: e.target.value.replace(/\D/g, '') })} {...described(`${id}-${k}`, errors[k], Boolean(hint))} />
    </Field>
  );
  return (
    <div className="grid-2">
      {withCurrent && <div style={{ gridColumn: '1 / -1' }}>{input('current', 'Current PIN')}</div>}
      {input('pin', 'New PIN', '4 to 8 digits, not 1234 or 1111.')}
      {input('repeat', 'Repeat new PIN')}
    </div>
  );
}

function usePinForm(buyer: Buyer, mode: 'set' | 'change' | 'reset', onDone?: () => void) {
  const toast = useToast();
  const { session } = useWallet();
  const [values, setValues] = useState({ current: '', pin: '', repeat: '' });
  const [errors, setErrors] = useState<{ current?: string; pin?: string; repeat?: string }>({});
  const [serverError, setServerError] = useState<unknown>(undefined);
  const [submit, busy] = useAction(async () => {
    const next: typeof errors = {};
    if (mode === 'change' && !/^\d{4,8}$/.test(values.current)) next.current = 'Enter the current PIN.';
    const p = pinProblem(values.pin);
    if (p) next.pin = p;
    else if (values.repeat !== values.pin) next.repeat = 'The two PINs differ.';
    setErrors(next);
    setServerError(undefined);
    if (Object.keys(next).length > 0) return;
    try {
      await call('setPin', { params: { id: buyer.id }, body: { pin: values.pin, ...(mode === 'change' ? { currentPin: values.current } : {}) } });
      toast.success(mode === 'set' ? 'PIN set' : mode === 'change' ? 'PIN changed' : 'PIN reset', 'Use it to confirm purchases in the wallet.');
      setValues({ current: '', pin: '', repeat: '' });
      session.reload();
      onDone?.();
    } catch (e) {
      setValues({ current: '', pin: '', repeat: '' });
      setServerError(e);
      session.reload();
    }
  });
  return { values, setValues, errors, serverError, submit, busy };
}

function SetPinCard({ buyer, mode }: { readonly buyer: Buyer; readonly mode: 'set' | 'reset' }) {
  const id = useId();
  const f = usePinForm(buyer, mode);
  return (
    <Card title={mode === 'set' ? 'Set a PIN' : 'Reset the PIN'} description={mode === 'set' ? `${showControls(buyer.name)} has no PIN yet: purchases can't be confirmed without one.` : undefined}>
      <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void f.submit(); }} noValidate>
        <PinInputs id={id} values={f.values} onChange={f.setValues} errors={f.errors} withCurrent={false} />
        <ErrorCallout error={f.serverError} />
        <div className="form-actions"><Button type="submit" variant="primary" busy={f.busy}>{mode === 'set' ? 'Set PIN' : 'Reset PIN'}</Button></div>
      </form>
    </Card>
  );
}

function ChangePinCard({ buyer }: { readonly buyer: Buyer }) {
  const id = useId();
  const f = usePinForm(buyer, 'change');
  return (
    <Card title="Change the PIN" description="Needs the current PIN. Wrong tries here count toward the lock too.">
      <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void f.submit(); }} noValidate>
        <PinInputs id={id} values={f.values} onChange={f.setValues} errors={f.errors} withCurrent />
        <ErrorCallout error={f.serverError} />
        <div className="form-actions"><Button type="submit" variant="primary" busy={f.busy} disabled={buyer.pin.locked}>Change PIN</Button></div>
      </form>
    </Card>
  );
}

function ResetPinCard({ buyer, signedInAt }: { readonly buyer: Buyer; readonly signedInAt: string | null }) {
  const id = useId();
  const toast = useToast();
  const { session } = useWallet();
  const now = useNow(1000);
  const left = signedInAt ? Date.parse(signedInAt) + RESET_WINDOW_MS - now : 0;
  const f = usePinForm(buyer, 'reset');
  const [reSignIn, signingIn] = useAction(async () => {
    try {
      await call('signIn', { body: { buyerId: buyer.id } });
      session.reload();
      toast.success('Signed in again', 'You have 5 minutes to reset the PIN.');
    } catch (e) {
      toast.error(e);
    }
  });
  return (
    <Card title="Forgot the PIN?" description="A reset needs no current PIN, but only within 5 minutes of signing in, and never while the PIN is locked: a reset is not a way around the lock.">
      {buyer.pin.locked ? (
        <Callout tone="warning" title="Reset waits for the lock to end">The PIN unlocks at {formatTime(buyer.pin.lockedUntil)}. Then sign in again and reset it here.</Callout>
      ) : left > 0 ? (
        <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void f.submit(); }} noValidate>
          <Callout tone="info" title={`Reset available for ${formatClock(left)}`}>You signed in at {formatTime(signedInAt)}.</Callout>
          <PinInputs id={id} values={f.values} onChange={f.setValues} errors={f.errors} withCurrent={false} />
          <ErrorCallout error={f.serverError} />
          <div className="form-actions"><Button type="submit" variant="primary" busy={f.busy}>Reset PIN</Button></div>
        </form>
      ) : (
        <div className="spread wrap">
          <span className="muted">Sign in again as <UserText text={buyer.name} /> to reset the PIN.</span>
          <Button icon={<IconLogin />} busy={signingIn} onClick={() => reSignIn()}>Sign in again</Button>
        </div>
      )}
    </Card>
  );
}

const presets = [0, 30, 60, 120, 300] as const;

function UnlockWindowCard({ buyer }: { readonly buyer: Buyer }) {
  const id = useId();
  const toast = useToast();
  const { session } = useWallet();
  const [seconds, setSeconds] = useState(buyer.pin.unlockWindowSeconds);
  useEffect(() => setSeconds(buyer.pin.unlockWindowSeconds), [buyer.pin.unlockWindowSeconds]);
  const [save, saving] = useAction(async () => {
    try {
      await call('updateBuyer', { params: { id: buyer.id }, body: { unlockWindowSeconds: seconds } });
      toast.success('Unlock window saved', seconds === 0 ? 'Every purchase asks for the PIN.' : `After a PIN, purchases in the next ${seconds} s need only a click.`);
      session.reload();
    } catch (e) {
      toast.error(e);
    }
  });
  const dirty = seconds !== buyer.pin.unlockWindowSeconds;
  return (
    <Card title="Unlock window" description="After confirming with the PIN, later purchases in this window still need an explicit Confirm, but not the PIN.">
      <div className="stack">
        <div className="spread">
          <label htmlFor={`${id}-range`} className="label">Window length</label>
          <b className="num" aria-live="polite">{seconds === 0 ? 'Off' : `${seconds} s`}</b>
        </div>
        <input id={`${id}-range`} className="range" type="range" min={0} max={300} step={15} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} aria-valuetext={seconds === 0 ? 'Off' : `${seconds} seconds`} />
        <Segmented label="Presets" value={String(seconds)} onChange={(v) => setSeconds(Number(v))} options={presets.map((p) => ({ value: String(p), label: p === 0 ? 'Off' : p < 60 ? `${p} s` : `${p / 60} min` }))} />
        <p className="small muted">Default off; at most 5 minutes. Signing out, or another buyer signing in, closes an open window.</p>
        <div className="form-actions"><Button variant="primary" disabled={!dirty} busy={saving} onClick={() => save()}>Save</Button></div>
      </div>
    </Card>
  );
}
