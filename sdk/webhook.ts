// Standard Webhooks (https://www.standardwebhooks.com, "Verifying webhook
// authenticity"): every notice delivery also carries webhook-id,
// webhook-timestamp and webhook-signature. The HMAC covers the delivery (id,
// time, exact body bytes), which the notice JWT alone does not: it stops a
// captured delivery from being replayed later under the same id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NoticeError } from './errors.ts';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface WebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** The key is the base64 after `whsec_` (the prefix is optional, as in the reference library). */
function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Buffer.from(…, 'base64') skips characters it does not know; refuse them
  // instead, so a mistyped secret fails loudly rather than verifying nothing.
  if (!BASE64.test(encoded)) throw new TypeError('The webhook secret must be `whsec_` followed by base64.');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new TypeError('The webhook secret is empty.');
  return key;
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

export interface SignWebhookOptions {
  readonly id: string;
  /** The exact bytes that will be sent. */
  readonly body: string | Uint8Array;
  /** `whsec_…` */
  readonly secret: string;
  readonly now?: Date;
}

/** The three headers of one delivery, for tests and for anyone sending notices. */
export function signWebhook(options: SignWebhookOptions): WebhookHeaders {
  const { id, body, secret, now = new Date() } = options;
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${hmac(webhookKey(secret), id, timestamp, body).toString('base64')}`,
  };
}

export interface VerifyWebhookOptions {
  /** The webhook-id header. */
  readonly id: string | undefined;
  /** The webhook-timestamp header: Unix seconds. */
  readonly timestamp: string | undefined;
  /** The webhook-signature header: space-separated `v1,<base64>` entries. */
  readonly signature: string | undefined;
  /** The raw body exactly as received, before any parsing. */
  readonly body: string | Uint8Array;
  /** `whsec_…` */
  readonly secret: string;
  readonly now?: Date;
  readonly toleranceSeconds?: number;
}

/** Returns when one v1 signature matches and the timestamp is fresh; throws NoticeError otherwise. */
export function verifyWebhookSignature(options: VerifyWebhookOptions): void {
  const { id, timestamp, signature, body, secret, now = new Date(), toleranceSeconds = 300 } = options;
  const key = webhookKey(secret);
  if (!id || !timestamp || !signature) throw new NoticeError('webhook_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (!/^[0-9]{1,12}$/.test(timestamp)) throw new NoticeError('webhook_headers', 'webhook-timestamp must be Unix seconds');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) throw new NoticeError('webhook_timestamp');

  const expected = hmac(key, id, timestamp, body);
  // Several signatures may be present during a secret rotation; other
  // versions (v1a, asymmetric) are skipped, as the spec asks.
  const matched = signature.split(' ').some((entry) => {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') return false;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) throw new NoticeError('webhook_signature');
}
