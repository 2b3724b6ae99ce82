// GET /.well-known/jwks.json: the provider's public notice-signing keys, for
// merchants (and third parties holding a receipt) to verify EdDSA notices.
// Public and cacheable for a short while: a rotation must show up quickly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderKeys } from './provider-keys.ts';
import { resources } from '../../contract/api.ts';

export const JWKS_PATH = resources.jwks.path;

export function serveJwks(keys: ProviderKeys, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (url.pathname !== JWKS_PATH) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('GET only\n');
    return true;
  }
  const body = JSON.stringify(keys.jwks());
  res.writeHead(200, {
    'content-type': 'application/jwk-set+json',
    'cache-control': 'public, max-age=300',
    // Merchant pages and verifiers on other origins may fetch it.
    'access-control-allow-origin': '*',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
