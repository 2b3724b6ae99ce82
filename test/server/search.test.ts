// Search by parts of values (issue 15): through the real server and a real ledger.db,
// each kind of fragment the search box takes, what it must not find, text that is FTS5
// syntax, text too short to search, and both ways a search runs (the trigram index
// names the few rows holding a rare piece; a text in many rows is checked newest first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, ponyRequest, pay, readyBuyer, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

interface Page { items: { id: string; transactionID: string | null; appKey: string; buyerEmail: string | null; item: { productData: string } }[]; nextCursor: string | null }

let t: TestServer;
let shop: CreatedApp;
let other: CreatedApp;
/** Purchases by their productData: order-1000 … order-1005, with the buyer who confirmed each. */
const made: { id: string; code: string; transactionID: string | null; productData: string; appKey: string; email: string | null }[] = [];

const search = async (q: string, extra = '') => t.api<Page>('GET', `/api/transactions?q=${encodeURIComponent(q)}${extra}`);
const ids = (r: { body: Page }) => r.body.items.map((x) => x.id).sort();
const idsOf = (pred: (m: (typeof made)[number]) => boolean) => made.filter(pred).map((m) => m.id).sort();

before(async () => {
  t = await startTestServer({ startAt: Date.UTC(2026, 10, 1, 12) });
  shop = await createApp(t, { name: 'Shop' });
  other = await createApp(t, { name: 'Other' });
  const ana = { ...await readyBuyer(t, { email: 'ana.smith@example.com' }), email: 'ana.smith@example.com' };
  const bob = { ...await readyBuyer(t, { email: 'bob.jones@example.org' }), email: 'bob.jones@example.org' };
  for (let i = 0; i < 6; i++) {
    t.clock.advance(60_000);
    const app = i < 4 ? shop : other;
    const productData = `{"orderId":"ord-ABC-${1000 + i}","note":"gift"}`;
    const r = await pay(t, await signRequest(app, { now: t.clock.now, request: { ...ponyRequest, productData } }));
    const buyer = i === 5 ? undefined : i % 2 === 0 ? ana : bob;
    let transactionID: string | null = null;
    if (buyer) {
      await t.client.call('signIn', { body: { buyerId: buyer.id } });
      transactionID = (await t.api<{ transactionID: string }>('POST', `/api/purchases/${r.body.id}/confirm`, { pin: buyer.pin })).body.transactionID;
    }
    const code = (await t.api<{ code: string }>('GET', `/api/purchases/${r.body.id}`)).body.code;
    made.push({ id: r.body.id as string, code, transactionID, productData, appKey: app.key, email: buyer?.email ?? null });
  }
});
after(() => t.close());

test('an order id inside productData is found by any part of it, and only its purchase', async () => {
  const target = made[3]!;
  assert.deepEqual(ids(await search('ABC-1003')), [target.id]);
  assert.deepEqual(ids(await search('c-1003"')), [target.id], 'a quote in the text is searched for as written');
  assert.deepEqual(ids(await search('abc-100')), idsOf(() => true), 'case does not matter, and a common part finds them all');
});

test('part of an email finds that buyer\'s purchases only', async () => {
  assert.ok(made.some((m) => m.email?.startsWith('ana')) && made.some((m) => m.email?.startsWith('bob')));
  assert.deepEqual(ids(await search('ana.smi')), idsOf((m) => m.email === 'ana.smith@example.com'));
  assert.deepEqual(ids(await search('jones@')), idsOf((m) => m.email === 'bob.jones@example.org'));
  assert.deepEqual(ids(await search('example.org')), idsOf((m) => m.email === 'bob.jones@example.org'));
});

