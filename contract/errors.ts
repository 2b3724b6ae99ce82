// Every error a user can cause has a stable code, an HTTP status and a sentence
// that says what to do next (STYLE.md). The catalogue below is the single list:
// docs/errors.md is generated from it and test/server/errors.test.ts checks that
// every code is reached by some test.
import { z } from 'zod';

interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

const catalogue = {
  // --- general / HTTP -------------------------------------------------------
  bad_json: { status: 400, message: 'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.' },
  body_too_large: { status: 413, message: 'The request body is too large. Send at most 64 KiB.' },
  validation_failed: { status: 400, message: 'Some fields are missing or malformed; see `issues` for each field and fix them.' },
  text_control_characters: { status: 400, message: 'A text field holds a control or bidi character (NUL, U+202E and the like), which can hide or reorder what people read; `field` names it and `character` the code point. Remove it and send again.' },
  not_found: { status: 404, message: 'No such route. See GET /api/openapi.json for the routes this server offers.' },
  method_not_allowed: { status: 405, message: 'This route does not accept that method. See GET /api/openapi.json.' },
  unauthorized: { status: 401, message: 'Send the console token as `Authorization: Bearer <token>` (it is in the admin-token file of the data folder); in a browser, open a login link from `npm run login`.' },
  login_code_invalid: { status: 401, message: 'This login link is unknown, already used or expired. Get a new one with `npm run login` (or `npx paydesk login`) and open it in this browser.' },
  host_not_allowed: { status: 421, message: 'The Host header is not this server\'s loopback address. Use the address Paydesk printed at start.' },
  cross_origin_refused: { status: 403, message: 'Cross-origin requests to the console API are refused. Call it from the console or from a script, not from a web page.' },
  idempotency_key_invalid: { status: 400, message: 'Idempotency-Key must be 1 to 255 printable ASCII characters.' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used with a different request. Use a new key for a new request.' },
  idempotency_in_progress: { status: 409, message: 'A request with this Idempotency-Key is still being processed. Retry after it finishes.' },
  idempotency_key_limit: { status: 429, message: 'This origin already holds as many Idempotency-Keys as Paydesk keeps for one origin in a day. Wait `retryAfterSeconds` for the oldest to expire, or start Paydesk with a higher --public-keys for a load test.' },
  rate_limited: { status: 429, message: 'Too many requests to the public API from this origin. Wait `retryAfterSeconds` (the Retry-After header) and try again; a load test can start Paydesk with a higher --public-rate.' },
  internal_error: { status: 500, message: 'Paydesk hit an unexpected error. Nothing was changed; retry, and if it persists, report it with the server log.' },

  // --- merchant apps --------------------------------------------------------
  app_not_found: { status: 404, message: 'No app with this key. List apps with GET /api/apps.' },
  secret_not_found: { status: 404, message: 'This app has no secret with that id. List them with GET /api/apps/{key}.' },
  secret_already_revoked: { status: 409, message: 'That secret is already revoked.' },
  secret_last_active: { status: 409, message: 'This is the app\'s only active secret. Rotate first so the app keeps a working secret, then revoke this one.' },

  // --- payment requests (DESIGN section 3) -----------------------------------
  pay_no_request: { status: 400, message: 'Send {"jwts": ["<payment request JWT>", ...]} with at least one token.' },
  pay_no_supported_request: { status: 400, message: 'None of the tokens has typ "mozilla/payments/pay/v1", the only type Paydesk serves.' },
  request_too_large: { status: 413, message: 'The payment request token is larger than 8 KiB. Shorten descriptions, productData or icons.' },
  request_malformed: { status: 400, message: 'The payment request is not a compact JWS (header.payload.signature, base64url JSON). Sign it with a JWT library.' },
  request_alg_not_allowed: { status: 400, message: 'Payment requests must be signed with HS256 and the app secret; other algorithms, and "none", are refused.' },
  request_issuer_missing: { status: 400, message: 'The request has no `iss` claim. Set it to your app key.' },
  request_issuer_unknown: { status: 401, message: 'No app has this key (`iss`). Register the app in Paydesk and use the key it gave you.' },
  request_app_disabled: { status: 403, message: 'This app is disabled. Enable it in Paydesk (PATCH /api/apps/{key} with status "active") before selling.' },
  request_signature_invalid: { status: 401, message: 'The signature does not match any active secret of this app. Sign with the secret Paydesk showed when you created or rotated it.' },
  request_secret_revoked: { status: 401, message: 'The request is signed with a secret that was revoked. Sign with the app\'s current secret.' },
  request_secret_expired: { status: 401, message: 'The request is signed with a rotated secret whose grace period ended. Sign with the app\'s current secret.' },
  request_audience_invalid: { status: 400, message: 'The `aud` claim must be this provider\'s audience ("paydesk" by default), "marketplace.firefox.com" or "marketplace.mozilla.org".' },
  request_typ_invalid: { status: 400, message: 'The `typ` claim must be "mozilla/payments/pay/v1".' },
  request_exp_missing: { status: 400, message: 'The request has no numeric `exp` claim. Set it a few minutes after `iat`.' },
  request_iat_missing: { status: 400, message: 'The request has no numeric `iat` claim. Set it to the current time in seconds.' },
  request_expired: { status: 400, message: 'The request has expired (`exp` is in the past). Sign a fresh one just before the buyer pays.' },
  request_iat_in_future: { status: 400, message: 'The request\'s `iat` is in the future. Check your server\'s clock.' },
  request_lifetime_too_long: { status: 400, message: 'The request lives too long (`exp` - `iat` is over the limit, 1 hour by default). Use a shorter expiry.' },
  request_not_yet_valid: { status: 400, message: 'The request\'s `nbf` has not been reached. Remove `nbf` or set it to now.' },
  request_claim_invalid: { status: 400, message: 'A registered claim (iss, aud, iat, exp, nbf, jti) has the wrong type. Use strings for iss/aud/jti and seconds for times.' },
  request_jti_replayed: { status: 409, message: 'This request (`jti`) was already used. Sign a new request with a new jti for every purchase.' },
  request_field_missing: { status: 400, message: 'A required field of `request` is missing; `field` names it.' },
  request_field_invalid: { status: 400, message: 'A field of `request` is malformed; `field` names it and `detail` says why.' },
  request_price_point_unknown: { status: 400, message: 'Unknown pricePoint. Use a tier id from GET /api/price-tiers (tier 0 is free).' },
  request_price_conflict: { status: 400, message: 'Give either pricePoint or price with currency, not both, and not neither.' },
  request_currency_unknown: { status: 400, message: 'Unknown or unsupported currency. Use an ISO 4217 code Paydesk supports (see GET /api/price-tiers).' },
  request_amount_invalid: { status: 400, message: 'The price must be a positive decimal with at most the currency\'s minor digits, and at most 10,000.00.' },
  request_url_invalid: { status: 400, message: 'Postback and chargeback URLs must be absolute http(s) URLs without credentials.' },
  request_simulate_required: { status: 403, message: 'This app is simulate-only: add "simulate": {"result": "postback"} to the request, or give the app live access.' },

  // --- purchases ------------------------------------------------------------
  purchase_not_found: { status: 404, message: 'No purchase with this id. List pending ones with GET /api/purchases?status=pending.' },
  purchase_not_pending: { status: 409, message: 'This purchase is no longer pending, so it cannot be confirmed or cancelled. Start a new purchase.' },
  purchase_expired: { status: 410, message: 'This purchase expired before it was confirmed. Ask the store to start a new one.' },
  purchase_mismatch: { status: 409, message: 'The purchase differs from the one you were shown (amount, currency, seller or item). Review it again before confirming.' },
  purchase_busy: { status: 409, message: 'This purchase is already being confirmed. Wait for the result.' },

  // --- wallet ---------------------------------------------------------------
  buyer_not_found: { status: 404, message: 'No buyer with this id. List buyers with GET /api/buyers.' },
  buyer_email_taken: { status: 409, message: 'A buyer with this email already exists. Sign in as that buyer or use another email.' },
  wallet_signed_out: { status: 401, message: 'No buyer is signed in to the wallet. Sign one in with POST /api/wallet/session.' },
  wallet_wrong_buyer: { status: 403, message: 'Only the buyer signed in to the wallet can do this. Sign in as that buyer first.' },
  pin_not_set: { status: 409, message: 'This buyer has no PIN yet. Set one with PUT /api/buyers/{id}/pin.' },
  pin_invalid_format: { status: 400, message: 'A PIN is 4 to 8 digits.' },
  pin_too_simple: { status: 400, message: 'That PIN is too easy to guess (repeated or sequential digits). Choose another.' },
  pin_incorrect: { status: 403, message: 'Wrong PIN. Try again; after 5 wrong tries the PIN locks for a while.' },
  pin_locked: { status: 423, message: 'Too many wrong PINs: the PIN is locked until `lockedUntil`. Wait until then; each later lock lasts twice as long.' },
  pin_required: { status: 401, message: 'Enter the buyer\'s PIN to confirm: no unlock window is open.' },
  pin_reset_needs_signin: { status: 403, message: 'Resetting a PIN needs a fresh sign-in: sign the buyer in again (POST /api/wallet/session), then reset within 5 minutes.' },
  payment_method_not_found: { status: 404, message: 'This buyer has no payment method with that id. List them with GET /api/buyers/{id}.' },
  payment_method_missing: { status: 409, message: 'The buyer has no payment method. Preauthorize a card first.' },
  payment_method_currency_mismatch: { status: 409, message: 'The payment method\'s limits are in another currency than this purchase. Preauthorize a card in the purchase\'s currency.' },
  limit_per_purchase_exceeded: { status: 402, message: 'This purchase is above the payment method\'s per-purchase limit. Raise the limit or use another card.' },
  limit_per_month_exceeded: { status: 402, message: 'This purchase would pass the payment method\'s monthly limit. Raise the limit or wait for next month.' },

  // --- vault (card checks and charges) ----------------------------------------
  card_number_invalid: { status: 400, message: 'The card number is not valid (12-19 digits passing the Luhn check). Check it, or use a test card from the README.' },
  card_expiry_invalid: { status: 400, message: 'The expiry month or year is invalid, or the card has expired. Check the date on the card.' },
  card_cvc_invalid: { status: 400, message: 'The CVC is 3 digits (4 for American Express).' },
  card_declined: { status: 402, message: 'The card was declined by the processor. Use another payment method.' },
  card_insufficient_funds: { status: 402, message: 'The card has insufficient funds. Use another payment method.' },
  card_expired: { status: 402, message: 'The processor reports the card as expired. Preauthorize a current card.' },
  processor_error: { status: 502, message: 'The processor failed to handle the charge. Nothing was charged; try again.' },

  // --- notices and refunds ----------------------------------------------------
  notice_not_found: { status: 404, message: 'No notice with this id. List notices with GET /api/notices.' },
  notice_target_forbidden: { status: 400, message: 'Notices can never go to this address (`reason` says why). Use your merchant server\'s address; for local development, loopback (127.0.0.1, localhost) on a port other than Paydesk\'s own.' },
  notice_payload_invalid: { status: 400, message: 'An edited notice needs `request` (an object) and `response` with a non-empty `transactionID` and `price` {amount: decimal string, currency}.' },
  refund_not_refundable: { status: 409, message: 'Only a completed purchase can be refunded or disputed. Check its status with GET /api/transactions/{id}.' },
  refund_exceeds_refundable: { status: 409, message: 'That is more than remains refundable on this purchase (captured minus earlier refunds); `refundable` says how much is left, in minor units.' },
  refund_amount_invalid: { status: 400, message: 'A refund amount is a positive decimal string such as "0.50" with at most the currency\'s minor digits (minor units as an integer in the console API).' },
  refund_token_missing: { status: 400, message: 'Send {"jwt": "<refund JWT>"}: a JWT signed with your app secret (HS256), typ "paydesk/refund/v1".' },
  refund_typ_invalid: { status: 400, message: 'The refund token\'s `typ` claim must be "paydesk/refund/v1".' },
  refund_jti_missing: { status: 400, message: 'A refund token needs a unique `jti` claim, so a replayed token cannot refund twice.' },
  refund_field_invalid: { status: 400, message: 'The `refund` claim must be {transactionID, amount?, reason?}; `field` names what is wrong.' },
  refund_transaction_not_found: { status: 404, message: 'Your app has no completed transaction with this transactionID. Use the id from the postback you received.' },

  // --- sign-in and tokens (docs/identity.md) ------------------------------------
  token_in_query: { status: 400, message: 'A token was sent in the URL (`access_token` or the like), where logs, history and Referer headers keep it. Send it in the `Authorization: Bearer <token>` header instead, and treat this one as leaked: revoke it.' },
  token_invalid: { status: 401, message: 'The Bearer token is not an active Paydesk access token: expired, revoked (the buyer may have disconnected your app) or unknown. Sign the buyer in again.' },
  token_audience_invalid: { status: 403, message: 'The token is not for this endpoint: payments tokens (scope payments, resource = the pay API) are for POST /v1/pay, profile tokens (scope openid profile, no resource) for /v1/profile and userinfo. Get the right one with the refresh token and `resource`.' },
  token_wrong_app: { status: 403, message: 'The token was issued to another app than the one that signed the payment request. Use a token your own app obtained.' },
  authorization_not_found: { status: 404, message: 'No sign-in with this id. List waiting ones with GET /api/wallet/authorizations?status=pending.' },
  authorization_not_pending: { status: 409, message: 'This sign-in was already approved, denied or has expired. Ask the merchant to start it again.' },
  connection_not_found: { status: 404, message: 'This buyer has no connection with that app. List them with GET /api/wallet/connections.' },
  oauth_client_public: { status: 409, message: 'A public client has no secret: it proves itself with PKCE. Set its type to confidential first (PUT /api/apps/{key}/oauth) if its server can keep a secret.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;
export const errorCatalogue: Readonly<Record<ErrorCode, ErrorSpec>> = catalogue;
export const errorCodes = Object.keys(catalogue) as readonly ErrorCode[] as readonly [ErrorCode, ...ErrorCode[]];

/** A code wherever one crosses a boundary (an error body, a declined purchase, an event): the catalogue's, nothing else. */
export const ErrorCodeSchema = z.enum(errorCodes);

/** An error the user can cause. Crosses every boundary as `{error: {code, message, ...}}`. */
export class PaydeskError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(catalogue[code].message);
    this.name = 'PaydeskError';
    this.status = catalogue[code].status;
  }

  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export function isPaydeskError(e: unknown): e is PaydeskError {
  return e instanceof PaydeskError;
}
