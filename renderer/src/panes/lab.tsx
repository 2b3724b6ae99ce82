// Merchant → Request lab: paste a payment request JWT and see exactly why
// Paydesk would accept or refuse it, check by check (the server's own verdict
// from POST /api/requests/verify, a dry run), or build one from a form, sign it here
// (WebCrypto HS256 with the app secret, revealed for this one action), send it
// to POST /v1/pay and jump to the wallet's confirmation.
import { useId, useMemo, useState } from 'react';
import { call, type App, type PriceTiers, type RouteResult } from '../api.ts';
import { useAction, useDocumentTitle, useResource } from '../hooks.ts';
import { navigate, useLocation } from '../router.ts';
import { signHS256 } from '../jwt.ts';
import { PAY_TYP } from '../../../contract/api.ts';
import type { ErrorCode } from '../../../contract/errors.ts';
import { formatMoney, parseMajor, toMajorText } from '../format.ts';
import { Badge, Button, ButtonLink, Callout, Card, CodeText, CopyButton, EmptyState, ErrorCallout, Field, LoadingBlock, PageHeader, Segmented, Tabs, UserText, described, showControls, useToast } from '../ui.tsx';
import { IconApps, IconCheck, IconCircleCheck, IconCircleX, IconFlask, IconKey, IconSearch, IconSend, IconX, IconInfo } from '../icons.tsx';

type Tab = 'build' | 'inspect';

export function LabPane() {
  useDocumentTitle('Request lab');
  const loc = useLocation();
  const [tab, setTab] = useState<Tab>(loc.query.get('tab') === 'inspect' ? 'inspect' : 'build');
  const [token, setToken] = useState('');
  const apps = useResource(async (signal) => (await call('listApps', { signal })).items, [], { events: ['app.'] });
  const tiers = useResource((signal) => call('priceTiers', { signal }), []);
  return (
    <>
      <PageHeader title="Request lab" sub="Build and sign a payment request like a merchant server would, or paste one and see how Paydesk's verification judges it, check by check." />
      <Tabs<Tab> label="Request lab" value={tab} onChange={setTab} tabs={[
        { id: 'build', label: 'Build a request', icon: <IconFlask /> },
        { id: 'inspect', label: 'Inspect a token', icon: <IconSearch /> },
      ]} />
      {!apps.data || !tiers.data ? (apps.error || tiers.error ? <ErrorCallout error={apps.error ?? tiers.error} /> : <LoadingBlock />) : (
        tab === 'build'
          ? <Builder apps={apps.data} tiers={tiers.data} preselect={loc.query.get('app')} onInspect={(t) => { setToken(t); setTab('inspect'); }} />
          : <Inspector token={token} setToken={setToken} />
      )}
    </>
  );
}

// --- inspect ---------------------------------------------------------------------------

function JwtParts({ token }: { readonly token: string }) {
  const [h, p, s] = token.trim().split('.');
  return (
    <div className="jwt-box" aria-label="Token">
      <span className="jwt-part-h">{h}</span>.<span className="jwt-part-p">{p}</span>{s !== undefined && <>.<span className="jwt-part-s">{s}</span></>}
    </div>
  );
}

type DryRun = RouteResult<'verifyRequest'>;
type Check = DryRun['checks'][number];

/** What a refusal usually means in practice, beyond the server's sentence. */
const hints: Partial<Readonly<Record<ErrorCode, string>>> = {
  request_signature_invalid: 'The token was altered after signing, or signed with another secret.',
  request_jti_replayed: 'A purchase was already made with this very token.',
};

const checkLook: Readonly<Record<Check['status'], { readonly cls: string; readonly Icon: typeof IconCheck; readonly said: string }>> = {
  passed: { cls: 'pass', Icon: IconCheck, said: 'passed' },
  failed: { cls: 'fail', Icon: IconX, said: 'failed' },
  not_reached: { cls: 'skipped', Icon: IconInfo, said: 'not reached' },
};

