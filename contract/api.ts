// The console and public HTTP API, described once. Request validation, the
// handler types, the OpenAPI document (GET /api/openapi.json) and the console's
// client types are all derived from this table. The renderer may import this
// file (zod only, no Node).
import { z } from 'zod';
import { ErrorCodeSchema } from './errors.ts';
import { NoticeType, PaydeskEvent } from './events.ts';

export { NoticeType };

// --- text people read ---------------------------------------------------------

/**
 * Refused in text a person reads (names, descriptions, emails, URLs, reasons):
 * C0 and C1 controls (NUL among them) and DEL, the bidi controls (U+061C,
 * U+200E/U+200F, U+202A-U+202E, U+2066-U+2069: U+202E makes "Pony\u202Egnp.exe"
 * read "Ponyexe.png", and can turn a price around), and the line and paragraph
 * separators. Multi-line text (a description) may hold tabs and line breaks.
 * The one rule, used by the contract's bodies, the payment request parser
 * (server/requests/payment-request.ts) and the Request lab.
 */
const controlCharacters = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu;
const lineLayout = new Set(['\t', '\n', '\r']);

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first refused character of `s`, as "U+202E"; undefined when there is none. */
export function controlCharacterIn(s: string, opts: { readonly multiline?: boolean } = {}): string | undefined {
  for (const [c] of s.matchAll(controlCharacters)) if (!(opts.multiline && lineLayout.has(c))) return codePoint(c);
  return undefined;
}

/**
 * Text that could not be refused (opaque productData, a merchant server's answer,
 * rows stored before the rule) as people should see it: each refused character
 * written out as a JSON-style escape (\u202e), so it can neither reorder nor
 * hide what is around it. Tabs and line breaks stay. Applied to JSON text it
 * stays valid JSON with the same value.
 */
export function showControls(s: string): string {
  return s.replace(controlCharacters, (c) => (lineLayout.has(c) ? c : `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`));
}

/** A string field people read: the HTTP layer answers text_control_characters, naming the field and the character. */
function readable<T extends z.ZodType<string>>(schema: T): T {
  return schema.check((ctx) => {
    const character = controlCharacterIn(ctx.value);
    if (character) ctx.issues.push({ code: 'custom', input: ctx.value, message: `holds ${character}, a control or bidi character`, params: { code: 'text_control_characters', character } });
  });
}

const httpURL = readable(z.url({ protocol: /^https?$/, hostname: z.regexes.hostname }).max(2048));
// A notice URL may also name an IPv6 address ([::1] as much as 127.0.0.1): the server's
// notice address guard (server/notices/target.ts) then judges the address itself.
const noticeURL = readable(z.url({ protocol: /^https?$/, hostname: new RegExp(`${z.regexes.hostname.source}|^\\[[0-9a-f:.]+\\]$`) }).max(2048));
const isoDate = z.iso.datetime();
const money = z.object({ amount: z.int().describe('minor units'), currency: z.string().length(3), display: z.string() });

// --- entities ---------------------------------------------------------------

export const SecretInfo = z.object({
  id: z.string(), state: z.enum(['active', 'expired', 'revoked']), createdAt: isoDate, expiresAt: isoDate.nullable(), revokedAt: isoDate.nullable(),
});

export const App = z.object({
  key: z.string(), name: z.string(), homepage: z.string(), contactEmail: z.string(), postbackURL: z.string(), chargebackURL: z.string(),
  status: z.enum(['active', 'disabled']), access: z.enum(['live', 'simulate']), createdAt: isoDate, updatedAt: isoDate,
  sales: z.int(), refundRate: z.number(), secrets: z.array(SecretInfo),
  noticeSigning: z.enum(['hmac', 'eddsa']).describe('hmac: notices signed HS256 with the app secret; eddsa: with the provider key in /.well-known/jwks.json'),
});

export const PaymentMethod = z.object({
  id: z.string(), brand: z.string(), last4: z.string(), expMonth: z.int(), expYear: z.int(), currency: z.string(),
  limits: z.object({ perPurchase: z.int(), perMonth: z.int() }), createdAt: isoDate,
});

export const Buyer = z.object({
  id: z.string(), email: z.string(), name: z.string(), createdAt: isoDate, signedIn: z.boolean(),
  pin: z.object({
    set: z.boolean(), setAt: isoDate.nullable(), locked: z.boolean(), lockedUntil: isoDate.nullable(), triesLeft: z.int(),
    unlockWindowSeconds: z.int(), unlockedUntil: isoDate.nullable(),
  }),
  paymentMethods: z.array(PaymentMethod),
});

export const PurchaseStatus = z.enum(['pending', 'completed', 'cancelled', 'declined', 'expired']);

export const Purchase = z.object({
  id: z.string(), code: z.string(), status: PurchaseStatus,
  item: z.object({ id: z.string().nullable().describe('the request\'s id; null when it has none'), name: z.string(), description: z.string(), productData: z.string() }),
  price: money, pricePoint: z.string().nullable(), refundedAmount: z.int(),
  simulate: z.record(z.string(), z.unknown()).nullable(),
  seller: z.object({
    appKey: z.string(), name: z.string(), homepage: z.string(), contactEmail: z.string(), registeredAt: isoDate,
    sales: z.int(), refundRate: z.number(), newSeller: z.boolean(),
  }),
  buyer: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
  signedIn: z.boolean().describe('the buyer was named by the seller\'s payments token (POST /v1/pay with Authorization: Bearer): the wallet says "signed in at <seller> as <buyer>", and only that buyer may confirm'),
  paymentMethod: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  transactionID: z.string().nullable(), failure: z.object({ code: ErrorCodeSchema }).nullable(), errorName: z.string().nullable(),
  digest: z.string().describe('send back with confirm to bind the PIN to what was shown'),
  createdAt: isoDate, expiresAt: isoDate, completedAt: isoDate.nullable(),
});

