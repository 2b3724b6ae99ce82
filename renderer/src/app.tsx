// The console shell: left navigation (Merchant, Wallet), the top bar (live
// status, pending purchases, signed-in buyer, theme), and the hash router,
// behind the gate that needs a console session first (login.tsx).
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { onSessionEnded } from './api.ts';
import { useStreamState } from './hooks.ts';
import { navigate, useLocation } from './router.ts';
import { WalletProvider, useWallet } from './wallet-context.tsx';
import { Avatar, Button, ToastProvider, UserText } from './ui.tsx';
import {
  IconAlert, IconApps, IconBell, IconCard, IconChart, IconFlask, IconHistory, IconKey, IconList, IconLock, IconLogin, IconLogo, IconMenu, IconMoon, IconShield, IconSun, IconUsers,
} from './icons.tsx';
import { AppDetailPane, AppsPane, NewAppPane } from './panes/apps.tsx';
import { TransactionsPane } from './panes/transactions.tsx';
import { LabPane } from './panes/lab.tsx';
import { DashboardPane } from './panes/dashboard.tsx';
import { NoticeDetailPane, NoticesPane } from './panes/notices.tsx';
import { BuyersPane } from './panes/buyers.tsx';
import { PaymentMethodsPane } from './panes/methods.tsx';
import { PinPane } from './panes/pin.tsx';
import { ConfirmPane, ConfirmWindow } from './panes/confirm.tsx';
import { HistoryPane } from './panes/history.tsx';
import { SignInWindow, SignInsPane } from './panes/sign-in.tsx';
import { ConnectedAppsPane } from './panes/connections.tsx';
import { bridge, isDesktop } from './connection.ts';
import { useTheme, type Theme } from './theme.ts';
import { ConsoleGate } from './login.tsx';
import { TestClockBanner } from './test-clock.tsx';

// --- routes ------------------------------------------------------------------------------

interface Page {
  readonly section: 'Merchant' | 'Wallet';
  readonly title: string;
  readonly node: ReactNode;
  readonly nav: string;
}

function resolve(segments: readonly string[]): Page {
  const [a, b, c] = segments;
  switch (a) {
    case 'apps':
      if (b === 'new') return { section: 'Merchant', title: 'Register app', node: <NewAppPane />, nav: 'apps' };
      if (b) return { section: 'Merchant', title: 'App', node: <AppDetailPane key={b} appKey={b} />, nav: 'apps' };
      return { section: 'Merchant', title: 'Apps', node: <AppsPane />, nav: 'apps' };
    case 'purchases': // the desktop app's deep links (paydesk://purchases/<id>)
    case 'transactions':
      return { section: 'Merchant', title: 'Transactions', node: <TransactionsPane selectedId={b} />, nav: 'transactions' };
    case 'lab':
      return { section: 'Merchant', title: 'Request lab', node: <LabPane />, nav: 'lab' };
    case 'notices':
      if (b) return { section: 'Merchant', title: 'Notice', node: <NoticeDetailPane key={b} id={b} />, nav: 'notices' };
      return { section: 'Merchant', title: 'Notices', node: <NoticesPane />, nav: 'notices' };
    case 'buyers':
      return { section: 'Wallet', title: 'Buyers', node: <BuyersPane />, nav: 'wallet/buyers' };
    case 'wallet':
      switch (b) {
        case 'buyers': return { section: 'Wallet', title: 'Buyers', node: <BuyersPane />, nav: 'wallet/buyers' };
        case 'methods': return { section: 'Wallet', title: 'Payment methods', node: <PaymentMethodsPane />, nav: 'wallet/methods' };
        case 'pin': return { section: 'Wallet', title: 'PIN', node: <PinPane />, nav: 'wallet/pin' };
        case 'history': return { section: 'Wallet', title: 'History', node: <HistoryPane />, nav: 'wallet/history' };
        case 'sign-in': return { section: 'Wallet', title: 'Sign-ins', node: <SignInsPane id={c} />, nav: 'wallet/sign-in' };
        case 'connections': return { section: 'Wallet', title: 'Connected apps', node: <ConnectedAppsPane />, nav: 'wallet/connections' };
        default: return { section: 'Wallet', title: 'Confirm', node: <ConfirmPane id={c} />, nav: 'wallet/confirm' };
      }
    default:
      return { section: 'Merchant', title: 'Dashboard', node: <DashboardPane />, nav: 'dashboard' };
  }
}

