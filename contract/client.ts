// The one client of Paydesk's HTTP API, derived from the route table: the console,
// the desktop main process, the demo, the bench, the crash harness and the tests
// all call `client.call('getApp', {params: {key}})` and get `RouteResult<'getApp'>`.
// Errors come back as ApiError with the server's stable code, its sentence and its
// details. `fetch`-based, so it runs in a page, in Electron's main process and in Node.
import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import { EXPORT_TOTAL_HEADER, resources, routes, type RouteBody, type RouteName, type RouteResult, type Routes } from './api.ts';
import { parseEvent, type PaydeskEvent } from './events.ts';
import { SseParser } from './sse.ts';

export type { RouteBody, RouteName, RouteResult };

type PathKeys<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? K | PathKeys<Rest> : never;
export type RouteParams<N extends RouteName> = Record<PathKeys<Routes[N]['path']>, string>;
export type RouteQuery<N extends RouteName> = Routes[N] extends { query: z.ZodType } ? z.input<Routes[N]['query']> : undefined;

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Defaults to a fresh key per call for every mutation. */
  readonly idempotencyKey?: string;
}
type ParamsPart<N extends RouteName> = [PathKeys<Routes[N]['path']>] extends [never] ? { readonly params?: undefined } : { readonly params: RouteParams<N> };
type BodyPart<N extends RouteName> = Routes[N] extends { body: z.ZodType } ? { readonly body: RouteBody<N> } : { readonly body?: undefined };
type QueryPart<N extends RouteName> = Routes[N] extends { query: z.ZodType } ? { readonly query?: RouteQuery<N> } : { readonly query?: undefined };
export type CallInput<N extends RouteName> = ParamsPart<N> & BodyPart<N> & QueryPart<N> & CallOptions;
export type CallArgs<N extends RouteName> = Partial<CallInput<N>> extends CallInput<N> ? [input?: CallInput<N>] : [input: CallInput<N>];

/** What an ApiError's code can be: a catalogue code, or one the client itself gives. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'response_invalid' | `http_${number}`;

/** An error from the API (or the network), in the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field problems of a validation_failed answer. */
  get issues(): readonly { path: string; message: string }[] {
    const v = this.details.issues;
    return Array.isArray(v) ? v.filter((i): i is { path: string; message: string } => typeof i === 'object' && i !== null && 'path' in i) : [];
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/**
 * How a call's bytes travel: `fetch` itself, or anything answering the little of a Response the
 * client reads (the bench's keep-alive transport, tests' stand-ins).
 */
export type Transport = (url: string, init: RequestInit) => Promise<Pick<Response, 'ok' | 'status' | 'statusText' | 'text'>>;

export interface ClientOptions {
  /** e.g. http://127.0.0.1:4110; '' for same-origin (the console in a browser tab). */
  readonly baseUrl: string | (() => Promise<string>);
  /** The admin token; null when a session cookie authenticates (credentials: 'same-origin'). */
  readonly token?: string | null | (() => Promise<string | null>);
  /** Parse every answer against its route's response schema and success status; a wrong shape or status throws `response_invalid`. Tests and dev mode turn it on. */
  readonly checkResponses?: boolean;
  /** Called when the server stops accepting the console credential. */
  readonly onUnauthorized?: () => void;
  readonly fetch?: Transport;
  /** A fresh Idempotency-Key per mutation unless the call names one. */
  readonly newKey?: () => string;
}

/** The exports (contract/api.ts resources with a query): streamed, so not JSON calls. */
export type ExportName = 'exportTransactions' | 'exportNotices';
export type ExportQuery<N extends ExportName> = z.input<(typeof resources)[N]['query']>;

/** An export as it arrives: the rows told up front, and the body to read as a stream. */
export interface ExportDownload {
  readonly total: number;
  readonly filename: string;
  readonly body: ReadableStream<Uint8Array>;
}

export interface Client {
  call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResult<N>>;
  /** Starts an export; a refusal (a bad filter, search_too_short) throws ApiError like a call. */
  download<N extends ExportName>(name: N, query: ExportQuery<N>, options?: { readonly signal?: AbortSignal }): Promise<ExportDownload>;
}

/** The call's answer, or undefined when Paydesk refuses it with `code` (any refusal of the API when no code is given). */
export async function unless<T>(code: ApiErrorCode | undefined, call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (isApiError(e) && (code === undefined || e.code === code)) return undefined;
    throw e;
  }
}

/**
 * Counts the rows of an export as its bytes arrive, for a progress line: CSV lines after
 * the header (a line break inside a quoted cell is no row end), or JSON items (one a line).
 */
export function exportRowCounter(format: 'csv' | 'json'): (chunk: Uint8Array) => number {
  let rows = format === 'csv' ? -1 : 0;
  let quoted = false;
  let sawItem = false;
  return (chunk) => {
    for (const b of chunk) {
      if (format === 'csv') {
        if (b === 0x22) quoted = !quoted;
        else if (b === 0x0a && !quoted) rows++;
      } else if (b === 0x0a) sawItem = true;
      else if (sawItem) {
        // Every item starts on a line of its own; the closing bracket is no item.
        if (b !== 0x5d) rows++;
        sawItem = false;
      }
    }
    return Math.max(rows, 0);
  };
}

/** Reads a download's body to its end, a chunk at a time (the DOM's ReadableStream type has no async iterator). */
export async function eachChunk(body: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    await onChunk(value);
  }
}