test('a confirmation code is found with its dash, without it, and by a part of either', async () => {
  const target = made[1]!;
  assert.match(target.code, /^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
  for (const q of [target.code, target.code.replace('-', ''), target.code.toLowerCase(), target.code.slice(1, 6), target.code.replace('-', '').slice(2)]) {
    assert.ok(ids(await search(q)).includes(target.id), `${q} finds ${target.code}`);
  }
});

test('any id prefix finds its purchase: the purchase id or the transaction id', async () => {
  const target = made[2]!;
  assert.deepEqual(ids(await search(target.id.slice(0, 14))), [target.id]);
  assert.deepEqual(ids(await search(target.transactionID!.slice(0, 14))), [target.id]);
  assert.deepEqual(ids(await search(target.transactionID!)), [target.id]);
  assert.deepEqual(ids(await search(target.id.slice(4, 14))), [], 'the middle of an id is no prefix (ids are not in the trigram index)');
});

test('a search stays inside the other filters: another app\'s or buyer\'s purchases are not found', async () => {
  assert.deepEqual(ids(await search('ABC-100', `&appKey=${other.key}`)), idsOf((m) => m.appKey === other.key));
  assert.deepEqual(ids(await search('ana.smith', `&appKey=${other.key}`)), idsOf((m) => m.appKey === other.key && m.email === 'ana.smith@example.com'));
  assert.deepEqual(ids(await search('ABC-1005', `&appKey=${shop.key}`)), []);
  assert.deepEqual(ids(await search('ABC-100', '&status=pending')), idsOf((m) => m.transactionID === null));
});

test('the index follows the purchase in its own transaction: the buyer\'s email is found once they confirm', async () => {
  t.clock.advance(60_000);
  const r = await pay(t, await signRequest(shop, { now: t.clock.now, request: { ...ponyRequest, productData: 'late-order-77' } }));
  const carol = await readyBuyer(t, { email: 'carol.late@example.net' });
  assert.deepEqual(ids(await search('carol.late')), [], 'pending: no buyer yet');
  assert.deepEqual(ids(await search('late-order-77')), [r.body.id]);
  await t.api('POST', `/api/purchases/${r.body.id}/confirm`, { pin: carol.pin });
  assert.deepEqual(ids(await search('carol.late')), [r.body.id]);
});

test('text that is FTS5 or LIKE syntax is searched for as written and never fails', async () => {
  for (const q of ['"""', '"x"y', '***', 'NEAR(a b)', 'a OR b', '-nothing', 'ord*', '^ord', 'email:ana', '(((', 'AND', 'NOT gift', '%%%', '___', "'; DROP", '\\\\\\', 'ABC-100*', '{code}: x']) {
    const r = await search(q);
    assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
    assert.deepEqual(r.body.items, [], `${q} matches nothing here`);
  }
  assert.equal((await search('"gift"')).body.items.length, made.length, 'quotes are part of the text: "gift" with its quotes is in every productData');
});

test('text under three characters is refused with search_too_short; blank text lists everything', async () => {
  for (const q of ['ab', ' a ', 'é1']) {
    const r = await search(q);
    assert.equal(errorCode(r), 'search_too_short', q);
    assert.equal(r.status, 400);
    assert.equal((r.body as unknown as { error: { minimum: number } }).error.minimum, 3);
  }
  assert.equal((await search('   ')).body.items.length, made.length + 1);
});

test('at a few thousand rows both ways agree: a rare fragment through the index, a text in every row newest first', async () => {
  // Bulk rows by SQL, like the benchmark's seed (through purchases' own triggers, so the index has them).
  const { ctx } = t.server.services;
  const base = made[0]!;
  const row = ctx.db.prepare('SELECT * FROM purchases WHERE id = ?').get(base.id) as Record<string, unknown>;
  const insert = ctx.db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency,
      postback_url, chargeback_url, request_json, created_at, expires_at, updated_at)
    VALUES (@id, @app_key, 'ZZZ-ZZZ', 'cancelled', 'pony-bulk', @name, @description, @product_data, 199, 'USD', @postback_url, @chargeback_url, '{}', @at, @at, @at)`);
  ctx.db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run({ ...row, id: `pur_bulk${String(i).padStart(5, '0')}`, product_data: `bulk-${i}-gift`, at: Date.UTC(2026, 9, 1) + i * 1000 });
  })();
  // Rare: one row of 3000 holds "bulk-1234-"; the index names it.
  assert.deepEqual(ids(await search('bulk-1234-')), ['pur_bulk01234']);
  // Common: "gift" is in every row; the page is the newest 50, and the next page goes on from there.
  const first = await search('gift', '&limit=50');
  assert.equal(first.body.items.length, 50);
  assert.deepEqual(first.body.items.slice(0, made.length).map((x) => x.id).sort(), idsOf(() => true), 'the newest purchases come first');
  assert.equal(first.body.items[made.length]!.id, 'pur_bulk02999');
  const next = await t.api<Page>('GET', `/api/transactions?q=gift&limit=50&cursor=${first.body.nextCursor}`);
  assert.equal(next.body.items[0]!.id, `pur_bulk0${2999 - (50 - made.length)}`);
  assert.equal((await search('bulk-', '&limit=200')).body.items.length, 200);
  ctx.db.prepare("DELETE FROM purchases WHERE id LIKE 'pur_bulk%'").run();
  assert.deepEqual(ids(await search('bulk-1234-')), [], 'a deleted row leaves the index');
});
