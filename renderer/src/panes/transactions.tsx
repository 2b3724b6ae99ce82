// Merchant → Transactions: keyset pages from GET /api/transactions streamed
// into a virtualized list (infinite scroll), filters in the URL so a filtered
// view can be linked, and a detail drawer with the timeline and refunds.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { call, type App, type PurchaseStatus, type RouteQuery, type RouteResult, type TransactionSummary, type TimelineEvent } from '../api.ts';
import { useDocumentTitle, useResource, useServerEvents } from '../hooks.ts';
import { navigate, useLocation } from '../router.ts';
import { RESYNC, matches } from '../events.ts';
import { formatCount, formatDateTime, formatMoney, parseMajor, plural, relativeTime, toMajorText, formatTime } from '../format.ts';
import {
  Badge, Button, ButtonLink, Callout, Card, ConfirmDialog, Drawer, EmptyState, ErrorCallout, ErrorState, Field, IdChip, LoadingBlock, LoadingRows,
  PageHeader, StatusBadge, UserText, described, showControls, useToast,
} from '../ui.tsx';
import { IconList, IconSearch, IconUndo, IconX, IconArrowRight } from '../icons.tsx';
import { ExportButtons } from '../export.tsx';

type TxQuery = NonNullable<RouteQuery<'listTransactions'>>;
const STATUSES: readonly PurchaseStatus[] = ['pending', 'completed', 'declined', 'cancelled', 'expired'];
const PAGE = 100;
const ROW_H = 52;

export interface TxFilter {
  readonly appKey?: string;
  readonly status?: PurchaseStatus;
  /** yyyy-mm-dd, local days; `to` inclusive in the UI. */
  readonly from?: string;
  readonly to?: string;
  readonly q?: string;
}

