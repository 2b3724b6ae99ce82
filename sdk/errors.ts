// Every way a notice can be refused has a stable code (STYLE.md): merchants log
// it, the notice handler answers it as the 400 body, and the provider's
// delivery inspector shows it, so a failed postback says why without a debugger.

/** Each code with the sentence a merchant reads to fix it. README.md lists the same table. */
export const noticeErrorMessages = {
  notice_missing: 'The body has no `notice` form field. Paydesk POSTs application/x-www-form-urlencoded `notice=<JWT>`.',
  notice_too_large: 'The notice is larger than the SDK accepts (16 KiB token, 64 KiB body).',
  notice_malformed: 'The notice is not a compact JWS (header.payload.signature, base64url JSON).',
  notice_alg: 'The notice algorithm is not allowed for the keys you configured: HS256 needs `secret`, EdDSA needs `jwks`; `none` and all others are refused.',
  notice_key: 'No key in the JWKS matches the notice header (`kid`). Check the JWKS URL points at this provider.',
  notice_signature: 'The signature does not verify. Use the app secret Paydesk showed (its exact string) or the provider JWKS.',
  notice_typ: 'The `typ` claim must be "mozilla/payments/pay/postback/v1" or "mozilla/payments/pay/chargeback/v1".',
  notice_iss: 'The `iss` claim is not the provider audience you configured (`issuer`, "paydesk" by default).',
  notice_aud: 'The `aud` claim is not your app key.',
  notice_expired: 'The notice has expired (`exp` is in the past, beyond the clock tolerance). Check both clocks.',
  notice_claims: 'A registered claim is missing or wrong: `exp`, `iat` (not in the future) and `jti` are required; `nbf` must be reached.',
  notice_shape: 'The notice body is malformed: `request` must be an object and `response` {transactionID, price {amount, currency}}, with `reason` only on chargebacks.',
  webhook_headers: 'The webhook-id, webhook-timestamp or webhook-signature header is missing or malformed.',
  webhook_timestamp: 'The webhook-timestamp is outside the tolerance (5 minutes by default). Check both clocks.',
  webhook_signature: 'No webhook-signature matches. Use the app\'s `whsec_` notice-signing secret.',
} as const;

export type NoticeErrorCode = keyof typeof noticeErrorMessages;

export const noticeErrorCodes = Object.keys(noticeErrorMessages) as readonly NoticeErrorCode[];

/** Thrown by verifyNotice and verifyWebhookSignature; `code` is stable, the message may change. */
export class NoticeError extends Error {
  override readonly name = 'NoticeError';
  readonly code: NoticeErrorCode;

  constructor(code: NoticeErrorCode, detail?: string) {
    super(detail === undefined ? noticeErrorMessages[code] : `${noticeErrorMessages[code]} (${detail})`);
    this.code = code;
  }
}
