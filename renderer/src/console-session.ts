// Whether this console may talk to the provider (README "The console session").
// The desktop app holds the bearer token (connection.ts). A browser tab has a
// session only once it traded a login code, from a `/#login=<code>` link, for
// the HttpOnly cookie; the code leaves the address bar before anything else
// runs, so it stays out of history, bookmarks and screenshots.
import { call, isApiError, type ApiError } from './api.ts';
import { isDesktop } from './connection.ts';

/** Why a browser tab has no session: it has none, its link was refused, or the server stopped accepting it. */
export type SignedOutReason = 'no-session' | 'link-refused' | 'ended';

export type ConsoleAccess =
  | { readonly state: 'ready' }
  | { readonly state: 'signed-out'; readonly reason: SignedOutReason }
  | { readonly state: 'unreachable'; readonly error: ApiError };

const LOGIN_FRAGMENT = /^#login=([A-Za-z0-9_-]*)$/;

/** True while the address is a login link (`/#login=<code>`). */
export function isLoginLink(): boolean {
  return LOGIN_FRAGMENT.test(window.location.hash);
}

/** The code of a `#login=<code>` address, removed from the address bar (without a new history entry). */
function takeLoginCode(): string | null {
  const m = LOGIN_FRAGMENT.exec(window.location.hash);
  if (!m) return null;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  // replaceState fires nothing: tell the hash router the fragment changed.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
  return m[1]!;
}

async function check(): Promise<ConsoleAccess> {
  if (isDesktop()) return { state: 'ready' };
  const code = takeLoginCode();
  let refused = false;
  if (code !== null) {
    try {
      await call('startConsoleSession', { body: { code } });
      return { state: 'ready' };
    } catch (e) {
      if (!isApiError(e) || (e.code !== 'login_code_invalid' && e.code !== 'validation_failed')) return unreachable(e);
      // A used link opened again in the browser that used it still has that browser's session: ask.
      refused = true;
    }
  }
  try {
    await call('getConsoleSession');
    return { state: 'ready' };
  } catch (e) {
    if (isApiError(e) && e.code === 'unauthorized') return { state: 'signed-out', reason: refused ? 'link-refused' : 'no-session' };
    return unreachable(e);
  }
}

function unreachable(e: unknown): ConsoleAccess {
  if (isApiError(e)) return { state: 'unreachable', error: e };
  throw e;
}

let started: Promise<ConsoleAccess> | undefined;

/** Checked once per page load: the login code can be spent only once, whatever renders twice. */
export function consoleAccess(): Promise<ConsoleAccess> {
  started ??= check();
  return started;
}
