// Wallet → Connected apps: the merchants the signed-in buyer signed in to with
// Paydesk, what each may do (its scopes in words), when it was granted and last
// used, and Revoke, which kills every grant and token of that merchant at once
// (the server does it; this pane asks and shows the answer).
import { useState } from 'react';
import { call, type Connection } from '../api.ts';
import { useDocumentTitle, useResource } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatDateTime, relativeTime } from '../format.ts';
import { Button, ButtonLink, Card, ConfirmDialog, EmptyState, ListState, PageHeader, UserText, useToast } from '../ui.tsx';
import { IconBan, IconKey, IconUsers } from '../icons.tsx';
import { AppAvatar } from './apps.tsx';

export function ConnectedAppsPane() {
  useDocumentTitle('Connected apps');
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  const toast = useToast();
  const res = useResource(async (signal) => (buyer ? (await call('listConnections', { query: {}, signal })).items : []), [buyer?.id], { events: ['connection.', 'authorization.approved'] });
  const [revoking, setRevoking] = useState<Connection | null>(null);
  // What the last revoke did, for screen readers as well as the eye.
  const [said, setSaid] = useState('');

  return (
    <>
      <PageHeader
        title="Connected apps"
        sub={buyer
          ? <>Merchants <b><UserText text={buyer.name} /></b> signed in to with Paydesk. Disconnect one and its sign-in and tokens stop working at once.</>
          : 'Merchants a buyer signed in to with Paydesk.'}
      />
      <p className="sr-only" role="status" data-testid="connections-status">{said}</p>
      {!buyer && session.data ? (
        <Card>
          <EmptyState icon={<IconUsers />} title="No buyer signed in to the wallet" action={<ButtonLink href="#/wallet/buyers" variant="primary">Choose a buyer</ButtonLink>}>
            Connected apps belong to a buyer. Sign one in to see theirs.
          </EmptyState>
        </Card>
      ) : (
        <Card flush>
          <ListState
            data={res.data} error={res.error} loading={res.loading} retry={res.reload}
            isEmpty={(d) => d.length === 0}
            empty={<EmptyState icon={<IconKey />} title="No connected apps">When this buyer signs in to a store with Paydesk and approves it, the store appears here.</EmptyState>}
          >
            {(items) => (
              <ul className="connection-list" aria-label="Connected apps" data-testid="connections">
                {items.map((c) => (
                  <li key={c.clientId} className="connection" data-testid={`connection-${c.clientId}`}>
                    <AppAvatar app={{ key: c.seller.appKey, name: c.seller.name }} />
                    <div className="grow stack-sm" style={{ minWidth: 0 }}>
                      <div>
                        <b><UserText text={c.seller.name} /></b>
                        <div className="small muted"><a href={c.seller.homepage} target="_blank" rel="noreferrer noopener"><UserText text={c.seller.homepage} /></a></div>
                      </div>
                      <ul className="scope-list compact" aria-label={`What ${c.seller.name} may do`}>
                        {c.scopes.map((s) => <li key={s.scope}><span>{s.description}</span></li>)}
                      </ul>
                      <dl className="connection-dates small">
                        <div><dt>Granted</dt><dd title={formatDateTime(c.grantedAt, true)}>{formatDateTime(c.grantedAt)}</dd></div>
                        <div><dt>Last used</dt><dd title={c.lastUsedAt ? formatDateTime(c.lastUsedAt, true) : undefined}>{c.lastUsedAt ? relativeTime(c.lastUsedAt) : 'Never'}</dd></div>
                      </dl>
                    </div>
                    <Button variant="danger-outline" size="sm" icon={<IconBan />} onClick={() => setRevoking(c)} aria-label={`Revoke ${c.seller.name}`}>Revoke</Button>
                  </li>
                ))}
              </ul>
            )}
          </ListState>
        </Card>
      )}
      <ConfirmDialog
        open={revoking !== null} onClose={() => setRevoking(null)} tone="danger" confirmLabel="Revoke access"
        title={<>Disconnect <UserText text={revoking?.seller.name ?? ''} />?</>}
        onConfirm={async () => {
          if (!revoking) return;
          await call('revokeConnection', { params: { clientId: revoking.clientId }, query: {} });
          const text = `${revoking.seller.name} is disconnected: its tokens stopped working.`;
          setSaid(text);
          toast.success('App disconnected', text);
          res.reload();
        }}
      >
        Every sign-in and token <UserText text={revoking?.seller.name ?? ''} /> holds for this buyer stops working now. Its next sign-in asks you again here.
      </ConfirmDialog>
    </>
  );
}
