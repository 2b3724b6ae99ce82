// What every pane may need about the wallet: who is signed in, and which
// purchases and sign-ins wait for the buyer. Kept fresh by the server's events;
// when a purchase or a sign-in arrives the wallet brings it forward (DESIGN
// section 4 step 4, section 8).
import { createContext, useContext, useMemo, useRef, type ReactNode } from 'react';
import { call, type Authorization, type Purchase, type Session } from './api.ts';
import { useResource, useServerEvents, type Resource } from './hooks.ts';
import { navigate } from './router.ts';
import { showControls, useToast } from './ui.tsx';
import { formatMoney } from './format.ts';
import { isDesktop } from './connection.ts';

export interface WalletState {
  readonly session: Resource<Session>;
  readonly pending: Resource<readonly Purchase[]>;
  /** Sign-ins waiting for the buyer's approval, newest first. */
  readonly signIns: Resource<readonly Authorization[]>;
}

const WalletContext = createContext<WalletState | undefined>(undefined);

export function useWallet(): WalletState {
  const w = useContext(WalletContext);
  if (!w) throw new Error('useWallet outside WalletProvider');
  return w;
}

/** True while the user is typing somewhere: don't pull the page from under them. */
function userIsTyping(): boolean {
  const el = document.activeElement;
  if (!el) return false;
  return (el instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'range'].includes(el.type)) || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/**
 * `bringForward`: on a new purchase, open the confirmation pane (browser tab) or
 * leave it to the desktop app, whose main process opens the trusted window itself.
 */
export function WalletProvider({ children, bringForward }: { readonly children: ReactNode; readonly bringForward: boolean }) {
  const toast = useToast();
  const session = useResource((signal) => call('getSession', { signal }), [], { events: ['wallet.', 'buyer.', 'clock.advanced'] });
  const pending = useResource(
    async (signal) => (await call('listPurchases', { query: { status: 'pending', limit: 100 }, signal })).items,
    [],
    { events: ['purchase.'] },
  );
  const signIns = useResource(
    async (signal) => (await call('listAuthorizations', { query: { status: 'pending' }, signal })).items,
    [],
    { events: ['authorization.'] },
  );
  const seen = useRef(new Set<string>());
  const signInsRef = useRef(signIns.data);
  signInsRef.current = signIns.data;

  useServerEvents((e) => {
    if (!bringForward) return;
    if (e.type === 'authorization.pending') {
      const id = e.data.id;
      if (seen.current.has(id)) return;
      seen.current.add(id);
      // The same rule as for purchases: never pull the pane from under a buyer typing or confirming.
      const where = window.location.hash;
      const busy = /^#\/wallet\/(confirm\/pur_|sign-in\/)/.test(where) && !where.includes(id);
      if (!isDesktop() && !userIsTyping() && !busy) navigate(`/wallet/sign-in/${id}`);
      else toast.info('Sign-in waiting for approval', 'A merchant asks you to sign in with Paydesk.', { label: 'Review sign-in', href: `#/wallet/sign-in/${id}` }, 'sign-in-waiting');
      return;
    }
    if (e.type !== 'purchase.created') return;
    const id = e.data.id;
    if (seen.current.has(id)) return;
    seen.current.add(id);
    void call('getPurchase', { params: { id } }).then((p) => {
      // Confirmed or cancelled already (a script, another window): nothing to bring forward.
      if (p.status !== 'pending') return;
      const where = window.location.hash;
      // A sign-in still waiting keeps its pane; one decided (the store now starts the purchase) gives way.
      const shownSignIn = /^#\/wallet\/sign-in\/([^/?]+)/.exec(where)?.[1];
      const busyConfirming = (/^#\/wallet\/confirm\/pur_/.test(where) && !where.includes(id))
        || (shownSignIn !== undefined && (signInsRef.current ?? []).some((a) => a.id === shownSignIn));
      if (!isDesktop() && !userIsTyping() && !busyConfirming) navigate(`/wallet/confirm/${id}`);
      else toast.info('Purchase waiting for confirmation', `${showControls(p.item.name)} · ${formatMoney(p.price.amount, p.price.currency)} from ${showControls(p.seller.name)}`, { label: 'Review and confirm', href: `#/wallet/confirm/${id}` }, 'purchase-waiting');
    }, () => undefined);
  });

  const value = useMemo(() => ({ session, pending, signIns }), [session, pending, signIns]);
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}