export const TransactionSummary = z.object({
  id: z.string(), transactionID: z.string().nullable(), status: z.string(), appKey: z.string(), appName: z.string(),
  item: z.object({ id: z.string().nullable(), name: z.string(), productData: z.string() }), price: money, refundedAmount: z.int(),
  buyerEmail: z.string().nullable(), createdAt: isoDate, completedAt: isoDate.nullable(),
});

export const TimelineEvent = z.object({ type: z.string(), at: isoDate, data: z.record(z.string(), z.unknown()) });

export const PublicPurchase = z.object({
  id: z.string(), status: PurchaseStatus, code: z.string(), item: z.object({ name: z.string(), description: z.string() }),
  price: money, seller: z.object({ name: z.string(), homepage: z.string() }),
  transactionID: z.string().nullable(), error: z.string().nullable().describe('mozPay error name once the purchase failed'), expiresAt: isoDate,
});

export { ErrorCodeSchema };
export const ErrorBody = z.object({ error: z.object({ code: ErrorCodeSchema, message: z.string() }).loose() });

// --- request bodies -----------------------------------------------------------

const appFields = {
  name: readable(z.string().trim().min(1).max(100)),
  homepage: httpURL,
  contactEmail: z.email().max(254),
  postbackURL: noticeURL,
  chargebackURL: noticeURL,
  access: z.enum(['live', 'simulate']),
};

export const NewAppBody = z.object({ ...appFields, access: appFields.access.default('live') }).strict();
export const AppPatchBody = z.object({ ...appFields, status: z.enum(['active', 'disabled']), noticeSigning: z.enum(['hmac', 'eddsa']) }).partial().strict();
export const RotateBody = z.object({ graceSeconds: z.int().min(0).max(30 * 24 * 3600).optional() }).strict();
export const NewBuyerBody = z.object({ email: z.email().max(254), name: readable(z.string().trim().min(1).max(100)) }).strict();
export const BuyerPatchBody = z.object({ unlockWindowSeconds: z.int().min(0).max(300) }).strict();
export const PinBody = z.object({
  pin: z.string(), currentPin: z.string().optional(), unlockWindowSeconds: z.int().min(0).max(300).optional(),
}).strict();
const limitsFields = { perPurchase: z.int().min(1).max(100_000_000), perMonth: z.int().min(1).max(1_000_000_000) };
export const NewPaymentMethodBody = z.object({
  card: z.object({
    number: z.string().max(40), expMonth: z.int().min(1).max(12), expYear: z.int().min(2000).max(2100), cvc: z.string().max(8),
  }).strict(),
  currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  limits: z.object(limitsFields).strict().default({ perPurchase: 50_000, perMonth: 200_000 }),
}).strict();
export const PaymentMethodPatchBody = z.object({ limits: z.object(limitsFields).partial().strict() }).strict();
export const SessionBody = z.object({ buyerId: z.string() }).strict();
export const ConfirmBody = z.object({
  pin: z.string().optional(), digest: z.string().optional(), paymentMethodId: z.string().optional(),
}).strict();
export const PayBody = z.object({ jwts: z.union([z.array(z.unknown()).max(10), z.string()]) });

// --- queries ------------------------------------------------------------------

export const PurchaseQuery = z.object({ status: PurchaseStatus.optional(), limit: z.coerce.number().int().min(1).max(500).optional() }).strict();
export const TransactionQuery = z.object({
  appKey: z.string().optional(), status: PurchaseStatus.optional(), from: isoDate.optional(), to: isoDate.optional(),
  q: z.string().max(255).optional(), cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(200).optional(),
}).strict();

// --- notices and refunds (schemas) ---------------------------------------------

export const NoticeStatus = z.enum(['pending', 'delivered', 'failed']);

export const NoticeSummary = z.object({
  id: z.string(), webhookId: z.string().describe('the webhook-id header: the same on every attempt'), type: NoticeType, status: NoticeStatus,
  origin: z.enum(['purchase', 'resend', 'test']), parentId: z.string().nullable().describe('the notice this one resends'),
  appKey: z.string(), purchaseId: z.string().nullable(), transactionID: z.string().nullable(), seq: z.int(), url: z.string(),
  attempts: z.int(), maxAttempts: z.int(), nextAttemptAt: isoDate.nullable(), lastAttemptAt: isoDate.nullable(),
  lastVerdict: z.string().nullable(), lastReason: z.string().nullable(), deliveredAt: isoDate.nullable(), failedAt: isoDate.nullable(), createdAt: isoDate,
});

const DecodedNotice = z.object({ header: z.record(z.string(), z.unknown()), claims: z.record(z.string(), z.unknown()) });

export const NoticeAttempt = z.object({
  number: z.int(), url: z.string(), startedAt: isoDate, durationMs: z.number().nullable(),
  request: z.object({ headers: z.record(z.string(), z.string()), body: z.string() }),
  notice: DecodedNotice,
  response: z.object({ status: z.int(), headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])), body: z.string(), truncated: z.boolean() }).nullable(),
  verdict: z.string().describe('delivered, http_status, wrong_echo, redirect_not_followed, response_too_large, timeout, connect_refused, connection_reset, dns_failed, network_error, forbidden_target, interrupted, or in_flight'),
  reason: z.string().nullable(),
});

export const NoticeDetail = NoticeSummary.extend({
  payload: z.object({ request: z.unknown(), response: z.record(z.string(), z.unknown()) }),
  notice: DecodedNotice.describe('the JWT as last sent (or as it would be signed now)'),
  attemptLog: z.array(NoticeAttempt),
});

