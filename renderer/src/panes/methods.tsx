// Wallet → Payment methods: preauthorize a card once (the vault keeps a token,
// brand, last 4 and expiry), with a currency and limits like a preapproval.
// The card number and CVC live only in the DOM inputs (uncontrolled): never in
// React state, storage or logs, and the inputs are emptied on submit.
import { useId, useRef, useState, type FormEvent } from 'react';
import { call, type Buyer, type PaymentMethod, type TestCard } from '../api.ts';
import { useAction, useDocumentTitle, useResource } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatDate, formatMoney, parseMajor, toMajorText } from '../format.ts';
import { Badge, Button, ButtonLink, Callout, Card, ConfirmDialog, EmptyState, ErrorCallout, Field, LoadingBlock, PageHeader, UserText, described, useToast } from '../ui.tsx';
import { IconCard, IconEdit, IconPlus, IconTrash, IconUsers } from '../icons.tsx';

function brandOf(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return '';
}

const behaviourTone: Record<string, 'success' | 'danger' | 'warning' | 'neutral'> = {
  success: 'success', decline: 'danger', insufficient_funds: 'danger', expired_card: 'danger', processing_error: 'warning', slow: 'warning',
};

export function PaymentMethodsPane() {
  useDocumentTitle('Payment methods');
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  return (
    <>
      <PageHeader title="Payment methods" sub="Preauthorize a card once; later purchases are confirmed with the PIN within the limits you set here." />
      {!session.data ? (session.error ? <ErrorCallout error={session.error} /> : <LoadingBlock />) : !buyer ? (
        <Card><EmptyState icon={<IconUsers />} title="No buyer signed in" action={<ButtonLink variant="primary" href="#/wallet/buyers">Choose a buyer</ButtonLink>}>Payment methods belong to a buyer. Sign one in first.</EmptyState></Card>
      ) : (
        <div className="stack-lg">
          <Card title={<><UserText text={buyer.name} />'s cards</>} description="Paydesk charges the card you pick at confirmation (the newest by default).">
            {buyer.paymentMethods.length === 0 ? (
              <EmptyState compact icon={<IconCard />} title="No cards yet">Add a test card with the form. It is checked (Luhn, expiry, CVC) and only a token is kept.</EmptyState>
            ) : (
              <div className="pm-grid">
                {buyer.paymentMethods.map((m) => <MethodCard key={m.id} buyer={buyer} method={m} onChanged={session.reload} />)}
              </div>
            )}
          </Card>
          <AddCardCard buyer={buyer} onAdded={session.reload} />
        </div>
      )}
    </>
  );
}

function MethodCard({ buyer, method: m, onChanged }: { readonly buyer: Buyer; readonly method: PaymentMethod; readonly onChanged: () => void }) {
  const toast = useToast();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [removeOpen, setRemoveOpen] = useState(false);
  const [perPurchase, setPerPurchase] = useState(toMajorText(m.limits.perPurchase, m.currency));
  const [perMonth, setPerMonth] = useState(toMajorText(m.limits.perMonth, m.currency));
  const pp = parseMajor(perPurchase, m.currency);
  const pm = parseMajor(perMonth, m.currency);
  const ppErr = pp === undefined || pp < 1 ? 'Enter a positive amount.' : undefined;
  const pmErr = pm === undefined || pm < 1 ? 'Enter a positive amount.' : pp !== undefined && pm < pp ? 'At least the per-purchase limit.' : undefined;
  const [save, saving] = useAction(async () => {
    if (ppErr || pmErr) return;
    try {
      await call('updatePaymentMethod', { params: { id: buyer.id, pm: m.id }, body: { limits: { perPurchase: pp, perMonth: pm } } });
      toast.success('Limits saved');
      setEditing(false);
      onChanged();
    } catch (e) {
      toast.error(e);
    }
  });
  const brandClass = ['visa', 'mastercard', 'amex'].includes(m.brand) ? `pm-${m.brand}` : 'pm-other';
  return (
    <div data-testid="payment-method">
      <div className={`pm-card ${brandClass}`}>
        <div className="spread"><span className="pm-brand">{m.brand}</span><span className="small">{m.currency}</span></div>
        <div className="pm-number">•••• •••• •••• {m.last4}</div>
        <div className="pm-meta">
          <span><small>Expires</small>{String(m.expMonth).padStart(2, '0')}/{String(m.expYear).slice(-2)}</span>
          <span style={{ textAlign: 'right' }}><small>Added</small>{formatDate(m.createdAt)}</span>
        </div>
      </div>
      {editing ? (
        <form className="pm-limits" onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <div className="grid-2">
            <Field label="Per purchase" htmlFor={`${id}-pp`} error={ppErr}>
              <input id={`${id}-pp`} className="input num" inputMode="decimal" value={perPurchase} onChange={(e) => setPerPurchase(e.target.value)} {...described(`${id}-pp`, ppErr)} />
            </Field>
            <Field label="Per month" htmlFor={`${id}-pm`} error={pmErr}>
              <input id={`${id}-pm`} className="input num" inputMode="decimal" value={perMonth} onChange={(e) => setPerMonth(e.target.value)} {...described(`${id}-pm`, pmErr)} />
            </Field>
          </div>
          <div className="form-actions"><Button size="sm" onClick={() => setEditing(false)}>Cancel</Button><Button size="sm" type="submit" variant="primary" busy={saving}>Save limits</Button></div>
        </form>
      ) : (
        <div className="pm-limits">
          <div className="spread small"><span className="muted">Per purchase</span><b className="num">{formatMoney(m.limits.perPurchase, m.currency)}</b></div>
          <div className="spread small"><span className="muted">Per month</span><b className="num">{formatMoney(m.limits.perMonth, m.currency)}</b></div>
          <div className="row" style={{ justifyContent: 'flex-end' }}>
            <Button size="sm" icon={<IconEdit />} onClick={() => setEditing(true)}>Edit limits</Button>
            <Button size="sm" variant="danger-outline" icon={<IconTrash />} onClick={() => setRemoveOpen(true)}>Remove</Button>
          </div>
        </div>
      )}
      <ConfirmDialog open={removeOpen} onClose={() => setRemoveOpen(false)} tone="danger" confirmLabel="Remove card" title={`Remove ${m.brand.toUpperCase()} •••• ${m.last4}?`}
        onConfirm={async () => {
          await call('removePaymentMethod', { params: { id: buyer.id, pm: m.id } });
          toast.success('Card removed');
          onChanged();
        }}>
        Purchases can no longer be charged to this card. Past purchases keep their record.
      </ConfirmDialog>
    </div>
  );
}

function AddCardCard({ buyer, onAdded }: { readonly buyer: Buyer; readonly onAdded: () => void }) {
  const id = useId();
  const toast = useToast();
  const cards = useResource(async (signal) => (await call('testCards', { signal })).items, []);
  const tiers = useResource((signal) => call('priceTiers', { signal }), []);
  const numberRef = useRef<HTMLInputElement>(null);
  const cvcRef = useRef<HTMLInputElement>(null);
  // Only what the number implies is kept: the brand and how many digits were typed, never the digits.
  const [brand, setBrand] = useState('');
  const [preset, setPreset] = useState<string | null>(null);
  const thisYear = new Date().getFullYear();
  const [expMonth, setExpMonth] = useState(12);
  const [expYear, setExpYear] = useState(thisYear + 3);
  const [currency, setCurrency] = useState('USD');
  const [perPurchase, setPerPurchase] = useState('500.00');
  const [perMonth, setPerMonth] = useState('2000.00');
  const [errors, setErrors] = useState<{ number?: string; cvc?: string; pp?: string; pm?: string }>({});
  const [serverError, setServerError] = useState<unknown>(undefined);

  const pick = (c: TestCard) => {
    if (numberRef.current) numberRef.current.value = c.number.replace(/(\d{4})(?=\d)/g, '$1 ');
    if (cvcRef.current) cvcRef.current.value = c.brand === 'amex' ? '1234' : '123';
    setBrand(c.brand);
    setPreset(c.number);
    setErrors({});
  };

  const [submit, busy] = useAction(async () => {
    const number = (numberRef.current?.value ?? '').replace(/[\s-]/g, '');
    const cvc = cvcRef.current?.value.trim() ?? '';
    const pp = parseMajor(perPurchase, currency);
    const pm = parseMajor(perMonth, currency);
    const next: typeof errors = {};
    if (!/^\d{12,19}$/.test(number)) next.number = 'Enter the 12 to 19 digits of the card number.';
    if (!/^\d{3,4}$/.test(cvc)) next.cvc = '3 digits (4 for American Express).';
    if (pp === undefined || pp < 1) next.pp = 'Enter a positive amount.';
    if (pm === undefined || pm < 1) next.pm = 'Enter a positive amount.';
    else if (pp !== undefined && pm < pp) next.pm = 'At least the per-purchase limit.';
    setErrors(next);
    setServerError(undefined);
    if (Object.keys(next).length > 0) return;
    // Empty the inputs before sending: from here the number exists only in this request.
    if (numberRef.current) numberRef.current.value = '';
    if (cvcRef.current) cvcRef.current.value = '';
    setBrand('');
    setPreset(null);
    try {
      const m = await call('addPaymentMethod', {
        params: { id: buyer.id },
        body: { card: { number, expMonth, expYear, cvc }, currency, limits: { perPurchase: pp!, perMonth: pm! } },
      });
      toast.success('Card preauthorized', `${m.brand.toUpperCase()} •••• ${m.last4} is ready for purchases in ${m.currency}.`);
      onAdded();
    } catch (e) {
      setServerError(e);
    }
  });

  const currencies = Object.keys(tiers.data?.currencies ?? { USD: 2, EUR: 2, GBP: 2 });
  return (
    <Card title="Add a card" description="Pick a test card or type one. The number is checked by the vault and then forgotten.">
      <form className="add-card" onSubmit={(e: FormEvent) => { e.preventDefault(); void submit(); }} noValidate autoComplete="off">
        <div className="field">
          <span className="label" id={`${id}-presets`}>Test cards</span>
          {cards.error ? <ErrorCallout error={cards.error} /> : (
            <div className="preset-list" role="group" aria-labelledby={`${id}-presets`}>
              {(cards.data ?? []).map((c) => (
                <button key={c.number} type="button" className="preset" aria-pressed={preset === c.number} onClick={() => pick(c)} data-testid="test-card">
                  <span className="row"><b className="small" style={{ textTransform: 'capitalize' }}>{c.brand}</b><Badge tone={behaviourTone[c.behaviour] ?? 'neutral'} plain>{c.behaviour.replace(/_/g, ' ')}</Badge></span>
                  <span className="p-num">{c.number.replace(/(\d{4})(?=\d)/g, '$1 ')}</span>
                  <span className="p-desc">{c.description}</span>
                </button>
              ))}
            </div>
          )}
        </div>
        <div className="stack">
        <Field label={<>Card number {brand && <Badge plain>{brand}</Badge>}</>} htmlFor={`${id}-num`} error={errors.number}>
          <input
            id={`${id}-num`} ref={numberRef} className="input mono" inputMode="numeric" autoComplete="off" placeholder="4242 4242 4242 4242" maxLength={23}
            onInput={(e) => { setBrand(brandOf(e.currentTarget.value.replace(/\D/g, ''))); setPreset(null); }} {...described(`${id}-num`, errors.number)} data-testid="card-number"
          />
        </Field>
        <div className="grid-3">
          <Field label="Month" htmlFor={`${id}-mm`}>
            <select id={`${id}-mm`} className="select" value={expMonth} onChange={(e) => setExpMonth(Number(e.target.value))}>
              {Array.from({ length: 12 }, (_, i) => <option key={i + 1} value={i + 1}>{String(i + 1).padStart(2, '0')}</option>)}
            </select>
          </Field>
          <Field label="Year" htmlFor={`${id}-yy`}>
            <select id={`${id}-yy`} className="select" value={expYear} onChange={(e) => setExpYear(Number(e.target.value))}>
              {Array.from({ length: 16 }, (_, i) => thisYear - 1 + i).map((y) => <option key={y} value={y}>{y}</option>)}
            </select>
          </Field>
          <Field label="CVC" htmlFor={`${id}-cvc`} error={errors.cvc}>
            <input id={`${id}-cvc`} ref={cvcRef} className="input mono" inputMode="numeric" autoComplete="off" placeholder="123" maxLength={4} {...described(`${id}-cvc`, errors.cvc)} />
          </Field>
        </div>
        <div className="grid-3">
          <Field label="Currency" htmlFor={`${id}-cur`} hint="Purchases in other currencies can't use it.">
            <select id={`${id}-cur`} className="select" value={currency} onChange={(e) => setCurrency(e.target.value)}>
              {currencies.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </Field>
          <Field label="Per purchase" htmlFor={`${id}-pp`} error={errors.pp}>
            <input id={`${id}-pp`} className="input num" inputMode="decimal" value={perPurchase} onChange={(e) => setPerPurchase(e.target.value)} {...described(`${id}-pp`, errors.pp)} />
          </Field>
          <Field label="Per month" htmlFor={`${id}-pm`} error={errors.pm}>
            <input id={`${id}-pm`} className="input num" inputMode="decimal" value={perMonth} onChange={(e) => setPerMonth(e.target.value)} {...described(`${id}-pm`, errors.pm)} />
          </Field>
        </div>
        {serverError ? <ErrorCallout error={serverError} /> : (
          <Callout tone="neutral" title="What Paydesk keeps">A vault token, the brand, the last 4 digits and the expiry. Never the number or the CVC.</Callout>
        )}
        <div className="form-actions"><Button type="submit" variant="primary" icon={<IconPlus />} busy={busy}>Preauthorize card</Button></div>
        </div>
      </form>
    </Card>
  );
}