function Inspector({ token, setToken }: { readonly token: string; readonly setToken: (t: string) => void }) {
  const id = useId();
  // The server's own verification, as a dry run: no purchase, the jti stays unused, no secret leaves it.
  const answer = useResource(async (signal) => (token === '' ? null : call('verifyRequest', { body: { jwt: token }, signal })), [token], { keepData: false });
  const result = answer.data;

  return (
    <div className="split">
      <div className="stack-lg">
        <Card title="Payment request JWT" description="Paydesk judges it exactly as POST /v1/pay would, as a dry run: no purchase is made, its jti stays unused, and no secret reaches this page.">
          <div className="stack">
            <Field label="Token" htmlFor={`${id}-jwt`}>
              <textarea id={`${id}-jwt`} className="textarea mono" rows={6} value={token} onChange={(e) => setToken(e.target.value.trim())} placeholder="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOi…" spellCheck={false} data-testid="lab-token" />
            </Field>
            <div className="row">
              {token && <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => setToken('')}>Clear</Button>}
              <span className="grow" />
              {token && <Button icon={<IconKey />} busy={answer.loading} onClick={() => answer.reload()} data-testid="lab-verify">Verify again</Button>}
            </div>
          </div>
        </Card>
        {result?.header && (
          <Card title="Decoded" description="As the server decoded it, before trusting any of it.">
            <div className="stack">
              <JwtParts token={token} />
              <div className="grid-2">
                <div><div className="label" style={{ marginBottom: 6 }}>Header</div><CodeText label="Token header" text={JSON.stringify(result.header, null, 2)} /></div>
                <div><div className="label" style={{ marginBottom: 6 }}>Claims</div><CodeText label="Token claims" text={JSON.stringify(result.claims, null, 2)} /></div>
              </div>
            </div>
          </Card>
        )}
      </div>
      <div className="stack-lg">
        {token === '' ? (
          <Card><EmptyState icon={<IconSearch />} title="Paste a token to inspect it">Each of Paydesk's checks is listed in the order the server runs them, with the error code a refusal carries.</EmptyState></Card>
        ) : !result ? (
          answer.error ? <ErrorCallout error={answer.error} /> : <LoadingBlock />
        ) : (
          <>
            <ServerVerdict answer={result} />
            <Card title="Checks" description="The server's checks in the order it runs them; after a refusal the rest are not reached." flush>
              <ul className="checks" data-testid="lab-checks">
                {result.checks.map((c) => {
                  const { cls, Icon, said } = checkLook[c.status];
                  return (
                    <li key={c.id} className={cls} data-check={c.id} data-status={c.status}>
                      <span className="ico" aria-hidden="true"><Icon /></span>
                      <div>
                        <div className="c-label">{c.label} <span className="sr-only">({said})</span>{c.error && <> <code className="code-inline">{c.error.code}</code></>}</div>
                        {c.error ? <div className="c-detail">{showControls(c.error.message)}</div> : c.status === 'not_reached' && <div className="c-detail">Not reached: an earlier check refused the token.</div>}
                      </div>
                    </li>
                  );
                })}
              </ul>
            </Card>
          </>
        )}
      </div>
    </div>
  );
}