// --- shell -------------------------------------------------------------------------------

function NavLink({ to, current, icon, children, badge }: { readonly to: string; readonly current: string; readonly icon: ReactNode; readonly children: ReactNode; readonly badge?: ReactNode }) {
  return (
    <a className="nav-link" href={`#/${to}`} aria-current={current === to ? 'page' : undefined}>
      {icon}<span>{children}</span>{badge}
    </a>
  );
}

/** Below 960 px the sidebar folds away (styles.css) and opens over the pane from the top bar's Menu button. */
function Sidebar({ current, open }: { readonly current: string; readonly open: boolean }) {
  const { pending, signIns } = useWallet();
  const count = pending.data?.length ?? 0;
  const signInCount = signIns.data?.length ?? 0;
  return (
    <nav className={`sidebar ${open ? 'open' : ''}`} id="sidebar" aria-label="Main">
      <a className="brand" href="#/dashboard">
        <span className="brand-mark"><IconLogo /></span>
        <span><div className="brand-name">Paydesk</div><div className="brand-sub">Merchant &amp; wallet console</div></span>
      </a>
      <div className="nav-section">
        <div className="nav-section-title" id="nav-merchant">Merchant</div>
        <div role="group" aria-labelledby="nav-merchant">
          <NavLink to="dashboard" current={current} icon={<IconChart />}>Dashboard</NavLink>
          <NavLink to="apps" current={current} icon={<IconApps />}>Apps</NavLink>
          <NavLink to="transactions" current={current} icon={<IconList />}>Transactions</NavLink>
          <NavLink to="notices" current={current} icon={<IconBell />}>Notices</NavLink>
          <NavLink to="lab" current={current} icon={<IconFlask />}>Request lab</NavLink>
        </div>
      </div>
      <div className="nav-section">
        <div className="nav-section-title" id="nav-wallet">Wallet</div>
        <div role="group" aria-labelledby="nav-wallet">
          <NavLink to="wallet/confirm" current={current} icon={<IconShield />} badge={count > 0 ? <span className="count count-warning" aria-label={`${count} pending`}>{count}</span> : undefined}>Confirm</NavLink>
          <NavLink to="wallet/sign-in" current={current} icon={<IconLogin />} badge={signInCount > 0 ? <span className="count count-warning" aria-label={`${signInCount} waiting`}>{signInCount}</span> : undefined}>Sign-ins</NavLink>
          <NavLink to="wallet/connections" current={current} icon={<IconKey />}>Connected apps</NavLink>
          <NavLink to="wallet/buyers" current={current} icon={<IconUsers />}>Buyers</NavLink>
          <NavLink to="wallet/methods" current={current} icon={<IconCard />}>Payment methods</NavLink>
          <NavLink to="wallet/pin" current={current} icon={<IconLock />}>PIN</NavLink>
          <NavLink to="wallet/history" current={current} icon={<IconHistory />}>History</NavLink>
        </div>
      </div>
      <div className="sidebar-foot">
        <span>{isDesktop() ? 'Desktop app' : 'Browser console'} · local provider</span>
        <span>Nothing leaves this computer.</span>
      </div>
    </nav>
  );
}

function TopBar({ page, theme, toggleTheme, menu }: {
  readonly page: Page; readonly theme: Theme; readonly toggleTheme: () => void;
  readonly menu: { readonly open: boolean; readonly toggle: () => void; readonly button: RefObject<HTMLButtonElement | null> };
}) {
  const { session, pending } = useWallet();
  const stream = useStreamState();
  const buyer = session.data?.buyer ?? null;
  const count = pending.data?.length ?? 0;
  const liveLabel = stream === 'live' ? 'Live' : stream === 'offline' ? 'Offline' : 'Connecting…';
  return (
    <header className="topbar">
      <Button variant="ghost" iconOnly icon={<IconMenu />} className="menu-toggle" aria-label="Menu" aria-expanded={menu.open} aria-controls="sidebar" onClick={menu.toggle} ref={menu.button} />
      <div className="crumbs"><span>{page.section}</span><span aria-hidden="true">/</span><strong>{page.title}</strong></div>
      <div className="topbar-right">
        <span className="live" data-state={stream} title={stream === 'live' ? 'Receiving live updates from Paydesk' : 'Reconnecting to Paydesk'} role="status">{liveLabel}</span>
        {/* Named by its visible text (WCAG 2.5.3); the title describes where it leads. */}
        <a className={`pending-pill ${count > 0 ? 'has-pending' : ''}`} href="#/wallet/confirm" data-testid="pending-count" title="Purchases waiting for your confirmation">
          <IconShield />{count === 0 ? 'No pending purchases' : `${count} pending`}
        </a>
        {buyer ? (
          <a className="buyer-chip" href="#/wallet/buyers" data-testid="signed-in-buyer" title="Signed-in buyer: switch in Wallet → Buyers">
            <Avatar name={buyer.name} seed={buyer.id} />
            <span className="who"><span><UserText text={buyer.name} /></span><small>{buyer.email}</small></span>
          </a>
        ) : (
          <a className="buyer-chip signed-out" href="#/wallet/buyers" data-testid="signed-in-buyer">No buyer signed in</a>
        )}
        <Button variant="ghost" iconOnly icon={theme === 'dark' ? <IconSun /> : <IconMoon />} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Toggle light and dark" onClick={toggleTheme} data-testid="theme-toggle" />
      </div>
    </header>
  );
}

