// The HTTP pipeline, as the stages handle() lists: Host check (DNS rebinding),
// CORS and the origin policy, the public API's rate limit, bearer token or
// console session (per route: contract/api.ts Auth), what is served outside the
// route table, routing, parsing and validation against the contract, the
// Idempotency-Key, the handler (its answer checked against the contract in
// check mode), then the answer once durable.
// Routes stay thin; everything they may throw is a PaydeskError with a code.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PaydeskError, isPaydeskError } from '../../contract/errors.ts';
import { resources, routes, type Auth, type RouteName, type RouteSpec } from '../../contract/api.ts';
import { openApiDocument } from './openapi.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { RateLimiter } from './rate-limit.ts';
import { consoleCookie, type ConsoleLogin } from './console-login.ts';
import type { Handlers } from './handlers.ts';
import type { RequestKey } from '../context.ts';
import type { EventBus } from '../events/bus.ts';
import { sendExport } from '../export/export.ts';
import type { ExportSources } from '../export/sources.ts';

const MAX_BODY = 64 * 1024;
const MAX_DRAIN = 1024 * 1024;

/**
 * What one origin may ask of the public API (/v1/*), which any web page can
 * call. A merchant page makes a purchase in a handful of calls and polls its
 * status once a second; the defaults leave it far from both limits.
 */
export interface PublicLimits {
  /** Requests per second, sustained, per Origin (no Origin counts as one more); bursts of PUBLIC_BURST_SECONDS' worth pass. */
  readonly requestsPerSecond: number;
  /** Idempotency-Keys one origin may hold; each is kept a day. */
  readonly keysPerOrigin: number;
}

export const defaultPublicLimits: PublicLimits = { requestsPerSecond: 10, keysPerOrigin: 1000 };
const PUBLIC_BURST_SECONDS = 30;

export interface HttpOptions {
  readonly token: string;
  readonly handlers: Handlers;
  readonly idempotency: IdempotencyStore;
  readonly events: EventBus;
  /** Extra origins allowed on the console API (the desktop app's protocol). */
  readonly consoleOrigins: readonly string[];
  /** The browser console's sessions (console-login.ts), accepted instead of the bearer from the server's own page only; absent, only the bearer counts. */
  readonly login?: Pick<ConsoleLogin, 'isSession'>;
  /** Other routes mounted by later features (static console, pay.js, ...); return true when handled. */
  readonly extra?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  readonly log: (line: string) => void;
  /**
   * Resolves once every committed change is on disk (undefined when it already
   * is): a group commit is visible before its fdatasync returns
   * (server/db/group-commit.ts), so every answer waits for this first.
   */
  readonly durable?: () => Promise<void> | undefined;
  /** Per-origin limits of the public API; defaultPublicLimits when not given. */
  readonly publicLimits?: PublicLimits;
  /** The clock the public API's rate limit refills by (the server's injected clock). Default Date.now. */
  readonly now?: () => number;
  /** The exports (contract/api.ts resources exportTransactions, exportNotices); absent, those paths are not served. */
  readonly exports?: ExportSources;
  /** Check every handler's answer against its route's response schema (tests, `serve --dev`); a mismatch answers internal_error. Off in production. */
  readonly checkResponses?: boolean;
}

interface CompiledRoute {
  readonly name: RouteName;
  readonly spec: RouteSpec;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
}

function compile(): CompiledRoute[] {
  return (Object.entries(routes) as [RouteName, RouteSpec][]).map(([name, spec]) => {
    const keys: string[] = [];
    const pattern = new RegExp(`^${spec.path.replace(/\{(\w+)\}/g, (_m, k: string) => {
      keys.push(k);
      return '([^/]+)';
    })}$`);
    return { name, spec, pattern, keys };
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...headers,
  });
  res.end(text);
}

