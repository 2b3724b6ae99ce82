// Paydesk merchant SDK: sign payment requests, verify notices, answer
// postbacks. See README.md. Named exports only; nothing here imports the
// provider, so this folder can be copied into a merchant's project as is.
export { NoticeError, noticeErrorCodes, noticeErrorMessages, type NoticeErrorCode } from './errors.ts';
export {
  signPaymentRequest, secretKey, PAY_TYP, DEFAULT_AUDIENCE,
  type PaymentRequest, type SignPaymentRequestOptions, type SimulateOption, type ChargebackReason, type LocalizedText,
} from './request.ts';
export {
  verifyNotice, POSTBACK_TYP, CHARGEBACK_TYP, SIMULATED_PREFIX, MAX_NOTICE_BYTES,
  type Notice, type PostbackNotice, type ChargebackNotice, type NoticePrice, type EchoedRequest, type NoticeKeys, type VerifyNoticeOptions,
} from './notice.ts';
export { signWebhook, verifyWebhookSignature, type WebhookHeaders, type SignWebhookOptions, type VerifyWebhookOptions } from './webhook.ts';
export {
  createNoticeHandler, MemoryNoticeIdStore, MAX_BODY_BYTES,
  type NoticeHandler, type NoticeHandlerOptions, type NoticeHeaders, type NoticeReply, type NoticeIdStore, type NoticeIdState, type MemoryNoticeIdStoreOptions,
} from './handler.ts';
export { nodeHandler, expressHandler, rawBodyFrom, type NoticeHandlerInput } from './node.ts';
export { fastifyPlugin, fastifyHandler, type FastifyNoticeOptions } from './fastify.ts';
export { PaydeskSignIn, PaydeskApiError, type SignInOptions, type PendingSignIn, type SignInSession, type SignInProfile, type StartedPurchase } from './sign-in.ts';
