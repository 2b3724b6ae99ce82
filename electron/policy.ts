// Every security and routing decision the desktop shell makes, as pure functions.
// This file must not import `electron` (test/electron/policy.test.ts checks): it
// runs under plain Node so each item of the security checklist has a unit test,
// and main.ts only wires these answers to Electron's hooks.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isPurchaseId } from '../contract/bridge.ts';

/** The console is served from this privileged scheme, never from file:// (file:// pages can read the disk). */
export const APP_SCHEME = 'app';
const APP_HOST = 'paydesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** OS-level deep links: paydesk://purchases/pur_123 */
const DEEP_LINK_SCHEME = 'paydesk';

/** Hosts the console may open in the user's browser. Https only; everything else is refused. */
export const EXTERNAL_ALLOWLIST: readonly string[] = [
  'github.com',
  'developer.mozilla.org',
  'datatracker.ietf.org',
  'www.rfc-editor.org',
  'www.standardwebhooks.com',
];

function parseUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** True for a document served by our own app:// protocol. */
function isAppUrl(raw: unknown): boolean {
  const url = parseUrl(raw);
  return url !== null && url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
}

/**
 * An IPC message is trusted only when its frame's URL is our app origin. A frame
 * that navigated away, was destroyed, or never existed (null senderFrame) is refused:
 * a missing frame must never default to trust.
 */
export function isTrustedSender(frameUrl: string | null | undefined): boolean {
  return frameUrl !== null && frameUrl !== undefined && isAppUrl(frameUrl);
}

/**
 * will-navigate / will-redirect / will-frame-navigate: the console is a single page
 * with hash routes, so a real navigation is only ever a reload of our own origin.
 * Anything else (http, file, data, javascript, another custom scheme) is denied.
 */
export function isAllowedNavigation(targetUrl: string): boolean {
  return isAppUrl(targetUrl);
}

/** shell.openExternal only for https URLs on the allowlist, without credentials or odd ports. */
export function isAllowedExternalUrl(raw: unknown, allowlist: readonly string[] = EXTERNAL_ALLOWLIST): boolean {
  const url = parseUrl(raw);
  if (url === null) return false;
  return url.protocol === 'https:'
    && url.username === '' && url.password === ''
    && url.port === ''
    && allowlist.includes(url.hostname);
}

/** Every window.open is denied; an allowlisted https link is handed to the OS browser instead. */
export function windowOpenDecision(raw: string): { readonly action: 'deny'; readonly openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternalUrl(raw) };
}

/**
 * Permission request and check handlers deny everything, except two the console needs
 * from its own top-level origin: writing (never reading) the clipboard for "copy as curl",
 * and reaching the provider server on 127.0.0.1 (Chromium's local network access gate).
 * CSP connect-src still limits which loopback origin that can be.
 */
const APP_ORIGIN_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write', 'loopback-network', 'local-network-access'];

export function isPermissionGranted(permission: string, requestingUrl: string | null | undefined): boolean {
  if (requestingUrl === null || requestingUrl === undefined) return false;
  const url = parseUrl(requestingUrl);
  const origin = url === null ? '' : `${url.protocol}//${url.host}`;
  return origin === APP_ORIGIN && APP_ORIGIN_PERMISSIONS.includes(permission);
}

export interface CspInput {
  /** The provider server's origin, e.g. http://127.0.0.1:4312: the only place the console may connect to. */
  readonly apiOrigin: string;
  /** Extra image origins (profile cards are served from a separate origin, DESIGN.md section 8). */
  readonly imageOrigins?: readonly string[];
}

/**
 * The console's Content-Security-Policy. No inline script or style, no eval, no frames,
 * no plugins, no form posts; network only to the provider server.
 */
