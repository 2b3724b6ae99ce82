// `paydesk trigger <scenario>` against a real Paydesk and a merchant receiver on
// 127.0.0.1, run through the bin as a user runs it: what it prints, its --json
// document, its exit code, and what the merchant really received.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../helpers/paydesk.ts';
import { paydesk, finished } from '../helpers/cli.ts';
import { claimsOf, echo, receiver, startNoticeServer, type NoticeTestServer, type Receiver } from '../server/notices/helpers.ts';

let t: NoticeTestServer;
let merchant: Receiver;
let appKey: string;

before(async () => {
  t = await startNoticeServer();
  merchant = await receiver(echo);
  appKey = (await createApp(t, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` })).key;
});
after(async () => {
  await t.close();
  await merchant.close();
});

interface TriggerDoc {
  scenario: string; ok: boolean;
  purchase: { id: string; status: string; transactionID?: string | null };
  refund?: { id: string; kind: string; amount: { amount: number } };
  notice?: { id: string; type: string; verdict: string; attempt: number };
  declined?: { code: string };
}

async function trigger(scenario: string, ...more: string[]) {
  return finished(paydesk(['trigger', scenario, '--app', appKey, '--data-dir', t.dataDir, ...more]));
}

test('trigger purchase: signed, confirmed, the postback delivered to the merchant; the verdict printed, exit 0', async () => {
  const before = merchant.received.length;
  const r = await trigger('purchase');
  assert.equal(r.code, 0, r.output());
  assert.match(r.stdout(), /^Purchase pur_\w+ for app app_\w+ \(2\.00 USD\); confirming as paydesk-cli@example\.com\.\.\.$/m);
  assert.match(r.stdout(), /^The postback ntc_\w+ was delivered \(attempt 1\)\.$/m);
  const got = merchant.received.slice(before);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.url, '/postback');
  const txn = /Completed: transaction (txn_\w+)\./.exec(r.stdout())![1];
  assert.equal((claimsOf(got[0]!.body).response as { transactionID: string }).transactionID, txn);
});

test('trigger --json: one document on stdout, the sentences on stderr', async () => {
  const r = await trigger('purchase', '--json');
  assert.equal(r.code, 0, r.output());
  const [doc, ...rest] = r.jsonLines() as TriggerDoc[];
  assert.deepEqual(rest, []);
  assert.equal(doc!.ok, true);
  assert.equal(doc!.purchase.status, 'completed');
  assert.equal(doc!.notice!.verdict, 'delivered');
  assert.match(r.stderr(), /confirming as/);
});

for (const [scenario, code, status] of [['declined', 'card_declined', 'declined'], ['insufficient-funds', 'card_insufficient_funds', 'declined'], ['processor-error', 'processor_error', 'pending']] as const) {
  test(`trigger ${scenario}: the purchase is refused with ${code}, as asked (exit 0), and is ${status}; no notice`, async () => {
    const before = merchant.received.length;
    const r = await trigger(scenario, '--json');
    assert.equal(r.code, 0, r.output());
    const doc = r.jsonLines()[0] as TriggerDoc;
    assert.equal(doc.declined!.code, code);
    assert.equal(doc.purchase.status, status);
    assert.equal((await t.client.call('getPurchase', { params: { id: doc.purchase.id } })).status, status);
    assert.equal(merchant.received.length, before);
  });
}

for (const [scenario, kind, amount] of [['refund', 'refund', 200], ['partial-refund', 'refund', 100], ['dispute', 'reversal', 200]] as const) {
  test(`trigger ${scenario}: a purchase, then a ${kind} of ${amount}, and its chargeback delivered`, async () => {
    const r = await trigger(scenario, '--json');
    assert.equal(r.code, 0, r.output());
    const doc = r.jsonLines()[0] as TriggerDoc;
    assert.equal(doc.refund!.kind, kind);
    assert.equal(doc.refund!.amount.amount, amount);
    assert.equal(doc.notice!.type, 'chargeback');
    assert.equal(doc.notice!.verdict, 'delivered');
    const refunds = await t.client.call('listRefunds', { params: { id: doc.purchase.id } });
    assert.deepEqual(refunds.items.map((x) => [x.kind, x.amount.amount]), [[kind, amount]]);
    const chargeback = merchant.received.find((x) => x.url === '/chargeback' && (claimsOf(x.body).response as { transactionID: string }).transactionID === doc.purchase.transactionID);
    assert.ok(chargeback, 'the merchant received the chargeback');
  });
}

for (const [scenario, type] of [['simulate-postback', 'postback'], ['simulate-chargeback', 'chargeback']] as const) {
  test(`trigger ${scenario}: a simulated purchase (no sale counted) and its ${type}`, async () => {
    const sales = (await t.client.call('getApp', { params: { key: appKey } })).sales;
    const r = await trigger(scenario, '--json');
    assert.equal(r.code, 0, r.output());
    const doc = r.jsonLines()[0] as TriggerDoc;
    assert.equal(doc.notice!.type, type);
    assert.match(doc.purchase.transactionID!, /^simulate:/);
    assert.equal((await t.client.call('getApp', { params: { key: appKey } })).sales, sales);
  });
}

test('trigger purchase when the merchant answers 500: the verdict and what to do, exit 3', async () => {
  merchant.behaviour = (_req, res) => res.writeHead(500).end('down');
  try {
    const r = await trigger('purchase');
    assert.equal(r.code, 3, r.output());
    assert.match(r.stdout(), /The postback ntc_\w+ was not delivered: http_status: .*Paydesk retries it; fix the app's endpoint, then redeliver it/);
  } finally {
    merchant.behaviour = echo;
  }
});

test('trigger refuses an unknown scenario or app, and asks for --app when several are active (exit 1)', async () => {
  const unknown = await finished(paydesk(['trigger', 'refund-twice', '--data-dir', t.dataDir]));
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr(), /Unknown scenario "refund-twice": one of purchase, declined/);
  const noApp = await finished(paydesk(['trigger', 'purchase', '--app', 'app_nope', '--data-dir', t.dataDir, '--json']));
  assert.equal(noApp.code, 1);
  assert.deepEqual((noApp.jsonLines()[0] as { error: { code: string } }).error.code, 'app_not_found');
  await createApp(t, { name: 'Second Store' });
  const several = await finished(paydesk(['trigger', 'purchase', '--data-dir', t.dataDir]));
  assert.equal(several.code, 1);
  assert.match(several.stderr(), /Pass --app KEY: this Paydesk has \d+ active apps/);
});
