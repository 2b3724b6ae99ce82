// Merchant → Notices: every postback and chargeback Paydesk sent, each attempt's
// request, response, timing and verdict, and the three repairs: redeliver (same
// webhook-id), edit-and-resend (a new, re-signed notice), copy as curl.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { call, type App, type RouteQuery, type RouteResult } from '../api.ts';
import { useAction, useDocumentTitle, useNow, useResource } from '../hooks.ts';
import { navigate, useLocation } from '../router.ts';
import { formatDateTime, formatMs, formatTime, relativeTime } from '../format.ts';
import {
  Badge, Button, Callout, Card, CopyButton, Dialog, EmptyState, ErrorCallout, ErrorState, Field, IdChip, LoadingBlock, LoadingRows,
  CodeText, PageHeader, StatusBadge, UserText, showControls, useToast,
} from '../ui.tsx';
import { IconBell, IconEdit, IconRefresh, IconSearch, IconTerminal, IconX, IconArrowRight } from '../icons.tsx';

type NoticeSummary = RouteResult<'listNotices'>['items'][number];
type NoticeDetail = RouteResult<'getNotice'>;
type NoticeAttempt = NoticeDetail['attemptLog'][number];
type NoticeQuery = NonNullable<RouteQuery<'listNotices'>>;

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
    ...(['pending', 'delivered', 'failed'].includes(loc.query.get('status') ?? '') ? { status: loc.query.get('status') as 'pending' | 'delivered' | 'failed' } : {}),
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
      <PageHeader title="Notices" sub="Postbacks and chargebacks Paydesk sent to merchant servers. Success is a 2xx answer whose body is the transaction id." />
      <NoticeFilters query={query} apps={apps.data ?? []} onChange={setQuery} />
      {failedCount > 0 && !query.status && (
        <div style={{ marginBottom: 16 }}>
          <Callout tone="danger" title={`${failedCount} notice${failedCount === 1 ? '' : 's'} failed`}>
            The merchant never acknowledged {failedCount === 1 ? 'it' : 'them'}. Open one to see why, fix the server, then redeliver. <button type="button" className="link-btn" onClick={() => setQuery({ ...query, status: 'failed' })}>Show only failed</button>
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
                <thead><tr><th>Notice</th><th>App</th><th>Transaction</th><th>Status</th><th>Last attempt</th><th>Created</th></tr></thead>
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
                        <td className="muted"><UserText text={appName} /></td>
                        <td className="mono small">{n.transactionID ?? <span className="subtle">—</span>}</td>
                        <td>
                          <StatusBadge status={n.status} />
                          <div className="xsmall subtle" style={{ marginTop: 3 }}>{n.attempts}/{n.maxAttempts} attempts{n.status === 'pending' && n.nextAttemptAt ? ` · next ${relativeTime(n.nextAttemptAt)}` : ''}</div>
                        </td>
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
          <option value="">Any status</option><option value="pending">Pending</option><option value="delivered">Delivered</option><option value="failed">Failed</option>
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
  const [curl, setCurl] = useState<string | null>(null);
  const [redeliver, redelivering] = useAction(async () => {
    try {
      await call('redeliverNotice', { params: { id }, body: {} });
      toast.success('Redelivery queued', 'Paydesk sends it again now, with the same webhook-id.');
      res.reload();
    } catch (e) {
      toast.error(e);
    }
  });
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
        sub={<span className="row wrap"><IdChip value={n.id} /> <span className="subtle">·</span> to <span className="mono small">{n.url}</span></span>}
        actions={<>
          <Button icon={<IconTerminal />} busy={loadingCurl} onClick={() => loadCurl()}>Copy as curl</Button>
          <Button icon={<IconEdit />} onClick={() => setResendOpen(true)}>Edit and resend</Button>
          <Button variant="primary" icon={<IconRefresh />} busy={redelivering} onClick={() => redeliver()}>Redeliver</Button>
        </>}
      />
      <div className="stack-lg">
        {n.status === 'failed' && (
          <Callout tone="danger" title={`Failed after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}`}>
            {n.lastVerdict ? verdictWords[n.lastVerdict] ?? n.lastVerdict : 'No attempt succeeded'}{n.lastReason ? ` (${showControls(n.lastReason)})` : ''}. Fix the merchant's endpoint, then redeliver: the webhook-id stays the same, so a merchant that already processed it can tell.
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
                <div><div className="label" style={{ marginBottom: 6 }}>Header</div><pre className="code">{json(n.notice.header)}</pre></div>
                <div><div className="label" style={{ marginBottom: 6 }}>Claims</div><pre className="code">{json(n.notice.claims)}</pre></div>
              </div>
            </Card>
          </div>
        </div>
      </div>
      <ResendDialog open={resendOpen} notice={n} onClose={() => setResendOpen(false)} />
      <Dialog wide open={curl !== null} onClose={() => setCurl(null)} title="The last request, as curl"
        footer={<><Button onClick={() => setCurl(null)}>Close</Button>{curl && <CopyButton value={curl} label="Copy command" size="md" variant="primary" />}</>}>
        {curl !== null && <CodeText data-testid="curl" text={curl} />}
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
          <div className="label">Request <span className="subtle mono xsmall">POST {a.url}</span></div>
          <CodeText text={`${Object.entries(a.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${a.request.body}`} />
        </div>
        <div className="stack-sm">
          <div className="label">Response</div>
          {a.response ? (
            <CodeText text={`HTTP ${a.response.status}\n${Object.entries(a.response.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\n')}\n\n${a.response.body || '(empty body)'}${a.response.truncated ? '\n… (truncated at the response cap)' : ''}`} />
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
        <p className="small">Paydesk signs a <b>new</b> notice (new id and webhook-id, next seq) with what you edit here and sends it to <span className="mono">{notice.url}</span>. The original stays as it was.</p>
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