function dayStartISO(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

function toQuery(f: TxFilter): TxQuery {
  return {
    ...(f.appKey ? { appKey: f.appKey } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.from && dayStartISO(f.from) ? { from: dayStartISO(f.from) } : {}),
    ...(f.to && dayStartISO(f.to, 1) ? { to: dayStartISO(f.to, 1) } : {}),
    ...(f.q?.trim() ? { q: f.q.trim() } : {}),
  };
}

/** Pages of transactions for a filter, with new and changed rows merged in place when the server reports them. */
function useTransactionPages(filter: TxFilter) {
  const [items, setItems] = useState<readonly TransactionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const inflight = useRef<AbortController | null>(null);
  const key = JSON.stringify(filter);

  const fetchPage = useCallback(async (after: string | null, reset: boolean) => {
    inflight.current?.abort();
    const ctrl = new AbortController();
    inflight.current = ctrl;
    setLoading(true);
    setError(undefined);
    try {
      const page = await call('listTransactions', { query: { ...toQuery(JSON.parse(key) as TxFilter), limit: PAGE, ...(after ? { cursor: after } : {}) }, signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      setItems((xs) => (reset ? page.items : [...xs, ...page.items.filter((i) => !xs.some((x) => x.id === i.id))]));
      setCursor(page.nextCursor);
      setDone(page.nextCursor === null);
    } catch (e) {
      if (!ctrl.signal.aborted) setError(e);
    } finally {
      if (!ctrl.signal.aborted) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    setItems([]);
    setCursor(null);
    setDone(false);
    void fetchPage(null, true);
    return () => inflight.current?.abort();
  }, [fetchPage, generation]);

  const loadMore = useCallback(() => {
    if (!loading && !done && !error && cursor) void fetchPage(cursor, false);
  }, [loading, done, error, cursor, fetchPage]);

  // Live: refetch the first page and merge (new rows on top, changed rows updated), keeping the scroll position.
  const refreshTop = useCallback(async () => {
    try {
      const page = await call('listTransactions', { query: { ...toQuery(JSON.parse(key) as TxFilter), limit: PAGE } });
      setItems((xs) => {
        const byId = new Map(page.items.map((i) => [i.id, i]));
        const updated = xs.map((x) => byId.get(x.id) ?? x);
        const fresh = page.items.filter((i) => !xs.some((x) => x.id === i.id));
        return [...fresh, ...updated];
      });
    } catch {
      // the next event or a manual refresh will try again
    }
  }, [key]);

  useServerEvents((e) => {
    if (e.type === RESYNC) setGeneration((g) => g + 1);
    else if (matches(e.type, ['purchase.'])) void refreshTop();
  });

  return { items, loading, error, done, loadMore, reload: () => setGeneration((g) => g + 1) };
}

// --- pane ----------------------------------------------------------------------------

export function TransactionsPane({ selectedId }: { readonly selectedId?: string }) {
  useDocumentTitle('Transactions');
  const loc = useLocation();
  const filter: TxFilter = {
    appKey: loc.query.get('app') ?? undefined,
    status: (STATUSES as readonly string[]).includes(loc.query.get('status') ?? '') ? (loc.query.get('status') as PurchaseStatus) : undefined,
    from: loc.query.get('from') ?? undefined,
    to: loc.query.get('to') ?? undefined,
    q: loc.query.get('q') ?? undefined,
  };
  const queryString = loc.query.toString();
  const setFilter = (f: TxFilter) => navigate('/transactions', { app: f.appKey, status: f.status, from: f.from, to: f.to, q: f.q }, { replace: true });
  const apps = useResource(async (signal) => (await call('listApps', { signal })).items, [], { events: ['app.'] });
  const pages = useTransactionPages(filter);
  const filtered = Boolean(filter.appKey || filter.status || filter.from || filter.to || filter.q);

  return (
    <>
      <PageHeader
        title="Transactions" sub="Every purchase, newest first. Search by part of a productData, buyer email or code (with or without its dash), or the start of an id."
        actions={<ExportButtons name="exportTransactions" filter={toQuery(filter)} what="transactions" />}
      />
      <Filters filter={filter} apps={apps.data ?? []} onChange={setFilter} />
      <Card flush>
        <TransactionGrid
          pages={pages} selectedId={selectedId} queryString={queryString}
          empty={filtered
            ? <EmptyState icon={<IconSearch />} title="No transactions match" action={<Button onClick={() => setFilter({})}>Clear filters</Button>}>Try a wider date range, another status, or a shorter part of the text.</EmptyState>
            : <EmptyState icon={<IconList />} title="No transactions yet" action={<ButtonLink variant="primary" href="#/lab">Make a test purchase</ButtonLink>}>
                Purchases appear here as soon as a merchant page sends a payment request. The Request lab can make one for you.
              </EmptyState>}
        />
      </Card>
      {selectedId && <TransactionDrawer id={selectedId} onClose={() => navigate('/transactions', Object.fromEntries(loc.query))} />}
    </>
  );
}

function Filters({ filter, apps, onChange }: { readonly filter: TxFilter; readonly apps: readonly App[]; readonly onChange: (f: TxFilter) => void }) {
  const id = useId();
  const [q, setQ] = useState(filter.q ?? '');
  useEffect(() => setQ(filter.q ?? ''), [filter.q]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ ...filter, q: q.trim() || undefined });
  };
  const any = Boolean(filter.appKey || filter.status || filter.from || filter.to || filter.q);
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter transactions">
      <Field label="Search" htmlFor={`${id}-q`} className="search">
        <div className="input-group">
          <input id={`${id}-q`} className="input" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="order-12, ana@, K7P-4QX, txn_…" spellCheck={false} />
          <Button type="submit" icon={<IconSearch />}>Search</Button>
        </div>
      </Field>
      <Field label="App" htmlFor={`${id}-app`}>
        <select id={`${id}-app`} className="select" value={filter.appKey ?? ''} onChange={(e) => onChange({ ...filter, appKey: e.target.value || undefined })}>
          <option value="">All apps</option>
          {apps.map((a) => <option key={a.key} value={a.key}>{showControls(a.name)}</option>)}
        </select>
      </Field>
      <Field label="Status" htmlFor={`${id}-status`}>
        <select id={`${id}-status`} className="select" value={filter.status ?? ''} onChange={(e) => onChange({ ...filter, status: (e.target.value || undefined) as PurchaseStatus | undefined })}>
          <option value="">Any status</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s.charAt(0).toUpperCase() + s.slice(1)}</option>)}
        </select>
      </Field>
      <Field label="From" htmlFor={`${id}-from`}>
        <input id={`${id}-from`} className="input" type="date" value={filter.from ?? ''} max={filter.to} onChange={(e) => onChange({ ...filter, from: e.target.value || undefined })} />
      </Field>
      <Field label="To" htmlFor={`${id}-to`}>
        <input id={`${id}-to`} className="input" type="date" value={filter.to ?? ''} min={filter.from} onChange={(e) => onChange({ ...filter, to: e.target.value || undefined })} />
      </Field>
      {any && <Button variant="ghost" icon={<IconX />} onClick={() => onChange({})}>Clear</Button>}
    </form>
  );
}

