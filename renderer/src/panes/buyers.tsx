// Wallet → Buyers: identities to test with. One is signed in at a time;
// switching signs the new one in (and closes the previous one's unlock window).
import { useId, useState, type FormEvent } from 'react';
import { NewBuyerBody } from '../../../contract/api.ts';
import { call, type Buyer } from '../api.ts';
import { useAction, useDocumentTitle, useResource } from '../hooks.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatDate } from '../format.ts';
import { Avatar, Badge, Button, Card, EmptyState, ErrorCallout, Field, ListState, PageHeader, UserText, described, showControls, useToast } from '../ui.tsx';
import { IconLogin, IconLogout, IconPlus, IconUsers } from '../icons.tsx';

function PinBadge({ b }: { readonly b: Buyer }) {
  if (!b.pin.set) return <Badge>No PIN</Badge>;
  if (b.pin.locked) return <Badge tone="danger">Locked</Badge>;
  return <Badge tone="success">PIN set</Badge>;
}

export function BuyersPane() {
  useDocumentTitle('Buyers');
  const toast = useToast();
  const { session } = useWallet();
  const buyers = useResource(async (signal) => (await call('listBuyers', { signal })).items, [], { events: ['buyer.', 'wallet.', 'clock.advanced'] });
  const [signIn, signingIn] = useAction(async (b: Buyer) => {
    try {
      await call('signIn', { body: { buyerId: b.id } });
      toast.success(`Signed in as ${showControls(b.name)}`, 'The wallet confirms purchases as this buyer now.');
      session.reload();
      buyers.reload();
    } catch (e) {
      toast.error(e);
    }
  });
  const [signOut, signingOut] = useAction(async () => {
    try {
      await call('signOut');
      toast.success('Signed out', 'No buyer is signed in to the wallet.');
      session.reload();
      buyers.reload();
    } catch (e) {
      toast.error(e);
    }
  });

  return (
    <>
      <PageHeader title="Buyers" sub="Test identities for the wallet. One buyer is signed in at a time; purchases are confirmed as that buyer." />
      <div className="split">
        <Card flush title="All buyers" description={session.data?.buyer ? `Signed in: ${showControls(session.data.buyer.name)}` : 'Nobody is signed in'}>
          <ListState
            {...buyers} retry={buyers.reload}
            isEmpty={(d) => d.length === 0}
            empty={<EmptyState icon={<IconUsers />} title="No buyers yet">Create a buyer with the form, then sign in as them to add a card and a PIN.</EmptyState>}
          >
            {(items) => (
              <div className="table-wrap">
                <table className="table">
                  <thead><tr><th>Buyer</th><th>PIN</th><th className="right">Cards</th><th className="actions"><span className="sr-only">Actions</span></th></tr></thead>
                  <tbody>
                    {items.map((b) => (
                      <tr key={b.id} data-testid="buyer-row">
                        <td>
                          <div className="row-lg">
                            <Avatar name={b.name} seed={b.id} />
                            <div style={{ minWidth: 0 }}>
                              <div style={{ fontWeight: 560 }} className="row nowrap"><UserText text={b.name} />{b.signedIn && <Badge tone="success">Signed in</Badge>}</div>
                              <div className="small muted">{b.email} · since {formatDate(b.createdAt)}</div>
                            </div>
                          </div>
                        </td>
                        <td><PinBadge b={b} /></td>
                        <td className="right num">{b.paymentMethods.length}</td>
                        <td className="actions">
                          {b.signedIn
                            ? <Button size="sm" icon={<IconLogout />} busy={signingOut} onClick={() => signOut()}>Sign out</Button>
                            : <Button size="sm" variant="primary" icon={<IconLogin />} disabled={signingIn} onClick={() => signIn(b)} aria-label={`Sign in as ${showControls(b.name)}`}>Sign in</Button>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </ListState>
        </Card>
        <NewBuyerCard onCreated={async (b, andSignIn) => {
          buyers.reload();
          if (andSignIn) await signIn(b);
          else toast.success('Buyer created', `${b.name} can be signed in now.`);
        }} />
      </div>
    </>
  );
}

function NewBuyerCard({ onCreated }: { readonly onCreated: (b: Buyer, signIn: boolean) => Promise<void> }) {
  const id = useId();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [andSignIn, setAndSignIn] = useState(true);
  const [errors, setErrors] = useState<{ name?: string; email?: string }>({});
  const [serverError, setServerError] = useState<unknown>(undefined);
  const [create, busy] = useAction(async () => {
    const r = NewBuyerBody.safeParse({ name, email });
    if (!r.success) {
      const next: { name?: string; email?: string } = {};
      for (const i of r.error.issues) {
        if (i.path[0] === 'name') next.name = 'Give the buyer a name.';
        if (i.path[0] === 'email') next.email = 'Enter an email address, like ada@example.com.';
      }
      setErrors(next);
      return;
    }
    setErrors({});
    setServerError(undefined);
    try {
      const b = await call('createBuyer', { body: r.data });
      setName('');
      setEmail('');
      await onCreated(b, andSignIn);
    } catch (e) {
      setServerError(e);
    }
  });
  return (
    <Card title="New buyer" description="An identity with an email and a name; cards and a PIN come next.">
      <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void create(); }} noValidate>
        <Field label="Name" htmlFor={`${id}-name`} error={errors.name}>
          <input id={`${id}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Ada Lovelace" autoComplete="off" {...described(`${id}-name`, errors.name)} />
        </Field>
        <Field label="Email" htmlFor={`${id}-email`} error={errors.email}>
          <input id={`${id}-email`} className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="ada@example.com" autoComplete="off" {...described(`${id}-email`, errors.email)} />
        </Field>
        <label className="check"><input type="checkbox" checked={andSignIn} onChange={(e) => setAndSignIn(e.target.checked)} />Sign in as this buyer</label>
        <ErrorCallout error={serverError} />
        <div className="form-actions"><Button type="submit" variant="primary" icon={<IconPlus />} busy={busy}>Create buyer</Button></div>
      </form>
    </Card>
  );
}
