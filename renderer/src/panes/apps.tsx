// Merchant → Apps: register, list, edit, disable/enable, and the secrets:
// shown once after create/rotate, revealed only on an explicit click, rotated
// with a grace period, revoked at once.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { AppPatchBody, NewAppBody } from '../../../contract/api.ts';
import { call, type App, type RouteBody } from '../api.ts';
import { useAction, useDocumentTitle, useNow, useResource } from '../hooks.ts';
import { navigate } from '../router.ts';
import { putOneTimeSecrets, takeOneTimeSecrets, type OneTimeSecrets } from '../flash.ts';
import { formatDate, formatDateTime, formatDuration, formatPercent, hueOf, relativeTime, formatCount } from '../format.ts';
import {
  Badge, Button, ButtonLink, Callout, Card, ChoiceGroup, ConfirmDialog, CopyButton, EmptyState, ErrorCallout, ErrorState, Field, IdChip,
  ListState, LoadingBlock, PageHeader, StatusBadge, UserText, described, showControls, useToast,
} from '../ui.tsx';
import { OAuthClientCard } from './app-oauth.tsx';
import { IconAlert, IconApps, IconBan, IconCheck, IconEdit, IconEye, IconEyeOff, IconKey, IconPlus, IconRotate, IconSend, IconShield } from '../icons.tsx';
import { EndpointCard } from './notices.tsx';

