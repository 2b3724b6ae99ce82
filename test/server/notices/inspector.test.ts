// The notice inspector's console API: list and filter with keyset pages, one
// notice with its decoded JWT, copy as curl (run for real), resend an edited
// payload, a test notice; and provider-signed (EdDSA) notices with the JWKS
// and key rotation with overlap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { verifyNotice } from '../../../sdk/index.ts';
import { buy, claimsOf, createApp, noticesOf, readyBuyer, receiver, settled, startNoticeServer, waitFor, WAIT_LIMIT_MS, type NoticeDetail, merchantStage } from './helpers.ts';

type ErrorBody = { error: { code: string; detail?: string } };

test('list, filter and page notices; a notice with its decoded JWT; copy as curl replays the exact request', async (t) => {
  const s = await startNoticeServer();
  const merchant = await receiver();
  t.after(async () => {
    await s.close();
    await merchant.close();
  });
  const a = await createApp(s, { postbackURL: `${merchant.url}/a`, chargebackURL: `${merchant.url}/a-cb` });
  const b = await createApp(s, { postbackURL: `${merchant.url}/b`, chargebackURL: `${merchant.url}/b-cb` });
  const buyer = await readyBuyer(s);
  const bought = [];
  for (let i = 0; i < 3; i++) bought.push(await buy(s, a, buyer));
  bought.push(await buy(s, b, buyer));
  await waitFor('four postbacks', () => merchant.received.length === 4);

  const all = await noticesOf(s, '');
  assert.equal(all.length, 4);
  assert.equal((await noticesOf(s, `appKey=${a.key}`)).length, 3);
  assert.equal((await noticesOf(s, `appKey=${b.key}&type=postback`)).length, 1);
  assert.equal((await noticesOf(s, 'type=chargeback')).length, 0);
  assert.equal((await noticesOf(s, `transactionID=${bought[1]!.transactionID}`))[0]!.purchaseId, bought[1]!.purchaseId);

  // Keyset pages: newest first, no overlap, no gap.
  const page1 = await s.api<{ items: { id: string }[]; nextCursor: string }>('GET', '/api/notices?limit=3');
  const page2 = await s.api<{ items: { id: string }[]; nextCursor: string | null }>('GET', `/api/notices?limit=3&cursor=${page1.body.nextCursor}`);
  assert.deepEqual([...page1.body.items, ...page2.body.items].map((n) => n.id), all.map((n) => n.id));
  assert.equal(page2.body.nextCursor, null);
  const badCursor = await s.api<ErrorBody>('GET', '/api/notices?cursor=nope');
  assert.equal(badCursor.body.error.code, 'validation_failed');

  const first = await settled(s, all[0]!.id, ['delivered']);
  assert.equal(first.notice.header.alg, 'HS256');
  assert.equal(first.notice.claims.jti, first.id);
  assert.equal(first.notice.claims.iss, 'paydesk');
  assert.equal(first.notice.claims.aud, first.appKey);

  // Copy as curl, then run it: the merchant receives the very same request.
  const curl = await s.api<{ curl: string; attempt: number }>('GET', `/api/notices/${first.id}/curl`);
  assert.equal(curl.body.attempt, 1);
  assert.match(curl.body.curl, /^curl -sS -i -X POST '/);
  const before = merchant.received.length;
  // Asynchronously: the merchant answering it lives in this process.
  const { stdout: out } = await promisify(execFile)('sh', ['-c', curl.body.curl], { encoding: 'utf8', timeout: WAIT_LIMIT_MS });
  assert.match(out, /^HTTP\/1\.1 200/);
  assert.ok(out.trimEnd().endsWith(first.transactionID!));
  const replayed = merchant.received[before]!;
  const original = first.attemptLog[0]!;
  assert.equal(replayed.body, original.request.body);
  for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']) assert.equal(replayed.headers[h], original.request.headers[h], h);
});

test('resend with an edited payload: a new notice, re-signed, linked to the original; a bad edit is refused', async (t) => {
  const { s, merchant, app } = await merchantStage(t, { postback: '/p', chargeback: '/c' });
  const buyer = await readyBuyer(s);
  const { transactionID } = await buy(s, app, buyer);
  const [orig] = await noticesOf(s, `transactionID=${transactionID}`);
  await settled(s, orig!.id, ['delivered']);
  const detail = await s.api<NoticeDetail>('GET', `/api/notices/${orig!.id}`);
  const request = { ...detail.body.payload.request, productData: 'edited=1' };

  const resent = await s.api<NoticeDetail>('POST', `/api/notices/${orig!.id}/resend`, { request });
  assert.equal(resent.status, 201, JSON.stringify(resent.body));
  assert.notEqual(resent.body.id, orig!.id);
  assert.equal(resent.body.parentId, orig!.id);
  assert.equal(resent.body.origin, 'resend');
  assert.equal(resent.body.seq, 2);
  const done = await settled(s, resent.body.id, ['delivered']);
  const sent = merchant.received.find((r) => r.headers['webhook-id'] === resent.body.id)!;
  const claims = claimsOf(sent.body);
  assert.equal((claims.request as { productData: string }).productData, 'edited=1');
  assert.equal(claims.jti, resent.body.id);
  assert.equal(claims.seq, 2);
  assert.equal(done.attemptLog[0]!.verdict, 'delivered');

  for (const [body, detailRe] of [
    [{ response: { transactionID: '', price: { amount: '1.99', currency: 'USD' } } }, /transactionID/],
    [{ response: { transactionID, price: { amount: 1.99, currency: 'USD' } } }, /price/],
    [{ response: { transactionID, price: { amount: '1.99', currency: 'USD' }, reason: 'refund' } }, /chargebacks only/],
  ] as const) {
    const bad = await s.api<ErrorBody>('POST', `/api/notices/${orig!.id}/resend`, body);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'notice_payload_invalid');
    assert.match(bad.body.error.detail!, detailRe);
  }
});

