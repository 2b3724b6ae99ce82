// Test fixtures: a real server on 127.0.0.1 with its own data folder, and a
// client that speaks the console API. Data folders live under
// PAYDESK_TEST_ROOT (set by test/run.ts) so the final scan can check that no
// card number or CVC reached any database, WAL or log file.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createClient, isApiError, type Client, type RouteBody } from '../../contract/client.ts';
import { startServer, type ServerInternals, type ServerOptions, type StartOptions as ServerStartOptions } from '../../server/main.ts';

export function testRoot(): string {
  const root = process.env.PAYDESK_TEST_ROOT ?? join(tmpdir(), 'paydesk-tests');
  mkdirSync(root, { recursive: true });
  return root;
}

export function freshDataDir(label = 'server'): string {
  return mkdtempSync(join(testRoot(), `${label}-`));
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface TestServer {
  readonly server: ServerInternals;
  readonly url: string;
  readonly dataDir: string;
  /** A controllable clock: tests move it forward instead of sleeping. */
  readonly clock: { now: number; advance(ms: number): void };
  /** The slow test card's processor (4000 0000 0000 0077): it answers only when the test says. */
  readonly slowProcessor: HeldProcessor;
  /** What the server logged, oldest first. */
  readonly logs: readonly string[];
  /** The typed client with the admin token, checking every answer against the contract: for well-formed calls. */
  readonly client: Client;
  /** A raw request with the admin token: for what the typed client cannot send (bad input, odd headers) and for reading status and headers. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export type StartOptions = Partial<ServerOptions> & Pick<ServerStartOptions, 'wrapHandlers'> & { startAt?: number };

/**
 * Holds charges of the slow test card until released, so a test looks at a
 * purchase mid-charge without racing a timer against the PIN hash and the commits.
 */
export class HeldProcessor {
  private readonly waiting: (() => void)[] = [];
  private readonly arrivals = new EventEmitter();

  /** The server's slow-card delay (StartOptions.slowCharge). */
  readonly slowCharge = (): Promise<void> => new Promise<void>((answer) => {
    this.waiting.push(answer);
    this.arrivals.emit('charge');
  });

  /**
   * Resolves once a slow-card charge is waiting for the processor (its purchase is
   * claimed, durably); fails if `request`, the call that should charge, ends first.
   */
  async charging(request: Promise<unknown>): Promise<void> {
    if (this.waiting.length > 0) return;
    const ended = request.then((r) => {
      throw new Error(`the call ended without reaching the processor: ${JSON.stringify(r)}`);
    });
    await Promise.race([once(this.arrivals, 'charge'), ended]);
  }

  /** Lets every waiting charge get the processor's answer. */
  release(): void {
    for (const answer of this.waiting.splice(0)) answer();
  }
}

/** A test server's log, kept for the test to read; a broken response contract is also printed, since the test sees only a 500. */
export function serverLog(): { logs: string[]; log: (line: string) => void } {
  const logs: string[] = [];
  return {
    logs,
    log: (line) => {
      logs.push(line);
      if (line.startsWith('response check:')) console.error(line);
    },
  };
}

/** The typed client as the tests use it: the admin token, every answer checked against the contract. */
export function testClient(server: Pick<ServerInternals, 'url' | 'token'>): Client {
  return createClient({ baseUrl: server.url, token: server.token, checkResponses: true });
}

/** TestServer.api for `server`: one request with the admin token (not on /v1/), the answer as it came. */
export function rawApi(server: Pick<ServerInternals, 'url' | 'token'>): TestServer['api'] {
  return async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        // The public API takes no console token: an Authorization header there is a payments token (POST /v1/pay).
        ...(path.startsWith('/v1/') ? {} : { authorization: `Bearer ${server.token}` }),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
}

export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? freshDataDir();
  const clock = {
    now: opts.startAt ?? Date.now(),
    advance(ms: number) {
      this.now += ms;
    },
  };
  const { logs, log } = serverLog();
  const slowProcessor = new HeldProcessor();
  // Every answer checked against the contract: a handler that answers the wrong shape fails its test.
  const server = await startServer({ port: 0, slowCharge: slowProcessor.slowCharge, checkResponses: true, ...opts, dataDir, now: () => clock.now, log });
  return {
    server, url: server.url, dataDir, clock, slowProcessor, logs, api: rawApi(server), client: testClient(server),
    close: () => {
      // A test that failed mid-charge must not leave its request hanging the close.
      slowProcessor.release();
      return server.close();
    },
  };
}

export interface CreatedApp {
  readonly key: string;
  readonly secret: string;
  readonly secretId: string;
  readonly webhookSecret: string;
  /** The clock of the server the app is registered on: signRequest() signs at that server's time. */
  readonly clock: { readonly now: number };
}

/** A fixture call through the typed client; a refusal fails with its code in the message, which tests match on. */
async function fixture<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw isApiError(e) ? new Error(`${what}: ${e.status} ${e.code}: ${e.message} ${JSON.stringify(e.details)}`) : e;
  }
}

