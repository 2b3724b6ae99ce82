// Merchant → Notices: every postback and chargeback Paydesk sent, each attempt's
// request, response, timing, verdict and the URL it went to, and the repairs:
// redeliver (same webhook-id; where it would go now, the app's current URL or
// another), cancel, edit-and-resend (a new, re-signed notice), copy as curl, and
// "retry all failed" in bulk. The app page's endpoint card is here too.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { call, type App, type RouteQuery, type RouteResult } from '../api.ts';
import { useAction, useDocumentTitle, useNow, useResource, useServerEvents } from '../hooks.ts';
import { navigate, useLocation } from '../router.ts';
import { formatDateTime, formatMs, formatTime, relativeTime } from '../format.ts';
import {
  Badge, Button, ButtonLink, Callout, Card, ChoiceGroup, ConfirmDialog, CopyButton, Dialog, EmptyState, ErrorCallout, ErrorState, Field, IdChip, LoadingBlock, LoadingRows,
  CodeText, PageHeader, StatusBadge, UserText, showControls, useToast,
} from '../ui.tsx';
import { IconBan, IconBell, IconEdit, IconRefresh, IconSearch, IconTerminal, IconX, IconArrowRight } from '../icons.tsx';
import { ExportButtons } from '../export.tsx';

type NoticeSummary = RouteResult<'listNotices'>['items'][number];
type NoticeDetail = RouteResult<'getNotice'>;
type NoticeAttempt = NoticeDetail['attemptLog'][number];
type NoticeQuery = NonNullable<RouteQuery<'listNotices'>>;
type RetryJob = RouteResult<'retryFailedNotices'>;
const statuses = ['pending', 'delivered', 'failed', 'cancelled'] as const;

const urlSourceWords = {
  app: ["app's URL", "The app's registered postback or chargeback URL"],
  request: ["request's URL", "The payment request named its own postbackURL or chargebackURL, which overrides the app's"],
  other: ['other URL', 'A URL typed in for a test notice or a redelivery'],
} as const;

/** Which URL a notice or an attempt used: the request's own (it overrides the app's), the app's, or one typed in. */
function URLSourceBadge({ source }: { readonly source: keyof typeof urlSourceWords | null }) {
  if (!source) return null;
  const [label, title] = urlSourceWords[source];
  return <Badge tone={source === 'request' ? 'accent' : 'neutral'} plain title={title}>{label}</Badge>;
}

const verdictWords: Record<string, string> = {
  delivered: 'Delivered: 2xx and the body echoed the transaction id',
  http_status: 'The merchant answered with a non-2xx status',
  wrong_echo: 'The response body was not the transaction id',
  redirect_not_followed: 'The merchant answered with a redirect; notices do not follow redirects',
  response_too_large: 'The response was larger than the cap',
  timeout: 'The merchant did not answer in time',
  connect_refused: 'Connection refused',
  connection_reset: 'The connection was reset',
  dns_failed: 'The host name does not resolve',
  network_error: 'A network error interrupted the request',
  forbidden_target: 'Paydesk refuses to send to that address',
  interrupted: 'Interrupted (Paydesk stopped mid-delivery); retried',
  in_flight: 'Being delivered now',
};

function verdictTone(v: string | null): 'success' | 'danger' | 'warning' | 'neutral' {
  if (!v) return 'neutral';
  if (v === 'delivered') return 'success';
  if (v === 'in_flight' || v === 'interrupted') return 'warning';
  return 'danger';
}

function VerdictBadge({ verdict }: { readonly verdict: string | null }) {
  if (!verdict) return <Badge>Not tried yet</Badge>;
  return <Badge tone={verdictTone(verdict)} title={verdictWords[verdict]}>{verdict.replace(/_/g, ' ')}</Badge>;
}

/** JSON with control and bidi characters as \u escapes: what the merchant sent, shown so it cannot reorder itself, and still the same JSON. */
function json(v: unknown): string {
  return showControls(JSON.stringify(v, null, 2));
}

// --- list --------------------------------------------------------------------------