/**
 * Reads at most MAX_BODY bytes. A larger body is drained (up to a hard stop) so
 * the client still reads our 413 instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else if (size > MAX_DRAIN) req.destroy();
    });
    req.on('end', () => (size > MAX_BODY ? reject(new PaydeskError('body_too_large')) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function validate<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // A control character in text people read has its own code (contract.ts, readable()).
  const control = r.error.issues.find((i): i is z.core.$ZodIssueCustom => i.code === 'custom' && i.params?.code === 'text_control_characters');
  if (control) throw new PaydeskError('text_control_characters', { field: [where, ...control.path.map(String)].join('.'), character: control.params?.character });
  throw new PaydeskError('validation_failed', {
    issues: r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
  });
}

/**
 * The request target as a URL. Origin-form ("/path") is the norm; an
 * absolute-form target ("http://host/path") is allowed by HTTP/1.1, and one
 * that does not parse ("http://x:y/") names nothing here.
 */
function requestURL(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', `http://${req.headers.host}`);
  } catch {
    throw new PaydeskError('not_found');
  }
}

/** A path parameter, percent-decoded; a malformed escape (%zz, a cut UTF-8 sequence) names no resource. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new PaydeskError('not_found');
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Tokens that must never travel in a URL: query strings end up in logs, history and Referer headers. */
const TOKEN_PARAMS = ['access_token', 'refresh_token', 'id_token'] as const;

/** Refused on every path, pages and provider endpoints too (the seed's own worry about passing tokens around). */
function refuseTokenInQuery(url: URL): void {
  if (TOKEN_PARAMS.some((p) => url.searchParams.has(p))) throw new PaydeskError('token_in_query');
}

/** Where a request goes: the public API (any page may call it), the console API, or the pages around them (pay page, JWKS, console files). */
type Area = 'public' | 'console' | 'pages';

function areaOf(pathname: string): Area {
  if (pathname.startsWith('/v1/')) return 'public';
  return pathname.startsWith('/api/') ? 'console' : 'pages';
}

/** An answer before it is sent: the handler's, its refusal, or a replay. */
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** A request's input once parsed and validated against its route; `raw` and `json` feed the Idempotency-Key fingerprint. */
interface ParsedInput {
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly query: unknown;
  readonly raw: string;
  readonly json: unknown;
  /** A public route's Authorization header (a payments or profile token); never the console's. */
  readonly authorization: string | undefined;
}


/** Each origin policy's CORS answer; `preflight` holds the extra headers of a 204 to OPTIONS. */
interface CorsPolicy {
  readonly headers: Readonly<Record<string, string>>;
  readonly preflight: Readonly<Record<string, string>>;
}

