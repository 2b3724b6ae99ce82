// Merchant → Dashboard: sales and refunds over time, purchase outcomes, and how
// reliably notices reach merchants (success rate, delivery latency).
import { useState } from 'react';
import { useDocumentTitle, useResource } from '../hooks.ts';
import { call, type RouteResult } from '../api.ts';
import { formatCount, formatMoney, formatMs, formatPercent } from '../format.ts';
import { BarChart, Donut, LineChart } from '../charts.tsx';
import { ButtonLink, Card, ErrorState, LoadingBlock, PageHeader, Segmented, Callout } from '../ui.tsx';
import { IconFlask } from '../icons.tsx';

const ranges = [{ value: '7', label: '7 days' }, { value: '30', label: '30 days' }, { value: '90', label: '90 days' }] as const;

type DashboardSummary = RouteResult<'getSummary'>;

const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The last `rangeDays` days as this browser's calendar has them; the server adds them up in its time zone. */
function loadSummary(rangeDays: number, currency: string | null, signal: AbortSignal, now = new Date()): Promise<DashboardSummary> {
  const from = localDate(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (rangeDays - 1)));
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return call('getSummary', { query: { from, to: localDate(now), timeZone, ...(currency ? { currency } : {}) }, signal });
}

function shortDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function DashboardPane() {
  useDocumentTitle('Dashboard');
  const [range, setRange] = useState<'7' | '30' | '90'>('30');
  const [currency, setCurrency] = useState<string | null>(null);
  const res = useResource((signal) => loadSummary(Number(range), currency, signal), [range, currency], { events: ['purchase.', 'notice.'] });
  const s = res.data;
  return (
    <>
      <PageHeader
        title="Dashboard"
        sub="Sales, refunds and notice delivery across every app."
        actions={<>
          {s && s.currencies.length > 1 && (
            <Segmented label="Currency" value={s.currency} onChange={(c) => setCurrency(c)} options={s.currencies.slice(0, 4).map((c) => ({ value: c, label: c }))} />
          )}
          <Segmented label="Range" value={range} onChange={setRange} options={ranges} />
        </>}
      />
      {!s ? (res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock label="Adding up transactions…" />) : <DashboardBody s={s} />}
    </>
  );
}

