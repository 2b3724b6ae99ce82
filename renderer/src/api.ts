// The console's API client: the one client of contract/client.ts, reaching the
// server through connection.ts (the desktop bridge's token, or the session cookie).
import './zod-setup.ts';
import { createClient, type CallArgs, type ExportName, type ExportQuery, type RouteName, type RouteResult } from '../../contract/client.ts';
import { connection } from './connection.ts';

export { ApiError, isApiError, eachChunk, exportRowCounter, type ExportName, type ExportQuery, type RouteBody, type RouteQuery, type RouteResult } from '../../contract/client.ts';

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

const client = createClient({
  baseUrl: async () => (await connection()).baseUrl,
  token: async () => (await connection()).token,
  // The dev server (npm run dev:renderer) checks every answer against the contract.
  checkResponses: (import.meta as { env?: { DEV?: boolean } }).env?.DEV === true,
  onUnauthorized: notifySessionEnded,
});

/** Calls a route of the contract by name. */
export function call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResult<N>> {
  return client.call(name, ...args);
}

/** Starts an export (a stream, not a JSON call): the list's filter, CSV or JSON. */
export function download<N extends ExportName>(name: N, query: ExportQuery<N>, options?: { readonly signal?: AbortSignal }) {
  return client.download(name, query, options);
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
export type Authorization = RouteResult<'approveAuthorization'>;
export type Connection = RouteResult<'listConnections'>['items'][number];
export type OAuthClient = RouteResult<'getOAuthClient'>;
