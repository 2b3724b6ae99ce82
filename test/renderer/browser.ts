// Shared fixtures for the console's browser tests: the renderer build, Debian
// Chromium through playwright-core, console-error capture, and screenshots in
// test-results/screenshots (gitignored).
import { mkdirSync } from 'node:fs';
import { ensureRendererBuilt as buildRenderer } from '../../electron/renderer-build.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { animationsSettled } from '../helpers/animations.ts';

export const root = join(import.meta.dirname, '..', '..');
export const screenshotDir = join(root, 'test-results', 'screenshots');

/** Builds renderer/dist when it is missing or older than the sources. */
export function ensureRendererBuilt(): void {
  buildRenderer(root);
}

export const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Console errors and uncaught exceptions of a page, as they happen. */
export interface ConsoleLog {
  readonly errors: string[];
  /** Errors except the browser's own "Failed to load resource" lines for API answers a step expects (wrong PIN, ...). */
  unexpected(allowHttpStatuses?: readonly number[]): string[];
  clear(): void;
}

export function captureConsole(page: Page): ConsoleLog {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    errors,
    unexpected(allow = []) {
      return errors.filter((e) => !allow.some((s) => e.includes(`Failed to load resource: the server responded with a status of ${s}`)));
    },
    clear() {
      errors.length = 0;
    },
  };
}

export async function shot(page: Page, name: string, opts: { fullPage?: boolean; toasts?: boolean; keepScroll?: boolean } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // Toasts from earlier steps would cover the pane: dismiss them unless the picture is about one.
  if (!opts.toasts) {
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toasts button[aria-label="Dismiss"]').forEach((b) => b.click()));
  }
  // Pictures show a pane from its top unless asked otherwise.
  if (!opts.keepScroll) await page.evaluate(() => window.scrollTo(0, 0));
  // The resting state: a toast has slid in, a drawer has opened; endless animations
  // (spinners) are stilled by `animations: 'disabled'`.
  await animationsSettled(page);
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: opts.fullPage ?? false, animations: 'disabled' });
}

/** A merchant server: echoes the transaction id for /postback and /chargeback, fails /broken. */
export interface Merchant {
  readonly url: string;
  readonly received: { path: string; webhookId: string | undefined }[];
  /** The /broken endpoint answers properly from now on: the merchant is back. */
  heal(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export async function startMerchant(): Promise<Merchant> {
  const received: Merchant['received'] = [];
  let healed = false;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      received.push({ path, webhookId: req.headers['webhook-id'] as string | undefined });
      if (path === '/broken' && !healed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error: database is locked');
        return;
      }
      const jwt = new URLSearchParams(body).get('notice') ?? '';
      let txn = '';
      try {
        const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { response?: { transactionID?: string } };
        txn = claims.response?.transactionID ?? '';
      } catch {
        // not a notice: answer with nothing, which the provider counts as a wrong echo
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(txn);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, received,
    heal: () => {
      healed = true;
    },
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