export const NoticeQuery = z.object({
  appKey: z.string().optional(), type: NoticeType.optional(), status: NoticeStatus.optional(), transactionID: z.string().max(255).optional(),
  q: z.string().max(255).optional(), cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(200).optional(),
}).strict();
export const ResendBody = z.object({ request: z.record(z.string(), z.unknown()).optional(), response: z.record(z.string(), z.unknown()).optional() }).strict();
export const TestNoticeBody = z.object({ type: NoticeType.optional(), url: noticeURL.optional() }).strict();

export const Refund = z.object({
  id: z.string(), kind: z.enum(['refund', 'reversal']), status: z.enum(['pending', 'completed', 'failed']), source: z.enum(['console', 'merchant', 'buyer']),
  purchaseId: z.string(), transactionID: z.string().nullable(), amount: money, reason: z.string().nullable(), noticeId: z.string().nullable(),
  refundedTotal: z.int().describe('minor units refunded on the purchase so far'), refundable: z.int().describe('minor units still refundable'),
  createdAt: isoDate, completedAt: isoDate.nullable(),
});
export const RefundBody = z.object({
  amount: z.int().min(1).optional().describe('minor units; omit to refund everything still refundable'), reason: readable(z.string().trim().max(255)).optional(),
}).strict();
export const DisputeBody = z.object({ reason: readable(z.string().trim().max(255)).optional() }).strict();
export const MerchantRefundBody = z.object({ jwt: z.string().max(16 * 1024).optional() }).strict();
export const ProviderKey = z.object({
  kid: z.string(), state: z.enum(['signing', 'published', 'expired']), createdAt: isoDate, retiredAt: isoDate.nullable(), expiresAt: isoDate.nullable(),
  publicJwk: z.record(z.string(), z.string()),
});
export const RotateKeyBody = z.object({ overlapSeconds: z.int().min(0).max(365 * 24 * 3600).optional() }).strict();
export const VerifyRequestBody = z.object({ jwt: z.string().max(16 * 1024) }).strict();
/** The `typ` of a payment request (DESIGN section 3): what merchants sign and the Request lab builds. */
export const PAY_TYP = 'mozilla/payments/pay/v1';

/** The checks POST /v1/pay runs on a payment request; server/requests/verify.ts gives their order and labels. */
export const requestCheckIds = ['size', 'format', 'alg', 'issuer', 'app', 'signature', 'claims', 'secret', 'typ', 'lifetime', 'jti', 'item', 'price', 'fields', 'access'] as const;
export type RequestCheckId = (typeof requestCheckIds)[number];
const refusal = z.object({ code: ErrorCodeSchema, message: z.string() }).loose();
export const RequestCheck = z.object({
  id: z.enum(requestCheckIds),
  label: z.string(),
  status: z.enum(['passed', 'failed', 'not_reached']),
  error: refusal.nullable().describe('on the failed check: what /v1/pay would answer'),
});
export const RequestDryRun = z.object({
  accepted: z.boolean(),
  error: refusal.nullable().describe('why /v1/pay would refuse the token, as it would answer'),
  checks: z.array(RequestCheck).describe('every check of /v1/pay in the order it runs them: passed up to the one that failed, the rest not reached'),
  app: z.object({ key: z.string(), name: z.string() }).nullable().describe('the issuing app, once the token names a known one'),
  header: z.record(z.string(), z.unknown()).nullable().describe('decoded without trust; null when the token is malformed'),
  claims: z.record(z.string(), z.unknown()).nullable().describe('decoded without trust; null when the token is malformed'),
  price: money.nullable().describe('what the buyer would pay, when accepted'),
  replayed: z.boolean().describe('the jti was already used by a purchase'),
});


// --- sign-in (OAuth 2.0 / OpenID Connect, DESIGN section 8; docs/identity.md) ----

/**
 * The scopes a merchant app may ask for, each with the words the authorization
 * page and the wallet show. `profile` is every profile claim; the `profile:*`
 * scopes one each. `payments` lets the app name the buyer to POST /v1/pay.
 */
export const oauthScopes = {
  openid: 'Know that it is you (a Paydesk buyer id for this merchant)',
  profile: 'See your profile: name, email address and picture',
  'profile:email': 'See your email address',
  'profile:display_name': 'See your name',
  'profile:avatar': 'See your picture',
  payments: 'Start purchases as you (each purchase still needs your confirmation in Paydesk)',
} as const;
export type OAuthScope = keyof typeof oauthScopes;
export const OAuthScope = z.enum(Object.keys(oauthScopes) as [OAuthScope, ...OAuthScope[]]);
export const ScopeInfo = z.object({ scope: OAuthScope, description: z.string().describe('the scope in plain words, as the pages show it') });

const BuyerContact = z.object({ id: z.string(), email: z.string(), name: z.string() });
const Seller = Purchase.shape.seller;

export const AuthorizationStatus = z.enum(['pending', 'approved', 'denied', 'expired']);

/** A sign-in waiting for (or decided by) the buyer in the wallet: what the wallet shows, the same as the authorization page. */
export const Authorization = z.object({
  id: z.string(),
  code: z.string().describe('the short code the authorization page (or the device) shows too, e.g. K7P-4QX'),
  status: AuthorizationStatus,
  flow: z.enum(['code', 'device']).describe('code: a browser redirect (authorization code + PKCE); device: a terminal or headless client (RFC 8628)'),
  seller: Seller.describe('the merchant app (OAuth client) asking, with its reputation as for purchases'),
  scopes: z.array(ScopeInfo),
  buyer: BuyerContact.nullable().describe('who signs in: the buyer login_hint names, else the one signed in to the wallet; null when neither'),
  loginHint: z.string().nullable().describe('the merchant\'s identity hint (an email or buyer id), as sent'),
  buyers: z.array(BuyerContact).describe('every buyer the wallet may switch to (approve with buyerId)'),
  createdAt: isoDate, expiresAt: isoDate, decidedAt: isoDate.nullable(),
});