/** The server's dry-run verdict: what POST /v1/pay would answer for this token right now. */
function ServerVerdict({ answer }: { readonly answer: DryRun }) {
  if (answer.accepted || !answer.error) {
    return (
      <div className="verdict verdict-ok" role="status" data-testid="lab-verdict">
        <IconCircleCheck />
        <div>
          <div className="v-title">Paydesk would accept this request</div>
          <div style={{ marginTop: 2 }}>
            {answer.app && <>Sold by <b><UserText text={answer.app.name} /></b> <code className="code-inline">{answer.app.key}</code></>}
            {answer.price && <>{answer.app ? ', ' : ''}buyer pays <b>{answer.price.display}</b></>}
          </div>
          <div className="small muted" style={{ marginTop: 6 }}>Verified by the server, jti included. This was a dry run: nothing was written, the token can still be paid once.</div>
        </div>
      </div>
    );
  }
  const { code, message, ...details } = answer.error;
  const hint = hints[code as ErrorCode];
  const failed = answer.checks.find((c) => c.status === 'failed');
  return (
    <div className="verdict verdict-bad" role="status" data-testid="lab-verdict">
      <IconCircleX />
      <div>
        <div className="v-title">Paydesk would refuse this request</div>
        <div style={{ marginTop: 2 }}>{failed && <b>{failed.label}: </b>}<code className="code-inline">{code}</code> {message}</div>
        {hint && <div className="small" style={{ marginTop: 4 }}>{hint}</div>}
        {Object.keys(details).length > 0 && (
          <dl className="small" style={{ marginTop: 6 }} data-testid="lab-verdict-details">
            {Object.entries(details).map(([k, v]) => <div key={k}><dt style={{ display: 'inline' }}><code className="code-inline">{k}</code>: </dt><dd style={{ display: 'inline', margin: 0 }}>{showControls(JSON.stringify(v))}</dd></div>)}
          </dl>
        )}
        <div className="small muted" style={{ marginTop: 6 }}>The server's verdict{answer.app ? ` for “${showControls(answer.app.name)}”` : ''}, from a dry run of POST /v1/pay: nothing was written.</div>
      </div>
    </div>
  );
}

// --- build -----------------------------------------------------------------------------

interface BuildForm {
  appKey: string;
  itemId: string;
  name: string;
  description: string;
  priceMode: 'point' | 'price';
  pricePoint: string;
  currency: string;
  price: string;
  productData: string;
  simulate: '' | 'postback' | 'chargeback';
  minutes: string;
  jti: boolean;
}