/** The server's refusal as an ApiError: its code, its sentence and its details. */
function errorFrom(status: number, statusText: string, json: unknown): ApiError {
  const err = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string') {
    const { code, message, ...details } = err as { code: ErrorCode; message?: unknown } & Record<string, unknown>;
    return new ApiError(status, code, typeof message === 'string' ? message : code, details);
  }
  return new ApiError(status, `http_${status}`, `The server answered ${status} ${statusText || ''}`.trim() + '.');
}

const networkError = () => new ApiError(0, 'network_error', 'Paydesk is not answering. Check that the server is running, then try again.');

function buildPath(template: string, params: Readonly<Record<string, string>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = params?.[k];
    if (v === undefined) throw new Error(`missing path parameter ${k} for ${template}`);
    return encodeURIComponent(v);
  });
}

function queryString(query: Readonly<Record<string, string | number | boolean | undefined | null>> | undefined): string {
  if (query === undefined) return '';
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  return qs.size > 0 ? `?${qs}` : '';
}

export function createClient(opts: ClientOptions): Client {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const newKey = opts.newKey ?? (() => crypto.randomUUID());

  async function call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResult<N>> {
    const spec = routes[name];
    const input = (args[0] ?? {}) as {
      params?: Record<string, string>; body?: unknown; query?: Record<string, string | number | boolean | undefined | null>; signal?: AbortSignal; idempotencyKey?: string;
    };
    const anonymous = spec.auth === 'public';
    const baseUrl = typeof opts.baseUrl === 'string' ? opts.baseUrl : await opts.baseUrl();
    const token = anonymous ? null : typeof opts.token === 'function' ? await opts.token() : opts.token ?? null;
    const url = `${baseUrl.replace(/\/+$/, '')}${buildPath(spec.path, input.params)}${queryString(input.query)}`;
    const body = input.body ?? ('body' in spec ? {} : undefined);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (spec.method !== 'GET' && !('safe' in spec)) headers['idempotency-key'] = input.idempotencyKey ?? newKey();

    let res: Awaited<ReturnType<Transport>>;
    let text: string;
    try {
      res = await doFetch(url, {
        method: spec.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: anonymous ? 'omit' : 'same-origin',
        cache: 'no-store',
        signal: input.signal,
      });
      // Inside the try: a connection that dies halfway through the answer is the network's failure too, not a TypeError.
      text = await res.text();
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      throw networkError();
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = errorFrom(res.status, res.statusText, json);
      if (err.code === 'unauthorized' && !anonymous) opts.onUnauthorized?.();
      throw err;
    }
    if (!opts.checkResponses) return json as RouteResult<N>;
    // The contract fixes each route's success status, so callers need not look at it; check mode holds the server to it.
    const success = ('status' in spec ? spec.status : undefined) ?? 200;
    if (res.status !== success) {
      throw new ApiError(res.status, 'response_invalid', `${spec.method} ${spec.path} answered ${res.status}; its route in contract/api.ts says ${success}.`);
    }
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(res.status, 'response_invalid', `${spec.method} ${spec.path} answered a body that does not match its response schema in contract/api.ts.`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    return parsed.data as RouteResult<N>;
  }

  async function download<N extends ExportName>(name: N, query: ExportQuery<N>, options: { readonly signal?: AbortSignal } = {}): Promise<ExportDownload> {
    const spec = resources[name];
    const baseUrl = typeof opts.baseUrl === 'string' ? opts.baseUrl : await opts.baseUrl();
    const token = typeof opts.token === 'function' ? await opts.token() : opts.token ?? null;
    let res: Response;
    try {
      // A stream needs the whole Response, which a call's Transport need not give (the bench's keep-alive one does not).
      res = await fetch(`${baseUrl.replace(/\/+$/, '')}${spec.path}${queryString(query as Record<string, string | undefined>)}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'same-origin', cache: 'no-store', ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      throw networkError();
    }
    if (!res.ok || !res.body) {
      const err = errorFrom(res.status, res.statusText, await res.json().catch(() => undefined));
      if (err.code === 'unauthorized') opts.onUnauthorized?.();
      throw err;
    }
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `paydesk-export.${query.format ?? 'csv'}`;
    return { total: Number(res.headers.get(EXPORT_TOTAL_HEADER) ?? NaN), filename, body: res.body };
  }

  return { call, download };
}

/**
 * GET /api/events read as it arrives, for Node programs (the `paydesk` command): `onOpen` once
 * the server has accepted the stream, then every event that is a member of the union, until the
 * server ends the stream (the generator returns) or `signal` aborts it. Refusals and an
 * unreachable server throw ApiError as call() does. (The console has its own reconnecting
 * reader, renderer/src/events.ts, on the same framing.)
 */
export async function* streamEvents(
  opts: Pick<ClientOptions, 'baseUrl' | 'token'>,
  { signal, onOpen }: { readonly signal?: AbortSignal; readonly onOpen?: () => void } = {},
): AsyncGenerator<PaydeskEvent> {
  const baseUrl = typeof opts.baseUrl === 'string' ? opts.baseUrl : await opts.baseUrl();
  const token = typeof opts.token === 'function' ? await opts.token() : opts.token ?? null;
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}${routes.streamEvents.path}`, {
      headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') return;
    throw networkError();
  }
  if (!res.ok || !res.body) throw errorFrom(res.status, res.statusText, await res.json().catch(() => undefined));
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    throw new ApiError(res.status, 'response_invalid', `GET ${routes.streamEvents.path} answered ${res.headers.get('content-type') ?? 'no content type'}, not an event stream.`);
  }
  onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch {
        // Aborted, or the connection dropped: either way the stream has ended.
        return;
      }
      if (chunk.done) return;
      for (const m of parser.push(chunk.value)) {
        const e = parseEvent(m.type, m.data);
        if (e !== null) yield e;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
