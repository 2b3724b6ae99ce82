// The buy flow's browser side, mounted on the server's `extra` hook:
//   GET /pay.js          the merchant page's library (CORS open, loadable from any origin)
//   GET /pay/status.js   the status window's script   } same-origin only
//   GET /pay/status.css  its stylesheet                }
//   GET /pay/favicon.svg its icon                      }
//   GET /pay/<id>        the status window (server-rendered; cannot be framed)
// The JSON it talks to (/v1/pay, /v1/pay/<id>, /v1/pay/<id>/cancel) is in the
// contract. docs/buy-flow.md describes the whole flow and every header below.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { isPaydeskError } from '../../contract/errors.ts';
import { resources } from '../../contract/api.ts';
import { renderNotFoundPage, renderStatusPage, type PublicPurchaseView } from './status-page.ts';

const assetsDir = join(import.meta.dirname, 'assets');

/** The status window's policy: own scripts and styles only, no framing, no forms, no base tag. */
export const STATUS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers of the status window. Cross-Origin-Opener-Policy stays `unsafe-none`
 * on purpose: `same-origin` would sever the merchant page's handle to the
 * window, which then reads `closed === true` at once, so pay.js could neither
 * tell "the buyer closed it" (DIALOG_CLOSED_BY_USER) nor close it when done.
 * What COOP would protect here is nothing: the window shows what the page
 * already knows and never takes a PIN. status.js drops `window.opener`.
 */
export const statusHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STATUS_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'unsafe-none',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cache-control': 'no-store',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
}

function asset(file: string, type: string, headers: Record<string, string>): Asset {
  const body = readFileSync(join(assetsDir, file));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { body, type, etag, headers };
}

const PURCHASE_ID = /^pur_[a-z0-9]{1,64}$/;

export interface PayPageOptions {
  /** The purchase as a merchant page may see it; throws purchase_not_found for an unknown id. */
  readonly publicStatus: (id: string) => PublicPurchaseView | Promise<PublicPurchaseView>;
  readonly now: () => number;
}

/**
 * The `extra` hook of the HTTP server (server/http/server.ts): answers the
 * paths above and returns false for anything else.
 */
export function payPageRoutes(opts: PayPageOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const sameOrigin = { 'cross-origin-resource-policy': 'same-origin' };
  const assets: Readonly<Record<string, Asset>> = {
    // Any merchant page on any origin loads pay.js, with or without `crossorigin` (for SRI).
    [resources.payScript.path]: asset('pay.js', 'text/javascript; charset=utf-8', { 'cross-origin-resource-policy': 'cross-origin', 'access-control-allow-origin': '*' }),
    [resources.payStatusScript.path]: asset('status.js', 'text/javascript; charset=utf-8', sameOrigin),
    [resources.payStatusStyle.path]: asset('status.css', 'text/css; charset=utf-8', sameOrigin),
    // Named by the page's <link rel="icon">: without one the browser asked for /favicon.ico, a 404 per purchase.
    [resources.payStatusIcon.path]: asset('favicon.svg', 'image/svg+xml', sameOrigin),
  };

  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== resources.payScript.path && !path.startsWith('/pay/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end('Method not allowed.\n');
      return true;
    }
    const head = req.method === 'HEAD';

    const a = assets[path];
    if (a) {
      const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache', etag: a.etag, ...a.headers };
      if (req.headers['if-none-match'] === a.etag) {
        res.writeHead(304, common);
        res.end();
        return true;
      }
      res.writeHead(200, { ...common, 'content-type': a.type, 'content-length': String(a.body.length) });
      res.end(head ? undefined : a.body);
      return true;
    }

    const id = path.slice('/pay/'.length);
    let purchase: PublicPurchaseView | undefined;
    if (PURCHASE_ID.test(id)) {
      try {
        purchase = await opts.publicStatus(id);
      } catch (e) {
        if (!isPaydeskError(e) || e.code !== 'purchase_not_found') throw e;
      }
    }
    const status = purchase ? 200 : 404;
    const html = purchase ? renderStatusPage(purchase, opts.now()) : renderNotFoundPage();
    res.writeHead(status, { ...statusHeaders, 'content-length': String(Buffer.byteLength(html)) });
    res.end(head ? undefined : html);
    return true;
  };
}