export const AuthorizationQuery = z.object({ status: AuthorizationStatus.optional() }).strict();
export const ApproveAuthorizationBody = z.object({
  remember: z.boolean().default(true).describe('remember the consent for this merchant, so its next sign-in needs no approval (default true)'),
  buyerId: z.string().optional().describe('sign in as this buyer instead of the preselected one'),
}).strict();

/** A merchant holding a grant of one buyer: what "Connected apps" lists. */
export const Connection = z.object({
  clientId: z.string().describe('the app key'),
  seller: z.object({ appKey: z.string(), name: z.string(), homepage: z.string() }),
  buyer: BuyerContact,
  scopes: z.array(ScopeInfo),
  grantedAt: isoDate, lastUsedAt: isoDate.nullable().describe('when a token of this connection was last issued or accepted'),
});
export const ConnectionQuery = z.object({ buyerId: z.string().optional().describe('default: the buyer signed in to the wallet') }).strict();

/**
 * https URLs, or http on a loopback host (a local store); matched exactly, so no
 * wildcard, no fragment. A native app's custom scheme (com.example.app:/cb) is allowed too.
 */
const redirectURI = readable(z.string().max(2048)).refine((s) => {
  try {
    const u = new URL(s);
    if (u.hash !== '' || s.includes('#') || u.username !== '' || u.password !== '' || s.includes('*')) return false;
    if (u.protocol === 'https:') return true;
    if (u.protocol === 'http:') return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol) && !['javascript:', 'data:', 'file:'].includes(u.protocol);
  } catch {
    return false;
  }
}, 'an absolute https URL (http only on 127.0.0.1/localhost, or a reverse-domain app scheme), without fragment, credentials or wildcards');

/** An app's OAuth client settings. The client_id is the app key. */
export const OAuthClient = z.object({
  clientId: z.string(),
  enabled: z.boolean().describe('false: the provider refuses this app as a client'),
  type: z.enum(['public', 'confidential']).describe('public: PKCE only, no secret (browser and native apps); confidential: also a client secret (client_secret_basic or _post)'),
  redirectURIs: z.array(z.string()).describe('matched exactly'),
  allowedScopes: z.array(OAuthScope),
  secret: z.object({ createdAt: isoDate }).nullable().describe('a confidential client\'s secret (never its value: reveal it)'),
  updatedAt: isoDate.nullable().describe('null: never configured (the defaults are shown)'),
});
export const OAuthClientBody = z.object({
  enabled: z.boolean().default(true),
  type: z.enum(['public', 'confidential']),
  redirectURIs: z.array(redirectURI).max(10),
  allowedScopes: z.array(OAuthScope).min(1),
}).strict();
const OAuthClientSecret = z.object({ secret: z.string() });

export const VerifyTokenBody = z.object({ token: z.string().min(1).max(4096) }).strict();
export const VerifiedToken = z.object({
  user: z.string().describe('the buyer (the token\'s sub)'), client_id: z.string(), scope: z.array(z.string()),
});
export const Profile = z.object({
  sub: z.string(), name: z.string().optional(), email: z.string().optional(), email_verified: z.boolean().optional(), picture: z.string().optional(),
}).describe('OpenID Connect standard claims, those the token\'s scopes allow');

// --- dashboard ------------------------------------------------------------------

/** True for an IANA time zone name this runtime knows ("Europe/Paris", "UTC"). */
const knownTimeZones = new Set<string>();

/** Whether `name` is an IANA time zone; the dashboard asks with the same one every time, so a zone found once is remembered (at most ~600 exist). */
export function isTimeZone(name: string): boolean {
  if (knownTimeZones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return false;
  }
  if (knownTimeZones.size < 1024) knownTimeZones.add(name);
  return true;
}

const localDate = z.iso.date().describe('a day in the viewer\'s time zone, yyyy-mm-dd');
export const SummaryQuery = z.object({
  from: localDate, to: localDate.describe('inclusive'),
  timeZone: z.string().max(64).refine(isTimeZone, 'an IANA time zone, such as "Europe/Paris"').describe('the viewer\'s IANA time zone: days start at its midnights, DST days included'),
  currency: z.string().length(3).optional().describe('for sales and refunds; default: the one with the most sales in the range'),
}).strict().refine((q) => q.from <= q.to && Date.parse(q.to) - Date.parse(q.from) < 366 * 86_400_000, { message: 'from must not be after to, and the range at most 366 days', path: ['to'] });
const latency = { successRate: z.number().nullable().describe('delivered ÷ (delivered + failed)'), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() };
export const DashboardSummary = z.object({
  from: localDate, to: localDate, timeZone: z.string(),
  currency: z.string().describe('the currency of sales and refunds'),
  currencies: z.array(z.string()).describe('currencies sold in the range, most sales first'),
  days: z.array(z.object({
    day: localDate,
    sales: z.int().describe('minor units of completions that day'), refunds: z.int().describe('minor units of refunds and reversals completed that day'),
    completed: z.int().describe('completions that day'), started: z.int().describe('purchases started that day'),
  })),
  totals: z.object({
    sales: z.int(), refunds: z.int(),
    completed: z.int(), pending: z.int(), declined: z.int(), cancelled: z.int(), expired: z.int(), all: z.int(), simulated: z.int(),
  }).describe('sales and refunds that happened in the range; the counts are purchases started in it, by their status now'),
  notices: z.object({
    days: z.array(z.object({ day: localDate, delivered: z.int(), failed: z.int(), ...latency })),
    delivered: z.int(), failed: z.int(), pending: z.int(), ...latency,
  }).describe('notices queued in the range; latency from queued to acknowledged, to two significant digits'),
});

// --- routes ---------------------------------------------------------------------

/**
 * console: the admin token (Authorization: Bearer) or a console session cookie;
 * token: the admin token only (what hands out sessions cannot be reached with one);
 * login: no credential, a same-origin browser request only (it trades a login code for the cookie);
 * public: no credential, any origin (/v1: the signed JWT is the credential).
 */
