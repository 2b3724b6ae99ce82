// paydesk:// links: from the OS (registered as the scheme's handler), from a second
// instance's argv (Windows, Linux) and from 'open-url' (macOS, possibly before
// 'ready'). Links that arrive before the server runs wait, and open once it does.
import { app } from 'electron';
import { deepLinkFromArgv, deepLinkToRoute, protocolClientArgs } from '../policy.ts';
import type { Desktop } from './desktop.ts';

/** Packaged apps (and test runs that ask) become the OS's handler for paydesk://. */
export function registerLinkHandler(): void {
  if (!app.isPackaged && process.env.PAYDESK_REGISTER_PROTOCOL !== '1') return;
  const [scheme, exe, args] = protocolClientArgs({ defaultApp: process.defaultApp === true, execPath: process.execPath, argv: process.argv });
  if (exe === undefined) app.setAsDefaultProtocolClient(scheme);
  else app.setAsDefaultProtocolClient(scheme, exe, [...(args ?? [])]);
}

export interface DeepLinks {
  /** The server runs: open the links that waited (this instance's own argv last), then each as it comes. */
  start(): void;
}

export function setupDeepLinks(d: Desktop): DeepLinks {
  const waiting: string[] = [];
  let started = false;

  function open(url: string): void {
    const target = deepLinkToRoute(url);
    if (target === null) {
      d.log('ignored a paydesk:// link that names no known pane');
      return;
    }
    if (target.kind === 'confirm') d.confirmations.open(target.purchaseId);
    else d.consoleWindow.show(target.route);
  }

  // The running instance receives a second one's argv (and any deep link) here.
  app.on('second-instance', (_event, argv) => {
    const link = deepLinkFromArgv(argv);
    if (!started) {
      if (link !== null) waiting.push(link);
      return;
    }
    if (link !== null) open(link);
    else d.consoleWindow.show();
  });

  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (started) open(url);
    else waiting.push(url);
  });

  return {
    start() {
      const own = deepLinkFromArgv(process.argv);
      if (own !== null) waiting.push(own);
      started = true;
      for (const link of waiting.splice(0)) open(link);
    },
  };
}
