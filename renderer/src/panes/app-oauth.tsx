// An app's OAuth client settings ("Sign in with Paydesk", DESIGN section 8): its
// redirect URIs (matched exactly), public or confidential, the scopes it may ask
// for, and a confidential client's secret, which is shown once when made and
// otherwise only revealed on an explicit click, like the app's own secrets.
// What a redirect URI may be is the contract's rule (OAuthClientBody), not a copy.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { OAuthClientBody, oauthScopes, type OAuthScope } from '../../../contract/api.ts';
import { call, type App, type OAuthClient } from '../api.ts';
import { useAction, useResource } from '../hooks.ts';
import { formatDateTime } from '../format.ts';
import { Button, Callout, Card, ChoiceGroup, ConfirmDialog, CopyButton, ErrorCallout, ErrorState, LoadingBlock, described, useToast } from '../ui.tsx';
import { IconEye, IconEyeOff, IconRotate } from '../icons.tsx';

const scopeNames = Object.keys(oauthScopes) as OAuthScope[];

interface Draft {
  readonly enabled: boolean;
  readonly type: OAuthClient['type'];
  readonly redirectURIs: string;
  readonly allowedScopes: readonly OAuthScope[];
}

const draftOf = (c: OAuthClient): Draft => ({ enabled: c.enabled, type: c.type, redirectURIs: c.redirectURIs.join('\n'), allowedScopes: c.allowedScopes });

export function OAuthClientCard({ app }: { readonly app: App }) {
  const res = useResource((signal) => call('getOAuthClient', { params: { key: app.key }, signal }), [app.key], { events: ['app.oauth_updated'] });
  const c = res.data;
  return (
    <Card title="Sign in with Paydesk" description="This app as an OAuth 2.0 / OpenID Connect client: its client_id is the app key.">
      {!c ? (res.error ? <ErrorState error={res.error} retry={res.reload} compact /> : <LoadingBlock />) : <OAuthForm app={app} client={c} onSaved={res.reload} />}
    </Card>
  );
}