export type Auth = 'console' | 'token' | 'login' | 'public';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly auth: Auth;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly response: z.ZodType;
  readonly status?: number;
  /** A POST that changes nothing (a reveal, a dry run) or whose answer must never be stored (a login code): no Idempotency-Key, nothing stored. */
  readonly safe?: true;
  /**
   * Body fields (dotted paths) holding a PIN, card number or CVC. The
   * Idempotency-Key fingerprint leaves them out: it is an HMAC under a key that a
   * copy of the data folder holds (headless), and over a short secret it would give
   * the secret away in seconds (server/http/idempotency.ts). A retry with the same
   * key but another secret therefore replays the first answer.
   */
  readonly secretFields?: readonly string[];
  /**
   * The answer is a text/event-stream that stays open: one message per event,
   * `event: <type>` and `data: <JSON of the event's data>`, each a member of
   * `response` (a union on `type`). Served by the HTTP layer from the event bus,
   * not by a handler; read with an SSE reader, not client.call.
   */
  readonly stream?: true;
}

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

export const LoginCodeBody = z.object({ code: z.string().max(128) }).strict();

export const routes = {
  // --- the browser console's session (README "The console session") ---
  createLoginCode: {
    safe: true,
    method: 'POST', path: '/api/console/login-codes', auth: 'token', status: 201, body: Empty,
    summary: 'A single-use login code for a browser console, valid 10 minutes; open `url` in the browser (the code is in the fragment, never sent to a server)',
    response: z.object({ code: z.string(), url: z.string(), expiresAt: isoDate }),
  },
  startConsoleSession: {
    safe: true,
    method: 'POST', path: '/api/console/session', auth: 'login', body: LoginCodeBody, secretFields: ['code'],
    summary: 'From the console page only (same-origin browser request): spend a login code; the answer sets the HttpOnly session cookie',
    response: Ok,
  },
  getConsoleSession: {
    method: 'GET', path: '/api/console/session', auth: 'console', summary: 'Whether this console\'s credential (token or session cookie) is accepted', response: Ok,
  },

  listApps: { method: 'GET', path: '/api/apps', auth: 'console', summary: 'List merchant apps', response: z.object({ items: z.array(App) }) },
  createApp: {
    method: 'POST', path: '/api/apps', auth: 'console', status: 201, body: NewAppBody,
    summary: 'Register an app; the key, secret and webhook secret are shown this once',
    response: z.object({ app: App, secret: z.object({ id: z.string(), secret: z.string() }), webhookSecret: z.string() }),
  },
  getApp: { method: 'GET', path: '/api/apps/{key}', auth: 'console', summary: 'One app with its secrets (never their values)', response: App },
  updateApp: { method: 'PATCH', path: '/api/apps/{key}', auth: 'console', body: AppPatchBody, summary: 'Edit, disable or enable an app', response: App },
  rotateSecret: {
    method: 'POST', path: '/api/apps/{key}/secrets', auth: 'console', status: 201, body: RotateBody,
    summary: 'Rotate: a new secret; the others keep working for graceSeconds (default 24 h)',
    response: z.object({ app: App, secret: z.object({ id: z.string(), secret: z.string() }) }),
  },
  revokeSecret: { method: 'DELETE', path: '/api/apps/{key}/secrets/{secretId}', auth: 'console', summary: 'Revoke a secret at once', response: App },
  revealSecret: {
    safe: true,
    method: 'POST', path: '/api/apps/{key}/secrets/{secretId}/reveal', auth: 'console', body: Empty,
    summary: 'Show a secret\'s value (explicit action)', response: z.object({ id: z.string(), secret: z.string() }),
  },
  revealWebhookSecret: {
    safe: true,
    method: 'POST', path: '/api/apps/{key}/webhook-secret/reveal', auth: 'console', body: Empty,
    summary: 'Show the app\'s whsec_ notice-signing secret', response: z.object({ webhookSecret: z.string() }),
  },

  listBuyers: { method: 'GET', path: '/api/buyers', auth: 'console', summary: 'List buyers', response: z.object({ items: z.array(Buyer) }) },
  createBuyer: { method: 'POST', path: '/api/buyers', auth: 'console', status: 201, body: NewBuyerBody, summary: 'Create a buyer identity', response: Buyer },
  getBuyer: { method: 'GET', path: '/api/buyers/{id}', auth: 'console', summary: 'One buyer with PIN state and payment methods', response: Buyer },
  updateBuyer: { method: 'PATCH', path: '/api/buyers/{id}', auth: 'console', body: BuyerPatchBody, summary: 'Set the unlock window (0 = off, at most 300 s)', response: Buyer },
  setPin: {
    method: 'PUT', path: '/api/buyers/{id}/pin', auth: 'console', body: PinBody, secretFields: ['pin', 'currentPin'],
    summary: 'Set, change (with currentPin) or reset (within 5 minutes of signing in) the PIN', response: Buyer,
  },
  addPaymentMethod: {
    method: 'POST', path: '/api/buyers/{id}/payment-methods', auth: 'console', status: 201, body: NewPaymentMethodBody, secretFields: ['card.number', 'card.cvc'],
    summary: 'Preauthorize a card: the vault checks it and keeps only a token, brand, last 4 and expiry', response: PaymentMethod,
  },
  updatePaymentMethod: { method: 'PATCH', path: '/api/buyers/{id}/payment-methods/{pm}', auth: 'console', body: PaymentMethodPatchBody, summary: 'Change a payment method\'s limits', response: PaymentMethod },
  removePaymentMethod: { method: 'DELETE', path: '/api/buyers/{id}/payment-methods/{pm}', auth: 'console', summary: 'Remove a payment method', response: Ok },

  getSession: { method: 'GET', path: '/api/wallet/session', auth: 'console', summary: 'Who is signed in to the wallet', response: z.object({ buyer: Buyer.nullable(), signedInAt: isoDate.nullable() }) },
  signIn: { method: 'POST', path: '/api/wallet/session', auth: 'console', body: SessionBody, summary: 'Sign a buyer in to the wallet', response: z.object({ buyer: Buyer, signedInAt: isoDate }) },
  signOut: { method: 'DELETE', path: '/api/wallet/session', auth: 'console', summary: 'Sign the wallet out', response: Ok },

  listPurchases: { method: 'GET', path: '/api/purchases', auth: 'console', query: PurchaseQuery, summary: 'Purchases, newest first (e.g. ?status=pending)', response: z.object({ items: z.array(Purchase) }) },
  getPurchase: { method: 'GET', path: '/api/purchases/{id}', auth: 'console', summary: 'One purchase with seller reputation', response: Purchase },
  confirmPurchase: {
    method: 'POST', path: '/api/purchases/{id}/confirm', auth: 'console', body: ConfirmBody, secretFields: ['pin'],
    summary: 'Confirm as the signed-in buyer with the PIN (or inside an unlock window)', response: Purchase,
  },
  cancelPurchase: { method: 'POST', path: '/api/purchases/{id}/cancel', auth: 'console', body: Empty, summary: 'Cancel a pending purchase', response: Purchase },

  listTransactions: {
    method: 'GET', path: '/api/transactions', auth: 'console', query: TransactionQuery,
    summary: 'Keyset pages of transactions; filters: appKey, status, from, to, q', response: z.object({ items: z.array(TransactionSummary), nextCursor: z.string().nullable() }),
  },
  getTransaction: {
    method: 'GET', path: '/api/transactions/{id}', auth: 'console', summary: 'A transaction (by purchase or transaction id) with its timeline',
    response: z.object({ purchase: Purchase, timeline: z.array(TimelineEvent) }),
  },

  priceTiers: {
    method: 'GET', path: '/api/price-tiers', auth: 'console', summary: 'The pricePoint table and supported currencies',
    response: z.object({ tiers: z.array(z.object({ id: z.string(), prices: z.record(z.string(), z.int()) })), currencies: z.record(z.string(), z.int()) }),
  },
  testCards: {
    method: 'GET', path: '/api/test-cards', auth: 'console', summary: 'Test card numbers and the behaviour each selects',
    response: z.object({ items: z.array(z.object({ number: z.string(), brand: z.string(), behaviour: z.string(), description: z.string() })) }),
  },
  errorCodes: {
    method: 'GET', path: '/api/errors', auth: 'console', summary: 'Every error code with its HTTP status and advice',
    response: z.object({ items: z.array(z.object({ code: ErrorCodeSchema, status: z.int(), message: z.string() })) }),
  },

  pay: {
    method: 'POST', path: '/v1/pay', auth: 'public', status: 201, body: PayBody,
    summary: 'From a merchant page: verify payment request JWTs and create a pending purchase (CORS open: the JWT is the credential). With Authorization: Bearer <payments token> of the same app, the purchase is the token\'s buyer\'s (still to be confirmed in the wallet)',
    response: PublicPurchase,
  },
  payStatus: { method: 'GET', path: '/v1/pay/{id}', auth: 'public', summary: 'A purchase\'s status, then its transactionID or a mozPay error name', response: PublicPurchase },


  // --- sign-in: the wallet's side (docs/identity.md) ---
  listAuthorizations: {
    method: 'GET', path: '/api/wallet/authorizations', auth: 'console', query: AuthorizationQuery,
    summary: 'Sign-ins waiting for the buyer (?status=pending), newest first', response: z.object({ items: z.array(Authorization) }),
  },
  approveAuthorization: {
    method: 'POST', path: '/api/wallet/authorizations/{id}/approve', auth: 'console', body: ApproveAuthorizationBody,
    summary: 'Sign in as the preselected buyer (or buyerId) and grant the scopes; the authorization page (or device) goes on by itself', response: Authorization,
  },
  denyAuthorization: {
    method: 'POST', path: '/api/wallet/authorizations/{id}/deny', auth: 'console', body: Empty,
    summary: 'Refuse: the merchant gets access_denied at its registered redirect URI', response: Authorization,
  },
  listConnections: {
    method: 'GET', path: '/api/wallet/connections', auth: 'console', query: ConnectionQuery,
    summary: 'The merchants a buyer signed in to: scopes held, when granted, when last used', response: z.object({ items: z.array(Connection) }),
  },
  revokeConnection: {
    method: 'DELETE', path: '/api/wallet/connections/{clientId}', auth: 'console', query: ConnectionQuery,
    summary: 'Revoke every grant and token of this merchant for the buyer, at once', response: Ok,
  },

  // --- sign-in: an app as an OAuth client ---
  getOAuthClient: { method: 'GET', path: '/api/apps/{key}/oauth', auth: 'console', summary: 'The app\'s OAuth client settings', response: OAuthClient },
  setOAuthClient: {
    method: 'PUT', path: '/api/apps/{key}/oauth', auth: 'console', body: OAuthClientBody,
    summary: 'Set the redirect URIs, client type and allowed scopes; turning confidential makes a client secret, shown this once',
    response: z.object({ client: OAuthClient, secret: z.string().nullable().describe('the new client secret, when one was made') }),
  },
  rotateOAuthSecret: {
    method: 'POST', path: '/api/apps/{key}/oauth/secret', auth: 'console', status: 201, body: Empty,
    summary: 'A new client secret for a confidential client; the old one is refused at once', response: z.object({ client: OAuthClient, secret: z.string() }),
  },
  revealOAuthSecret: {
    safe: true,
    method: 'POST', path: '/api/apps/{key}/oauth/secret/reveal', auth: 'console', body: Empty,
    summary: 'Show the client secret (explicit action)', response: OAuthClientSecret,
  },

  // --- sign-in: merchants' servers ---
  verifyToken: {
    safe: true,
    method: 'POST', path: '/v1/verify', auth: 'public', body: VerifyTokenBody,
    summary: 'Firefox Accounts-style check of an access token: {user, client_id, scope} while it is active (RFC 7662 introspection is at the discovery document\'s introspection_endpoint)',
    response: VerifiedToken,
  },
  getProfile: {
    method: 'GET', path: '/v1/profile', auth: 'public',
    summary: 'The buyer\'s profile for a profile token (Authorization: Bearer), the claims its scopes allow; the same as the OpenID Connect userinfo endpoint',
    response: Profile,
  },

  // --- dashboard ---
  getSummary: {
    method: 'GET', path: '/api/summary', auth: 'console', query: SummaryQuery,
    summary: 'The dashboard: sales and refunds on the local day they happened, purchase outcomes, notice delivery', response: DashboardSummary,
  },

  // --- notices and refunds ---
  listNotices: {
    method: 'GET', path: '/api/notices', auth: 'console', query: NoticeQuery,
    summary: 'Keyset pages of notices, newest first; filters: appKey, type, status, transactionID, q (notice, transaction or purchase id)',
    response: z.object({ items: z.array(NoticeSummary), nextCursor: z.string().nullable() }),
  },
  getNotice: { method: 'GET', path: '/api/notices/{id}', auth: 'console', summary: 'A notice with its payload, the decoded JWT and every attempt', response: NoticeDetail },
  redeliverNotice: {
    method: 'POST', path: '/api/notices/{id}/redeliver', auth: 'console', body: Empty,
    summary: 'Send again now with the same webhook-id; a delivered or failed notice gets one more attempt', response: NoticeSummary,
  },
  resendNotice: {
    method: 'POST', path: '/api/notices/{id}/resend', auth: 'console', status: 201, body: ResendBody,
    summary: 'A new notice (new id, next seq) with an edited request and/or response, re-signed, linked to this one', response: NoticeDetail,
  },
  noticeCurl: {
    method: 'GET', path: '/api/notices/{id}/curl', auth: 'console', summary: 'The last request exactly as sent, as a curl command',
    response: z.object({ curl: z.string(), attempt: z.int().nullable() }),
  },
  testNotice: {
    method: 'POST', path: '/api/apps/{key}/test-notice', auth: 'console', status: 201, body: TestNoticeBody,
    summary: 'Send a simulated notice to the app\'s postback (or chargeback) URL once; answers with the attempt', response: NoticeDetail,
  },
  refundTransaction: {
    method: 'POST', path: '/api/transactions/{id}/refunds', auth: 'console', status: 201, body: RefundBody,
    summary: 'Refund all or part of a completed purchase (by purchase or transaction id); sends a chargeback', response: Refund,
  },
  listRefunds: { method: 'GET', path: '/api/transactions/{id}/refunds', auth: 'console', summary: 'Refunds and reversals of a purchase', response: z.object({ items: z.array(Refund) }) },
  disputePurchase: {
    method: 'POST', path: '/api/purchases/{id}/dispute', auth: 'console', status: 201, body: DisputeBody,
    summary: 'The signed-in buyer disputes their own completed purchase: a reversal of what is left, and a chargeback', response: Refund,
  },
  merchantRefund: {
    method: 'POST', path: '/v1/refunds', auth: 'public', status: 201, body: MerchantRefundBody,
    summary: 'From a merchant server: {"jwt": <HS256 token, typ paydesk/refund/v1, claim refund: {transactionID, amount?, reason?}>}', response: Refund,
  },
  listProviderKeys: { method: 'GET', path: '/api/provider-keys', auth: 'console', summary: 'Ed25519 keys that sign notices, and which are published', response: z.object({ items: z.array(ProviderKey) }) },
  rotateProviderKey: {
    method: 'POST', path: '/api/provider-keys/rotate', auth: 'console', status: 201, body: RotateKeyBody,
    summary: 'A new notice-signing key; the old one stays in the JWKS for overlapSeconds (default 7 days)', response: z.object({ items: z.array(ProviderKey) }),
  },

  // --- buy flow (pay.js and the status window; docs/buy-flow.md) ---
  payCancel: {
    method: 'POST', path: '/v1/pay/{id}/cancel', auth: 'public', body: Empty,
    summary: 'Cancel a pending purchase from the page or its status window (no credential: a pending purchase id is unguessable and only the page that started it knows it)',
    response: PublicPurchase,
  },

  // --- live updates (contract/events.ts) ---
  streamEvents: {
    method: 'GET', path: '/api/events', auth: 'console', stream: true,
    summary: 'Server-sent events: every state change as it happens (ids and states only); after a reconnect, reload what you show',
    response: PaydeskEvent,
  },

  // --- request lab ---
  verifyRequest: {
    safe: true,
    method: 'POST', path: '/api/requests/verify', auth: 'console', body: VerifyRequestBody,
    summary: 'Dry run of POST /v1/pay\'s verification of one payment request JWT: the verdict, and nothing written (no purchase, no jti used up)',
    response: RequestDryRun,
  },
} as const satisfies Record<string, RouteSpec>;

