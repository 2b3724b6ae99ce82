// Wallet → Sign-ins: consent to "Sign in with Paydesk" (DESIGN section 8). The
// merchant's page only shows a code; the buyer decides here, in the trusted
// wallet, as for a purchase: the seller and its reputation, the same code, what
// it asks for in plain words, and which buyer signs in (the merchant's
// login_hint preselects one, the buyer may switch). Remembered per merchant
// unless unticked. Nothing the merchant's page sends is typed or trusted here.
import { useEffect, useId, useRef, useState } from 'react';
import { call, type Authorization } from '../api.ts';
import { useDocumentTitle, useNow, useResource } from '../hooks.ts';
import { navigate } from '../router.ts';
import { bridge } from '../connection.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatClock, formatDateTime, relativeTime } from '../format.ts';
import { Button, ButtonLink, Callout, Card, EmptyState, ErrorCallout, ErrorState, LoadingBlock, PageHeader, StatusBadge, UserText } from '../ui.tsx';
import { IconAlert, IconCircleCheck, IconCircleX, IconClock, IconLogin, IconShield } from '../icons.tsx';
import { AppAvatar } from './apps.tsx';
import { SellerBlock } from './confirm.tsx';

export function SignInsPane({ id }: { readonly id?: string }) {
  useDocumentTitle('Approve sign-in');
  const { signIns } = useWallet();
  const list = signIns.data ?? [];
  const first = list[0]?.id;
  const selected = id ?? first;
  const others = list.filter((a) => a.id !== selected);
  // As the confirm pane: the route names the sign-in shown, so another one arriving never replaces it.
  useEffect(() => {
    if (id === undefined && first !== undefined) navigate(`/wallet/sign-in/${first}`, undefined, { replace: true });
  }, [id, first]);

  return (
    <>
      <PageHeader
        title="Approve sign-in"
        sub="When a merchant asks you to sign in with Paydesk, the request waits here. Check the seller and the code its page shows, then approve or deny."
      />
      {!selected ? (
        signIns.error && !signIns.data ? <Card><ErrorState error={signIns.error} retry={signIns.reload} /></Card>
          : !signIns.data ? <LoadingBlock label="Looking for sign-ins…" />
            : (
              <Card>
                <EmptyState icon={<IconLogin />} title="No sign-in waiting" action={<ButtonLink href="#/wallet/connections">Connected apps</ButtonLink>}>
                  When a store's “Sign in with Paydesk” button is pressed, the request appears here at once, with the seller's reputation and a code.
                </EmptyState>
              </Card>
            )
      ) : (
        <div className="confirm-layout">
          <SignInConsent key={selected} id={selected} standalone={false} />
          {others.length > 0 && (
            <Card title="Also waiting for you" description={`${others.length} more sign-in${others.length === 1 ? '' : 's'}`} flush>
              <nav className="queue" aria-label="Other sign-ins">
                {others.map((a) => (
                  <a key={a.id} href={`#/wallet/sign-in/${encodeURIComponent(a.id)}`}>
                    <AppAvatar app={{ key: a.seller.appKey, name: a.seller.name }} />
                    <span className="grow">
                      <span className="ellipsis" style={{ display: 'block', fontWeight: 560 }}><UserText text={a.seller.name} /></span>
                      <span className="small subtle">code {a.code} · expires {relativeTime(a.expiresAt)}</span>
                    </span>
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

/** The desktop app's trusted window for one sign-in (app://paydesk/#/sign-in/<id>). */
export function SignInWindow({ id }: { readonly id: string }) {
  useDocumentTitle('Approve sign-in');
  return (
    <main className="confirm-window" id="main">
      <SignInConsent id={id} standalone />
    </main>
  );
}

/** There is no single-sign-in route: the wallet reads it from the list, which includes decided ones. */
function SignInConsent({ id, standalone }: { readonly id: string; readonly standalone: boolean }) {
  const res = useResource(async (signal) => (await call('listAuthorizations', { query: {}, signal })).items.find((a) => a.id === id) ?? null, [id], { events: ['authorization.'] });
  const [decided, setDecided] = useState<Authorization | null>(null);
  const [sawPending, setSawPending] = useState(false);
  const a = res.data;
  useEffect(() => {
    if (a?.status === 'pending') setSawPending(true);
  }, [a?.status]);

  if (a === undefined) return res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock />;
  if (a === null) {
    return (
      <Card>
        <EmptyState icon={<IconAlert />} title="No such sign-in" action={<ButtonLink href="#/wallet/sign-in" variant="primary">Waiting sign-ins</ButtonLink>}>
          It may have been removed. Ask the store to start signing in again.
        </EmptyState>
      </Card>
    );
  }
  if (decided) return <SignInResult a={decided} here standalone={standalone} />;
  if (a.status !== 'pending') return <SignInResult a={a} here={!sawPending} standalone={standalone} />;
  return <PendingSignIn a={a} onDecided={setDecided} onExpired={res.reload} />;
}

function PendingSignIn({ a, onDecided, onExpired }: { readonly a: Authorization; readonly onDecided: (a: Authorization) => void; readonly onExpired: () => void }) {
  const now = useNow(1000);
  const expiresIn = Date.parse(a.expiresAt) - now;
  useEffect(() => {
    if (expiresIn <= 0) onExpired();
  }, [expiresIn <= 0, onExpired]);
  const [buyerId, setBuyerId] = useState(a.buyer?.id ?? '');
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const ids = useId();
  const chosen = a.buyers.find((b) => b.id === buyerId);
  const hinted = a.loginHint !== null && a.buyer !== null && a.buyer.id === buyerId;

  async function decide(kind: 'approve' | 'deny'): Promise<void> {
    setBusy(kind);
    setError(undefined);
    try {
      onDecided(kind === 'approve'
        ? await call('approveAuthorization', { params: { id: a.id }, body: { remember, ...(buyerId ? { buyerId } : {}) } })
        : await call('denyAuthorization', { params: { id: a.id }, body: {} }));
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  }

  return (
    <div className="trusted" aria-labelledby="sign-in-title" data-testid="sign-in-dialog">
      <div className="trusted-head"><IconShield />Paydesk wallet<span className="head-long"> · sign-in request</span><span className="grow" />
        <span className="row small" title={`Expires ${formatDateTime(a.expiresAt, true)}`}><IconClock width={14} height={14} />Expires in {formatClock(expiresIn)}</span>
      </div>
      <div className="trusted-grid">
        <div className="trusted-body">
          <h2 id="sign-in-title">Sign in to <UserText text={a.seller.name} /> with Paydesk?</h2>
          <SellerBlock seller={a.seller} />
          <div className="code-box">
            <div>
              <div className="small muted">Sign-in code</div>
              <div className="small subtle code-hint">{a.flow === 'device' ? 'The device or terminal shows the same code.' : 'The sign-in page shows the same code.'} Don't approve if they differ.</div>
            </div>
            <span className="conf-code" data-testid="sign-in-code">{a.code}</span>
          </div>
          <div>
            <h3 className="small muted" style={{ margin: '0 0 6px' }}><UserText text={a.seller.name} /> will be able to</h3>
            <ul className="scope-list" data-testid="sign-in-scopes">
              {a.scopes.map((s) => <li key={s.scope}><IconCircleCheck width={16} height={16} /><span>{s.description}</span></li>)}
            </ul>
          </div>
        </div>
        <div className="trusted-side stack">
          {a.buyers.length === 0 ? (
            <Callout tone="warning" title="No buyer to sign in as">
              Add a buyer in <a href="#/wallet/buyers">Wallet → Buyers</a> first; this request waits until it expires.
            </Callout>
          ) : (
            <div className="field">
              <label htmlFor={`${ids}-buyer`}>Sign in as</label>
              <select className="select" id={`${ids}-buyer`} value={buyerId} onChange={(e) => setBuyerId(e.target.value)} data-testid="sign-in-buyer" aria-describedby={`${ids}-buyer-hint`}>
                {buyerId === '' && <option value="">Choose a buyer…</option>}
                {a.buyers.map((b) => <option key={b.id} value={b.id}>{b.name} ({b.email})</option>)}
              </select>
              <div className="hint" id={`${ids}-buyer-hint`}>
                {hinted ? <>Preselected: the store suggested <b><UserText text={a.loginHint ?? ''} /></b>.</> : 'The store will know you by a Paydesk id for this buyer.'}
              </div>
            </div>
          )}
          <label className="check">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} data-testid="sign-in-remember" />
            Remember for this merchant
          </label>
          <div className="small muted" style={{ marginTop: -8 }}>Its next sign-ins go through without asking; disconnect it any time in <a href="#/wallet/connections">Connected apps</a>. Purchases always need your confirmation.</div>
          <ErrorCallout error={error} />
          <div className="row wrap">
            <Button variant="primary" icon={<IconLogin />} busy={busy === 'approve'} disabled={busy !== null || !chosen} onClick={() => void decide('approve')} data-testid="sign-in-approve">
              {chosen ? `Sign in as ${chosen.name}` : 'Approve'}
            </Button>
            <Button busy={busy === 'deny'} disabled={busy !== null} onClick={() => void decide('deny')} data-testid="sign-in-deny">Deny</Button>
          </div>
        </div>
      </div>
    </div>
  );
}

/**
 * A decided sign-in, announced (a status region, focus on its heading).
 * `here`: decided in this pane; otherwise elsewhere (another window, a script).
 */
function SignInResult({ a, here, standalone }: { readonly a: Authorization; readonly here: boolean; readonly standalone: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // The desktop window is the trusted confirmation window, holding this sign-in instead of a purchase.
  const close = bridge()?.closeConfirmation;
  const { signIns } = useWallet();
  const next = standalone ? undefined : signIns.data?.findLast((x) => x.id !== a.id);
  const elsewhere = here ? '' : ' It was decided in another Paydesk window or by a script.';
  const text = a.status === 'approved'
    ? { tone: 'success', title: `Signed in to ${a.seller.name}`, body: `${a.seller.name} now knows you as ${a.buyer?.name ?? 'this buyer'}; its page goes on by itself.${elsewhere}` }
    : a.status === 'denied'
      ? { tone: 'danger', title: 'Sign-in denied', body: `${a.seller.name} was told you refused. Nothing was shared.${elsewhere}` }
      : { tone: 'neutral', title: 'Sign-in expired', body: 'It waited too long for an answer. Nothing was shared; ask the store to start again.' };
  return (
    <Card>
      <div data-testid="sign-in-result">
        <div className="result-hero" role="status">
          <div className={`hero-icon hero-${text.tone}`}>{text.tone === 'success' ? <IconCircleCheck /> : text.tone === 'danger' ? <IconCircleX /> : <IconAlert />}</div>
          <h2 ref={heading} tabIndex={-1}>{text.title}</h2>
          <p className="muted" style={{ maxWidth: 520 }}>{text.body}</p>
          <StatusBadge status={a.status} large />
        </div>
        <dl className="kv" style={{ maxWidth: 560, margin: '0 auto' }}>
          <dt>Merchant</dt><dd><UserText text={a.seller.name} /></dd>
          {a.buyer && a.status === 'approved' && <><dt>Signed in as</dt><dd><UserText text={a.buyer.name} /> ({a.buyer.email})</dd></>}
          <dt>Sign-in code</dt><dd><code className="code-inline">{a.code}</code></dd>
          <dt>Asked for</dt><dd>{a.scopes.map((s) => s.scope).join(', ')}</dd>
          {a.decidedAt && <><dt>Decided</dt><dd>{formatDateTime(a.decidedAt, true)}</dd></>}
        </dl>
        <div className="row" style={{ justifyContent: 'center', marginTop: 24 }}>
          {standalone && close ? (
            <Button variant="primary" onClick={() => void close(a.id)}>Close</Button>
          ) : (
            <>
              <Button onClick={() => navigate('/wallet/connections')}>Connected apps</Button>
              {next
                ? <Button variant="primary" onClick={() => navigate(`/wallet/sign-in/${next.id}`)}>Next sign-in</Button>
                : <Button variant="primary" onClick={() => navigate('/wallet/confirm')}>Done</Button>}
            </>
          )}
        </div>
      </div>
    </Card>
  );
}