function DashboardBody({ s }: { readonly s: DashboardSummary }) {
  const money = (v: number) => formatMoney(Math.round(v), s.currency, { compact: true });
  const finished = s.totals.completed + s.totals.declined + s.totals.cancelled + s.totals.expired;
  const conversion = finished === 0 ? null : s.totals.completed / finished;
  const empty = s.totals.all === 0;
  return (
    <div className="stack-lg">
      {empty && (
        <Callout tone="info" title="No purchases in this range yet" icon={<IconFlask />}>
          Make a test purchase in the <a href="#/lab">Request lab</a>, confirm it in the wallet, and it shows up here at once.
        </Callout>
      )}
      <div className="grid-4">
        <Card><div className="metric" style={{ padding: 0 }}>
          <div className="metric-label">Gross sales</div>
          <div className="metric-value" data-testid="metric-sales">{formatMoney(s.totals.sales, s.currency)}</div>
          <div className="metric-foot">{formatCount(s.totals.completed)} completed purchases</div>
        </div></Card>
        <Card><div className="metric" style={{ padding: 0 }}>
          <div className="metric-label">Refunded</div>
          <div className="metric-value">{formatMoney(s.totals.refunds, s.currency)}</div>
          <div className="metric-foot">{s.totals.sales > 0 ? `${formatPercent(s.totals.refunds / s.totals.sales)} of sales` : 'No sales yet'}</div>
        </div></Card>
        <Card><div className="metric" style={{ padding: 0 }}>
          <div className="metric-label">Confirmation rate</div>
          <div className="metric-value">{conversion === null ? '—' : formatPercent(conversion)}</div>
          <div className="metric-foot">{formatCount(s.totals.pending)} pending · {formatCount(s.totals.declined)} declined</div>
        </div></Card>
        <Card><div className="metric" style={{ padding: 0 }}>
          <div className="metric-label">Notice success</div>
          <div className="metric-value">{s.notices.successRate === null ? '—' : formatPercent(s.notices.successRate)}</div>
          <div className="metric-foot">{s.notices.p50Ms === null ? 'No deliveries yet' : `median ${formatMs(s.notices.p50Ms)} · p95 ${formatMs(s.notices.p95Ms ?? 0)}`}</div>
        </div></Card>
      </div>
      <div className="split">
        <Card title={`Sales and refunds (${s.currency})`} description="Completed purchases by day; refunds on the day they were made.">
          {s.totals.sales === 0 ? <div className="chart-empty">No completed purchases in {s.currency} in this range.</div> : <BarChart
            label="Sales and refunds by day" format={money} seriesClasses={['f1', 'f2']}
            data={s.days.map((d) => ({ label: shortDay(d.day), values: [Math.max(0, d.sales - d.refunds), d.refunds], title: `${shortDay(d.day)}: ${formatMoney(d.sales, s.currency)} sold, ${formatMoney(d.refunds, s.currency)} refunded` }))}
          />}
          {s.totals.sales > 0 && <div className="legend" style={{ marginTop: 8 }}><span><i className="swatch-1" />Kept</span><span><i className="swatch-2" />Refunded</span></div>}
        </Card>
        <Card title="Purchase outcomes" description="Every purchase started in the range.">
          <div className="row-lg wrap" style={{ alignItems: 'center' }}>
            <Donut
              label="Purchase outcomes" center={formatCount(s.totals.all)} sub="purchases"
              parts={[
                { value: s.totals.completed, cls: 's3', label: 'Completed' },
                { value: s.totals.pending, cls: 's2', label: 'Pending' },
                { value: s.totals.declined, cls: 's4', label: 'Declined' },
                { value: s.totals.cancelled + s.totals.expired, cls: 's5', label: 'Cancelled or expired' },
              ]}
            />
            <div className="stack-sm grow small">
              {([['swatch-3', 'Completed', s.totals.completed], ['swatch-2', 'Pending', s.totals.pending], ['swatch-4', 'Declined', s.totals.declined], ['swatch-5', 'Cancelled', s.totals.cancelled], ['swatch-5', 'Expired', s.totals.expired]] as const).map(([cls, label, n]) => (
                <div key={label} className="spread"><span className="row"><i className={cls} style={{ width: 10, height: 10, borderRadius: 3, display: 'inline-block' }} />{label}</span><b className="num">{formatCount(n)}</b></div>
              ))}
              {s.totals.simulated > 0 && <div className="subtle xsmall">{formatCount(s.totals.simulated)} simulated (no money moved)</div>}
            </div>
          </div>
        </Card>
      </div>
      <div className="grid-2">
        <Card title="Notice success rate" description="Delivered ÷ (delivered + failed), by the day the notice was queued.">
          {s.notices.delivered + s.notices.failed === 0 ? <div className="chart-empty">No notices finished in this range.</div> : (
            <LineChart label="Notice success rate by day" yMax={1} format={(v) => formatPercent(v, 0)} series={[{ cls: 's3', area: 'area3', points: s.notices.days.map((d) => ({ label: shortDay(d.day), value: d.successRate })) }]} />
          )}
          <div className="legend" style={{ marginTop: 8 }}><span>{formatCount(s.notices.delivered)} delivered</span><span>{formatCount(s.notices.failed)} failed</span><span>{formatCount(s.notices.pending)} in progress</span>
            {s.notices.failed > 0 && <a href="#/notices?status=failed">See failed notices</a>}</div>
        </Card>
        <Card title="Delivery latency" description="From queued to acknowledged by the merchant; median and 95th percentile per day.">
          {s.notices.p50Ms === null ? <div className="chart-empty">No delivered notices in this range.</div> : (
            <LineChart label="Notice delivery latency by day" format={(v) => formatMs(v)} series={[
              { cls: 's1', area: 'area1', points: s.notices.days.map((d) => ({ label: shortDay(d.day), value: d.p50Ms })) },
              { cls: 's2', points: s.notices.days.map((d) => ({ label: shortDay(d.day), value: d.p95Ms })) },
            ]} />
          )}
          {s.notices.p50Ms !== null && <div className="legend" style={{ marginTop: 8 }}><span><i className="swatch-1" />Median</span><span><i className="swatch-2" />95th percentile</span></div>}
        </Card>
      </div>
      {empty && <div className="row" style={{ justifyContent: 'center' }}><ButtonLink href="#/lab" variant="primary">Open the Request lab</ButtonLink></div>}
    </div>
  );
}