function Builder({ apps, tiers, preselect, onInspect }: {
  readonly apps: readonly App[]; readonly tiers: PriceTiers; readonly preselect: string | null; readonly onInspect: (t: string) => void;
}) {
  const id = useId();
  const toast = useToast();
  const usable = apps.filter((a) => a.status === 'active');
  const [f, setF] = useState<BuildForm>(() => ({
    appKey: (preselect && usable.some((a) => a.key === preselect) ? preselect : usable[0]?.key) ?? '',
    itemId: 'pony-gold-1', name: 'Golden sparkle pony', description: 'A golden pony that sparkles in the dark.',
    priceMode: 'point', pricePoint: '3', currency: 'USD', price: '4.99', productData: 'order=1042', simulate: '', minutes: '10', jti: true,
  }));
  const [signed, setSigned] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const app = usable.find((a) => a.key === f.appKey);
  const set = <K extends keyof BuildForm>(k: K, v: BuildForm[K]) => {
    setF((x) => ({ ...x, [k]: v }));
    setSigned(null);
  };
  const tierCurrencies = Object.keys(tiers.tiers[0]?.prices ?? { USD: 0 });
  const currencies = f.priceMode === 'point' ? tierCurrencies : Object.keys(tiers.currencies);
  const tierAmount = tiers.tiers.find((t) => t.id === f.pricePoint)?.prices[f.currency];
  const priceMinor = f.priceMode === 'price' ? parseMajor(f.price, f.currency) : tierAmount;
  const minutes = Number(f.minutes);
  const problems = {
    name: f.name.trim() === '' ? 'Required.' : f.name.length > 255 ? 'At most 255 characters.' : undefined,
    itemId: f.itemId.trim() === '' ? 'Required.' : undefined,
    description: f.description.trim() === '' ? 'Required.' : undefined,
    price: f.priceMode === 'price' && (priceMinor === undefined || priceMinor <= 0) ? `A positive amount with at most the currency's decimals, like ${toMajorText(499, f.currency)}.` : undefined,
    minutes: !Number.isInteger(minutes) || minutes < 1 || minutes > 60 ? '1 to 60 minutes.' : undefined,
  };
  const valid = app !== undefined && Object.values(problems).every((p) => p === undefined);

  const claimsPreview = useMemo(() => buildClaims(f, app, 0), [f, app]);

  const sign = async (): Promise<string> => {
    if (!app) throw new Error('Pick an app.');
    const active = [...app.secrets].filter((s) => s.state === 'active').sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
    if (!active) throw new Error('This app has no active secret. Rotate it in Apps to get one.');
    // Revealed for this signature only; not kept after the function returns.
    const { secret } = await call('revealSecret', { params: { key: app.key, secretId: active.id }, body: {} });
    return signHS256(buildClaims(f, app, Math.floor(Date.now() / 1000)), secret);
  };
  const [doSign, signing] = useAction(async () => {
    setError(undefined);
    try {
      setSigned(await sign());
    } catch (e) {
      setError(e);
    }
  });
  const [doPay, paying] = useAction(async () => {
    setError(undefined);
    try {
      const token = signed ?? (await sign());
      setSigned(token);
      const p = await call('pay', { body: { jwts: [token] } });
      toast.success('Purchase created', `Code ${p.code}: confirm it in the wallet.`);
      navigate(`/wallet/confirm/${p.id}`);
    } catch (e) {
      setError(e);
    }
  });

  if (apps.length === 0) {
    return <Card><EmptyState icon={<IconApps />} title="Register an app first" action={<ButtonLink variant="primary" href="#/apps/new">Register app</ButtonLink>}>A payment request is signed with an app's secret and names the app's key as its issuer.</EmptyState></Card>;
  }
  return (
    <div className="split">
      <Card title="Payment request" description="The claims a merchant server signs. Paydesk verifies every one of them.">
        <form className="stack" onSubmit={(e) => { e.preventDefault(); if (valid) void doPay(); }} noValidate>
          <div className="form-grid">
            <Field label="App (iss)" htmlFor={`${id}-app`} className="span-2" hint={app?.access === 'simulate' ? 'Simulate-only app: choose a simulate result below.' : undefined}>
              <select id={`${id}-app`} className="select" value={f.appKey} onChange={(e) => set('appKey', e.target.value)} data-testid="lab-app">
                {usable.length === 0 && <option value="">No active apps</option>}
                {usable.map((a) => <option key={a.key} value={a.key}>{showControls(a.name)} ({a.key})</option>)}
              </select>
            </Field>
            <Field label="Item id" htmlFor={`${id}-item`} error={problems.itemId}>
              <input id={`${id}-item`} className="input" value={f.itemId} onChange={(e) => set('itemId', e.target.value)} {...described(`${id}-item`, problems.itemId)} />
            </Field>
            <Field label="Name" htmlFor={`${id}-name`} error={problems.name}>
              <input id={`${id}-name`} className="input" value={f.name} onChange={(e) => set('name', e.target.value)} {...described(`${id}-name`, problems.name)} />
            </Field>
            <Field label="Description" htmlFor={`${id}-desc`} error={problems.description} className="span-2">
              <input id={`${id}-desc`} className="input" value={f.description} onChange={(e) => set('description', e.target.value)} {...described(`${id}-desc`, problems.description)} />
            </Field>
            <div className="field span-2">
              <span className="label">Price</span>
              <Segmented label="Price form" value={f.priceMode} onChange={(v) => { set('priceMode', v); if (v === 'point' && !tierCurrencies.includes(f.currency)) set('currency', 'USD'); }}
                options={[{ value: 'point', label: 'Price point (mozPay tier)' }, { value: 'price', label: 'Price and currency' }]} />
            </div>
            {f.priceMode === 'point' ? (
              <Field label="Price point" htmlFor={`${id}-tier`}>
                <select id={`${id}-tier`} className="select" value={f.pricePoint} onChange={(e) => set('pricePoint', e.target.value)}>
                  {tiers.tiers.map((t) => <option key={t.id} value={t.id}>Tier {t.id}: {t.prices[f.currency] !== undefined ? formatMoney(t.prices[f.currency]!, f.currency) : '—'}</option>)}
                </select>
              </Field>
            ) : (
              <Field label="Price" htmlFor={`${id}-price`} error={problems.price}>
                <input id={`${id}-price`} className="input num" inputMode="decimal" value={f.price} onChange={(e) => set('price', e.target.value)} {...described(`${id}-price`, problems.price)} />
              </Field>
            )}
            <Field label="Currency" htmlFor={`${id}-cur`}>
              <select id={`${id}-cur`} className="select" value={f.currency} onChange={(e) => set('currency', e.target.value)}>
                {currencies.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            </Field>
            <Field label="productData" htmlFor={`${id}-pd`} hint="Opaque; echoed back in the notice.">
              <input id={`${id}-pd`} className="input mono" value={f.productData} onChange={(e) => set('productData', e.target.value)} />
            </Field>
            <Field label="Simulate" htmlFor={`${id}-sim`} hint="No money moves; the notice is still sent.">
              <select id={`${id}-sim`} className="select" value={f.simulate} onChange={(e) => set('simulate', e.target.value as BuildForm['simulate'])}>
                <option value="">Off: a real charge</option><option value="postback">Postback (success)</option><option value="chargeback">Chargeback (refund)</option>
              </select>
            </Field>
            <Field label="Expires after (minutes)" htmlFor={`${id}-exp`} error={problems.minutes}>
              <input id={`${id}-exp`} className="input num" inputMode="numeric" value={f.minutes} onChange={(e) => set('minutes', e.target.value)} {...described(`${id}-exp`, problems.minutes)} />
            </Field>
            <div className="field" style={{ justifyContent: 'flex-end' }}>
              <label className="check"><input type="checkbox" checked={f.jti} onChange={(e) => set('jti', e.target.checked)} />Unique jti (replay protection)</label>
            </div>
          </div>
          {app?.access === 'simulate' && !f.simulate && <Callout tone="warning" title="This request would be refused">“{app.name}” is simulate-only: pick a simulate result, or give the app live access.</Callout>}
          <ErrorCallout error={error} />
          <div className="form-actions">
            <Button icon={<IconKey />} busy={signing} disabled={!valid || paying} onClick={() => doSign()}>Sign</Button>
            <Button type="submit" variant="primary" icon={<IconSend />} busy={paying} disabled={!valid || signing} data-testid="lab-pay">Sign and pay</Button>
          </div>
        </form>
      </Card>
      <div className="stack-lg">
        <Card title="Claims" description={priceMinor !== undefined ? `Buyer pays ${formatMoney(priceMinor, f.currency)}` : undefined}>
          <CodeText label="Claims preview" text={JSON.stringify(claimsPreview, null, 2)} />
          <p className="small muted" style={{ marginTop: 8 }}>Signing reveals the app's newest active secret to this page for one HS256 signature (WebCrypto); it is not stored.</p>
        </Card>
        {signed && (
          <Card title="Signed token" actions={<Badge tone="success">HS256</Badge>}>
            <div className="stack">
              <JwtParts token={signed} />
              <div className="row wrap">
                <CopyButton value={signed} label="Copy token" />
                <Button size="sm" icon={<IconSearch />} onClick={() => onInspect(signed)}>Inspect</Button>
                <Button size="sm" variant="primary" icon={<IconSend />} busy={paying} onClick={() => doPay()}>Pay with it</Button>
              </div>
              <p className="small muted">Paste it into a merchant page's <code className="code-inline">Paydesk.buy()</code>, or pay with it here.</p>
            </div>
          </Card>
        )}
      </div>
    </div>
  );
}

function buildClaims(f: BuildForm, app: App | undefined, iat: number): Record<string, unknown> {
  const minutes = Number(f.minutes) || 10;
  const request: Record<string, unknown> = { id: f.itemId, name: f.name, description: f.description };
  if (f.priceMode === 'point') {
    request.pricePoint = f.pricePoint;
    request.currency = f.currency;
  } else {
    request.price = f.price.trim();
    request.currency = f.currency;
  }
  if (f.productData) request.productData = f.productData;
  if (f.simulate) request.simulate = { result: f.simulate };
  return {
    iss: app?.key ?? '', aud: 'paydesk', typ: PAY_TYP,
    iat: iat || '<now>', exp: iat ? iat + minutes * 60 : `<now + ${minutes * 60}>`,
    ...(f.jti ? { jti: iat ? crypto.randomUUID() : '<random>' } : {}),
    request,
  };
}
