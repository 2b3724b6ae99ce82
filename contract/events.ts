// Every event the server emits, described once: the bus's `emit` accepts only
// these (server/events/bus.ts), GET /api/events streams them (route streamEvents
// in api.ts), and the console (renderer/src/events.ts), the desktop main process
// (electron/watch.ts) and the tests narrow on `type` to read them.
//
// Events carry ids and states, never secrets, PINs, card data or bodies: the
// stream goes to every console and the tray, and a listener may log what it
// gets. Whoever needs more asks the API for it by the id.
import { z } from 'zod';
import { ErrorCodeSchema } from './errors.ts';

/** A notice's kind; the console API's notice schemas use it too (api.ts). */
export const NoticeType = z.enum(['postback', 'chargeback']);

/**
 * One member of the union: `data` holds exactly the fields its emitter sends,
 * plus `seq`, the bus's count of events since the server started (a gap means
 * events were missed).
 */
function event<T extends string, S extends z.ZodRawShape>(type: T, fields: S) {
  return z.strictObject({ type: z.literal(type), data: z.strictObject({ ...fields, seq: z.int().positive() }) });
}

const purchase = { id: z.string() };
const buyer = { id: z.string() };
const app = { key: z.string() };
const notice = { id: z.string(), appKey: z.string(), type: NoticeType };
const attempted = { ...notice, transactionID: z.string().nullable() };

export const PaydeskEvent = z.discriminatedUnion('type', [
  // server/purchases/purchases.ts
  event('purchase.created', { ...purchase, appKey: z.string(), status: z.literal('pending') }),
  event('purchase.expired', { ...purchase, status: z.literal('expired') }),
  event('purchase.cancelled', { ...purchase, status: z.literal('cancelled') }),
  event('purchase.declined', { ...purchase, status: z.literal('declined'), code: ErrorCodeSchema }),
  event('purchase.completed', { ...purchase, status: z.literal('completed'), transactionID: z.string() }),
  // server/refunds/refunds.ts
  event('purchase.refunded', {
    ...purchase, refundId: z.string(), kind: z.enum(['refund', 'reversal']), amount: z.int().describe('minor units'), currency: z.string(),
    transactionID: z.string().nullable(),
  }),

  // server/wallet/wallet.ts
  event('buyer.created', buyer),
  event('buyer.pin_set', buyer),
  event('buyer.pin_failed', { ...buyer, locked: z.boolean() }),
  event('buyer.payment_method_added', { ...buyer, paymentMethodId: z.string() }),
  event('buyer.payment_method_removed', { ...buyer, paymentMethodId: z.string() }),
  event('wallet.signed_in', { buyerId: z.string() }),
  event('wallet.signed_out', { buyerId: z.string().nullable() }),

  // server/apps/apps.ts
  event('app.created', app),
  event('app.updated', { ...app, status: z.enum(['active', 'disabled']) }),
  event('app.secret_rotated', { ...app, secretId: z.string() }),
  event('app.secret_revoked', { ...app, secretId: z.string() }),

  // server/notices/*.ts and refunds.ts (a chargeback). `type` in data is the notice's kind.
  event('notice.queued', {
    ...notice,
    purchaseId: z.string().optional().describe('the purchase or refund that wrote it'),
    redelivery: z.literal(true).optional(),
    resendOf: z.string().optional().describe('the notice this one resends'),
    test: z.literal(true).optional(),
  }),
  event('notice.attempted', {
    ...attempted, attempt: z.int(), verdict: z.string(), reason: z.string().nullable(), durationMs: z.number().nullable(),
  }),
  event('notice.delivered', { ...attempted, attempts: z.int() }),
  // server/notices/notices.ts: the console stopped its retries.
  event('notice.cancelled', attempted),
  // No app name: it is neither an id nor a state, and it can change. Whoever shows it asks GET /api/apps/{appKey} (electron/watch.ts).
  event('notice.failed', { ...attempted, attempts: z.int(), verdict: z.string(), reason: z.string().nullable() }),
  // server/identity/authorizations.ts: sign-ins waiting in the wallet (GET /api/wallet/authorizations)
  event('authorization.pending', { id: z.string(), appKey: z.string(), flow: z.enum(['code', 'device']) }),
  event('authorization.approved', { id: z.string(), appKey: z.string(), buyerId: z.string() }),
  event('authorization.denied', { id: z.string(), appKey: z.string() }),
  event('authorization.expired', { id: z.string(), appKey: z.string() }),
  // server/identity/connections.ts: a merchant's grant for a buyer revoked, its tokens dead
  event('connection.revoked', { appKey: z.string(), buyerId: z.string() }),
  // server/identity/clients.ts
  event('app.oauth_updated', app),

  // server/notices/health.ts: an app's notices keep failing (the rule is there), or got through again.
  event('app.notices_failing', { ...app, since: z.iso.datetime(), attempts: z.int() }),
  event('app.notices_recovered', app),
  // server/notices/retry-jobs.ts: a bulk retry's counts after each of its notices is attempted.
  event('notice_retry.progress', { id: z.string(), queued: z.int(), pending: z.int(), delivered: z.int(), failed: z.int() }),
  event('notice_retry.finished', { id: z.string(), queued: z.int(), delivered: z.int(), failed: z.int() }),
  // server/clock/test-clock.ts: the test clock moved forward (only with --test-clock)
  event('clock.advanced', {
    now: z.iso.datetime().describe('Paydesk\'s time after the advance'), bySeconds: z.int().positive(),
    offsetMs: z.int().describe('how far Paydesk\'s time now runs ahead of the machine\'s'),
  }),
  // server/notices/provider-keys.ts
  event('provider_key.rotated', { kid: z.string() }),
]);

export type PaydeskEvent = Readonly<z.output<typeof PaydeskEvent>>;
export type EventType = PaydeskEvent['type'];
/** The member of the union with this type. */
export type EventOf<T extends EventType> = Extract<PaydeskEvent, { readonly type: T }>;
/** What an emitter sends: the event's fields without the bus's seq. */
export type EventData<T extends EventType> = Readonly<Omit<EventOf<T>['data'], 'seq'>>;

export const eventTypes: readonly EventType[] = PaydeskEvent.options.map((o) => o.shape.type.value);

/** "purchase." for every purchase.* event: what a pane that shows purchases listens to. */
export type EventGroup = EventType extends infer T ? (T extends `${infer G}.${string}` ? `${G}.` : never) : never;
/** One event type or a whole group; a name nobody sends does not compile. */
export type EventSelector = EventType | EventGroup;

export function selects(selectors: readonly EventSelector[], type: EventType): boolean {
  return selectors.some((s) => s === type || (s.endsWith('.') && type.startsWith(s)));
}

/**
 * A received event (an SSE message: its `event:` name and the JSON of its
 * `data:`) as a member of the union; null for a type nobody sends or a shape that
 * is not that type's, so no consumer ever reads garbage.
 */
export function parseEvent(type: string, data: unknown): PaydeskEvent | null {
  const r = PaydeskEvent.safeParse({ type, data });
  return r.success ? r.data : null;
}