export function createHttpServer(opts: HttpOptions): { server: Server; setPort(port: number): void } {
  const compiled = compile();
  const publicLimits = opts.publicLimits ?? defaultPublicLimits;
  const publicRate = new RateLimiter(
    { perSecond: publicLimits.requestsPerSecond, burst: publicLimits.requestsPerSecond * PUBLIC_BURST_SECONDS }, opts.now ?? Date.now);
  let port = 0;
  // Known once the server listens (setPort); built then, not on every request.
  let allowedHosts = new Set<string>();
  /** This server's own http origins: the only pages the session cookie and the login route serve. */
  let serverOrigins = new Set<string>();
  let ownOrigins = new Set<string>(opts.consoleOrigins);
  const setPort = (p: number) => {
    port = p;
    allowedHosts = new Set([`127.0.0.1:${p}`, `localhost:${p}`]);
    serverOrigins = new Set([`http://127.0.0.1:${p}`, `http://localhost:${p}`]);
    ownOrigins = new Set([...serverOrigins, ...opts.consoleOrigins]);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHost(req);
    const url = requestURL(req);
    refuseTokenInQuery(url);
    const area = areaOf(url.pathname);
    const matches = compiled.filter((r) => r.pattern.test(url.pathname));
    const route = matches.find((r) => r.spec.method === req.method);
    if (applyCors(req, res, area)) return;
    if (area === 'public') limitRate(req);
    // Unknown /api paths need a credential too: without one, nothing about the API is answered.
    if (area === 'console') authorize(req, route?.spec.auth ?? 'console');
    if (await serveSpecial(req, res, url, area, route)) return;
    if (matches.length === 0) throw new PaydeskError('not_found');
    if (!route) throw new PaydeskError('method_not_allowed', { allow: matches.map((m) => m.spec.method) });
    const input = await parseInput(req, url, route);
    const reply = await withIdempotency(req, url, area, route, input, (idempotency) => callHandler(res, route, input, idempotency));
    await answer(res, reply);
  }

  /** DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host. */
  function checkHost(req: IncomingMessage): void {
    if (!allowedHosts.has(req.headers.host ?? '')) throw new PaydeskError('host_not_allowed');
  }

  /**
   * Who may call from a page of another origin, the one place for it. The
   * public API: any page, without cookies (the JWT is the credential). The
   * console API: the desktop console (app://paydesk) is another origin than
   * this server, allowed by CORS with the bearer token from the preload (never
   * the cookie, see authorize); any other foreign page is refused. True when
   * the request was a preflight, now answered.
   */
  function applyCors(req: IncomingMessage, res: ServerResponse, area: Area): boolean {
    const origin = req.headers.origin;
    let policy: CorsPolicy;
    if (area === 'public') {
      policy = {
        headers: { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' },
        preflight: { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type, idempotency-key' },
      };
    } else if (area === 'console' && origin !== undefined && opts.consoleOrigins.includes(origin)) {
      policy = {
        headers: { 'access-control-allow-origin': origin, vary: 'Origin' },
        preflight: {
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
          'access-control-allow-headers': 'authorization, content-type, idempotency-key, last-event-id',
          ...(req.headers['access-control-request-private-network'] === 'true' ? { 'access-control-allow-private-network': 'true' } : {}),
        },
      };
    } else {
      if (area === 'console' && ((origin !== undefined && !ownOrigins.has(origin)) || req.headers['sec-fetch-site'] === 'cross-site')) {
        throw new PaydeskError('cross_origin_refused');
      }
      return false;
    }
    for (const [name, value] of Object.entries(policy.headers)) res.setHeader(name, value);
    if (req.method !== 'OPTIONS') return false;
    res.writeHead(204, { ...policy.preflight, 'access-control-max-age': '600' });
    res.end();
    return true;
  }

  /**
   * Any page may call the public API, so each origin gets a budget (preflights aside: they do no work).
   * A page cannot leave out or forge its Origin; a local program can, and is not what this stops.
   */
  function limitRate(req: IncomingMessage): void {
    const wait = publicRate.take(req.headers.origin ?? '');
    if (wait > 0) throw new PaydeskError('rate_limited', { retryAfterSeconds: wait });
  }

  /**
   * Who may call an /api route: the bearer token, or the console's session cookie.
   * Browsers attach the cookie to requests from any
   * port of 127.0.0.1 (same site), and any program on the machine may send one
   * it got hold of: the cookie counts only on a request the browser itself marks
   * `Sec-Fetch-Site: same-origin`, from this server's own page. Without that it
   * is no credential: 401 unauthorized, exactly as a wrong token.
   */
  function authorize(req: IncomingMessage, auth: Auth): void {
    const origin = req.headers.origin;
    const fromOwnPage = req.headers['sec-fetch-site'] === 'same-origin' && (origin === undefined || serverOrigins.has(origin));
    if (auth === 'login') {
      // Needs no credential because it hands one out: only the console page itself may ask, never a script or another page.
      if (!fromOwnPage || origin === undefined) throw new PaydeskError('cross_origin_refused');
      return;
    }
    const bearer = req.headers.authorization;
    if (bearer !== undefined) {
      if (!bearer.startsWith('Bearer ') || !safeEqual(bearer.slice(7), opts.token)) throw new PaydeskError('unauthorized');
      return;
    }
    // Login codes are minted with the admin token itself: a session cannot mint more sessions.
    if (auth === 'token' || !fromOwnPage || !opts.login?.isSession(consoleCookie(req.headers.cookie))) throw new PaydeskError('unauthorized');
  }

  /**
   * What no handler answers: the pages' hooks, the OpenAPI document (contract/api.ts
   * `resources`) and the stream routes (`stream: true`: the bus, as the contract's
   * event union). True when answered.
   */
  async function serveSpecial(req: IncomingMessage, res: ServerResponse, url: URL, area: Area, route: CompiledRoute | undefined): Promise<boolean> {
    if (area === 'pages') return opts.extra ? opts.extra(req, res, url) : false;
    if (route?.spec.stream) {
      streamEvents(req, res, opts.events);
      return true;
    }
    if (area !== 'console' || req.method !== 'GET') return false;
    const exportName = exportAt(url.pathname);
    if (exportName && opts.exports) {
      await serveExport(res, url, exportName, opts.exports);
      return true;
    }
    if (url.pathname !== resources.openApi.path) return false;
    await answer(res, { status: 200, body: openApiDocument(`http://127.0.0.1:${port}`), headers: {} });
    return true;
  }

  /**
   * An export: its query checked like a route's, its rows counted (a refusal, such as
   * search_too_short, is still a JSON error), then streamed once what it reads is durable.
   */
  async function serveExport(res: ServerResponse, url: URL, name: ExportName, exports: ExportSources): Promise<void> {
    const raw = Object.fromEntries(url.searchParams);
    const day = new Date((opts.now ?? Date.now)()).toISOString().slice(0, 10);
    if (name === 'exportTransactions') {
      const query = validate(resources.exportTransactions.query, raw, 'query');
      const source = exports.exportTransactions(query);
      await opts.durable?.();
      await sendExport(res, source, query.format, day);
    } else {
      const query = validate(resources.exportNotices.query, raw, 'query');
      const source = exports.exportNotices(query);
      await opts.durable?.();
      await sendExport(res, source, query.format, day);
    }
  }

  /** Path parameters, the body and the query, each validated against the route's schemas. */
  async function parseInput(req: IncomingMessage, url: URL, route: CompiledRoute): Promise<ParsedInput> {
    const m = route.pattern.exec(url.pathname)!;
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeParam(m[i + 1]!)));
    const raw = req.method === 'GET' ? '' : await readBody(req);
    let json: unknown;
    if (route.spec.body) {
      if (raw.trim() === '') json = {};
      else {
        try {
          json = JSON.parse(raw);
        } catch {
          throw new PaydeskError('bad_json');
        }
      }
    }
    return {
      params, raw, json,
      authorization: areaOf(url.pathname) === 'public' ? req.headers.authorization : undefined,
      body: route.spec.body ? validate(route.spec.body, json, 'body') : undefined,
      query: route.spec.query ? validate(route.spec.query, Object.fromEntries(url.searchParams), 'query') : undefined,
    };
  }

  /**
   * An Idempotency-Key runs the call once: a retry replays the stored answer.
   * Calls without a key (and GETs and safe routes) just run.
   */
  async function withIdempotency(
    req: IncomingMessage, url: URL, area: Area, route: CompiledRoute, input: ParsedInput, run: (idempotency?: RequestKey) => Promise<Reply>,
  ): Promise<Reply> {
    const key = req.method !== 'GET' && !route.spec.safe ? req.headers['idempotency-key'] : undefined;
    if (typeof key !== 'string') return run();
    const isPublic = area === 'public';
    // Pages of different merchants pick their keys independently: keep them apart by origin.
    const scope = isPublic ? `public:${req.headers.origin ?? ''}` : 'console';
    const secretFields = route.spec.secretFields;
    const fingerprint = opts.idempotency.fingerprint(req.method!, url.pathname, input.raw, secretFields ? { body: input.json, fields: secretFields } : undefined);
    const replay = opts.idempotency.begin(scope, key, fingerprint, isPublic ? publicLimits.keysPerOrigin : undefined);
    if (replay) return { status: replay.status, body: replay.body, headers: { 'idempotent-replayed': 'true' } };
    const success = route.spec.status ?? 200;
    let storedWithChange = false;
    const reply = await run(opts.idempotency.forRequest(scope, key, success, () => (storedWithChange = true)));
    // A refusal on the public API is not stored: it changed nothing, so running it again under the
    // same key is harmless, and storing it would let any page make Paydesk write to disk for free.
    if ((storedWithChange && reply.status === success) || (isPublic && reply.status >= 400)) opts.idempotency.release(scope, key);
    else {
      // The action itself is done (or refused); an answer that could not be stored is still the true answer.
      await opts.idempotency.finish(scope, key, { status: reply.status, body: reply.body })
        .catch((e: unknown) => opts.log(`idempotency: could not store the answer for a key: ${e instanceof Error ? e.message : String(e)}`));
    }
    return reply;
  }

  /** The route's handler; a refusal becomes its answer, so an Idempotency-Key stores it like a success. */
  async function callHandler(res: ServerResponse, route: CompiledRoute, input: ParsedInput, idempotency?: RequestKey): Promise<Reply> {
    try {
      const handler = opts.handlers[route.name] as (input: unknown) => unknown;
      const { params, body, query, authorization } = input;
      const out = await handler({ params, body, query, authorization, setHeader: (name: string, value: string) => res.setHeader(name, value), ...(idempotency ? { idempotency } : {}) });
      if (opts.checkResponses) checkResponse(route, out);
      return { status: route.spec.status ?? 200, body: out, headers: {} };
    } catch (e) {
      const { status, body } = errorResponse(e, opts.log);
      return { status, body, headers: retryAfter(body) };
    }
  }

  /**
   * Check mode (tests, `serve --dev`): an answer its route's response schema refuses is a
   * bug in the handler or the contract, so it fails loudly as internal_error. The log names
   * the route and zod's issues, never the body: it may hold a secret or a card's last digits.
   */
  function checkResponse(route: CompiledRoute, out: unknown): void {
    const r = route.spec.response.safeParse(out);
    const issues = r.success
      ? undeclaredFields(out, r.data).map((path) => `${path}: not in the contract`).join('; ')
      : r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    if (issues === '') return;
    opts.log(`response check: ${route.name} (${route.spec.method} ${route.spec.path}) answered a body contract/api.ts refuses: ${issues}`);
    throw new PaydeskError('internal_error');
  }

  /** send(), once everything the answer may have read is durable. */
  async function answer(res: ServerResponse, reply: Reply): Promise<void> {
    await opts.durable?.();
    send(res, reply.status, reply.body, reply.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(async (e: unknown) => {
      let { status, body } = errorResponse(e, opts.log);
      try {
        // A refusal may describe state too ("not pending"): it waits like any answer.
        await opts.durable?.();
      } catch (error) {
        ({ status, body } = errorResponse(error, opts.log));
      }
      if (!res.headersSent) send(res, status, body, retryAfter(body));
      else res.end();
    });
  });
  return { server, setPort };
}

