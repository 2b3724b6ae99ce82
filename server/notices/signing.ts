// A notice as it goes on the wire (DESIGN section 6): the JWT, signed when it is
// sent rather than when it is queued (so a rotated secret or key is used, and
// iat/exp are fresh on every retry), the form body, and the Standard Webhooks
// headers. The same webhook-id (the notice id) is used on every attempt, which
// is what lets a merchant drop a duplicate after a retry or a crash.
import { createHmac, sign as edSign, type KeyObject } from 'node:crypto';

export const POSTBACK_TYP = 'mozilla/payments/pay/postback/v1';
export const CHARGEBACK_TYP = 'mozilla/payments/pay/chargeback/v1';
/** A notice's JWT lives an hour: long enough for a slow merchant queue, short enough that a leaked one dies. */
const NOTICE_LIFETIME_SECONDS = 3600;

export type NoticeType = 'postback' | 'chargeback';
export type NoticeSigning = 'hmac' | 'eddsa';

/** What the outbox row holds; claims are built from it at send time. */
export interface NoticePayload {
  readonly request: unknown;
  readonly response: Readonly<Record<string, unknown>>;
}

export interface NoticeClaimsInput {
  readonly id: string;
  readonly type: NoticeType;
  readonly seq: number;
  readonly issuer: string;
  readonly appKey: string;
  readonly payload: NoticePayload;
  readonly nowMs: number;
}

export function noticeClaims(n: NoticeClaimsInput): Record<string, unknown> {
  const iat = Math.floor(n.nowMs / 1000);
  return {
    iss: n.issuer,
    aud: n.appKey,
    typ: n.type === 'postback' ? POSTBACK_TYP : CHARGEBACK_TYP,
    iat,
    exp: iat + NOTICE_LIFETIME_SECONDS,
    jti: n.id,
    seq: n.seq,
    request: n.payload.request,
    response: n.payload.response,
  };
}

export type NoticeKey =
  | { readonly alg: 'HS256'; readonly secret: string }
  | { readonly alg: 'EdDSA'; readonly kid: string; readonly key: KeyObject };

/**
 * A compact JWS (RFC 7515) made synchronously with node:crypto rather than
 * jose's WebCrypto path: signing then never waits behind other work on the
 * event loop, which is most of a loopback postback's latency. Only signing
 * happens here; every verifier (the SDK, mozpay, the tests) is a real library.
 */
export function signNotice(claims: Record<string, unknown>, key: NoticeKey): { jwt: string; header: Record<string, string> } {
  const header: Record<string, string> = key.alg === 'HS256' ? { alg: 'HS256', typ: 'JWT' } : { alg: 'EdDSA', typ: 'JWT', kid: key.kid };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = key.alg === 'HS256'
    // The UTF-8 bytes of the secret string, as mozPay-era merchant libraries use it.
    ? createHmac('sha256', Buffer.from(key.secret, 'utf8')).update(input).digest()
    : edSign(null, Buffer.from(input), key.key);
  return { jwt: `${input}.${signature.toString('base64url')}`, header };
}

export function noticeBody(jwt: string): string {
  return new URLSearchParams({ notice: jwt }).toString();
}

/** Standard Webhooks v1: base64 HMAC-SHA256 of `id.timestamp.body` under the base64-decoded whsec_ secret. */
function webhookSignature(webhookSecret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(webhookSecret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export function deliveryHeaders(o: { id: string; timestampSeconds: number; body: string; webhookSecret: string }): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(o.body)),
    'user-agent': 'Paydesk-Notices/1',
    'webhook-id': o.id,
    'webhook-timestamp': String(o.timestampSeconds),
    'webhook-signature': webhookSignature(o.webhookSecret, o.id, o.timestampSeconds, o.body),
  };
}
