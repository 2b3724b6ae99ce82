// The security checklist's hooks (docs/desktop.md): every webContents may navigate,
// redirect and open windows only as policy.ts decides, and the session grants no
// permission policy.ts refuses.
import { app, session, shell, type WebContents } from 'electron';
import { isAllowedNavigation, isPermissionGranted, windowOpenDecision } from '../policy.ts';

function hardenWebContents(contents: WebContents): void {
  const guard = (event: { readonly url: string; preventDefault(): void }) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: decision.action };
  });
}

/** Before any window exists: each webContents is hardened as it is created. */
export function setupNavigationGuards(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

/** After 'ready' (the default session exists only then). */
export function setupPermissionHandlers(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
}
