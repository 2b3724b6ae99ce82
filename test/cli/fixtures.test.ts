// `paydesk fixtures run FILE`: docs/fixtures.example.json seeds a real Paydesk;
// a bad file is refused whole, with the step and a stable code, before anything runs.
// The server runs on the real clock: the command signs requests with the time of day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '../helpers/paydesk.ts';
import { startNoticeServer } from '../server/notices/helpers.ts';
import { paydesk, finished } from '../helpers/cli.ts';

const example = join(import.meta.dirname, '..', '..', 'docs', 'fixtures.example.json');

async function counts(t: TestServer) {
  return {
    apps: (await t.client.call('listApps')).items.length,
    buyers: (await t.client.call('listBuyers')).items.length,
    purchases: (await t.client.call('listPurchases')).items.length,
  };
}

test('fixtures run docs/fixtures.example.json: every step in order, progress per step, references resolved', async () => {
  const t = await startNoticeServer();
  try {
    const r = await finished(paydesk(['fixtures', 'run', example, '--data-dir', t.dataDir]));
    assert.equal(r.code, 0, r.output());
    assert.match(r.stdout(), /^\[1\/7\] app shop: key=app_\w+$/m);
    assert.match(r.stdout(), /^\[7\/7\] dispute saddle-dispute: id=ref_\w+$/m);
    assert.match(r.stdout(), /^Ran 7 steps of .*fixtures\.example\.json\.$/m);
    const apps = (await t.client.call('listApps')).items;
    assert.deepEqual(apps.map((a) => a.name), ['Elite Sparkle Pony']);
    const purchases = (await t.client.call('listPurchases')).items;
    assert.deepEqual(purchases.map((p) => [p.item.name, p.seller.appKey, p.buyer?.email, p.refundedAmount]).sort(), [
      ['Golden Saddle', apps[0]!.key, 'collector@example.com', 1200],
      ['Sparkle Pony', apps[0]!.key, 'pony.fan@example.com', 200],
    ]);

    const again = await finished(paydesk(['fixtures', 'run', example, '--json', '--data-dir', t.dataDir]));
    assert.equal(again.code, 0, again.output());
    const lines = again.jsonLines() as { step: number; id: string; do: string; result: Record<string, string> }[];
    assert.deepEqual(lines.map((l) => [l.step, l.do, l.id]), [
      [0, 'app', 'shop'], [1, 'buyer', 'fan'], [2, 'buyer', 'collector'], [3, 'purchase', 'sparkle'], [4, 'purchase', 'saddle'], [5, 'refund', 'sparkle-partial'], [6, 'dispute', 'saddle-dispute'],
    ]);
    assert.match(lines[0]!.result.key!, /^app_/);
    assert.equal(lines[4]!.result.id, (await t.client.call('getPurchase', { params: { id: lines[4]!.result.id! } })).id);
    assert.equal((await counts(t)).buyers, 2, 'a buyer step finds the buyer by email on a second run');
  } finally {
    await t.close();
  }
});

test('a bad fixtures file runs nothing: the step index, a stable code and what is wrong (exit 1)', async () => {
  const t = await startNoticeServer();
  try {
    const dir = t.dataDir;
    const file = (name: string, steps: unknown) => {
      const p = join(dir, `${name}.json`);
      writeFileSync(p, typeof steps === 'string' ? steps : JSON.stringify({ steps }));
      return p;
    };
    const app = { do: 'app', id: 'shop', name: 'Shop', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' };
    const buyer = { do: 'buyer', id: 'fan', email: 'fan@example.com', name: 'Fan' };
    const purchase = { do: 'purchase', id: 'p1', app: '$steps.shop.key', buyer: '$steps.fan.id', price: '1.00', currency: 'USD', item: { id: 'x', name: 'X', description: 'An x' } };
    const cases: [string, unknown, RegExp, string][] = [
      ['unknown-step', [app, buyer, { ...purchase, app: '$steps.shoop.key' }], /^steps\[2\] \(purchase "p1"\): app refers to "shoop", which is no earlier step's id\. Nothing was run/, 'fixture_reference'],
      ['later-step', [app, { ...purchase }, buyer], /^steps\[1\] \(purchase "p1"\): buyer refers to "fan", which is no earlier step's id/, 'fixture_reference'],
      ['wrong-kind', [app, buyer, { ...purchase, buyer: '$steps.shop.key' }], /^steps\[2\] \(purchase "p1"\): buyer refers to "shop", a app step, where a buyer step is needed/, 'fixture_reference'],
      ['bad-price', [app, buyer, { ...purchase, price: 'cheap' }], /^steps\[2\] \(purchase "p1"\): price: a decimal such as "4\.99"/, 'fixture_invalid'],
      ['unknown-do', [app, { do: 'teleport' }], /^steps\[1\] \(teleport\): /, 'fixture_invalid'],
      ['duplicate', [app, { ...app }], /^steps\[1\] \(app "shop"\): the id "shop" is already used/, 'fixture_duplicate_id'],
      ['not-json', '{"steps": [', /^The fixtures file is not JSON/, 'fixture_not_json'],
    ];
    for (const [name, steps, message, code] of cases) {
      const r = await finished(paydesk(['fixtures', 'run', file(name, steps), '--json', '--data-dir', t.dataDir]));
      assert.equal(r.code, 1, `${name}: ${r.output()}`);
      assert.match(r.stderr(), message, name);
      assert.equal((r.jsonLines()[0] as { error: { code: string } }).error.code, code, name);
    }
    const missing = await finished(paydesk(['fixtures', 'run', join(dir, 'nope.json'), '--data-dir', t.dataDir]));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr(), /Cannot read .*nope\.json \(ENOENT\)\. Nothing was run\./);
    assert.deepEqual(await counts(t), { apps: 0, buyers: 0, purchases: 0 }, 'nothing was run');
  } finally {
    await t.close();
  }
});

test('a step Paydesk refuses stops the run there: the step, its code, what was done (exit 3)', async () => {
  const t = await startNoticeServer();
  try {
    const p = join(t.dataDir, 'declines.json');
    writeFileSync(p, JSON.stringify({ steps: [
      { do: 'app', id: 'shop', name: 'Shop', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' },
      { do: 'buyer', id: 'fan', email: 'fan@example.com', name: 'Fan', card: 'decline' },
      { do: 'purchase', id: 'p1', app: '$steps.shop.key', buyer: '$steps.fan.id', price: '1.00', currency: 'USD', item: { id: 'x', name: 'X', description: 'An x' } },
      { do: 'refund', purchase: '$steps.p1.id' },
    ] }));
    const r = await finished(paydesk(['fixtures', 'run', p, '--data-dir', t.dataDir]));
    assert.equal(r.code, 3, r.output());
    assert.match(r.stderr(), /^steps\[2\] \(purchase "p1"\) failed: card_declined: .* Steps before it are done; none after it ran\.$/m);
    assert.equal((await t.client.call('listRefunds', { params: { id: (await t.client.call('listPurchases')).items[0]!.id } })).items.length, 0);
  } finally {
    await t.close();
  }
});