function OAuthForm({ app, client, onSaved }: { readonly app: App; readonly client: OAuthClient; readonly onSaved: () => void }) {
  const toast = useToast();
  const ids = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(client));
  const [uriError, setUriError] = useState<string | undefined>(undefined);
  const [scopeError, setScopeError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [secret, setSecret] = useState<{ value: string; once: boolean } | null>(null);
  const [rotateOpen, setRotateOpen] = useState(false);
  useEffect(() => () => setSecret(null), [app.key]);

  const [save, saving] = useAction(async () => {
    setError(undefined);
    const body = { enabled: draft.enabled, type: draft.type, redirectURIs: draft.redirectURIs.split('\n').map((s) => s.trim()).filter(Boolean), allowedScopes: [...draft.allowedScopes] };
    const parsed = OAuthClientBody.safeParse(body);
    const issues = parsed.success ? [] : parsed.error.issues;
    const uriIssue = issues.find((i) => i.path[0] === 'redirectURIs');
    const scopeIssue = issues.find((i) => i.path[0] === 'allowedScopes');
    setUriError(uriIssue ? `${typeof uriIssue.path[1] === 'number' ? `Line ${uriIssue.path[1] + 1}: ` : ''}${uriIssue.code === 'too_big' ? 'at most 10 redirect URIs' : 'use an absolute https URL (http only on 127.0.0.1 or localhost), without fragment or wildcard'}` : undefined);
    setScopeError(scopeIssue ? 'Allow at least one scope.' : undefined);
    if (!parsed.success) return;
    try {
      const r = await call('setOAuthClient', { params: { key: app.key }, body: parsed.data });
      if (r.secret) setSecret({ value: r.secret, once: true });
      toast.success('Sign-in settings saved', r.secret ? 'A client secret was made: copy it now.' : undefined);
      onSaved();
    } catch (e) {
      setError(e);
    }
  });
  const [reveal, revealing] = useAction(async () => {
    try {
      setSecret({ value: (await call('revealOAuthSecret', { params: { key: app.key }, body: {} })).secret, once: false });
    } catch (e) {
      setError(e);
    }
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };
  const toggleScope = (s: OAuthScope) => setDraft((d) => ({ ...d, allowedScopes: d.allowedScopes.includes(s) ? d.allowedScopes.filter((x) => x !== s) : [...d.allowedScopes, s] }));

  return (
    <form className="stack" onSubmit={submit} aria-label="Sign-in settings" data-testid="oauth-form">
      <label className="check">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => setDraft((d) => ({ ...d, enabled: e.target.checked }))} />
        Buyers may sign in to this app with Paydesk
      </label>
      <div className="field">
        <span className="label" id={`${ids}-type`}>Client type</span>
        <ChoiceGroup
          className="cols" aria-labelledby={`${ids}-type`} value={draft.type} onChange={(type) => setDraft((d) => ({ ...d, type }))}
          options={[
            { value: 'public', title: 'Public', sub: 'Browser or native app: PKCE, no secret' },
            { value: 'confidential', title: 'Confidential', sub: 'A server that keeps a client secret, plus PKCE' },
          ]}
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-uris`}>Redirect URIs</label>
        <textarea id={`${ids}-uris`} className="textarea mono" rows={3} value={draft.redirectURIs} spellCheck={false}
          onChange={(e) => setDraft((d) => ({ ...d, redirectURIs: e.target.value }))} {...described(`${ids}-uris`, uriError, true)} data-testid="oauth-redirects" />
        {uriError
          ? <div className="error-text" id={`${ids}-uris-error`} role="alert">{uriError}</div>
          : <div className="hint" id={`${ids}-uris-hint`}>One per line, matched exactly: Paydesk sends the buyer back only to these.</div>}
      </div>
      <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }} aria-describedby={scopeError ? `${ids}-scopes-error` : undefined}>
        <legend className="label">Scopes it may ask for</legend>
        <div className="stack-sm">
          {scopeNames.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={draft.allowedScopes.includes(s)} onChange={() => toggleScope(s)} />
              <span><code className="code-inline">{s}</code> <span className="small muted">{oauthScopes[s]}</span></span>
            </label>
          ))}
        </div>
        {scopeError && <div className="error-text" id={`${ids}-scopes-error`} role="alert">{scopeError}</div>}
      </fieldset>
      <ErrorCallout error={error} />
      <div className="row">
        <Button type="submit" variant="primary" busy={saving}>Save sign-in settings</Button>
        {client.updatedAt === null && <span className="small subtle">Not configured yet: these are the defaults.</span>}
      </div>
      {client.type === 'confidential' && client.secret && (
        <div className="stack-sm" data-testid="oauth-secret">
          <span className="label">Client secret <span className="subtle small">made {formatDateTime(client.secret.createdAt)}</span></span>
          {secret?.once && <Callout tone="warning" title="Copy the client secret now">It is shown once here; later only with Reveal.</Callout>}
          {secret ? <span className="secret-value" data-testid="oauth-secret-value">{secret.value}</span> : <span className="secret-masked mono" aria-label="Client secret hidden">••••••••••••••••••••••••</span>}
          <div className="row">
            {secret
              ? <><CopyButton value={secret.value} label="Copy client secret" /><Button size="sm" variant="ghost" icon={<IconEyeOff />} onClick={() => setSecret(null)}>Hide</Button></>
              : <Button size="sm" icon={<IconEye />} busy={revealing} onClick={() => void reveal()}>Reveal</Button>}
            <Button size="sm" icon={<IconRotate />} onClick={() => setRotateOpen(true)}>Rotate</Button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={rotateOpen} onClose={() => setRotateOpen(false)} title="Rotate the client secret" confirmLabel="Rotate now" tone="danger"
        onConfirm={async () => {
          const r = await call('rotateOAuthSecret', { params: { key: app.key }, body: {} });
          setSecret({ value: r.secret, once: true });
          toast.success('Client secret rotated', 'The old secret is refused from now on.');
          onSaved();
        }}
      >
        The token endpoint refuses the old secret as soon as you rotate: update the merchant's server right after.
      </ConfirmDialog>
    </form>
  );
}
