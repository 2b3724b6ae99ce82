// The notice address guard through real parts: a Paydesk on 127.0.0.1 and its
// console and public APIs. Every way to write a notice address (app registration
// and edit, a payment request's URLs, a test notice, a redelivery, a resend) and
// the send-time check after DNS go through the same rules, and no notice ever
// reaches Paydesk's own port: a diagnostics channel sees every request the
// server takes, and none of them may carry a webhook-id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { count, errorCode, freePort, freshDataDir, pay } from '../../helpers/paydesk.ts';
import {
  buy, createApp, noticesOf, notice, readyBuyer, receiver, settled, signRequest, ponyRequest, startNoticeServer, waitFor, type NoticeTestServer,
} from './helpers.ts';

type ErrorBody = { error?: { code?: string; field?: string; reason?: string } };

/** Notices (requests with a webhook-id) that reached this port, for as long as the test runs. */
function noticesArrivingAt(t: { after(fn: () => void): void }, port: () => number): IncomingMessage[] {
  const seen: IncomingMessage[] = [];
  const onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.socket.localPort === port() && request.headers['webhook-id'] !== undefined) seen.push(request);
  };
  subscribe('http.server.request.start', onRequest);
  t.after(() => unsubscribe('http.server.request.start', onRequest));
  return seen;
}

/** Paydesk itself in the spellings URL parsing normalises, and addresses that are never a merchant. */
function forbiddenURLs(port: number): string[] {
  return [
    `http://[::ffff:127.0.0.1]:${port}/api/apps`, `http://[::ffff:7f00:1]:${port}/api/apps`, `http://[::127.0.0.1]:${port}/api/apps`,
    `http://[64:ff9b::127.0.0.1]:${port}/api/apps`, `http://2130706433:${port}/api/apps`, `http://0x7f.1:${port}/api/apps`,
    `http://0177.0.0.1:${port}/api/apps`, `http://127.1:${port}/api/apps`, `http://127.0.0.2:${port}/api/apps`, `http://[::1]:${port}/api/apps`,
    'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/latest/meta-data/', 'http://[::ffff:169.254.169.254]/',
    'http://169.254.10.20:8080/p', 'http://[fe80::1]:8080/p', 'http://0.0.0.0:8080/p', 'http://[::]:8080/p', 'http://224.0.0.1/p', 'http://255.255.255.255/p',
  ];
}

function assertForbidden(r: { status: number; body: unknown }, field: string, what: string) {
  const e = (r.body as ErrorBody).error;
  assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(e?.code, 'notice_target_forbidden', what);
  assert.equal(e?.field, field, what);
  assert.ok(e?.reason && e.reason.length > 10, what);
}

test('registering or editing an app: a notice URL at Paydesk itself (any spelling), link-local or metadata is refused with a code; names and other loopback ports are accepted', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const base = { name: 'Guarded shop', homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' };
  const app = await createApp(s);
  for (const url of forbiddenURLs(s.server.port)) {
    assertForbidden(await s.api('POST', '/api/apps', { ...base, postbackURL: url }), 'postbackURL', `create ${url}`);
    assertForbidden(await s.api('POST', '/api/apps', { ...base, chargebackURL: url }), 'chargebackURL', `create ${url}`);
    assertForbidden(await s.api('PATCH', `/api/apps/${app.key}`, { postbackURL: url }), 'postbackURL', `edit ${url}`);
    assertForbidden(await s.api('POST', `/api/apps/${app.key}/test-notice`, { url }), 'url', `test notice ${url}`);
  }
  assert.equal(count(s, 'apps'), 1, 'nothing was registered');
  assert.equal(count(s, 'notices'), 0, 'no test notice was queued');
  const kept = await s.api<{ postbackURL: string }>('GET', `/api/apps/${app.key}`);
  assert.equal(kept.body.postbackURL, 'http://127.0.0.1:9/postback', 'a refused edit changes nothing');

  // Loopback on another port is a merchant developing locally; a name is judged when the notice is sent.
  const other = await freePort();
  for (const url of [`http://[::1]:${other}/p`, `http://localhost:${s.server.port}/p`, 'http://merchant.example/p', 'http://192.168.1.20:8080/p']) {
    const r = await s.api('POST', '/api/apps', { ...base, postbackURL: url });
    assert.equal(r.status, 201, `${url}: ${JSON.stringify(r.body)}`);
  }
  const spelled = await s.api<{ app: { postbackURL: string } }>('POST', '/api/apps', { ...base, postbackURL: `http://2130706433:${other}/p` });
  assert.equal(spelled.body.app.postbackURL, `http://127.0.0.1:${other}/p`, 'stored as parsed, the form the send-time check sees');
});

test('a payment request whose postbackURL or chargebackURL is Paydesk itself, link-local or metadata is refused before anything is written', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const app = await createApp(s);
  for (const url of forbiddenURLs(s.server.port)) {
    for (const field of ['postbackURL', 'chargebackURL']) {
      const jwt = await signRequest(app, { request: { ...ponyRequest, [field]: url } });
      const r = await pay(s, jwt);
      assertForbidden(r, field, `${field} ${url}`);
      // The Request lab's dry run gives the same verdict.
      const lab = await s.api<{ accepted: boolean; error: { code: string } | null }>('POST', '/api/requests/verify', { jwt });
      assert.equal(lab.body.error?.code, 'notice_target_forbidden', `dry run ${url}`);
    }
  }
  assert.equal(count(s, 'purchases'), 0);
  assert.equal(count(s, 'notices'), 0);
});