/**
 * Fields of `sent` that parsing dropped: the contract's objects strip keys they do
 * not declare, so a field the handler sends that no client type or document knows
 * shows up only here. Paths like `items.0.extra`.
 */
function undeclaredFields(sent: unknown, parsed: unknown, path = ''): string[] {
  if (typeof sent !== 'object' || sent === null || typeof parsed !== 'object' || parsed === null) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(sent)) {
    const at = path === '' ? k : `${path}.${k}`;
    if (!(k in parsed)) {
      if (v !== undefined) out.push(at);
    } else out.push(...undeclaredFields(v, (parsed as Record<string, unknown>)[k], at));
  }
  return out;
}

/** A refusal that says when to come back (429) says it in Retry-After too, in seconds. */
function retryAfter(body: unknown): Record<string, string> {
  const wait = (body as { error?: { retryAfterSeconds?: unknown } } | undefined)?.error?.retryAfterSeconds;
  return typeof wait === 'number' ? { 'retry-after': String(wait) } : {};
}

function errorResponse(e: unknown, log: (line: string) => void): { status: number; body: unknown } {
  if (isPaydeskError(e)) return { status: e.status, body: e.toJSON() };
  // Unexpected: log the stack (never request bodies: they may hold card numbers or PINs).
  log(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  const err = new PaydeskError('internal_error');
  return { status: err.status, body: err.toJSON() };
}

type ExportName = 'exportTransactions' | 'exportNotices';
const exportAt = (pathname: string): ExportName | undefined =>
  pathname === resources.exportTransactions.path ? 'exportTransactions' : pathname === resources.exportNotices.path ? 'exportNotices' : undefined;

function streamEvents(req: IncomingMessage, res: ServerResponse, events: EventBus): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  res.write(': paydesk events\n\n');
  const unsubscribe = events.subscribe((e) => {
    res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
