import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { NoticeError, signWebhook, verifyWebhookSignature, type NoticeErrorCode } from '../../sdk/index.ts';
import { webhookSecret } from './helpers.ts';

const body = 'notice=eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJ4In0.c2ln';

function refusedWith(run: () => void, code: NoticeErrorCode): void {
  assert.throws(run, (e: unknown) => e instanceof NoticeError && e.code === code);
}

test('signWebhook → standardwebhooks verifies it', () => {
  const headers = signWebhook({ id: 'msg_1', body, secret: webhookSecret });
  assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
  // The reference library returns the parsed payload; jsonParse off because the body is a form.
  assert.equal(new Webhook(webhookSecret).verify(body, { ...headers }, { jsonParse: false }), undefined);
  assert.throws(() => new Webhook(webhookSecret).verify(`${body}x`, { ...headers }, { jsonParse: false }), /No matching signature/);
});

test('standardwebhooks signs → verifyWebhookSignature accepts it', () => {
  const now = new Date();
  const signature = new Webhook(webhookSecret).sign('msg_2', now, body);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  verifyWebhookSignature({ id: 'msg_2', timestamp, signature, body, secret: webhookSecret });
  verifyWebhookSignature({ id: 'msg_2', timestamp, signature, body: Buffer.from(body), secret: webhookSecret });
  // The prefix is optional, as in the reference library.
  verifyWebhookSignature({ id: 'msg_2', timestamp, signature, body, secret: webhookSecret.slice('whsec_'.length) });
});

test('one matching v1 entry among several is enough (secret rotation)', () => {
  const now = new Date();
  const { 'webhook-signature': good, 'webhook-timestamp': timestamp } = signWebhook({ id: 'msg_3', body, secret: webhookSecret, now });
  const old = signWebhook({ id: 'msg_3', body, secret: 'whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ=', now })['webhook-signature'];
  verifyWebhookSignature({ id: 'msg_3', timestamp, signature: `v1a,bm90LWNoZWNrZWQ= ${old} ${good}`, body, secret: webhookSecret });
  refusedWith(() => verifyWebhookSignature({ id: 'msg_3', timestamp, signature: old, body, secret: webhookSecret }), 'webhook_signature');
  // The same signature under another version tag is not a v1 signature.
  refusedWith(() => verifyWebhookSignature({ id: 'msg_3', timestamp, signature: good.replace('v1,', 'v2,'), body, secret: webhookSecret }), 'webhook_signature');
});

test('refuses tampering, stale or future timestamps and missing headers', () => {
  const now = new Date('2025-03-01T12:00:00Z');
  const h = signWebhook({ id: 'msg_4', body, secret: webhookSecret, now });
  const base = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'], body, secret: webhookSecret, now };
  verifyWebhookSignature(base);
  refusedWith(() => verifyWebhookSignature({ ...base, body: `${body}&x=1` }), 'webhook_signature');
  refusedWith(() => verifyWebhookSignature({ ...base, id: 'msg_5' }), 'webhook_signature');
  refusedWith(() => verifyWebhookSignature({ ...base, now: new Date(now.getTime() + 301_000) }), 'webhook_timestamp');
  refusedWith(() => verifyWebhookSignature({ ...base, now: new Date(now.getTime() - 301_000) }), 'webhook_timestamp');
  verifyWebhookSignature({ ...base, now: new Date(now.getTime() + 299_000) });
  refusedWith(() => verifyWebhookSignature({ ...base, signature: undefined }), 'webhook_headers');
  refusedWith(() => verifyWebhookSignature({ ...base, timestamp: '2025-03-01' }), 'webhook_headers');
  assert.throws(() => verifyWebhookSignature({ ...base, secret: 'whsec_not base64!' }), TypeError);
});