test('send time: a name that resolves to Paydesk (localhost on its port) is refused after DNS, recorded as forbidden_target with the reason, on the first send, a redelivery, a resend and a test notice', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const arrived = noticesArrivingAt(t, () => s.server.port);
  const buyer = await readyBuyer(s);
  const app = await createApp(s, { postbackURL: `http://localhost:${s.server.port}/api/apps`, chargebackURL: `http://localhost:${s.server.port}/api/apps` });
  await buy(s, app, buyer);
  const [first] = await noticesOf(s, `appKey=${app.key}`);
  const assertRefused = (n: Awaited<ReturnType<typeof notice>>, attempts: number) => {
    assert.equal(n.status, 'failed');
    assert.equal(n.attemptLog.length, attempts);
    const last = n.attemptLog.at(-1)!;
    assert.equal(last.verdict, 'forbidden_target');
    assert.match(last.reason!, /^localhost resolves to \S+: .*Paydesk itself/);
    assert.equal(last.response, null, 'no answer: nothing was sent');
  };
  assertRefused(await settled(s, first!.id, ['failed']), 1);

  const redelivered = await s.api('POST', `/api/notices/${first!.id}/redeliver`);
  assert.equal(redelivered.status, 200, 'a name passes up front: it is judged when sent');
  assertRefused(await waitFor('the redelivery to be recorded', async () => {
    const n = await notice(s, first!.id);
    return n.status === 'failed' && n.attemptLog.length === 2 ? n : undefined;
  }), 2);

  const resent = await s.api<{ id: string }>('POST', `/api/notices/${first!.id}/resend`, {});
  assert.equal(resent.status, 201);
  assertRefused(await settled(s, resent.body.id, ['failed']), 1);

  const tested = await s.api<{ id: string }>('POST', `/api/apps/${app.key}/test-notice`, {});
  assert.equal(tested.status, 201);
  assertRefused(await notice(s, tested.body.id), 1);

  assert.deepEqual(arrived, [], 'no notice reached Paydesk\'s own port');
});

test('Paydesk restarted on the port a merchant used: redelivery, resend and test notices there are refused up front, and new notices at send time, never reaching Paydesk', async (t) => {
  const dataDir = freshDataDir('guard');
  const port = await freePort();
  const merchant = await receiver();
  let s: NoticeTestServer = await startNoticeServer({ dataDir });
  t.after(async () => {
    await s.close();
    await merchant.close();
  });
  // While Paydesk listens elsewhere, the port is just a merchant's loopback port (down right now).
  const app = await createApp(s, { postbackURL: `http://127.0.0.1:${port}/p`, chargebackURL: `http://127.0.0.1:${port}/c` });
  const buyer = await readyBuyer(s);
  await buy(s, app, buyer, { ...ponyRequest, postbackURL: `http://[::ffff:127.0.0.1]:${port}/api/apps` });
  const [old] = await noticesOf(s, `appKey=${app.key}`);
  await waitFor('the first attempt to the merchant who is down', async () => (await notice(s, old!.id)).attempts >= 1);
  await s.close();

  s = await startNoticeServer({ dataDir, port });
  const arrived = noticesArrivingAt(t, () => port);
  const redelivered = await s.api<ErrorBody>('POST', `/api/notices/${old!.id}/redeliver`);
  // The field names the URL refused: the purchase's request named its own, which overrides the app's.
  assertForbidden(redelivered, 'request.postbackURL', 'redeliver');
  assert.match(redelivered.body.error!.reason!, /carries the IPv4 address 127\.0\.0\.1|loopback.*Paydesk itself/);
  assertForbidden(await s.api('POST', `/api/notices/${old!.id}/resend`, {}), 'request.postbackURL', 'resend');
  assertForbidden(await s.api('POST', `/api/notices/${old!.id}/redeliver`, { to: 'app' }), 'postbackURL', 'redeliver to the app\'s URL');
  assertForbidden(await s.api('POST', `/api/notices/${old!.id}/redeliver`, { url: `http://127.0.0.1:${port}/p` }), 'url', 'redeliver to another URL');
  assertForbidden(await s.api('POST', `/api/apps/${app.key}/test-notice`, {}), 'url', 'test notice to the app\'s URL');

  // A purchase made now takes the app's registered URL, which is Paydesk's port today: refused when sent.
  const { purchaseId } = await buy(s, app, buyer);
  const [fresh] = await noticesOf(s, `q=${purchaseId}`);
  const done = await settled(s, fresh!.id, ['failed']);
  assert.deepEqual(done.attemptLog.map((a) => a.verdict), ['forbidden_target']);
  assert.match(done.attemptLog[0]!.reason!, /127\.0\.0\.1 is a loopback address \(this machine\), and port \d+ there is Paydesk itself/);
  // The old notice's remaining retries, if any, meet the same check.
  await settled(s, old!.id, ['failed']);
  assert.deepEqual(arrived, [], 'no notice reached Paydesk\'s own port');
  assert.equal(errorCode(await s.api('POST', `/api/notices/${old!.id}/redeliver`)), 'notice_target_forbidden');
});