// Small minimums, so every column fits at 900 px (issue 15): App and Buyer give up width first, their text ellipsized;
// below that the grid scrolls sideways inside its card (styles.css, .vgrid), as a data table may (WCAG 1.4.10).
const columns = 'minmax(160px, 2.2fr) minmax(0, 1.1fr) minmax(0, 1.3fr) minmax(90px, .9fr) 112px minmax(90px, 1fr)';

function TransactionGrid({ pages, selectedId, empty, queryString }: {
  readonly pages: ReturnType<typeof useTransactionPages>; readonly selectedId?: string; readonly empty: ReactNode; readonly queryString: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { items, loading, error, done, loadMore } = pages;
  const count = items.length + (done ? 0 : 1);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 12 });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems[virtualItems.length - 1];
  useEffect(() => {
    if (last && last.index >= items.length - 20) loadMore();
  }, [last?.index, items.length, loadMore, last]);

  if (items.length === 0) {
    if (error) return <ErrorState error={error} retry={pages.reload} />;
    if (loading) return <LoadingRows rows={8} label="Loading transactions" />;
    return <>{empty}</>;
  }
  return (
    <div className="vgrid" role="table" aria-label="Transactions" aria-rowcount={done ? items.length : -1}>
      <div className="vgrid-head" role="row" style={{ gridTemplateColumns: columns }}>
        <span role="columnheader">Item</span><span role="columnheader">App</span><span role="columnheader">Buyer</span>
        <span role="columnheader" className="right">Amount</span><span role="columnheader">Status</span><span role="columnheader">Created</span>
      </div>
      <div className="vgrid-scroll" ref={scrollRef} style={{ height: 'calc(100vh - 300px)', minHeight: 320 }} data-testid="tx-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {virtualItems.map((v) => {
            const t = items[v.index];
            if (!t) {
              return (
                <div key="more" className="vgrid-foot" style={{ top: v.start }} role="row">
                  {error ? <><span>Could not load more.</span><Button size="sm" onClick={loadMore}>Retry</Button></> : <><span className="spinner" aria-hidden="true" />Loading more…</>}
                </div>
              );
            }
            const refunded = t.refundedAmount > 0;
            return (
              <a
                key={t.id} role="row" className="vgrid-row" href={`#/transactions/${encodeURIComponent(t.id)}${queryString ? `?${queryString}` : ''}`}
                aria-current={t.id === selectedId ? 'true' : undefined} style={{ top: v.start, gridTemplateColumns: columns }} data-testid="tx-row"
              >
                <span role="cell" className="stack-sm" style={{ gap: 0 }}>
                  <span className="ellipsis" style={{ fontWeight: 560 }}><UserText text={t.item.name} /></span>
                  <span className="ellipsis mono xsmall subtle">{t.transactionID ?? t.id}</span>
                </span>
                <span role="cell" className="ellipsis muted"><UserText text={t.appName} /></span>
                <span role="cell" className="ellipsis muted">{t.buyerEmail ?? <span className="subtle">—</span>}</span>
                <span role="cell" className="right num">
                  <span style={{ fontWeight: 560 }}>{formatMoney(t.price.amount, t.price.currency)}</span>
                  {refunded && <span className="xsmall subtle" style={{ display: 'block' }}>−{formatMoney(t.refundedAmount, t.price.currency)} refunded</span>}
                </span>
                <span role="cell">{refunded && t.status === 'completed' ? <Badge tone="info">{t.refundedAmount >= t.price.amount ? 'Refunded' : 'Part refunded'}</Badge> : <StatusBadge status={t.status} />}</span>
                <span role="cell" className="muted small nowrap" title={formatDateTime(t.createdAt, true)}>{relativeTime(t.createdAt)}</span>
              </a>
            );
          })}
        </div>
      </div>
      <div className="card-footer small subtle row">
        <span data-testid="tx-count">{done ? plural(items.length, 'transaction') : `${formatCount(items.length)} loaded, scroll for more`}</span>
        {loading && <span className="spinner" aria-label="Loading" />}
      </div>
    </div>
  );
}

