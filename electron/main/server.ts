// The provider server inside the desktop app: its master key in the OS keystore,
// SQLite built for Electron's ABI when run from the checkout, and closed before quit.
import { app, dialog, safeStorage } from 'electron';
import { startServer } from '../../server/main.ts';
import { safeStorageKeySource } from '../keystore.ts';
import { APP_ORIGIN, nativeBindingFor } from '../policy.ts';
import type { Log } from './desktop.ts';

export type ProviderServer = Awaited<ReturnType<typeof startServer>>;

export interface ServerSetup {
  readonly dataDir: string;
  readonly appRoot: string;
  readonly log: Log;
}

/** The running server, or null after telling the user why it cannot start (the app then exits). */
export async function setupServer(s: ServerSetup): Promise<ProviderServer | null> {
  const nativeBinding = nativeBindingFor({ isPackaged: app.isPackaged, appRoot: s.appRoot });
  let server: ProviderServer;
  try {
    server = await startServer({
      port: 0,
      dataDir: s.dataDir,
      keySource: safeStorageKeySource(s.dataDir, safeStorage, s.log),
      consoleOrigins: [APP_ORIGIN],
      log: s.log,
      ...(nativeBinding === undefined ? {} : { nativeBinding }),
    });
  } catch (e) {
    // Key or database problems carry a sentence saying what to do; show it and stop.
    dialog.showErrorBox('Paydesk cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return null;
  }
  s.log(`provider server on ${server.url}`);

  let quitting = false;
  app.on('will-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void server.close().finally(() => app.quit());
  });
  return server;
}
