// `paydesk notices list|show|redeliver|cancel|retry-failed` against a real
// Paydesk and a merchant receiver on 127.0.0.1, through the bin: a notice fails
// (the app's URL points where nothing listens), the app's URL is fixed, the
// notice redelivered and delivered; a failed one cancelled, the rest retried in
// bulk; what each prints, its --json document and its exit code.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, readyBuyer, type CreatedApp } from '../helpers/paydesk.ts';
import { paydesk, finished } from '../helpers/cli.ts';
import { buy, echo, noticesOf, receiver, settled, startNoticeServer, type NoticeTestServer, type Receiver } from '../server/notices/helpers.ts';

let t: NoticeTestServer;
let merchant: Receiver;
let app: CreatedApp;

before(async () => {
  t = await startNoticeServer();
  merchant = await receiver(echo);
  app = await createApp(t, { postbackURL: 'http://127.0.0.1:9/postback', chargebackURL: 'http://127.0.0.1:9/chargeback' });
});
after(async () => {
  await t.close();
  await merchant.close();
});

const run = (...args: string[]) => finished(paydesk(['notices', ...args, '--data-dir', t.dataDir]));

test('notices: a failed notice listed and shown, redelivered to the fixed app URL, cancel and retry-failed, with exit codes', async () => {
  const { purchaseId } = await buy(t, app, await readyBuyer(t));
  const [n] = await noticesOf(t, `q=${purchaseId}`);
  await settled(t, n!.id, ['failed']);
  const tests: string[] = [];
  for (let i = 0; i < 2; i++) tests.push((await t.api<{ id: string }>('POST', `/api/apps/${app.key}/test-notice`, {})).body.id);

  const list = await run('list', '--app', app.key, '--status', 'failed', '--json');
  assert.equal(list.code, 0, list.output());
  assert.deepEqual((list.jsonLines()[0] as { items: { id: string }[] }).items.map((i) => i.id).sort(), [n!.id, ...tests].sort());
  const text = await run('list', '--app', app.key);
  assert.match(text.stdout(), new RegExp(`^${n!.id}  postback   failed .*http://127\\.0\\.0\\.1:9/postback \\(app's URL\\)$`, 'm'));
  const show = await run('show', n!.id);
  assert.equal(show.code, 0, show.output());
  assert.match(show.stdout(), /^ {2}#1 \S+ {2}connect_refused .* http:\/\/127\.0\.0\.1:9\/postback \(app's URL\)$/m);

  assert.equal((await t.api('PATCH', `/api/apps/${app.key}`, { postbackURL: `${merchant.url}/postback` })).status, 200);
  const redeliver = await run('redeliver', n!.id);
  assert.equal(redeliver.code, 0, redeliver.output());
  assert.match(redeliver.stdout(), new RegExp(`^Redelivery of ${n!.id} queued to ${merchant.url}/postback \\(app's URL\\)`));
  await settled(t, n!.id, ['delivered']);
  assert.equal(merchant.received.filter((r) => r.headers['webhook-id'] === n!.id).length, 1);

  // Refusals exit 3 with the server's code: a delivered notice cannot be cancelled; a metadata address never receives one.
  const delivered = await run('cancel', n!.id, '--json');
  assert.equal(delivered.code, 3);
  assert.equal((delivered.jsonLines()[0] as { error: { code: string } }).error.code, 'notice_delivered_not_cancellable');
  const metadata = await run('redeliver', n!.id, '--to', 'http://169.254.169.254/latest/');
  assert.equal(metadata.code, 3);
  assert.match(metadata.stderr(), /notice_target_forbidden/);
  const bad = await run('list', '--status', 'lost');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr(), /--status is one of pending, delivered, failed, cancelled/);

  const cancel = await run('cancel', tests[0]!, '--json');
  assert.equal(cancel.code, 0, cancel.output());
  assert.equal((cancel.jsonLines()[0] as { status: string }).status, 'cancelled');

  const retry = await run('retry-failed', '--app', app.key, '--json');
  assert.equal(retry.code, 0, retry.output());
  const docs = retry.jsonLines() as { progress?: { delivered: number }; queued?: number; delivered?: number; failed?: number; finished?: boolean }[];
  assert.ok(docs.some((d) => d.progress), 'progress lines');
  assert.deepEqual([docs.at(-1)!.queued, docs.at(-1)!.delivered, docs.at(-1)!.failed, docs.at(-1)!.finished], [1, 1, 0, true]);
  assert.match(retry.stderr(), /^Retrying 1 failed notice\(s\) \(job nrt_\w+\)\.\.\.$/m);
  assert.equal((await settled(t, tests[1]!, ['delivered'])).status, 'delivered');
  assert.equal((await noticesOf(t, `q=${tests[0]}`))[0]!.status, 'cancelled', 'the cancelled notice stays cancelled');
  const nothing = await run('retry-failed', '--app', app.key);
  assert.equal(nothing.code, 0);
  assert.match(nothing.stdout(), /No failed notice matches: nothing to retry\.\nDone: 0 queued/);
});