export function contentSecurityPolicy(input: CspInput): string {
  const api = new URL(input.apiOrigin).origin;
  const images = ["'self'", 'data:', 'blob:', api, ...(input.imageOrigins ?? []).map((o) => new URL(o).origin)];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${[...new Set(images)].join(' ')}`,
    "font-src 'self'",
    `connect-src ${api}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Maps app://paydesk/<path> to a file under `root` (renderer/dist), or null.
 * Refuses other origins, encoded traversal (%2e%2e, %2f), backslashes (a separator on
 * Windows), NUL bytes and anything that resolves outside root.
 */
export function resolveAppProtocolPath(root: string, rawUrl: string): string | null {
  const url = parseUrl(rawUrl);
  if (url === null || !isAppUrl(rawUrl)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const segments = pathname.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const base = resolve(root);
  const file = resolve(join(base, ...segments));
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
  return file;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers for every app:// response: the CSP travels with each document, and nothing is sniffed. */
export function appProtocolHeaders(filePath: string, csp: string): Readonly<Record<string, string>> {
  const dot = filePath.lastIndexOf('.');
  const ext = dot === -1 ? '' : filePath.slice(dot).toLowerCase();
  return {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** The scheme privileges for app://: standard + secure so 'self', fetch and origins work; never bypassCSP. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  stream: false,
  codeCache: true,
} as const;

/** What every BrowserWindow we create gets. Structurally an Electron WebPreferences. */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly sandbox: true;
  readonly contextIsolation: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly experimentalFeatures: false;
  readonly navigateOnDragDrop: false;
  readonly safeDialogs: true;
  readonly spellcheck: false;
  readonly devTools: boolean;
}

export function secureWebPreferences(preload: string, opts: { readonly devTools: boolean }): SecureWebPreferences {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  };
}

/**
 * The console URL the trusted confirmation window loads for one purchase, or for
 * one sign-in (`sgn_…`, issue 12): the same window, one request at a time.
 */
export function confirmationUrl(purchaseId: string): string {
  if (!isPurchaseId(purchaseId)) throw new Error(`not a purchase id: ${JSON.stringify(purchaseId)}`);
  return purchaseId.startsWith('sgn_') ? `${APP_ORIGIN}/#/sign-in/${purchaseId}` : `${APP_ORIGIN}/#/confirm/${purchaseId}`;
}

/** Window options of the trusted confirmation window: its own focused window that pages cannot cover. */
export const CONFIRM_WINDOW = {
  width: 440,
  height: 620,
  show: false,
  center: true,
  alwaysOnTop: true,
  resizable: false,
  minimizable: false,
  maximizable: false,
  fullscreenable: false,
  focusable: true,
  skipTaskbar: false,
  title: 'Confirm purchase · Paydesk',
} as const;

/** Above full-screen windows and other always-on-top windows (a macOS level; Windows and Linux treat it as topmost). */
export const CONFIRM_WINDOW_LEVEL = 'screen-saver';

export type DeepLinkTarget =
  | { readonly kind: 'console'; readonly route: string }
  | { readonly kind: 'confirm'; readonly purchaseId: string };

/** Console panes a deep link may open; an id is optional and must look like an id. */
const DEEP_LINK_PANES: readonly string[] = ['apps', 'purchases', 'notices', 'wallet', 'buyers', 'http402', 'settings'];

/**
 * paydesk://<pane>[/<id>] → a hash route of the console, and paydesk://confirm/<purchaseId>
 * → the trusted confirmation window. Anything else (extra segments, queries carrying
 * data, unknown panes, odd ids) returns null and is ignored: a deep link is an
 * untrusted input any web page can fire.
 */
export function deepLinkToRoute(raw: string): DeepLinkTarget | null {
  const url = parseUrl(raw);
  if (url === null || url.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  if (url.username !== '' || url.password !== '' || url.port !== '') return null;
  // paydesk://purchases/pur_1 parses with host "purchases"; paydesk:purchases/pur_1 has none.
  const path = `${url.host}${url.pathname}`.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = path === '' ? [] : path.split('/');
  const [pane, id, ...rest] = parts;
  if (pane === undefined || rest.length > 0) return null;
  if (id !== undefined && !isPurchaseId(id)) return null;
  if (pane === 'confirm') return id === undefined ? null : { kind: 'confirm', purchaseId: id };
  if (!DEEP_LINK_PANES.includes(pane)) return null;
  return { kind: 'console', route: id === undefined ? `/${pane}` : `/${pane}/${id}` };
}

/** On Windows and Linux a deep link arrives as a command-line argument of a second instance. */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  return argv.find((a) => a.startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}

/**
 * Arguments for app.setAsDefaultProtocolClient. When run unpackaged (`electron .`),
 * the OS must start Electron with our entry script, or the link would open a bare Electron.
 */
export function protocolClientArgs(p: { readonly defaultApp: boolean; readonly execPath: string; readonly argv: readonly string[] }):
  readonly [string] | readonly [string, string, readonly string[]] {
  const entry = p.argv[1];
  if (p.defaultApp && entry !== undefined) return [DEEP_LINK_SCHEME, p.execPath, [resolve(entry)]];
  return [DEEP_LINK_SCHEME];
}

/**
 * Electron's userData, which is also the server's data folder: `<appData>/Paydesk`,
 * the folder headless Paydesk defaults to (server/data-dir.ts), so both modes find
 * the same ledger on one machine. Set explicitly because Electron would otherwise
 * derive it from package.json's lowercase name. PAYDESK_USER_DATA isolates tests.
 */
export function userDataDir(env: Readonly<Record<string, string | undefined>>, appData: string): string {
  const override = env.PAYDESK_USER_DATA;
  return override !== undefined && override !== '' ? resolve(override) : join(appData, 'Paydesk');
}

/**
 * The Electron-ABI better-sqlite3 binary. Unpackaged, it is the copy built by
 * electron/rebuild-native.ts (the launcher runs it when missing; node_modules keeps
 * the Node-ABI one for tests and headless). Packaged, electron-builder has rebuilt node_modules for Electron, so the
 * default loader is right and no override is passed.
 */
export function nativeBindingFor(p: { readonly isPackaged: boolean; readonly appRoot: string }): string | undefined {
  return p.isPackaged ? undefined : join(p.appRoot, 'build', 'native', 'electron', 'better_sqlite3.node');
}