/** The desktop app's notice; a browser tab shows the login screen instead (login.tsx). */
function SessionEndedBanner() {
  const [ended, setEnded] = useState(false);
  useEffect(() => onSessionEnded(() => setEnded(isDesktop())), []);
  if (!ended) return null;
  return (
    <div className="banner danger" role="alert">
      <IconAlert />
      <span><b>This console's session ended.</b> Paydesk restarted or no longer accepts this window's credentials. Reload to sign the console in again.</span>
      <Button size="sm" variant="primary" onClick={() => window.location.reload()}>Reload console</Button>
    </div>
  );
}

/** The folded sidebar's state: it closes when a pane is chosen, and on Escape, which gives focus back to the button. */
function useMenu(path: string) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    document.querySelector<HTMLElement>('#sidebar a')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return { open, toggle: () => setOpen((o) => !o), close: () => setOpen(false), button };
}

function Shell() {
  const loc = useLocation();
  const [theme, toggleTheme] = useTheme();
  const page = resolve(loc.segments);
  const menu = useMenu(loc.path);
  // A drawer or another purchase inside the same pane keeps the pane's scroll and focus.
  const paneKey = `${page.nav}:${page.title}`;
  useEffect(() => {
    // A new pane starts at the top, and focus moves to it for keyboard and screen-reader users.
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [paneKey]);
  return (
    <div className="shell">
      <Sidebar current={page.nav} open={menu.open} />
      {menu.open && <div className="sidebar-scrim" onClick={menu.close} aria-hidden="true" />}
      <div className="main">
        <TopBar page={page} theme={theme} toggleTheme={toggleTheme} menu={menu} />
        <SessionEndedBanner />
        <TestClockBanner />
        <main id="main" className="content" tabIndex={-1}>{page.node}</main>
      </div>
    </div>
  );
}

/** Desktop niceties: deep links from the OS, and external links opened in the system browser. */
function useDesktopBridge(): void {
  useEffect(() => {
    const b = bridge();
    if (!b) return;
    const off = b.onNavigate?.((e) => navigate(e.route));
    const onClick = (e: MouseEvent) => {
      const a = (e.target as HTMLElement | null)?.closest?.('a[target="_blank"]');
      if (!(a instanceof HTMLAnchorElement) || !b.openExternal) return;
      e.preventDefault();
      void b.openExternal(a.href);
    };
    document.addEventListener('click', onClick);
    return () => {
      off?.();
      document.removeEventListener('click', onClick);
    };
  }, []);
}

export function App() {
  const loc = useLocation();
  useDesktopBridge();
  // #/confirm/<id> is the desktop app's trusted confirmation window: the purchase and the PIN pad, nothing else;
  // #/sign-in/<id> the same window holding a sign-in.
  const standalone = (loc.segments[0] === 'confirm' || loc.segments[0] === 'sign-in') && loc.segments[1] !== undefined;
  return (
    <ConsoleGate>
      <ToastProvider>
        <WalletProvider bringForward={!standalone}>
          {!standalone ? <Shell /> : loc.segments[0] === 'sign-in' ? <SignInWindow id={loc.segments[1]!} /> : <ConfirmWindow id={loc.segments[1]!} />}
        </WalletProvider>
      </ToastProvider>
    </ConsoleGate>
  );
}
