// What watch.ts sees on the provider server, shown to the user: the pending count
// in the tray, the trusted window and a notification for each new purchase, and a
// notification for each notice that gave up and for each app whose notices keep failing. Main reads the console API through the
// one typed client (contract/client.ts), with the console's own token.
import { Notification, app } from 'electron';
import { createClient } from '../../contract/client.ts';
import { isPurchaseId } from '../../contract/bridge.ts';
import {
  POLL_INTERVAL_MS, createWatcher, failedNoticeFromEvent, failedNoticeNotification, failingAppFromEvent, failingAppNotification, purchaseNotification, refreshesPending,
  signInFromEvent, signInNotification,
} from '../watch.ts';
import type { Desktop } from './desktop.ts';
import type { ProviderServer } from './server.ts';
import type { PendingTray } from './tray.ts';

function notify(title: string, body: string, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title, body });
  n.on('click', onClick);
  n.show();
}

export function setupAlerts(d: Desktop, server: ProviderServer, tray: PendingTray): void {
  // Checked against the contract's response schemas in development, as the console's dev server does.
  const api = createClient({ baseUrl: server.url, token: server.token, checkResponses: !app.isPackaged });
  const watcher = createWatcher({
    api,
    onPendingCount: (count) => tray.setPendingCount(count),
    onNewPurchase: (p) => {
      d.confirmations.open(p.id);
      const text = purchaseNotification(p);
      notify(text.title, text.body, () => d.confirmations.open(p.id));
    },
    onError: d.log,
  });
  const timer = setInterval(() => void watcher.tick(), POLL_INTERVAL_MS);
  const unsubscribe = server.events.subscribe((e) => {
    if (refreshesPending(e)) void watcher.tick();
    // A sign-in is approved in the same trusted window as a purchase (issue 12).
    const signIn = signInFromEvent(e);
    if (signIn !== null && isPurchaseId(signIn)) {
      d.confirmations.open(signIn);
      notify(signInNotification.title, signInNotification.body, () => d.confirmations.open(signIn));
    }
    const failed = failedNoticeFromEvent(e);
    if (failed !== null) {
      void failedNoticeNotification(api, failed).then((text) => notify(text.title, text.body, () => d.consoleWindow.show(isPurchaseId(failed.id) ? `/notices/${failed.id}` : '/notices')));
    }
    const failing = failingAppFromEvent(e);
    if (failing !== null) {
      void failingAppNotification(api, failing).then((text) => notify(text.title, text.body, () => d.consoleWindow.show(`/apps/${encodeURIComponent(failing.appKey)}`)));
    }
  });
  app.once('will-quit', () => {
    clearInterval(timer);
    unsubscribe();
  });
  void watcher.tick();
}