/**
 * What the server answers besides the JSON routes above, described as data so
 * the OpenAPI document lists every path served (test/server/openapi.test.ts
 * walks both tables). GET (and HEAD, for files), and POST only for the OAuth
 * endpoints the provider library answers itself (form bodies, RFC 6749 errors);
 * `contentType` is what a successful answer carries.
 */
export interface ResourceSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly auth: Auth;
  readonly summary: string;
  readonly contentType: string;
}

export const resources = {
  openApi: { method: 'GET', path: '/api/openapi.json', auth: 'console', contentType: 'application/json', summary: 'This document: every route and resource the server serves' },
  jwks: {
    method: 'GET', path: '/.well-known/jwks.json', auth: 'public', contentType: 'application/jwk-set+json',
    summary: 'The provider\'s public Ed25519 keys that sign EdDSA notices (CORS open, cacheable 5 minutes)',
  },
  payScript: { method: 'GET', path: '/pay.js', auth: 'public', contentType: 'text/javascript', summary: 'pay.js, the merchant page\'s library (docs/buy-flow.md; CORS open, loadable from any origin)' },
  payStatusScript: { method: 'GET', path: '/pay/status.js', auth: 'public', contentType: 'text/javascript', summary: 'The status window\'s script (same-origin only)' },
  payStatusStyle: { method: 'GET', path: '/pay/status.css', auth: 'public', contentType: 'text/css', summary: 'The status window\'s stylesheet (same-origin only)' },
  payStatusPage: {
    method: 'GET', path: '/pay/{id}', auth: 'public', contentType: 'text/html',
    summary: 'The status window of a purchase, server-rendered (cannot be framed); 404 page for an unknown id',
  },
  consolePage: { method: 'GET', path: '/', auth: 'public', contentType: 'text/html', summary: 'The browser console (renderer/dist/index.html); 503 page when it is not built. Grants nothing: a session comes from a login link' },
  consoleFile: {
    method: 'GET', path: '/{file}', auth: 'public', contentType: 'application/octet-stream',
    summary: 'Any file of the console build (renderer/dist, e.g. /assets/index-<hash>.js), typed by its extension; hashed /assets/ files are immutable',
  },
  // --- the OpenID Connect provider (oidc-provider, server/identity/provider.ts; docs/identity.md) ---
  openidConfiguration: {
    method: 'GET', path: '/.well-known/openid-configuration', auth: 'public', contentType: 'application/json',
    summary: 'OpenID Connect discovery: every endpoint below, the scopes, PKCE S256, the grants (CORS open)',
  },
  oauthJwks: { method: 'GET', path: '/oauth/jwks', auth: 'public', contentType: 'application/jwk-set+json', summary: 'The public keys that sign ID tokens (not the notice keys of /.well-known/jwks.json)' },
  oauthAuthorize: {
    method: 'GET', path: '/oauth/authorize', auth: 'public', contentType: 'text/html',
    summary: 'Authorization endpoint (code + PKCE S256 only): redirects to the authorization page, or back to the exact redirect URI; an error page when the client or redirect URI is unknown',
  },
  authorizationPage: {
    method: 'GET', path: '/oauth/interaction/{uid}', auth: 'public', contentType: 'text/html',
    summary: 'The authorization page: the merchant, the scopes in words, the short code, "approve in Paydesk"; goes on once the wallet decides (cannot be framed)',
  },
  authorizationWait: {
    method: 'GET', path: '/oauth/interaction/{uid}/wait', auth: 'public', contentType: 'application/json',
    summary: 'The authorization page\'s long poll: answers {status} once the wallet decided or after about 25 s; same-origin only',
  },
  authorizationScript: { method: 'GET', path: '/oauth/interaction.js', auth: 'public', contentType: 'text/javascript', summary: 'The authorization page\'s script (same-origin only)' },
  oauthToken: {
    method: 'POST', path: '/oauth/token', auth: 'public', contentType: 'application/json',
    summary: 'Token endpoint: authorization_code (with code_verifier), refresh_token (rotated; a reused one revokes its grant), device_code; rate-limited per client address',
  },
  oauthUserinfo: { method: 'GET', path: '/oauth/userinfo', auth: 'public', contentType: 'application/json', summary: 'OpenID Connect userinfo for a profile token (Authorization: Bearer), as /v1/profile' },
  oauthIntrospect: { method: 'POST', path: '/oauth/introspect', auth: 'public', contentType: 'application/json', summary: 'RFC 7662 token introspection, client-authenticated' },
  oauthRevoke: { method: 'POST', path: '/oauth/revoke', auth: 'public', contentType: 'application/json', summary: 'RFC 7009 token revocation' },
  oauthDeviceAuthorization: {
    method: 'POST', path: '/oauth/device/auth', auth: 'public', contentType: 'application/json',
    summary: 'RFC 8628 device authorization request: a device code, and the user code the buyer types at /oauth/device',
  },
  oauthDevicePage: { method: 'GET', path: '/oauth/device', auth: 'public', contentType: 'text/html', summary: 'Where a buyer types a device\'s user code; the sign-in then waits in the wallet like any other' },
} as const satisfies Record<string, ResourceSpec>;