// --- detail drawer -------------------------------------------------------------------

const eventLabels: Record<string, { label: string; tone: 'success' | 'danger' | 'warning' | 'neutral' | 'accent' }> = {
  created: { label: 'Payment request verified, purchase pending', tone: 'accent' },
  charging: { label: 'Charging the card', tone: 'neutral' },
  processor_error: { label: 'Processor error: nothing charged, retry allowed', tone: 'warning' },
  completed: { label: 'Confirmed by the buyer and charged', tone: 'success' },
  declined: { label: 'Declined', tone: 'danger' },
  cancelled: { label: 'Cancelled by the buyer', tone: 'neutral' },
  expired: { label: 'Expired before confirmation', tone: 'neutral' },
  refunded: { label: 'Refunded', tone: 'warning' },
  reversed: { label: 'Reversed (buyer dispute)', tone: 'warning' },
  'notice.queued': { label: 'Notice queued', tone: 'accent' },
  'notice.delivered': { label: 'Notice delivered', tone: 'success' },
  'notice.failed': { label: 'Notice failed', tone: 'danger' },
  'notice.redeliver': { label: 'Notice redelivery requested', tone: 'accent' },
};

function eventDetail(e: TimelineEvent, currency: string): string {
  const d = e.data;
  const parts: string[] = [];
  if (typeof d.type === 'string') parts.push(d.type);
  if (typeof d.seq === 'number') parts.push(`#${d.seq}`);
  if (typeof d.code === 'string') parts.push(d.code.replace(/_/g, ' '));
  if (typeof d.amount === 'number' && e.type !== 'created') parts.push(formatMoney(d.amount, typeof d.currency === 'string' ? d.currency : currency));
  if (typeof d.attempts === 'number') parts.push(`${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`);
  if (typeof d.verdict === 'string' && d.verdict !== 'delivered') parts.push(d.verdict.replace(/_/g, ' '));
  if (typeof d.transactionID === 'string') parts.push(d.transactionID);
  if (typeof d.reason === 'string') parts.push(`“${showControls(d.reason)}”`);
  if (d.simulated === true) parts.push('simulated');
  return parts.join(' · ');
}

