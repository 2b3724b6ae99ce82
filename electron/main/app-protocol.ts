// app://paydesk serves renderer/dist, so no window loads from the file system; each
// answer carries the CSP that lets the console reach only the provider server.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_SCHEME, appProtocolHeaders, contentSecurityPolicy, resolveAppProtocolPath } from '../policy.ts';

export function setupAppProtocol(rendererRoot: string, apiOrigin: string): void {
  const csp = contentSecurityPolicy({ apiOrigin });
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppProtocolPath(rendererRoot, request.url);
    if (file === null) return new Response('Not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: appProtocolHeaders(file, csp) });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
