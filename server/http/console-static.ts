// The console's static files (renderer/dist) at `/`. Serving them grants
// nothing: a console in a browser tab gets its session by trading a login code
// (console-login.ts), and in the desktop app the preload hands it a bearer token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/** Where `npm run build:renderer` writes the console. */
export const defaultConsoleDir = resolve(import.meta.dirname, '../../renderer/dist');

/**
 * Every console document and asset carries these. No 'unsafe-inline' and no
 * 'unsafe-eval': the build emits only external scripts and stylesheets, and
 * React sets style properties through the CSSOM, which CSP does not govern.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface ConsoleStaticOptions {
  /** The built console; default renderer/dist. */
  readonly dir?: string;
}

function sendText(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(head ? undefined : body);
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Paydesk console not built</title></head>
<body><h1>The Paydesk console is not built yet</h1>
<p>Run <code>npm run build:renderer</code> in the Paydesk folder, then reload this page.</p>
<p>The provider API is running: see <code>/api/openapi.json</code> (needs the console token).</p>
</body></html>
`;

/**
 * The `extra` hook of the HTTP server: answers GET/HEAD for `/` and for files
 * that exist in the console build; returns false for anything else so later
 * routes (and the router's not_found) still apply.
 */
export function consoleStatic(opts: ConsoleStaticOptions = {}): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const dir = resolve(opts.dir ?? defaultConsoleDir);

  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const head = req.method === 'HEAD';

    if (url.pathname === '/' || url.pathname === '/index.html') {
      let html: Buffer;
      try {
        html = await readFile(join(dir, 'index.html'));
      } catch {
        sendText(res, 503, 'text/html; charset=utf-8', notBuiltPage, head, { 'cache-control': 'no-store' });
        return true;
      }
      sendText(res, 200, 'text/html; charset=utf-8', html, head, { 'cache-control': 'no-store' });
      return true;
    }

    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      // A malformed escape names no file: the router answers not_found, as for any unknown path.
      return false;
    }
    // Traversal and tricks: "..", backslashes, NUL and dot-files never name a file of the build.
    const segments = decoded.split('/').slice(1);
    if (decoded.includes('\\') || decoded.includes('\0') || segments.some((s) => s === '..' || s.startsWith('.'))) return false;
    const file = resolve(dir, `.${decoded}`);
    if (!file.startsWith(dir + sep)) return false;
    let real: string;
    try {
      // Symlinks may not lead out of the build folder either.
      real = await realpath(file);
      const realDir = await realpath(dir);
      if (!real.startsWith(realDir + sep) || !(await stat(real)).isFile()) return false;
    } catch {
      return false;
    }
    const body = await readFile(real);
    const type = contentTypes[extname(real).toLowerCase()] ?? 'application/octet-stream';
    // Vite puts a content hash in every name under assets/, so those never change.
    const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    sendText(res, 200, type, body, head, { 'cache-control': cache });
    return true;
  };
}