export type ResourceName = keyof typeof resources;

export type Routes = typeof routes;
/** The routes answered as a text/event-stream (`stream: true`). */
export type StreamRouteName = { [N in keyof Routes]: Routes[N] extends { stream: true } ? N : never }[keyof Routes];
/** The routes answered with one JSON body: a handler each (server/http/handlers.ts), called with client.call. */
export type RouteName = Exclude<keyof Routes, StreamRouteName>;
type BodyOf<R> = R extends { body: z.ZodType } ? z.output<R['body']> : undefined;
type QueryOf<R> = R extends { query: z.ZodType } ? z.output<R['query']> : undefined;
type PathParams<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? { [k in K]: string } & PathParams<Rest> : unknown;

export interface RouteInput<N extends RouteName> {
  readonly params: PathParams<Routes[N]['path']> & Record<string, string>;
  readonly body: BodyOf<Routes[N]>;
  readonly query: QueryOf<Routes[N]>;
}
export type RouteOutput<N extends RouteName> = z.input<Routes[N]['response']>;
/** What the console client sends: the body before defaults are applied. */
export type RouteBody<N extends RouteName> = Routes[N] extends { body: z.ZodType } ? z.input<Routes[N]['body']> : undefined;
export type RouteResult<N extends RouteName> = z.output<Routes[N]['response']>;
