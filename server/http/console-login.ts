// How a console in a browser tab gets a session (README "The console session").
// The server mints single-use login codes (printed at start, or minted on
// demand by POST /api/console/login-codes with the admin token); the page at
// `/#login=<code>` trades one for an HttpOnly cookie holding a fresh session
// id. Codes and sessions live in this process's memory only, so they die with
// it, and are kept by their SHA-256: the map holds no usable credential and a
// lookup's timing says nothing about the secret itself.
import { createHash } from 'node:crypto';
import { PaydeskError } from '../../contract/errors.ts';
import { newSecret } from '../ids.ts';

export const CONSOLE_COOKIE = 'paydesk_console';

/** Long enough to copy a link from a terminal to a browser; short enough that an old printed line is useless. */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;

/** `paydesk_console` from a Cookie header, if present. */
export function consoleCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CONSOLE_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value of a session. Path=/api: only API calls carry it, not the
 * documents; SameSite=Strict: no request started by another site does.
 */
export function sessionCookie(sessionId: string): string {
  return `${CONSOLE_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/api`;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

export interface LoginCode {
  readonly code: string;
  /** The console address with the code in the fragment, which browsers never send to a server. */
  readonly url: string;
  readonly expiresAt: number;
}

export class ConsoleLogin {
  /** digest(code) → when it expires */
  private readonly codes = new Map<string, number>();
  /** digest(session id) of every live session: several tabs or browsers may each hold one. */
  private readonly sessions = new Set<string>();
  private origin = '';

  constructor(private readonly now: () => number) {}

  /** Where the printed links point: the server's own loopback address, known once it listens. */
  setOrigin(origin: string): void {
    this.origin = origin;
  }

  mintCode(): LoginCode {
    const at = this.now();
    // Expired codes go when new ones come: minting needs the admin token, so this bounds the map.
    for (const [key, expiresAt] of this.codes) if (expiresAt <= at) this.codes.delete(key);
    const code = newSecret();
    const expiresAt = at + LOGIN_CODE_TTL_MS;
    this.codes.set(digest(code), expiresAt);
    return { code, url: `${this.origin}/#login=${code}`, expiresAt };
  }

  /**
   * Spends a code and opens a session; returns the session id for the cookie.
   * Unknown, spent and expired codes get the same refusal, so it reveals nothing.
   */
  exchange(code: string): string {
    const key = digest(code);
    const expiresAt = this.codes.get(key);
    this.codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.now()) throw new PaydeskError('login_code_invalid');
    const sessionId = newSecret();
    this.sessions.add(digest(sessionId));
    return sessionId;
  }

  isSession(sessionId: string | undefined): boolean {
    return sessionId !== undefined && sessionId !== '' && this.sessions.has(digest(sessionId));
  }
}