export function Timeline({ events, currency }: { readonly events: readonly TimelineEvent[]; readonly currency: string }) {
  if (events.length === 0) return <p className="muted">No events recorded.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.map((e, i) => {
        const meta = eventLabels[e.type] ?? { label: e.type, tone: 'neutral' as const };
        const noticeId = typeof e.data.noticeId === 'string' ? e.data.noticeId : undefined;
        return (
          <li key={i}>
            <span className={`dot ${meta.tone === 'accent' ? '' : meta.tone}`} aria-hidden="true" />
            <div className="t-title">{meta.label}</div>
            <div className="t-meta">
              {formatDateTime(e.at, true)}{eventDetail(e, currency) && <> · {eventDetail(e, currency)}</>}
              {noticeId && <> · <a href={`#/notices/${encodeURIComponent(noticeId)}`}>open notice</a></>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function TransactionDrawer({ id, onClose }: { readonly id: string; readonly onClose: () => void }) {
  const res = useResource((signal) => call('getTransaction', { params: { id }, signal }), [id], { events: ['purchase.', 'notice.'] });
  const refunds = useResource(async (signal) => (await call('listRefunds', { params: { id }, signal })).items, [id], { events: ['purchase.'] });
  const p = res.data?.purchase;
  return (
    <Drawer
      label="Transaction" onClose={onClose}
      title={p ? <UserText text={p.item.name} /> : 'Transaction'}
      subtitle={p ? <span className="row wrap"><StatusBadge status={p.status} /><span className="mono small">{p.transactionID ?? p.id}</span></span> : undefined}
    >
      {!res.data ? (res.error ? <ErrorState error={res.error} retry={res.reload} /> : <LoadingBlock />) : (
        <TransactionDetail data={res.data} refunds={refunds} />
      )}
    </Drawer>
  );
}

function TransactionDetail({ data, refunds }: { readonly data: RouteResult<'getTransaction'>; readonly refunds: ReturnType<typeof useResource<RouteResult<'listRefunds'>['items']>> }) {
  const p = data.purchase;
  const refundable = p.status === 'completed' ? p.price.amount - p.refundedAmount : 0;
  return (
    <>
      <div className="grid-2">
        <div><div className="subtle small">Amount</div><div className="stat-value">{formatMoney(p.price.amount, p.price.currency)}</div>
          {p.refundedAmount > 0 && <div className="small muted">{formatMoney(p.refundedAmount, p.price.currency)} refunded</div>}</div>
        <div><div className="subtle small">Seller</div><div style={{ fontWeight: 600, marginTop: 4 }}><a href={`#/apps/${encodeURIComponent(p.seller.appKey)}`}><UserText text={p.seller.name} /></a></div>
          <div className="small muted">{p.simulate ? <Badge tone="accent">Simulated</Badge> : p.pricePoint !== null ? `Price point ${p.pricePoint}` : 'Explicit price'}</div></div>
      </div>
      <dl className="kv">
        <dt>Transaction id</dt><dd>{p.transactionID ? <IdChip value={p.transactionID} /> : <span className="subtle">None yet</span>}</dd>
        <dt>Purchase id</dt><dd><IdChip value={p.id} /></dd>
        <dt>Item</dt><dd><UserText text={p.item.name} />{p.item.id !== null && <> <span className="subtle mono small">(<UserText text={p.item.id} />)</span></>}<div className="small muted" data-testid="tx-description"><UserText text={p.item.description} /></div></dd>
        <dt>productData</dt><dd className="mono small" data-testid="tx-product-data">{p.item.productData ? <UserText text={p.item.productData} /> : <span className="subtle">—</span>}</dd>
        <dt>Buyer</dt><dd>{p.buyer ? <><UserText text={p.buyer.name} /> <span className="muted">· {p.buyer.email}</span></> : <span className="subtle">Not confirmed by a buyer</span>}</dd>
        <dt>Paid with</dt><dd>{p.paymentMethod ? <span className="row">{p.paymentMethod.brand.toUpperCase()} •••• {p.paymentMethod.last4}</span> : <span className="subtle">—</span>}</dd>
        <dt>Confirmation code</dt><dd className="mono">{p.code}</dd>
        <dt>Created</dt><dd>{formatDateTime(p.createdAt, true)}</dd>
        {p.completedAt && <><dt>Completed</dt><dd>{formatDateTime(p.completedAt, true)}</dd></>}
        {p.status === 'pending' && <><dt>Expires</dt><dd>{formatTime(p.expiresAt)} ({relativeTime(p.expiresAt)})</dd></>}
        {p.failure && <><dt>Failure</dt><dd><code className="code-inline">{p.failure.code}</code></dd></>}
      </dl>
      {p.status === 'pending' && (
        <Callout tone="warning" title="Waiting for the buyer">
          The buyer confirms this purchase in the wallet. <a href={`#/wallet/confirm/${encodeURIComponent(p.id)}`}>Open it in the wallet <IconArrowRight width={12} height={12} /></a>
        </Callout>
      )}
      <section className="stack-sm" aria-labelledby="tl-title">
        <h3 id="tl-title">Timeline</h3>
        <Timeline events={data.timeline} currency={p.price.currency} />
      </section>
      <section className="stack-sm" aria-labelledby="refunds-title">
        <h3 id="refunds-title">Refunds</h3>
        {refunds.error && !refunds.data ? <ErrorCallout error={refunds.error} /> : null}
        {refunds.data && refunds.data.length > 0 && (
          <div className="table-wrap card">
            <table className="table">
              <thead><tr><th>Refund</th><th className="right">Amount</th><th>Status</th><th>When</th></tr></thead>
              <tbody>
                {refunds.data.map((r) => (
                  <tr key={r.id}>
                    <td><div className="mono small">{r.id}</div><div className="xsmall subtle">{r.kind} · by {r.source}{r.reason ? ` · “${r.reason}”` : ''}</div></td>
                    <td className="right num">{formatMoney(r.amount.amount, r.amount.currency)}</td>
                    <td><StatusBadge status={r.status} /></td>
                    <td className="small muted nowrap">{relativeTime(r.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {refunds.data && refunds.data.length === 0 && p.status !== 'completed' && <p className="muted small">Only completed purchases can be refunded.</p>}
        {p.status === 'completed' && (refundable > 0
          ? <RefundForm purchaseId={p.id} currency={p.price.currency} refundable={refundable} chargebackNote={!p.simulate} onDone={refunds.reload} />
          : <p className="muted small">Fully refunded.</p>)}
      </section>
    </>
  );
}

function RefundForm({ purchaseId, currency, refundable, onDone, chargebackNote }: {
  readonly purchaseId: string; readonly currency: string; readonly refundable: number; readonly onDone: () => void; readonly chargebackNote: boolean;
}) {
  const id = useId();
  const toast = useToast();
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  const amount = amountText.trim() === '' ? refundable : parseMajor(amountText, currency);
  const amountError = amountText.trim() === '' ? undefined
    : amount === undefined || amount <= 0 ? `Enter an amount like ${toMajorText(Math.min(refundable, 100), currency)}.`
      : amount > refundable ? `At most ${formatMoney(refundable, currency)} is left to refund.` : undefined;
  const full = amount === refundable;
  return (
    <form className="panel stack-sm" onSubmit={(e) => { e.preventDefault(); if (!amountError) setOpen(true); }} aria-label="Refund">
      <div className="form-grid">
        <Field label={`Amount (${currency})`} htmlFor={`${id}-amt`} error={amountError} hint={`Leave empty to refund all ${formatMoney(refundable, currency)} left.`}>
          <input id={`${id}-amt`} className="input num" inputMode="decimal" value={amountText} placeholder={toMajorText(refundable, currency)} onChange={(e) => setAmountText(e.target.value)} {...described(`${id}-amt`, amountError, true)} />
        </Field>
        <Field label="Reason (optional)" htmlFor={`${id}-reason`} hint="Sent to the merchant in the chargeback notice.">
          <input id={`${id}-reason`} className="input" value={reason} maxLength={255} onChange={(e) => setReason(e.target.value)} placeholder="Customer request" />
        </Field>
      </div>
      <div className="form-actions"><Button type="submit" variant="danger-outline" icon={<IconUndo />} disabled={Boolean(amountError)}>Refund {amount !== undefined && !amountError ? formatMoney(amount, currency) : ''}</Button></div>
      <ConfirmDialog
        open={open} onClose={() => setOpen(false)} tone="danger" confirmLabel={`Refund ${amount !== undefined ? formatMoney(amount, currency) : ''}`}
        title={full ? 'Refund the whole purchase?' : 'Refund part of this purchase?'}
        onConfirm={async () => {
          const r = await call('refundTransaction', {
            params: { id: purchaseId },
            body: { ...(amountText.trim() === '' ? {} : { amount }), ...(reason.trim() ? { reason: reason.trim() } : {}) },
          });
          setAmountText('');
          setReason('');
          onDone();
          toast.success('Refund recorded', `${formatMoney(r.amount.amount, r.amount.currency)} back to the buyer; a chargeback notice is on its way.`);
        }}
      >
        {amount !== undefined ? formatMoney(amount, currency) : ''} goes back to the buyer's card{chargebackNote ? '' : ' (simulated: no money moves)'}, and Paydesk sends the merchant a chargeback notice. This can't be undone.
      </ConfirmDialog>
    </form>
  );
}