test('a test notice goes to the app\'s URL once and answers with the attempt', async (t) => {
  const { s, merchant, app } = await merchantStage(t, { postback: '/p', chargeback: '/c' });
  const r = await s.api<NoticeDetail>('POST', `/api/apps/${app.key}/test-notice`, {});
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.origin, 'test');
  assert.equal(r.body.status, 'delivered');
  assert.match(r.body.transactionID!, /^simulate:test_/);
  assert.equal(r.body.attemptLog.length, 1);
  assert.equal(merchant.received[0]!.url, '/p');
  const cb = await s.api<NoticeDetail>('POST', `/api/apps/${app.key}/test-notice`, { type: 'chargeback' });
  assert.equal(cb.body.type, 'chargeback');
  assert.equal(merchant.received[1]!.url, '/c');
  // A failing test notice is not retried: one attempt, failed, with the reason.
  merchant.behaviour = (_q, res) => { res.writeHead(404); res.end(); };
  const failed = await s.api<NoticeDetail>('POST', `/api/apps/${app.key}/test-notice`, { url: `${merchant.url}/nowhere` });
  assert.equal(failed.body.status, 'failed');
  assert.equal(failed.body.attemptLog[0]!.verdict, 'http_status');
  assert.equal(failed.body.attemptLog[0]!.url, `${merchant.url}/nowhere`);
  const missing = await s.api<ErrorBody>('POST', '/api/apps/app_nosuch/test-notice', {});
  assert.equal(missing.body.error.code, 'app_not_found');
});

test('provider-signed notices: EdDSA with a key published at /.well-known/jwks.json, rotated with overlap', async (t) => {
  const { s, merchant, app } = await merchantStage(t, { postback: '/p', chargeback: '/c' });
  const patched = await s.api<{ noticeSigning: string }>('PATCH', `/api/apps/${app.key}`, { noticeSigning: 'eddsa' });
  assert.equal(patched.body.noticeSigning, 'eddsa');
  const jwksURL = new URL(`${s.url}/.well-known/jwks.json`);
  const jwksRes = await fetch(jwksURL);
  assert.equal(jwksRes.status, 200);
  assert.equal(jwksRes.headers.get('content-type'), 'application/jwk-set+json');
  const jwks = (await jwksRes.json()) as JSONWebKeySet;
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0]!.d, undefined, 'never the private half');
  const buyer = await readyBuyer(s);

  await buy(s, app, buyer);
  const first = await waitFor('the first postback', () => merchant.received[0]);
  const jwt1 = new URLSearchParams(first.body).get('notice')!;
  assert.equal(decodeProtectedHeader(jwt1).alg, 'EdDSA');
  assert.equal(decodeProtectedHeader(jwt1).kid, jwks.keys[0]!.kid);
  // A third party with only the public JWKS can check it; the SDK does too.
  const remote = createRemoteJWKSet(jwksURL);
  await jwtVerify(jwt1, remote, { issuer: 'paydesk', audience: app.key, algorithms: ['EdDSA'] });
  const n1 = await verifyNotice(jwt1, { appKey: app.key, jwks });
  assert.equal(n1.typ, 'postback');

  // Rotate: the new key signs, the old one stays published for the overlap.
  const rotated = await s.api<{ items: { kid: string; state: string }[] }>('POST', '/api/provider-keys/rotate', { overlapSeconds: 3600 });
  assert.equal(rotated.status, 201);
  assert.deepEqual(rotated.body.items.map((k) => k.state), ['signing', 'published']);
  await buy(s, app, buyer);
  const second = await waitFor('the second postback', () => merchant.received[1]);
  const jwt2 = new URLSearchParams(second.body).get('notice')!;
  assert.equal(decodeProtectedHeader(jwt2).kid, rotated.body.items[0]!.kid);
  const after = (await (await fetch(jwksURL)).json()) as JSONWebKeySet;
  assert.deepEqual(after.keys.map((k) => k.kid).sort(), rotated.body.items.map((k) => k.kid).sort());
  await jwtVerify(jwt1, createLocalJWKSet(after), { issuer: 'paydesk', audience: app.key });
  await jwtVerify(jwt2, createLocalJWKSet(after), { issuer: 'paydesk', audience: app.key });

  // With no overlap, a rotated-out key leaves the JWKS at once.
  const again = await s.api<{ items: { kid: string; state: string }[] }>('POST', '/api/provider-keys/rotate', { overlapSeconds: 0 });
  const published = (await (await fetch(jwksURL)).json()) as JSONWebKeySet;
  assert.ok(!published.keys.some((k) => k.kid === rotated.body.items[0]!.kid));
  assert.equal(again.body.items.find((k) => k.kid === rotated.body.items[0]!.kid)!.state, 'expired');
  assert.equal((await fetch(jwksURL, { method: 'POST' })).status, 405);

  // Back to HMAC: notices are HS256 with the app secret again.
  await s.api('PATCH', `/api/apps/${app.key}`, { noticeSigning: 'hmac' });
  await buy(s, app, buyer);
  const third = await waitFor('the third postback', () => merchant.received[2]);
  assert.equal(decodeProtectedHeader(new URLSearchParams(third.body).get('notice')!).alg, 'HS256');
});

