// `paydesk export transactions|notices` through the bin against a real Paydesk:
// the rows the list API answers, as JSON to a file and CSV on stdout, the
// filters passed through, and refusals with their exit codes and nothing written.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, freshDataDir, readyBuyer, type CreatedApp } from '../helpers/paydesk.ts';
import { paydesk, finished } from '../helpers/cli.ts';
import { buy, echo, receiver, startNoticeServer, type NoticeTestServer, type Receiver } from '../server/notices/helpers.ts';

let t: NoticeTestServer;
let merchant: Receiver;
let app: CreatedApp;
let other: CreatedApp;
const bought: string[] = [];

before(async () => {
  t = await startNoticeServer();
  merchant = await receiver(echo);
  app = await createApp(t, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  other = await createApp(t, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  const buyer = await readyBuyer(t);
  for (const a of [app, app, other]) bought.push((await buy(t, a, buyer)).transactionID);
});
after(async () => {
  await t.close();
  await merchant.close();
});

const run = (...args: string[]) => finished(paydesk(['export', ...args, '--data-dir', t.dataDir]));

test('export transactions: JSON to a file holds what the list API answers, CSV on stdout has a header and a row each', async () => {
  const file = join(freshDataDir('export'), 'transactions.json');
  const r = await run('transactions', '--format', 'json', '--app', app.key, '--out', file, '--json');
  assert.equal(r.code, 0, r.output());
  assert.deepEqual(r.jsonLines(), [{ kind: 'transactions', format: 'json', rows: 2, total: 2, file }]);
  const listed = await t.client.call('listTransactions', { query: { appKey: app.key } });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(listed.items)));
  assert.ok(!existsSync(`${file}.partial`), 'no partial file is left');

  const csv = await run('transactions');
  assert.equal(csv.code, 0, csv.output());
  const lines = csv.stdout().trim().split(/\r?\n/);
  assert.equal(lines.length, 1 + bought.length, csv.stdout());
  for (const txn of bought) assert.ok(lines.some((l) => l.includes(txn)), `${txn} is exported`);
});

test('export notices: the date filter is passed through', async () => {
  const all = await run('notices', '--format', 'json');
  assert.equal(all.code, 0, all.output());
  assert.equal((JSON.parse(all.stdout()) as unknown[]).length, 3, 'one postback per purchase');
  const none = await run('notices', '--format', 'json', '--from', '2999-01-01');
  assert.equal(none.code, 0, none.output());
  assert.deepEqual(JSON.parse(none.stdout()), []);
});

test('export refusals: a bad kind, format or date is a usage error (1); a filter Paydesk refuses is 3, and no file is written', async () => {
  for (const args of [['payouts'], ['transactions', '--format', 'xml'], ['transactions', '--from', 'last week'], ['transactions', '--json']]) {
    const r = await run(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.output()}`);
  }
  const file = join(freshDataDir('export'), 'short.csv');
  const short = await run('transactions', '--q', 'ab', '--out', file, '--json');
  assert.equal(short.code, 3, short.output());
  assert.equal((short.jsonLines()[0] as { error: { code: string } }).error.code, 'search_too_short');
  assert.ok(!existsSync(file) && !existsSync(`${file}.partial`), 'nothing is written');
});