export function NoticesPane() {
  useDocumentTitle('Notices');
  const loc = useLocation();
  const query: NoticeQuery = {
    ...(loc.query.get('app') ? { appKey: loc.query.get('app')! } : {}),
    ...(['postback', 'chargeback'].includes(loc.query.get('type') ?? '') ? { type: loc.query.get('type') as 'postback' | 'chargeback' } : {}),
    ...((statuses as readonly string[]).includes(loc.query.get('status') ?? '') ? { status: loc.query.get('status') as NoticeQuery['status'] } : {}),
    ...(loc.query.get('q') ? { q: loc.query.get('q')! } : {}),
  };
  const setQuery = (q: NoticeQuery) => navigate('/notices', { app: q.appKey, type: q.type, status: q.status, q: q.q }, { replace: true });
  const apps = useResource(async (signal) => (await call('listApps', { signal })).items, [], { events: ['app.'] });
  const [extra, setExtra] = useState<{ items: readonly NoticeSummary[]; cursor: string | null }>({ items: [], cursor: null });
  const key = JSON.stringify(query);
  const first = useResource((signal) => call('listNotices', { query: { ...query, limit: 50 }, signal }), [key], { events: ['notice.', 'clock.advanced'] });
  useEffect(() => setExtra({ items: [], cursor: null }), [key]);
  const [loadMore, loadingMore] = useAction(async () => {
    const cursor = extra.cursor ?? first.data?.nextCursor;
    if (!cursor) return;
    const page = await call('listNotices', { query: { ...query, limit: 50, cursor } });
    setExtra((x) => ({ items: [...x.items, ...page.items], cursor: page.nextCursor }));
  });
  const items = first.data ? [...first.data.items, ...extra.items.filter((e) => !first.data!.items.some((i) => i.id === e.id))] : undefined;
  const more = extra.items.length > 0 ? extra.cursor : first.data?.nextCursor ?? null;
  const failedCount = items?.filter((i) => i.status === 'failed').length ?? 0;
  const filtered = Object.keys(query).length > 0;

  return (
    <>
      <PageHeader
        title="Notices" sub="Postbacks and chargebacks Paydesk sent to merchant servers. Success is a 2xx answer whose body is the transaction id."
        actions={<ExportButtons name="exportNotices" filter={query} what="notices" />}
      />
      <NoticeFilters query={query} apps={apps.data ?? []} onChange={setQuery} />
      {(failedCount > 0 || query.status === 'failed') && (
        <div style={{ marginBottom: 16 }}>
          <Callout tone="danger" title={failedCount > 0 ? `${failedCount} notice${failedCount === 1 ? '' : 's'} failed` : 'Failed notices'}>
            <div className="stack-sm">
              <span>
                The merchant never acknowledged {failedCount === 1 ? 'it' : 'them'}. Open one to see why, fix the server or the app's URL, then redeliver, or retry them all.{' '}
                {!query.status && <button type="button" className="link-btn" onClick={() => setQuery({ ...query, status: 'failed' })}>Show only failed</button>}
              </span>
              <RetryFailed filter={{ appKey: query.appKey, type: query.type, q: query.q }} label={query.appKey ? "Retry all failed for this app" : 'Retry all failed'} />
            </div>
          </Callout>
        </div>
      )}
      <Card flush>
        {!items ? (first.error ? <ErrorState error={first.error} retry={first.reload} /> : <LoadingRows rows={6} label="Loading notices" />) : items.length === 0 ? (
          filtered
            ? <EmptyState icon={<IconSearch />} title="No notices match" action={<Button onClick={() => setQuery({})}>Clear filters</Button>}>Try another app, type or status.</EmptyState>
            : <EmptyState icon={<IconBell />} title="No notices yet">Paydesk sends a postback for every completed purchase and a chargeback for every refund. They'll show up here with every delivery attempt.</EmptyState>
        ) : (
          <>
            {first.error ? <div style={{ padding: 12 }}><ErrorCallout error={first.error} /></div> : null}
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th>Notice</th><th>Status</th><th>App</th><th>Transaction</th><th>Last attempt</th><th>Created</th></tr></thead>
                <tbody>
                  {items.map((n) => {
                    const appName = apps.data?.find((a) => a.key === n.appKey)?.name ?? n.appKey;
                    return (
                      <tr key={n.id} className={`clickable ${n.status === 'failed' ? 'notice-row-failed' : ''}`} data-testid="notice-row"
                        onClick={(e) => { if (!(e.target as HTMLElement).closest('a,button')) navigate(`/notices/${n.id}`); }}>
                        <td className="title-cell">
                          <a href={`#/notices/${encodeURIComponent(n.id)}`}>{n.type === 'postback' ? 'Postback' : 'Chargeback'}</a>
                          {n.origin !== 'purchase' && <Badge tone="accent" plain>{n.origin}</Badge>}
                          <div className="mono xsmall subtle">{n.id}</div>
                        </td>
                        {/* The key columns (what, its status) come first, so a narrow window shows them without scrolling (issue 15). */}
                        <td>
                          <StatusBadge status={n.status} />
                          <div className="xsmall subtle" style={{ marginTop: 3 }}>{n.attempts}/{n.maxAttempts} attempts{n.status === 'pending' && n.nextAttemptAt ? ` · next ${relativeTime(n.nextAttemptAt)}` : ''}</div>
                        </td>
                        <td className="muted"><UserText text={appName} /></td>
                        <td className="mono small">{n.transactionID ?? <span className="subtle">—</span>}</td>
                        <td>{n.lastVerdict ? <><VerdictBadge verdict={n.lastVerdict} /><div className="xsmall subtle" style={{ marginTop: 3 }}>{relativeTime(n.lastAttemptAt)}</div></> : <span className="subtle small">Not yet</span>}</td>
                        <td className="muted small nowrap">{relativeTime(n.createdAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {more && <div className="card-footer row" style={{ justifyContent: 'center' }}><Button size="sm" busy={loadingMore} onClick={() => loadMore()}>Load more</Button></div>}
          </>
        )}
      </Card>
    </>
  );
}

function NoticeFilters({ query, apps, onChange }: { readonly query: NoticeQuery; readonly apps: readonly App[]; readonly onChange: (q: NoticeQuery) => void }) {
  const id = useId();
  const [text, setText] = useState(query.q ?? '');
  useEffect(() => setText(query.q ?? ''), [query.q]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ ...query, q: text.trim() || undefined });
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter notices">
      <Field label="Search" htmlFor={`${id}-q`} className="search">
        <div className="input-group">
          <input id={`${id}-q`} className="input" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Notice, transaction or purchase id" spellCheck={false} />
          <Button type="submit" icon={<IconSearch />}>Search</Button>
        </div>
      </Field>
      <Field label="App" htmlFor={`${id}-app`}>
        <select id={`${id}-app`} className="select" value={query.appKey ?? ''} onChange={(e) => onChange({ ...query, appKey: e.target.value || undefined })}>
          <option value="">All apps</option>
          {apps.map((a) => <option key={a.key} value={a.key}>{showControls(a.name)}</option>)}
        </select>
      </Field>
      <Field label="Type" htmlFor={`${id}-type`}>
        <select id={`${id}-type`} className="select" value={query.type ?? ''} onChange={(e) => onChange({ ...query, type: (e.target.value || undefined) as NoticeQuery['type'] })}>
          <option value="">Any type</option><option value="postback">Postback</option><option value="chargeback">Chargeback</option>
        </select>
      </Field>
      <Field label="Status" htmlFor={`${id}-status`}>
        <select id={`${id}-status`} className="select" value={query.status ?? ''} onChange={(e) => onChange({ ...query, status: (e.target.value || undefined) as NoticeQuery['status'] })}>
          <option value="">Any status</option><option value="pending">Pending</option><option value="delivered">Delivered</option><option value="failed">Failed</option><option value="cancelled">Cancelled</option>
        </select>
      </Field>
      {Object.keys(query).length > 0 && <Button variant="ghost" icon={<IconX />} onClick={() => onChange({})}>Clear</Button>}
    </form>
  );
}

// --- detail --------------------------------------------------------------------------

export function NoticeDetailPane({ id }: { readonly id: string }) {
  const toast = useToast();
  const res = useResource((signal) => call('getNotice', { params: { id }, signal }), [id], { events: ['notice.', 'clock.advanced'] });
  useDocumentTitle('Notice');
  // Ticks, so "in 8 seconds" counts down to "is due now" by Paydesk's time.
  const now = useNow(1000, res.data?.status === 'pending');
  const [resendOpen, setResendOpen] = useState(false);
  const [redeliverOpen, setRedeliverOpen] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [curl, setCurl] = useState<string | null>(null);
  const [loadCurl, loadingCurl] = useAction(async () => {
    try {
      setCurl((await call('noticeCurl', { params: { id } })).curl);
    } catch (e) {
      toast.error(e);
    }
  });
  const n = res.data;
  if (!n) {
    return (
      <>
        <PageHeader title="Notice" back={{ href: '#/notices', label: 'Notices' }} />
        {res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock />}
      </>
    );
  }
  return (
    <>
      <PageHeader
        back={{ href: '#/notices', label: 'Notices' }}
        title={<span className="row-lg">{n.type === 'postback' ? 'Postback' : 'Chargeback'} notice <StatusBadge status={n.status} large /></span>}
        sub={<span className="row wrap"><IdChip value={n.id} /> <span className="subtle">·</span> to <span className="mono small" data-testid="notice-url">{n.url}</span> <URLSourceBadge source={n.urlSource} /></span>}
        actions={<>
          <Button icon={<IconTerminal />} busy={loadingCurl} onClick={() => loadCurl()}>Copy as curl</Button>
          <Button icon={<IconEdit />} onClick={() => setResendOpen(true)}>Edit and resend</Button>
          {(n.status === 'pending' || n.status === 'failed') && <Button variant="danger-outline" icon={<IconBan />} onClick={() => setCancelOpen(true)}>Cancel notice</Button>}
          <Button variant="primary" icon={<IconRefresh />} onClick={() => setRedeliverOpen(true)}>Redeliver</Button>
        </>}
      />
      <div className="stack-lg">
        {n.status === 'failed' && (
          <Callout tone="danger" title={`Failed after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}`}>
            {n.lastVerdict ? verdictWords[n.lastVerdict] ?? n.lastVerdict : 'No attempt succeeded'}{n.lastReason ? ` (${showControls(n.lastReason)})` : ''}. Fix the merchant's endpoint, then redeliver: the webhook-id stays the same, so a merchant that already processed it can tell.
          </Callout>
        )}
        {n.status === 'cancelled' && (
          <Callout tone="warning" title="Cancelled">
            Paydesk stopped trying {n.cancelledAt ? formatDateTime(n.cancelledAt, true) : ''} after {n.attempts} attempt{n.attempts === 1 ? '' : 's'}. Redeliver sends it again if you change your mind.
          </Callout>
        )}
        {n.status === 'delivered' && (
          <div data-testid="notice-delivered">
            <Callout tone="success" title={`Delivered on attempt ${n.attempts}`}>
              {verdictWords.delivered}{n.deliveredAt ? `, ${formatMs(Date.parse(n.deliveredAt) - Date.parse(n.createdAt))} after it was queued.` : '.'}
            </Callout>
          </div>
        )}
        {n.status === 'pending' && n.nextAttemptAt && (
          <Callout tone="warning" title="Delivery in progress">
            Attempt {n.attempts + 1} of {n.maxAttempts} {Date.parse(n.nextAttemptAt) <= now ? 'is due now' : `is scheduled for ${formatTime(n.nextAttemptAt)} (${relativeTime(n.nextAttemptAt, now)})`}.
          </Callout>
        )}
        <div className="split">
          <section className="stack" aria-labelledby="attempts-title">
            <div className="spread">
              <h2 id="attempts-title">Attempts</h2>
              <span className="small muted">Newest first · request, response, timing and verdict of each</span>
            </div>
            {n.attemptLog.length === 0
              ? <Card><EmptyState compact icon={<IconBell />} title="No attempts yet">The dispatcher picks this notice up within a moment.</EmptyState></Card>
              : [...n.attemptLog].reverse().map((a, i) => <AttemptCard key={a.number} attempt={a} open={i === 0} />)}
          </section>
          <div className="stack-lg">
            <Card title="Delivery">
              <dl className="kv">
                <dt>webhook-id</dt><dd><IdChip value={n.webhookId} /></dd>
                <dt>Type</dt><dd>{n.type} · seq {n.seq}</dd>
                <dt>Origin</dt><dd>{n.origin === 'purchase' ? 'Sent for a purchase or refund' : n.origin === 'resend' ? 'Edited and resent' : 'Test notice'}</dd>
                {n.parentId && <><dt>Resend of</dt><dd><a className="mono small" href={`#/notices/${encodeURIComponent(n.parentId)}`}>{n.parentId}</a></dd></>}
                <dt>Transaction</dt><dd>{n.transactionID && n.purchaseId ? <a className="mono small" href={`#/transactions/${encodeURIComponent(n.purchaseId)}`}>{n.transactionID}</a> : <span className="mono small">{n.transactionID ?? '—'}</span>}</dd>
                <dt>Attempts</dt><dd>{n.attempts} of at most {n.maxAttempts}</dd>
                <dt>Created</dt><dd>{formatDateTime(n.createdAt, true)}</dd>
                {n.deliveredAt && <><dt>Delivered</dt><dd>{formatDateTime(n.deliveredAt, true)}</dd></>}
                {n.failedAt && <><dt>Gave up</dt><dd>{formatDateTime(n.failedAt, true)}</dd></>}
              </dl>
            </Card>
            <Card title="Decoded notice" description="The JWT Paydesk signs and posts as notice=<JWT>.">
              <div className="stack">
                <div><div className="label" style={{ marginBottom: 6 }}>Header</div><CodeText label="Notice header" text={json(n.notice.header)} /></div>
                <div><div className="label" style={{ marginBottom: 6 }}>Claims</div><CodeText label="Notice claims" text={json(n.notice.claims)} /></div>
              </div>
            </Card>
          </div>
        </div>
      </div>
      <ResendDialog open={resendOpen} notice={n} onClose={() => setResendOpen(false)} />
      <RedeliverDialog open={redeliverOpen} notice={n} onClose={() => setRedeliverOpen(false)} onDone={res.reload} />
      <ConfirmDialog open={cancelOpen} onClose={() => setCancelOpen(false)} title="Stop retrying this notice?" confirmLabel="Stop retrying" tone="danger"
        onConfirm={async () => {
          await call('cancelNotice', { params: { id }, body: {} });
          toast.success('Notice cancelled', 'No more attempts. Redeliver sends it again if needed.');
          res.reload();
        }}>
        Paydesk stops retrying it{n.status === 'pending' && n.nextAttemptAt ? ` (the next attempt was due ${relativeTime(n.nextAttemptAt)})` : ''}. The merchant never gets it unless you redeliver it.
      </ConfirmDialog>
      <Dialog wide open={curl !== null} onClose={() => setCurl(null)} title="The last request, as curl"
        footer={<><Button onClick={() => setCurl(null)}>Close</Button>{curl && <CopyButton value={curl} label="Copy command" size="md" variant="primary" />}</>}>
        {curl !== null && <CodeText data-testid="curl" label="curl command" text={curl} />}
      </Dialog>
    </>
  );
}

function AttemptCard({ attempt: a, open }: { readonly attempt: NoticeAttempt; readonly open: boolean }) {
  const ok = a.verdict === 'delivered';
  return (
    <details className={`attempt ${ok || a.verdict === 'in_flight' ? '' : 'attempt-failed'}`} open={open} aria-label={`Attempt ${a.number}`} role="article">
      <summary className="attempt-head">
        <b>Attempt {a.number}</b>
        <VerdictBadge verdict={a.verdict} />
        {a.response && <Badge tone={a.response.status >= 200 && a.response.status < 300 ? 'success' : 'danger'} plain>HTTP {a.response.status}</Badge>}
        <span className="small muted">{formatDateTime(a.startedAt, true)}</span>
        {a.durationMs !== null && <span className="small muted">· {formatMs(a.durationMs)}</span>}
        <span className="grow" />
        {!ok && <span className="small attempt-why">{verdictWords[a.verdict] ?? a.verdict}{a.reason ? ` (${showControls(a.reason)})` : ''}</span>}
      </summary>
      <div className="attempt-body">
        <div className="stack-sm">
          <div className="label row wrap">Request <span className="subtle mono xsmall" data-testid="attempt-url">POST {a.url}</span> <URLSourceBadge source={a.urlSource} /></div>
          <CodeText label={`Attempt ${a.number} request`} text={`${Object.entries(a.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${a.request.body}`} />
        </div>
        <div className="stack-sm">
          <div className="label">Response</div>
          {a.response ? (
            <CodeText label={`Attempt ${a.number} response`} text={`HTTP ${a.response.status}\n${Object.entries(a.response.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\n')}\n\n${a.response.body || '(empty body)'}${a.response.truncated ? '\n… (truncated at the response cap)' : ''}`} />
          ) : <div className="panel muted small">No response: {verdictWords[a.verdict] ?? a.verdict}{a.reason ? ` (${showControls(a.reason)})` : ''}.</div>}
        </div>
      </div>
    </details>
  );
}

function ResendDialog({ open, notice, onClose }: { readonly open: boolean; readonly notice: NoticeDetail; readonly onClose: () => void }) {
  const id = useId();
  const toast = useToast();
  const [request, setRequest] = useState('');
  const [response, setResponse] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setRequest(json(notice.payload.request));
    setResponse(json(notice.payload.response));
    setError(undefined);
  }, [open, notice]);
  const parse = (text: string): Record<string, unknown> | string => {
    try {
      const v = JSON.parse(text) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'must be a JSON object';
    } catch (e) {
      return `is not valid JSON (${(e as Error).message})`;
    }
  };
  const req = parse(request);
  const resp = parse(response);
  return (
    <Dialog wide open={open} onClose={() => !busy && onClose()} title="Edit and resend"
      footer={<>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button variant="primary" icon={<IconArrowRight />} busy={busy} disabled={typeof req === 'string' || typeof resp === 'string'} onClick={async () => {
          if (typeof req === 'string' || typeof resp === 'string') return;
          setBusy(true);
          setError(undefined);
          try {
            const created = await call('resendNotice', { params: { id: notice.id }, body: { request: req, response: resp } });
            toast.success('New notice sent', `${created.id} is signed again and on its way.`);
            onClose();
            navigate(`/notices/${created.id}`);
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}>Sign and send</Button>
      </>}>
      <div className="stack">
        <p className="small">Paydesk signs a <b>new</b> notice (new id and webhook-id, next seq) with what you edit here and sends it to the request's own <span className="mono">{notice.type === 'postback' ? 'postbackURL' : 'chargebackURL'}</span> if it names one, else to the app's current URL. The original stays as it was.</p>
        <Field label="request" htmlFor={`${id}-req`} error={typeof req === 'string' ? `request ${req}` : undefined}>
          <textarea id={`${id}-req`} className="textarea mono" rows={8} value={request} onChange={(e) => setRequest(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="response" htmlFor={`${id}-resp`} error={typeof resp === 'string' ? `response ${resp}` : undefined} hint="transactionID and price {amount, currency} are required.">
          <textarea id={`${id}-resp`} className="textarea mono" rows={6} value={response} onChange={(e) => setResponse(e.target.value)} spellCheck={false} />
        </Field>
        <ErrorCallout error={error} />
      </div>
    </Dialog>
  );
}

// --- redeliver, retry all failed --------------------------------------------------

function RedeliverDialog({ open, notice, onClose, onDone }: { readonly open: boolean; readonly notice: NoticeDetail; readonly onClose: () => void; readonly onDone: () => void }) {
  const id = useId();
  const toast = useToast();
  const app = useResource((signal) => call('getApp', { params: { key: notice.appKey }, signal }), [notice.appKey, open], { events: ['app.'] });
  const [choice, setChoice] = useState<'current' | 'app' | 'url'>('current');
  const [url, setURL] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [send, busy] = useAction(async () => {
    setError(undefined);
    try {
      const body = choice === 'url' ? { url: url.trim() } : { to: choice };
      const r = await call('redeliverNotice', { params: { id: notice.id }, body });
      toast.success('Redelivery queued', `Paydesk sends it to ${r.url} now, with the same webhook-id.`);
      onClose();
      onDone();
    } catch (e) {
      setError(e);
    }
  });
  useEffect(() => {
    if (open) { setChoice('current'); setURL(''); setError(undefined); }
  }, [open]);
  const appURL = app.data ? (notice.type === 'postback' ? app.data.postbackURL : app.data.chargebackURL) : undefined;
  const ownRequest = notice.urlSource === 'request';
  const options: readonly { readonly value: 'current' | 'app' | 'url'; readonly title: string; readonly sub: string }[] = [
    ownRequest
      ? { value: 'current', title: "The request's own URL", sub: `${notice.url}: the payment request named it, and it overrides the app's` }
      : { value: 'current', title: "The app's current URL", sub: appURL ?? '…' },
    ...(ownRequest ? [{ value: 'app' as const, title: "The app's current URL instead", sub: appURL ?? '…' }] : []),
    { value: 'url', title: 'Another URL', sub: 'Checked by the same address guard as every notice URL' },
  ];
  return (
    <Dialog open={open} onClose={() => !busy && onClose()} title="Redeliver"
      footer={<>
        <Button onClick={onClose} disabled={busy}>Close</Button>
        <Button variant="primary" icon={<IconRefresh />} busy={busy} disabled={choice === 'url' && url.trim() === ''} onClick={() => send()}>Redeliver now</Button>
      </>}>
      <div className="stack">
        <p className="small">The same notice and webhook-id, sent once more. It went to <span className="mono">{notice.url}</span> last time.</p>
        <ChoiceGroup className="stacked" aria-label="Send it to" value={choice} onChange={setChoice}
          options={options.map((o) => ({ value: o.value, title: o.title, sub: <span className="mono small">{o.sub}</span> }))} />
        {choice === 'url' && (
          <Field label="URL" htmlFor={`${id}-url`}>
            <input id={`${id}-url`} className="input mono" type="url" value={url} onChange={(e) => setURL(e.target.value)} placeholder="https://pony.example/paydesk/postback" spellCheck={false} autoComplete="off" />
          </Field>
        )}
        <ErrorCallout error={error} />
      </div>
    </Dialog>
  );
}

/** "Retry all failed" for a filter: one bulk job; its progress and summary from the notice_retry events. */
function RetryFailed({ filter, label }: { readonly filter: Readonly<{ appKey?: string; type?: 'postback' | 'chargeback'; q?: string }>; readonly label: string }) {
  const [job, setJob] = useState<Pick<RetryJob, 'id' | 'queued' | 'skipped' | 'more' | 'pending' | 'delivered' | 'failed' | 'finished'> | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [start, busy] = useAction(async () => {
    setError(undefined);
    try {
      const body = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      setJob(await call('retryFailedNotices', { body }));
    } catch (e) {
      setError(e);
    }
  });
  // Events that came before the job's id was known (a small job can finish first): read its summary once.
  useEffect(() => {
    if (!job || job.finished) return;
    const ctrl = new AbortController();
    call('getNoticeRetry', { params: { id: job.id }, signal: ctrl.signal }).then((j) => setJob((cur) => (cur && cur.id === j.id && !cur.finished ? j : cur)), () => undefined);
    return () => ctrl.abort();
  }, [job?.id]);
  useServerEvents((e) => {
    if ((e.type === 'notice_retry.progress' || e.type === 'notice_retry.finished') && e.data.id === job?.id) {
      const { delivered, failed, queued } = e.data;
      setJob((j) => j && { ...j, queued, delivered, failed, pending: e.type === 'notice_retry.progress' ? e.data.pending : 0, finished: e.type === 'notice_retry.finished' || e.data.pending === 0 });
    }
  });
  const done = job ? job.delivered + job.failed : 0;
  return (
    <div className="stack-sm" data-testid="retry-failed">
      <div className="row wrap">
        <Button size="sm" icon={<IconRefresh />} busy={busy || (job !== undefined && !job.finished)} onClick={() => start()}>{label}</Button>
        {job && (
          <span className="small" role="status" aria-live="polite" data-testid="retry-summary">
            {job.queued === 0 ? 'Nothing to retry: no failed notice matches.'
              : job.finished ? `Done: ${job.queued} queued, ${job.delivered} delivered, ${job.failed} failed again.`
              : `Retrying ${done} of ${job.queued}: ${job.delivered} delivered, ${job.failed} failed…`}
            {job.skipped > 0 ? ` ${job.skipped} left failed: the address guard refuses their URL.` : ''}
            {job.more && job.finished ? ' More failed notices match: run it again for the next batch.' : ''}
          </span>
        )}
      </div>
      {job && job.queued > 0 && !job.finished && <progress className="progress" max={job.queued} value={done} aria-label="Retry progress" />}
      <ErrorCallout error={error} />
    </div>
  );
}

// --- the app page's endpoint card ------------------------------------------------------

const percent = (v: number) => `${Math.round(v * 1000) / 10}%`;

/**
 * How the app's notice endpoint is doing (GET /api/apps/{key}/endpoint-health),
 * the banner while its notices keep failing (the rule is the server's,
 * server/notices/health.ts), and its latest notices with the URL each used.
 */
export function EndpointCard({ app }: { readonly app: App }) {
  const health = useResource((signal) => call('getEndpointHealth', { params: { key: app.key }, signal }), [app.key], { events: ['notice.', 'app.'] });
  const recent = useResource((signal) => call('listNotices', { query: { appKey: app.key, limit: 5 }, signal }), [app.key], { events: ['notice.'] });
  const h = health.data;
  return (
    <Card title="Endpoint" id="endpoint" description="From the app's latest notice attempts (up to 200).">
      <div className="stack">
        {h?.failing && (
          <div data-testid="endpoint-failing">
            <Callout tone="danger" title="Notices to this app keep failing">
              The last {h.failing.attempts} attempts since {formatDateTime(h.failing.since, true)} all failed
              {h.lastFailure ? <>, most recently {verdictWords[h.lastFailure.verdict]?.toLowerCase() ?? h.lastFailure.verdict} at <span className="mono small">{h.lastFailure.url}</span></> : null}.
              {' '}Fix the merchant server or the app's postback URL, then retry them.
              <div style={{ marginTop: 8 }}><RetryFailed filter={{ appKey: app.key }} label="Retry all failed" /></div>
            </Callout>
          </div>
        )}
        {!h ? (health.error ? <ErrorState compact error={health.error} retry={health.reload} /> : <LoadingRows rows={2} />) : h.window === 0 ? (
          <p className="small muted">No attempts yet. Send a test notice to see how the endpoint answers.</p>
        ) : (
          <div className="grid-2">
            <div><div className="subtle small">Success rate</div><div className="stat-value">{h.successRate === null ? '—' : percent(h.successRate)}</div><div className="xsmall subtle">of {h.window} attempts</div></div>
            <div><div className="subtle small">Latency p50 / p95</div><div className="stat-value">{h.latency ? `${formatMs(h.latency.p50Ms)} / ${formatMs(h.latency.p95Ms)}` : '—'}</div></div>
            <div className="span-2">
              <div className="subtle small">Last failure</div>
              {h.lastFailure
                ? <div className="small"><a href={`#/notices/${encodeURIComponent(h.lastFailure.noticeId)}`}>{relativeTime(h.lastFailure.at)}</a>: <VerdictBadge verdict={h.lastFailure.verdict} />{h.lastFailure.reason ? <span className="muted"> {showControls(h.lastFailure.reason)}</span> : null}</div>
                : <div className="small muted">None in this window.</div>}
            </div>
          </div>
        )}
        <p className="small">
          A payment request that names its own <span className="mono">postbackURL</span> (or <span className="mono">chargebackURL</span>) overrides the app's: its notices go there, marked <Badge tone="accent" plain>request's URL</Badge> below and in each attempt.
        </p>
        {recent.data && recent.data.items.length > 0 && (
          <ul className="plain-list stack-sm" aria-label="Latest notices and the URL each used">
            {recent.data.items.map((n) => (
              <li key={n.id} className="row wrap small" data-testid="endpoint-notice">
                <StatusBadge status={n.status} />
                <a className="mono xsmall" href={`#/notices/${encodeURIComponent(n.id)}`}>{n.url}</a>
                <URLSourceBadge source={n.urlSource} />
              </li>
            ))}
          </ul>
        )}
        <div className="row"><ButtonLink size="sm" variant="ghost" href={`#/notices?app=${encodeURIComponent(app.key)}`}>All notices</ButtonLink></div>
      </div>
    </Card>
  );
}
