// The preload bridge's main side: ipc.ts checks every sender and parses every
// argument; these are the handlers it then calls.
import { ipcMain, shell } from 'electron';
import { BridgeError, registerBridge } from '../ipc.ts';
import { isAllowedExternalUrl } from '../policy.ts';
import type { Desktop } from './desktop.ts';
import type { ProviderServer } from './server.ts';

export function setupBridge(d: Desktop, server: ProviderServer): void {
  registerBridge(ipcMain, d.roles.roleOf, {
    getConnection: () => ({ baseUrl: server.url, token: server.token }),
    openExternal: async (_caller, url) => {
      if (!isAllowedExternalUrl(url)) throw new BridgeError('external-url-refused', 'Paydesk opens only https links to known documentation sites.');
      await shell.openExternal(url);
    },
    openConfirmation: (_caller, purchaseId) => d.confirmations.open(purchaseId),
    closeConfirmation: (caller, purchaseId) => d.confirmations.close(caller, purchaseId),
  }, d.log);
}
