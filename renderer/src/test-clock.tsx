// The "Test clock" banner: shown only when Paydesk runs with --test-clock (the
// server says enabled: false otherwise, and nothing is shown). It says what
// time Paydesk thinks it is and moves it forward; what that does (purchases
// expire, lockouts end, retries go out, grace periods end) is the server's
// doing, and the panes refresh from the events it sends.
import { useEffect, useState, type FormEvent } from 'react';
import { call } from './api.ts';
import { setPaydeskClockOffset, useAction, useNow, useResource } from './hooks.ts';
import { formatDateTime, formatSpan } from './format.ts';
import { Button, useToast } from './ui.tsx';
import { IconClock } from './icons.tsx';

const steps: readonly { readonly label: string; readonly seconds: number; readonly why: string }[] = [
  { label: '+5 min', seconds: 5 * 60, why: 'ends a first PIN lockout' },
  { label: '+15 min', seconds: 15 * 60, why: 'expires pending purchases' },
  { label: '+1 h', seconds: 3600, why: 'runs the next notice retries' },
  { label: '+1 day', seconds: 24 * 3600, why: 'ends a default secret grace period' },
];

const units = { minutes: 60, hours: 3600, days: 24 * 3600 } as const;
type Unit = keyof typeof units;

export function TestClockBanner() {
  const clock = useResource((signal) => call('getTestClock', { signal }), [], { events: ['clock.advanced'], keepData: true });
  const toast = useToast();
  const [amount, setAmount] = useState('2');
  const [unit, setUnit] = useState<Unit>('hours');
  const [advance, busy] = useAction(async (seconds: number) => {
    try {
      const r = await call('advanceTestClock', { body: { seconds } });
      toast.success('Test clock moved', `Paydesk's time is now ${formatDateTime(r.now, true)}.`);
      clock.reload();
    } catch (e) {
      toast.error(e);
    }
  });
  const offset = clock.data?.offsetMs ?? 0;
  // The console runs on the same computer as Paydesk: its clock plus the offset is Paydesk's time,
  // which every countdown (useNow) reads.
  useEffect(() => setPaydeskClockOffset(offset), [offset]);
  // Ticks every second; the time shown is computed from the offset of this render, never a tick behind an advance.
  useNow(1000, clock.data?.enabled === true);
  const now = Date.now() + offset;
  if (!clock.data?.enabled) return null;
  const custom = Number(amount) * units[unit];
  const customValid = Number.isInteger(custom) && custom >= 1 && custom <= 366 * 24 * 3600;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (customValid) void advance(custom);
  };
  return (
    <section className="banner test-clock" aria-label="Test clock" data-testid="test-clock">
      <IconClock />
      <div className="test-clock-text">
        <div><b>Test clock</b> · Paydesk's time is <b data-testid="test-clock-now">{formatDateTime(new Date(now).toISOString(), true)}</b></div>
        <div className="xsmall subtle">
          <span data-testid="test-clock-offset">{offset === 0 ? 'The same as this computer\'s clock so far.' : `${formatSpan(offset)} ahead of this computer's clock.`}</span>{' '}
          Development only: moving it forward expires pending purchases, ends PIN lockouts, sends the notice retries that fall due and ends rotated secrets' grace periods. It never goes back.
        </div>
      </div>
      <div className="test-clock-actions" role="group" aria-label="Advance the test clock">
        {steps.map((s) => (
          <Button key={s.label} size="sm" onClick={() => void advance(s.seconds)} disabled={busy} title={`Advance ${s.label.slice(1)}: ${s.why}`}>{s.label}</Button>
        ))}
        <form className="test-clock-form" onSubmit={submit}>
          <label className="sr-only" htmlFor="test-clock-amount">Advance by</label>
          <input id="test-clock-amount" className="input" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={customValid ? undefined : true} />
          <label className="sr-only" htmlFor="test-clock-unit">Unit</label>
          <select id="test-clock-unit" className="select" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
            {Object.keys(units).map((u) => <option key={u} value={u}>{u}</option>)}
          </select>
          <Button size="sm" variant="primary" type="submit" disabled={busy || !customValid} busy={busy}>Advance</Button>
        </form>
      </div>
    </section>
  );
}
