// The console's API client, typed from the one contract (server/http/contract.ts):
// `call('getApp', {params: {key}})` returns `RouteResult<'getApp'>`. Errors come
// back as ApiError with the server's stable code, its sentence and its details.
import './zod-setup.ts';
import type { z } from 'zod';
import { routes, type RouteBody, type RouteName, type RouteResult, type Routes } from '../../contract/api.ts';
import { connection } from './connection.ts';

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
type CallArgs<N extends RouteName> = Partial<CallInput<N>> extends CallInput<N> ? [input?: CallInput<N>] : [input: CallInput<N>];

/** An error from the API (or the network), in the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
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

type SessionListener = () => void;
const sessionListeners = new Set<SessionListener>();

/** Called when the server stops accepting our credentials (e.g. it restarted and the cookie is stale). */
export function onSessionEnded(l: SessionListener): () => void {
  sessionListeners.add(l);
  return () => sessionListeners.delete(l);
}

export function notifySessionEnded(): void {
  for (const l of sessionListeners) l();
}

export interface RequestInit {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | null>>;
  readonly signal?: AbortSignal;
  readonly idempotencyKey?: string;
  /** Public routes (/v1) carry no console credential. */
  readonly anonymous?: boolean;
  /** Routes that change nothing get no Idempotency-Key (the server would store nothing anyway). */
  readonly safe?: boolean;
}

function newKey(): string {
  return crypto.randomUUID();
}

/** One HTTP call to the provider. Exported for routes the contract does not describe yet. */
export async function request<T>(path: string, init: RequestInit): Promise<T> {
  const conn = await connection();
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const url = `${conn.baseUrl}${path}${qs.size > 0 ? `?${qs}` : ''}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (conn.token && !init.anonymous) headers.authorization = `Bearer ${conn.token}`;
  if (init.method !== 'GET' && !init.safe) headers['idempotency-key'] = init.idempotencyKey ?? newKey();

  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: init.anonymous ? 'omit' : 'same-origin',
      cache: 'no-store',
      signal: init.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'Paydesk is not answering. Check that the server is running, then try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
    if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string') {
      const { code, message, ...details } = err as { code: string; message?: unknown } & Record<string, unknown>;
      if (code === 'unauthorized' && !init.anonymous) notifySessionEnded();
      throw new ApiError(res.status, code, typeof message === 'string' ? message : code, details);
    }
    throw new ApiError(res.status, `http_${res.status}`, `The server answered ${res.status} ${res.statusText || ''}`.trim() + '.');
  }
  return json as T;
}

function buildPath(template: string, params: Readonly<Record<string, string>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = params?.[k];
    if (v === undefined) throw new Error(`missing path parameter ${k} for ${template}`);
    return encodeURIComponent(v);
  });
}

/** Calls a route of the contract by name. */
export function call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResult<N>> {
  const spec = routes[name];
  const input = (args[0] ?? {}) as {
    params?: Record<string, string>; body?: unknown; query?: Record<string, string | number | undefined>; signal?: AbortSignal; idempotencyKey?: string;
  };
  return request<RouteResult<N>>(buildPath(spec.path, input.params), {
    method: spec.method,
    body: input.body ?? ('body' in spec ? {} : undefined),
    query: input.query,
    signal: input.signal,
    idempotencyKey: input.idempotencyKey,
    anonymous: spec.auth === 'public',
    safe: 'safe' in spec,
  });
}

// --- entity types the panes share -------------------------------------------
export type App = RouteResult<'getApp'>;
export type Buyer = RouteResult<'getBuyer'>;
export type PaymentMethod = Buyer['paymentMethods'][number];
export type Purchase = RouteResult<'getPurchase'>;
export type PurchaseStatus = Purchase['status'];
export type TransactionSummary = RouteResult<'listTransactions'>['items'][number];
export type TimelineEvent = RouteResult<'getTransaction'>['timeline'][number];
export type PriceTiers = RouteResult<'priceTiers'>;
export type TestCard = RouteResult<'testCards'>['items'][number];
export type Session = RouteResult<'getSession'>;
