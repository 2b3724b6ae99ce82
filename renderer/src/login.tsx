// The gate in front of the whole console: nothing that calls the API renders
// until this tab has a session (console-session.ts). Without one, a screen
// says how to get a new login link instead of a console that fails pane by pane.
import { useEffect, useState, type ReactNode } from 'react';
import { onSessionEnded } from './api.ts';
import { isDesktop } from './connection.ts';
import { consoleAccess, isLoginLink, type ConsoleAccess, type SignedOutReason } from './console-session.ts';
import { useTheme } from './theme.ts';
import { Button } from './ui.tsx';
import { IconAlert, IconLock, IconLogo, IconMoon, IconSun } from './icons.tsx';

export function ConsoleGate({ children }: { readonly children: ReactNode }) {
  const [access, setAccess] = useState<ConsoleAccess | null>(null);
  useEffect(() => {
    let mounted = true;
    void consoleAccess().then((a) => mounted && setAccess(a));
    // A link opened in a tab that already shows the console changes only the fragment:
    // start this page afresh with it, event stream and all.
    const onHash = () => {
      if (isLoginLink()) window.location.reload();
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      mounted = false;
      window.removeEventListener('hashchange', onHash);
    };
  }, []);
  // The server restarted or dropped the session: the console behind the gate is of no use any more.
  useEffect(() => onSessionEnded(() => {
    if (!isDesktop()) setAccess((a) => (a?.state === 'ready' ? { state: 'signed-out', reason: 'ended' } : a));
  }), []);
  if (access?.state === 'ready') return <>{children}</>;
  return <LoginScreen access={access} />;
}

const why: Readonly<Record<SignedOutReason, { readonly title: string; readonly body: string }>> = {
  'no-session': { title: 'Open the console with a login link', body: 'This browser has no console session: it has not opened a login link yet, or Paydesk restarted since.' },
  'link-refused': { title: 'This login link no longer works', body: 'It was already used, or it is more than 10 minutes old.' },
  ended: { title: 'This console\'s session ended', body: 'Paydesk restarted, or no longer accepts this browser\'s session.' },
};

function LoginScreen({ access }: { readonly access: ConsoleAccess | null }) {
  const [theme, toggleTheme] = useTheme();
  return (
    <main id="main" className="login-screen" data-testid="login-screen" aria-busy={access === null || undefined}>
      <div className="card login-card">
        <div className="spread">
          <span className="brand">
            <span className="brand-mark"><IconLogo /></span>
            <span><span className="brand-name">Paydesk</span><span className="brand-sub">Merchant &amp; wallet console</span></span>
          </span>
          <Button variant="ghost" iconOnly icon={theme === 'dark' ? <IconSun /> : <IconMoon />} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Toggle light and dark" onClick={toggleTheme} />
        </div>
        {access === null && <div className="row muted" role="status"><span className="spinner" aria-hidden="true" />Connecting to Paydesk…</div>}
        {access?.state === 'signed-out' && (
          <>
            <span className="login-icon"><IconLock /></span>
            <h1>{why[access.reason].title}</h1>
            <p className="muted">{why[access.reason].body} Each link works once, in one browser, for 10 minutes.</p>
            <h2 className="login-subtitle">To get a new link</h2>
            <ol className="login-steps">
              <li>In a terminal, in the Paydesk folder, run <code className="login-command">npm run login</code> (add the <code>--port</code> and <code>--data-dir</code> Paydesk runs with, if they are not the defaults).</li>
              <li>Open the link it prints in this browser.</li>
            </ol>
            <p className="small subtle">The <code>Console: open …/#login=…</code> line that Paydesk printed when it started works too, once, for 10 minutes.</p>
          </>
        )}
        {access?.state === 'unreachable' && (
          <>
            <span className="login-icon error"><IconAlert /></span>
            {access.error.code === 'network_error' ? (
              <>
                <h1>Paydesk is not answering</h1>
                <p className="muted">This page cannot reach the Paydesk server. Start it with <code>npm start</code> or <code>npm run serve</code>, then reload this page.</p>
              </>
            ) : (
              <>
                <h1>The console could not start</h1>
                <p className="muted">{access.error.message}</p>
              </>
            )}
            <div><Button variant="primary" onClick={() => window.location.reload()}>Reload</Button></div>
          </>
        )}
      </div>
    </main>
  );
}