export async function createApp(t: Pick<TestServer, 'client' | 'clock'>, overrides: Partial<RouteBody<'createApp'>> = {}): Promise<CreatedApp> {
  const r = await fixture('createApp', t.client.call('createApp', {
    body: {
      name: 'Elite Sparkle Pony',
      homepage: 'http://127.0.0.1:9/',
      contactEmail: 'merchant@example.com',
      postbackURL: 'http://127.0.0.1:9/postback',
      chargebackURL: 'http://127.0.0.1:9/chargeback',
      ...overrides,
    },
  }));
  return { key: r.app.key, secret: r.secret.secret, secretId: r.secret.id, webhookSecret: r.webhookSecret, clock: t.clock };
}

export const ponyRequest = {
  id: 'pony-1',
  name: 'Elite Sparkle Pony',
  description: 'The shiniest pony of all!',
  price: '1.99',
  currency: 'USD',
  productData: 'user=42&pony=sparkle',
};

/**
 * Signs a payment request the way a merchant server does: HS256 over the UTF-8 bytes of the secret.
 * At the time of the app's server unless told otherwise: a test server's clock stands still
 * while the test runs, so the wall clock would drift past the allowed skew on a slow machine.
 */
export async function signRequest(
  app: Pick<CreatedApp, 'key' | 'secret'> & Partial<Pick<CreatedApp, 'clock'>>,
  opts: { request?: Record<string, unknown>; claims?: Record<string, unknown>; now?: number; header?: Record<string, unknown> } = {},
): Promise<string> {
  const iat = Math.floor((opts.now ?? app.clock?.now ?? Date.now()) / 1000);
  const claims = {
    iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat, exp: iat + 600,
    jti: `jti-${randomUUID()}`, request: opts.request ?? ponyRequest, ...opts.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (claims as Record<string, unknown>)[k];
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...opts.header }).sign(new TextEncoder().encode(app.secret));
}

/** A buyer, signed in, with a preauthorized card and a PIN: ready to confirm purchases. */
export async function readyBuyer(t: Pick<TestServer, 'client' | 'clock'>, opts: { card?: string; pin?: string; email?: string; currency?: string; limits?: { perPurchase: number; perMonth: number } } = {}) {
  const { id } = await fixture('createBuyer', t.client.call('createBuyer', { body: { email: opts.email ?? `buyer-${randomUUID()}@example.com`, name: 'Test Buyer' } }));
  await fixture('signIn', t.client.call('signIn', { body: { buyerId: id } }));
  const pm = await fixture('preauth', t.client.call('addPaymentMethod', {
    params: { id },
    body: {
      card: { number: opts.card ?? '4242 4242 4242 4242', expMonth: 12, expYear: new Date(t.clock.now).getUTCFullYear() + 3, cvc: opts.card?.startsWith('37') ? '1234' : '123' },
      ...(opts.currency ? { currency: opts.currency } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    },
  }));
  const pin = opts.pin ?? '2468';
  await fixture('setPin', t.client.call('setPin', { params: { id }, body: { pin } }));
  return { id, paymentMethodId: pm.id, pin };
}

export async function pay(t: TestServer, jwt: string | unknown[]) {
  return t.api<{ id: string; status: string; code: string; error?: { code: string } }>('POST', '/v1/pay', { jwts: Array.isArray(jwt) ? jwt : [jwt] });
}

export function count(t: TestServer, table: string): number {
  return (t.server.services.ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

export function errorCode(r: ApiResponse<unknown>): string | undefined {
  return (r.body as { error?: { code?: string } }).error?.code;
}

/**
 * A port free on 127.0.0.1 right now (bound, then released). Anything on the machine may
 * take it before it is used: a server should listen on port 0 and say where it is instead.
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}
