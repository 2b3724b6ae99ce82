// Wallet → History: the signed-in buyer's purchases with their state, and a
// dispute for a completed one (a reversal of what is left, and a chargeback).
import { useId, useState } from 'react';
import { call, type Purchase } from '../api.ts';
import { useDocumentTitle, useResource } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatDateTime, formatMoney, relativeTime } from '../format.ts';
import { Badge, Button, ButtonLink, Card, ConfirmDialog, EmptyState, Field, ListState, PageHeader, Segmented, StatusBadge, UserText, showControls, useToast } from '../ui.tsx';
import { IconFlag, IconHistory } from '../icons.tsx';
import { AppAvatar } from './apps.tsx';

export function HistoryPane() {
  useDocumentTitle('History');
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  const [scope, setScope] = useState<'buyer' | 'all'>('buyer');
  const purchases = useResource(async (signal) => (await call('listPurchases', { query: { limit: 500 }, signal })).items, [], { events: ['purchase.'] });
  const [disputing, setDisputing] = useState<Purchase | null>(null);
  const effectiveScope = buyer ? scope : 'all';
  const shown = (items: readonly Purchase[]) => (effectiveScope === 'buyer' && buyer ? items.filter((p) => p.buyer?.id === buyer.id || p.status === 'pending') : items);

  return (
    <>
      <PageHeader
        title="Purchase history"
        sub={buyer ? `Purchases confirmed by ${showControls(buyer.name)}, and those still waiting for a confirmation.` : 'Every purchase in this Paydesk. Sign a buyer in to see just theirs.'}
        actions={buyer ? <Segmented label="Show" value={scope} onChange={setScope} options={[{ value: 'buyer', label: showControls(buyer.name) }, { value: 'all', label: 'Everyone' }]} /> : undefined}
      />
      <Card flush>
        <ListState
          {...purchases} retry={purchases.reload}
          isEmpty={(d) => shown(d).length === 0}
          empty={<EmptyState icon={<IconHistory />} title="No purchases yet" action={<ButtonLink href="#/lab" variant="primary">Start a test purchase</ButtonLink>}>Purchases this buyer confirms, cancels or lets expire are listed here.</EmptyState>}
        >
          {(items) => (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th>Purchase</th><th className="right">Amount</th><th>Status</th>{effectiveScope === 'all' && <th>Buyer</th>}<th>When</th><th className="actions"><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {shown(items).map((p) => {
                    const left = p.price.amount - p.refundedAmount;
                    const canDispute = p.status === 'completed' && left > 0 && buyer !== null && p.buyer?.id === buyer.id;
                    return (
                      <tr key={p.id} data-testid="history-row">
                        <td>
                          <div className="row-lg">
                            <AppAvatar app={{ key: p.seller.appKey, name: p.seller.name }} />
                            <div>
                              <div style={{ fontWeight: 560 }}><UserText text={p.item.name} /></div>
                              <div className="small muted"><UserText text={p.seller.name} />{p.transactionID && <span className="mono xsmall subtle break-anywhere"> · {p.transactionID}</span>}</div>
                            </div>
                          </div>
                        </td>
                        <td className="right num">
                          <b>{formatMoney(p.price.amount, p.price.currency)}</b>
                          {p.refundedAmount > 0 && <div className="xsmall subtle">−{formatMoney(p.refundedAmount, p.price.currency)} back</div>}
                        </td>
                        <td>
                          {p.status === 'completed' && p.disputed ? <StatusBadge status="disputed" />
                            : p.refundedAmount > 0 && p.status === 'completed' ? <Badge tone="info">{left === 0 ? 'Refunded' : 'Part refunded'}</Badge> : <StatusBadge status={p.status} />}
                          {p.simulate && <span style={{ marginLeft: 6 }}><Badge tone="accent" plain>Simulated</Badge></span>}
                        </td>
                        {effectiveScope === 'all' && <td className="small muted">{p.buyer?.email ?? '—'}</td>}
                        <td className="small muted nowrap" title={formatDateTime(p.completedAt ?? p.createdAt, true)}>{relativeTime(p.completedAt ?? p.createdAt)}</td>
                        <td className="actions">
                          {p.status === 'pending' && <ButtonLink size="sm" variant="primary" href={`#/wallet/confirm/${encodeURIComponent(p.id)}`}>Review</ButtonLink>}
                          {canDispute && <Button size="sm" variant="danger-outline" icon={<IconFlag />} onClick={() => setDisputing(p)}>Dispute</Button>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </ListState>
      </Card>
      <DisputeDialog purchase={disputing} onClose={() => setDisputing(null)} onDone={purchases.reload} />
    </>
  );
}

function DisputeDialog({ purchase: p, onClose, onDone }: { readonly purchase: Purchase | null; readonly onClose: () => void; readonly onDone: () => void }) {
  const id = useId();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const left = p ? p.price.amount - p.refundedAmount : 0;
  return (
    <ConfirmDialog
      open={p !== null} onClose={() => { setReason(''); onClose(); }} tone="danger" confirmLabel="Dispute purchase"
      title={p ? <>Dispute <UserText text={p.item.name} />?</> : 'Dispute'}
      onConfirm={async () => {
        if (!p) return;
        const r = await call('disputePurchase', { params: { id: p.id }, body: reason.trim() ? { reason: reason.trim() } : {} });
        setReason('');
        onDone();
        toast.success('Purchase disputed', `${formatMoney(r.amount.amount, r.amount.currency)} reversed; ${showControls(p.seller.name)} is notified by a chargeback.`);
      }}
    >
      {p && (
        <div className="stack">
          <p>Paydesk reverses the {formatMoney(left, p.price.currency)} still captured and sends <UserText text={p.seller.name} /> a chargeback notice. Use this when the merchant did not deliver.</p>
          <Field label="What went wrong? (optional)" htmlFor={`${id}-reason`} hint="Sent to the merchant with the chargeback.">
            <input id={`${id}-reason`} className="input" maxLength={255} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="The item never arrived" />
          </Field>
        </div>
      )}
    </ConfirmDialog>
  );
}