export function AppAvatar({ app }: { readonly app: Pick<App, 'name' | 'key'> }) {
  return (
    <span className="app-avatar" style={{ background: `linear-gradient(135deg, oklch(54% 0.15 ${hueOf(app.key)}), oklch(46% 0.15 ${(hueOf(app.key) + 40) % 360}))` }} aria-hidden="true">
      {app.name.trim().charAt(0).toUpperCase() || '?'}
    </span>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// --- list ------------------------------------------------------------------------

export function AppsPane() {
  useDocumentTitle('Apps');
  const apps = useResource(async (signal) => (await call('listApps', { signal })).items, [], { events: ['app.', 'purchase.completed'] });
  return (
    <>
      <PageHeader
        title="Apps"
        sub="Each app has a public key (the iss of its payment requests), an HS256 secret to sign them, and the URLs where Paydesk posts notices."
        actions={<ButtonLink variant="primary" href="#/apps/new" icon={<IconPlus />}>Register app</ButtonLink>}
      />
      <Card flush>
        <ListState
          {...apps} retry={apps.reload}
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState icon={<IconApps />} title="No apps yet" action={<ButtonLink variant="primary" href="#/apps/new" icon={<IconPlus />}>Register your first app</ButtonLink>}>
              Register an app to get its key and secret, then sign payment requests with them.
            </EmptyState>
          }
        >
          {(items) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr><th>App</th><th>Status</th><th>Key</th><th>Access</th><th className="right">Sales</th><th className="right">Refund rate</th><th>Registered</th></tr>
                </thead>
                <tbody>
                  {items.map((a) => (
                    <tr key={a.key} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a,button')) navigate(`/apps/${a.key}`); }}>
                      <td className="title-cell">
                        <div className="row-lg">
                          <AppAvatar app={a} />
                          <div className="stack-sm" style={{ gap: 0 }}>
                            <a href={`#/apps/${encodeURIComponent(a.key)}`}><UserText text={a.name} /></a>
                            <span className="subtle small">{hostOf(a.homepage)}</span>
                          </div>
                        </div>
                      </td>
                      {/* Name and status first: a narrow window shows them without scrolling (issue 15). */}
                      <td><StatusBadge status={a.status} /></td>
                      <td><IdChip value={a.key} label="Copy app key" /></td>
                      <td>{a.access === 'live' ? <Badge tone="info">Live</Badge> : <Badge tone="accent">Simulate only</Badge>}</td>
                      <td className="right num">{formatCount(a.sales)}</td>
                      <td className="right num">{formatPercent(a.refundRate)}</td>
                      <td className="muted nowrap">{formatDate(a.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ListState>
      </Card>
    </>
  );
}

// --- the form (create and edit) ------------------------------------------------------

/**
 * What the two kinds of access mean in Paydesk, which is offline: "live" charges a test card
 * in Paydesk's own vault on this computer (no real money anywhere); "simulate" charges nothing.
 */
const accessWords = {
  live: 'Purchases charge the buyer\'s test card in Paydesk\'s local vault, as a real provider would; no real money moves',
  simulate: 'Requests must carry "simulate"; nothing is charged, and the notice reports the result it asks for',
} as const;

type AppFields = { name: string; homepage: string; contactEmail: string; postbackURL: string; chargebackURL: string; access: 'live' | 'simulate' };
type FieldErrors = Partial<Record<keyof AppFields, string>>;

function issuesToErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const k = String(i.path[0] ?? '') as keyof AppFields;
    if (!out[k]) out[k] = friendlyIssue(k, i.message);
  }
  return out;
}

function friendlyIssue(field: keyof AppFields, message: string): string {
  if (field === 'name') return 'Give the app a name (1 to 100 characters).';
  if (field === 'contactEmail') return 'Enter an email address, like payments@example.com.';
  if (field === 'homepage' || field === 'postbackURL' || field === 'chargebackURL') return 'Enter an absolute http:// or https:// URL.';
  return message;
}

function AppForm({ initial, submitLabel, onSubmit, onCancel, mode }: {
  readonly initial: AppFields; readonly submitLabel: string; readonly mode: 'create' | 'edit';
  readonly onSubmit: (v: AppFields) => Promise<void>; readonly onCancel: () => void;
}) {
  const id = useId();
  const [v, setV] = useState<AppFields>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Partial<Record<keyof AppFields, boolean>>>({});
  const [serverError, setServerError] = useState<unknown>(undefined);
  const [chargebackEdited, setChargebackEdited] = useState(false);
  const [submit, busy] = useAction(onSubmit);

  const validate = (next: AppFields): FieldErrors => {
    const r = (mode === 'create' ? NewAppBody : AppPatchBody).safeParse(next);
    return r.success ? {} : issuesToErrors(r.error.issues);
  };
  const set = (k: keyof AppFields, value: string) => {
    const next = { ...v, [k]: value } as AppFields;
    // Postback and chargeback usually live on the same server: follow the postback until edited.
    if (k === 'postbackURL' && mode === 'create' && !chargebackEdited) next.chargebackURL = value.replace(/postback/i, 'chargeback');
    if (k === 'chargebackURL') setChargebackEdited(true);
    setV(next);
    if (touched[k]) setErrors(validate(next));
  };
  const blur = (k: keyof AppFields) => {
    setTouched((t) => ({ ...t, [k]: true }));
    setErrors(validate(v));
  };
  const onFormSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validate(v);
    setErrors(errs);
    setTouched({ name: true, homepage: true, contactEmail: true, postbackURL: true, chargebackURL: true });
    if (Object.keys(errs).length > 0) {
      document.getElementById(`${id}-${Object.keys(errs)[0]}`)?.focus();
      return;
    }
    setServerError(undefined);
    try {
      await submit(v);
    } catch (err) {
      setServerError(err);
    }
  };

  const input = (k: Exclude<keyof AppFields, 'access'>, label: string, placeholder: string, hint: string, type = 'text') => (
    <Field label={label} htmlFor={`${id}-${k}`} error={errors[k]} hint={hint}>
      <input
        id={`${id}-${k}`} className="input" type={type} value={v[k]} placeholder={placeholder} autoComplete="off" spellCheck={false}
        onChange={(e) => set(k, e.target.value)} onBlur={() => blur(k)} {...described(`${id}-${k}`, errors[k], true)}
      />
    </Field>
  );

  return (
    <form className="stack" onSubmit={onFormSubmit} noValidate>
      <div className="form-grid">
        {input('name', 'App name', 'Elite Sparkle Pony', 'Buyers see this name when they confirm a purchase.')}
        {input('contactEmail', 'Contact email', 'payments@example.com', 'Where buyers and Paydesk reach the merchant.', 'email')}
        <div className="span-2">{input('homepage', 'Homepage', 'https://pony.example', 'Shown next to the app name in the wallet.', 'url')}</div>
        {input('postbackURL', 'Postback URL', 'https://pony.example/paydesk/postback', 'Paydesk POSTs a signed notice here for each completed purchase.', 'url')}
        {input('chargebackURL', 'Chargeback URL', 'https://pony.example/paydesk/chargeback', 'Notices for refunds and reversals go here.', 'url')}
        <div className="field span-2">
          <span className="label" id={`${id}-access`}>Access</span>
          <ChoiceGroup
            className="cols" aria-labelledby={`${id}-access`} value={v.access} onChange={(access) => setV({ ...v, access })}
            options={[{ value: 'live', title: 'Live', sub: accessWords.live }, { value: 'simulate', title: 'Simulate only', sub: accessWords.simulate }]}
          />
        </div>
      </div>
      <ErrorCallout error={serverError} />
      <div className="form-actions">
        <Button onClick={onCancel} disabled={busy}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>{submitLabel}</Button>
      </div>
    </form>
  );
}

export function NewAppPane() {
  useDocumentTitle('Register app');
  const toast = useToast();
  return (
    <>
      <PageHeader title="Register an app" back={{ href: '#/apps', label: 'Apps' }}
        sub="Paydesk gives the app a key and a secret. The secret is shown once, right after this step: keep it on your server." />
      <div className="split">
        <Card title="App details">
          <AppForm
            mode="create" submitLabel="Register app"
            initial={{ name: '', homepage: '', contactEmail: '', postbackURL: '', chargebackURL: '', access: 'live' }}
            onCancel={() => navigate('/apps')}
            onSubmit={async (v) => {
              const body: RouteBody<'createApp'> = v;
              const r = await call('createApp', { body });
              putOneTimeSecrets({ appKey: r.app.key, kind: 'created', secretId: r.secret.id, secret: r.secret.secret, webhookSecret: r.webhookSecret });
              toast.success('App registered', `${r.app.name} can sign payment requests now.`);
              navigate(`/apps/${r.app.key}`);
            }}
          />
        </Card>
        <div className="stack">
          <Callout tone="info" title="What you get">
            A public <b>app key</b> (put it in <code className="code-inline">iss</code>), an <b>HS256 secret</b> to sign payment requests, and a
            <b> notice-signing secret</b> (<code className="code-inline">whsec_…</code>) to verify the notices Paydesk sends you.
          </Callout>
          <Callout tone="warning" title="Secrets are shown once">
            Paydesk stores secrets encrypted and shows them again only when you click Reveal. Copy them into your server's configuration right away.
          </Callout>
        </div>
      </div>
    </>
  );
}

// --- detail ------------------------------------------------------------------------------

function OneTimeSecretPanel({ secrets, app, onDone }: { readonly secrets: OneTimeSecrets; readonly app: App; readonly onDone: () => void }) {
  return (
    <section className="secret-once" aria-labelledby="once-title" data-testid="one-time-secrets">
      <div className="row-lg" style={{ alignItems: 'flex-start' }}>
        <IconKey width={22} height={22} />
        <div className="grow">
          <h2 id="once-title">{secrets.kind === 'created' ? 'Your app\'s key and secrets' : 'Your new secret'}</h2>
          <p className="muted" style={{ marginTop: 4 }}>
            <b>Copy these now: you won't see the secret again on this screen.</b> You can reveal it later with an explicit click,
            but treat it like a password: it signs payment requests in your name.
          </p>
        </div>
      </div>
      <div className="stack-sm">
        <div className="secret-row"><span className="label">App key (iss)</span><span className="secret-value" data-testid="once-key">{app.key}</span><CopyButton value={app.key} label="Copy key" /></div>
        <div className="secret-row"><span className="label">Secret <span className="subtle mono xsmall">{secrets.secretId}</span></span><span className="secret-value" data-testid="once-secret">{secrets.secret}</span><CopyButton value={secrets.secret} label="Copy secret" /></div>
        {secrets.webhookSecret && (
          <div className="secret-row"><span className="label">Notice signing secret</span><span className="secret-value" data-testid="once-whsec">{secrets.webhookSecret}</span><CopyButton value={secrets.webhookSecret} label="Copy whsec" /></div>
        )}
      </div>
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <Button variant="primary" icon={<IconCheck />} onClick={onDone}>I've stored them safely</Button>
      </div>
    </section>
  );
}

const graceChoices = [
  { seconds: 0, title: 'End now', sub: 'Old secrets stop at once' },
  { seconds: 3600, title: '1 hour', sub: 'Quick redeploy' },
  { seconds: 86_400, title: '24 hours', sub: 'Default' },
  { seconds: 7 * 86_400, title: '7 days', sub: 'Several servers' },
  { seconds: 30 * 86_400, title: '30 days', sub: 'The maximum' },
] as const;

function SecretsCard({ app, onChanged }: { readonly app: App; readonly onChanged: (a: App, once?: OneTimeSecrets) => void }) {
  const toast = useToast();
  const now = useNow(1000);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [grace, setGrace] = useState(86_400);
  const [rotateOpen, setRotateOpen] = useState(false);
  const [revokeId, setRevokeId] = useState<string | null>(null);
  const [reveal, revealing] = useAction(async (id: string) => {
    try {
      const r = await call('revealSecret', { params: { key: app.key, secretId: id }, body: {} });
      setRevealed((x) => ({ ...x, [id]: r.secret }));
    } catch (e) {
      toast.error(e);
    }
  });
  // Revealed values leave the page's memory when the app changes or the pane closes.
  useEffect(() => () => setRevealed({}), [app.key]);
  const activeCount = app.secrets.filter((s) => s.state === 'active').length;

  return (
    <Card
      title="Signing secrets"
      description="Payment requests are HS256 JWTs signed with one of these. Values are never shown unless you reveal them."
      actions={<Button size="sm" icon={<IconRotate />} onClick={() => setRotateOpen(true)}>Rotate</Button>}
      flush
    >
      <ul className="secret-list" aria-label="Secrets">
        {app.secrets.map((s) => {
          const value = revealed[s.id];
          const endsIn = s.state === 'active' && s.expiresAt ? Date.parse(s.expiresAt) - now : null;
          return (
            <li key={s.id} className="secret-item">
              <div className="stack-sm" style={{ gap: 2 }}>
                <div className="row wrap">
                  <span className="mono small" style={{ fontWeight: 600 }}>{s.id}</span>
                  <StatusBadge status={s.state} />
                  {endsIn !== null && endsIn > 0 && <Badge tone="warning" plain>grace: {formatDuration(endsIn)} left</Badge>}
                </div>
                <div className="small muted">
                  Created {formatDateTime(s.createdAt)} · {s.revokedAt ? `revoked ${relativeTime(s.revokedAt, now)}` : s.expiresAt ? `${s.state === 'expired' ? 'ended' : 'ends'} ${formatDateTime(s.expiresAt)}` : 'no end date'}
                </div>
              </div>
              <div className="row" style={{ justifyContent: 'flex-end' }}>
                {value ? (
                  <>
                    <CopyButton value={value} label="Copy" />
                    <Button size="sm" variant="ghost" icon={<IconEyeOff />} onClick={() => setRevealed(({ [s.id]: _gone, ...rest }) => rest)}>Hide</Button>
                  </>
                ) : (
                  <Button size="sm" icon={<IconEye />} busy={revealing} onClick={() => reveal(s.id)} aria-label={`Reveal secret ${s.id}`}>Reveal</Button>
                )}
                {s.state !== 'revoked' && (
                  <Button size="sm" variant="danger-outline" icon={<IconBan />} onClick={() => setRevokeId(s.id)}
                    disabled={s.state === 'active' && activeCount <= 1}
                    title={s.state === 'active' && activeCount <= 1 ? 'The only active secret: rotate first, then revoke the old one.' : undefined}
                  >Revoke</Button>
                )}
              </div>
              {value
                ? <span className="secret-value secret-wide" data-testid={`revealed-${s.id}`}>{value}</span>
                : <span className="secret-masked mono small secret-wide" aria-label="Secret hidden">••••••••••••••••••••••••••••••••••••••••••</span>}
            </li>
          );
        })}
      </ul>
      <div className="card-footer small muted">
        <b>Rotate</b> makes a new secret; the current ones keep working for the grace period you pick, so you can deploy the new one first.
        <b> Revoke</b> ends one secret at once: requests signed with it are refused from that moment.
      </div>

      <ConfirmDialog
        open={rotateOpen} onClose={() => setRotateOpen(false)} title="Rotate the signing secret" confirmLabel="Rotate now"
        onConfirm={async () => {
          const r = await call('rotateSecret', { params: { key: app.key }, body: { graceSeconds: grace } });
          onChanged(r.app, { appKey: app.key, kind: 'rotated', secretId: r.secret.id, secret: r.secret.secret });
          toast.success('Secret rotated', grace === 0 ? 'Old secrets stopped working now.' : `Old secrets keep working for ${formatDuration(grace * 1000)}.`);
        }}
      >
        <div className="stack">
          <p>Paydesk makes a new secret and shows it once. How long should the current {activeCount === 1 ? 'secret' : 'secrets'} keep working?</p>
          <ChoiceGroup className="cols-sm" aria-label="Grace period" value={grace} onChange={setGrace} options={graceChoices.map((c) => ({ value: c.seconds, title: c.title, sub: c.sub }))} />
          <p className="small">
            {grace === 0
              ? 'Requests signed with the old secret are refused as soon as you rotate. Use this when a secret leaked.'
              : <>Requests signed with the old secret are accepted until {formatDateTime(new Date(now + grace * 1000).toISOString())}, then refused with <code className="code-inline">request_secret_expired</code>.</>}
          </p>
        </div>
      </ConfirmDialog>

      <ConfirmDialog
        open={revokeId !== null} onClose={() => setRevokeId(null)} title="Revoke this secret?" confirmLabel="Revoke secret" tone="danger"
        onConfirm={async () => {
          if (!revokeId) return;
          const a = await call('revokeSecret', { params: { key: app.key, secretId: revokeId } });
          setRevealed(({ [revokeId]: _gone, ...rest }) => rest);
          onChanged(a);
          toast.success('Secret revoked', `Requests signed with ${revokeId} are refused from now on.`);
        }}
      >
        Requests signed with <span className="mono">{revokeId}</span> are refused from this moment, with the code <code className="code-inline">request_secret_revoked</code>. This can't be undone.
      </ConfirmDialog>
    </Card>
  );
}

function NoticeSettingsCard({ app, onChanged }: { readonly app: App; readonly onChanged: () => void }) {
  const toast = useToast();
  const [setSigning, signing] = useAction(async (v: 'hmac' | 'eddsa') => {
    try {
      await call('updateApp', { params: { key: app.key }, body: { noticeSigning: v } });
      onChanged();
      toast.success('Notice signing changed', v === 'eddsa' ? 'Notices are signed with the provider key from now on.' : 'Notices are signed with the app secret from now on.');
    } catch (e) {
      toast.error(e);
    }
  });
  const [test, testing] = useAction(async () => {
    try {
      const n = await call('testNotice', { params: { key: app.key }, body: {} });
      toast.info('Test notice sent', n.status === 'delivered' ? 'The merchant server acknowledged it.' : 'See what the merchant server answered.');
      navigate(`/notices/${n.id}`);
    } catch (e) {
      toast.error(e);
    }
  });
  return (
    <Card title="Notices" description={`Paydesk POSTs a signed JWT to ${hostOf(app.postbackURL)} for every sale and refund, unless the payment request names its own postbackURL or chargebackURL: a request's own URL overrides the app's.`}>
      <div className="stack">
        <div className="field">
          <span className="label" id={`sign-${app.key}`}>Sign notices with</span>
          <ChoiceGroup
            className="cols" aria-labelledby={`sign-${app.key}`} value={app.noticeSigning} disabled={signing} onChange={(v) => v !== app.noticeSigning && void setSigning(v)}
            options={[{ value: 'hmac', title: 'App secret (HS256)', sub: 'Simple; the merchant verifies with its own secret' }, { value: 'eddsa', title: 'Provider key (EdDSA)', sub: 'Non-repudiation; verify with the JWKS' }]}
          />
        </div>
        <div className="row">
          <Button size="sm" icon={<IconSend />} busy={testing} onClick={() => test()}>Send a test notice</Button>
          <ButtonLink size="sm" variant="ghost" href={`#/notices?app=${encodeURIComponent(app.key)}`}>All notices</ButtonLink>
        </div>
      </div>
    </Card>
  );
}

function WebhookSecretCard({ app }: { readonly app: App }) {
  const [value, setValue] = useState<string | null>(null);
  const [reveal, busy] = useAction(async () => setValue((await call('revealWebhookSecret', { params: { key: app.key }, body: {} })).webhookSecret));
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => () => setValue(null), [app.key]);
  return (
    <Card title="Notice signing secret" description="Verify the webhook-signature header of each notice with it (Standard Webhooks).">
      <div className="stack-sm">
        {value ? <span className="secret-value">{value}</span> : <span className="secret-masked mono">whsec_••••••••••••••••••••••</span>}
        <div className="row">
          {value ? (
            <><CopyButton value={value} label="Copy" /><Button size="sm" variant="ghost" icon={<IconEyeOff />} onClick={() => setValue(null)}>Hide</Button></>
          ) : (
            <Button size="sm" icon={<IconEye />} busy={busy} onClick={() => reveal().catch(setError)}>Reveal</Button>
          )}
        </div>
        <ErrorCallout error={error} />
      </div>
    </Card>
  );
}

export function AppDetailPane({ appKey }: { readonly appKey: string }) {
  const toast = useToast();
  const [once, setOnce] = useState<OneTimeSecrets | undefined>(() => takeOneTimeSecrets(appKey));
  const [editing, setEditing] = useState(false);
  const [statusOpen, setStatusOpen] = useState(false);
  const res = useResource((signal) => call('getApp', { params: { key: appKey }, signal }), [appKey], { events: ['app.', 'purchase.completed', 'clock.advanced'] });
  useDocumentTitle(res.data ? showControls(res.data.name) : 'App');
  const app = res.data;

  if (!app) {
    return (
      <>
        <PageHeader title="App" back={{ href: '#/apps', label: 'Apps' }} />
        {res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock />}
      </>
    );
  }
  const disabled = app.status === 'disabled';
  return (
    <>
      <PageHeader
        back={{ href: '#/apps', label: 'Apps' }}
        title={<span className="row-lg"><AppAvatar app={app} /><UserText text={app.name} /><StatusBadge status={app.status} large />{app.access === 'simulate' && <Badge tone="accent" large>Simulate only</Badge>}</span>}
        sub={<span className="row wrap">App key <IdChip value={app.key} label="Copy app key" /></span>}
        actions={<>
          {!editing && <Button icon={<IconEdit />} onClick={() => setEditing(true)}>Edit</Button>}
          <Button variant={disabled ? 'primary' : 'danger-outline'} icon={disabled ? <IconCheck /> : <IconBan />} onClick={() => setStatusOpen(true)}>{disabled ? 'Enable' : 'Disable'}</Button>
        </>}
      />
      <div className="stack-lg">
        {once && <OneTimeSecretPanel secrets={once} app={app} onDone={() => setOnce(undefined)} />}
        {disabled && (
          <Callout tone="warning" title="This app is disabled">
            Paydesk refuses its payment requests with <code className="code-inline">request_app_disabled</code>. Existing purchases and notices are unaffected.
          </Callout>
        )}
        <div className="split">
          <div className="stack-lg">
            {editing ? (
              <Card title="Edit app">
                <AppForm
                  mode="edit" submitLabel="Save changes"
                  initial={{ name: app.name, homepage: app.homepage, contactEmail: app.contactEmail, postbackURL: app.postbackURL, chargebackURL: app.chargebackURL, access: app.access }}
                  onCancel={() => setEditing(false)}
                  onSubmit={async (v) => {
                    const patch: Record<string, string> = {};
                    for (const k of Object.keys(v) as (keyof typeof v)[]) if (v[k] !== app[k]) patch[k] = v[k];
                    if (Object.keys(patch).length > 0) await call('updateApp', { params: { key: app.key }, body: patch as RouteBody<'updateApp'> });
                    res.reload();
                    setEditing(false);
                    toast.success('App saved');
                  }}
                />
              </Card>
            ) : (
              <Card title="Details">
                <dl className="kv">
                  <dt>Homepage</dt><dd><a href={app.homepage} target="_blank" rel="noreferrer noopener"><UserText text={app.homepage} /></a></dd>
                  <dt>Contact</dt><dd>{app.contactEmail}</dd>
                  <dt>Postback URL</dt><dd className="mono small"><UserText text={app.postbackURL} /></dd>
                  <dt>Chargeback URL</dt><dd className="mono small"><UserText text={app.chargebackURL} /></dd>
                  <dt>Access</dt><dd>{app.access === 'live' ? <><b>Live</b> · {accessWords.live}</> : <><b>Simulate only</b> · {accessWords.simulate}</>}</dd>
                  <dt>Notices signed</dt><dd>{app.noticeSigning === 'eddsa' ? 'EdDSA with the provider key (verify with /.well-known/jwks.json)' : 'HS256 with the app secret'}</dd>
                  <dt>Registered</dt><dd>{formatDateTime(app.createdAt)}</dd>
                  <dt>Last changed</dt><dd>{formatDateTime(app.updatedAt)}</dd>
                </dl>
              </Card>
            )}
            <SecretsCard app={app} onChanged={(_a, o) => { res.reload(); if (o) setOnce(o); }} />
            <OAuthClientCard app={app} />
          </div>
          <div className="stack-lg">
            <Card title="Reputation" description="What buyers see about this seller in the wallet.">
              <div className="grid-2">
                <div><div className="subtle small">Sales</div><div className="stat-value">{formatCount(app.sales)}</div></div>
                <div><div className="subtle small">Refund rate</div><div className="stat-value">{formatPercent(app.refundRate)}</div></div>
              </div>
              <p className="small muted" style={{ marginTop: 12 }}>
                {app.sales < 5 || Date.now() - Date.parse(app.createdAt) < 30 * 86_400_000
                  ? <span className="row"><IconAlert width={14} height={14} />Buyers see a “new seller” flag until the app is 30 days old with 5 sales.</span>
                  : <span className="row"><IconShield width={14} height={14} />Established seller.</span>}
              </p>
              <div className="row" style={{ marginTop: 12 }}>
                <ButtonLink size="sm" href={`#/transactions?app=${encodeURIComponent(app.key)}`}>Transactions</ButtonLink>
                <ButtonLink size="sm" href={`#/lab?app=${encodeURIComponent(app.key)}`}>Request lab</ButtonLink>
              </div>
            </Card>
            <EndpointCard app={app} />
            <NoticeSettingsCard app={app} onChanged={res.reload} />
            <WebhookSecretCard app={app} />
          </div>
        </div>
      </div>
      <ConfirmDialog
        open={statusOpen} onClose={() => setStatusOpen(false)}
        title={<>{disabled ? 'Enable' : 'Disable'} <UserText text={app.name} />?</>}
        confirmLabel={disabled ? 'Enable app' : 'Disable app'} tone={disabled ? 'primary' : 'danger'}
        onConfirm={async () => {
          await call('updateApp', { params: { key: app.key }, body: { status: disabled ? 'active' : 'disabled' } });
          res.reload();
          toast.success(disabled ? 'App enabled' : 'App disabled');
        }}
      >
        {disabled
          ? 'Paydesk will accept this app\'s signed payment requests again.'
          : 'Paydesk will refuse every new payment request from this app (request_app_disabled) until you enable it. Completed purchases and pending notices are not affected.'}
      </ConfirmDialog>
    </>
  );
}
