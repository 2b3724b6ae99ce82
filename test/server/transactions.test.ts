import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, ponyRequest, pay, readyBuyer, freshDataDir, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';

let t: TestServer;
let shop: CreatedApp;
let other: CreatedApp;
let buyer: Awaited<ReturnType<typeof readyBuyer>>;
const completed: string[] = [];

interface Page { items: { id: string; transactionID: string | null; status: string; appKey: string; buyerEmail: string | null; createdAt: string }[]; nextCursor: string | null }

before(async () => {
  t = await startTestServer({ startAt: Date.UTC(2026, 10, 1, 12) });
  shop = await createApp(t);
  other = await createApp(t, { name: 'Other' });
  buyer = await readyBuyer(t, { email: 'ana@example.com' });
  for (let i = 0; i < 12; i++) {
    t.clock.advance(60_000);
    const app = i % 3 === 0 ? other : shop;
    const r = await pay(t, await signRequest(app, { now: t.clock.now, request: { ...ponyRequest, productData: `order-${i}` } }));
    if (i % 2 === 0) {
      const c = await t.api<{ transactionID: string }>('POST', `/api/purchases/${r.body.id}/confirm`, { pin: buyer.pin });
      completed.push(c.body.transactionID);
    }
  }
});
after(() => t.close());

test('keyset pages walk every transaction once, newest first', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: { body: Page } = await t.api<Page>('GET', `/api/transactions?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...r.body.items.map((x) => x.id));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.equal(seen.length, 12);
  assert.equal(new Set(seen).size, 12);
  const all = await t.api<Page>('GET', '/api/transactions?limit=200');
  assert.deepEqual(all.body.items.map((x) => x.id), seen);
  const times = all.body.items.map((x) => Date.parse(x.createdAt));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('filters: app, status, date range, and text (transaction id, productData, buyer email)', async () => {
  const byApp = await t.api<Page>(`GET`, `/api/transactions?appKey=${other.key}`);
  assert.equal(byApp.body.items.length, 4);
  assert.ok(byApp.body.items.every((x) => x.appKey === other.key));
  const done = await t.api<Page>('GET', '/api/transactions?status=completed');
  assert.equal(done.body.items.length, 6);
  const pendingOther = await t.api<Page>(`GET`, `/api/transactions?status=pending&appKey=${shop.key}`);
  assert.ok(pendingOther.body.items.every((x) => x.status === 'pending' && x.appKey === shop.key));
  const from = new Date(Date.UTC(2026, 10, 1, 12, 3)).toISOString();
  const to = new Date(Date.UTC(2026, 10, 1, 12, 6)).toISOString();
  const range = await t.api<Page>('GET', `/api/transactions?from=${from}&to=${to}`);
  assert.equal(range.body.items.length, 3, 'minutes 3, 4 and 5');
  const byTxn = await t.api<Page>('GET', `/api/transactions?q=${completed[2]}`);
  assert.deepEqual(byTxn.body.items.map((x) => x.transactionID), [completed[2]]);
  const byData = await t.api<Page>('GET', '/api/transactions?q=order-7');
  assert.equal(byData.body.items.length, 1);
  const byEmail = await t.api<Page>('GET', '/api/transactions?q=ana@example.com');
  assert.equal(byEmail.body.items.length, 6);
  assert.equal((await t.api<Page>('GET', '/api/transactions?q=nothing-matches')).body.items.length, 0);
});

test('a crash between the processor\'s charge and our commit is finished on restart, not charged again', async () => {
  const dataDir = freshDataDir('recover');
  let s = await startTestServer({ dataDir });
  const app = await createApp(s);
  const b = await readyBuyer(s);
  const p = await pay(s, await signRequest(app, { now: s.clock.now }));
  // What confirm() had done when the process died: the card recorded, the vault charged, no commit yet.
  const { ctx, vault } = s.server.services;
  const pm = ctx.db.prepare('SELECT id, vault_token FROM payment_methods WHERE buyer_id = ?').get(b.id) as { id: string; vault_token: string };
  ctx.db.prepare('UPDATE purchases SET buyer_id = ?, payment_method_id = ? WHERE id = ?').run(b.id, pm.id, p.body.id);
  assert.equal((await vault.charge(pm.vault_token, 199, 'USD', p.body.id)).ok, true);
  await s.close();

  s = await startTestServer({ dataDir });
  try {
    const after = await s.api<{ status: string; transactionID: string }>('GET', `/api/purchases/${p.body.id}`);
    assert.equal(after.body.status, 'completed');
    const charges = s.server.services.ctx.vaultDb.prepare('SELECT COUNT(*) AS n FROM charges WHERE idempotency_key = ?').get(p.body.id) as { n: number };
    assert.equal(charges.n, 1);
    const notices = s.server.services.ctx.db.prepare("SELECT COUNT(*) AS n FROM notices WHERE purchase_id = ? AND type = 'postback'").get(p.body.id) as { n: number };
    assert.equal(notices.n, 1, 'its postback is queued');
  } finally {
    await s.close();
  }
});

test('a crash after the vault\'s charge and before any ledger write completes the purchase on restart, on the charged card, counted in its month', async () => {
  const dataDir = freshDataDir('recover');
  let s = await startTestServer({ dataDir });
  const app = await createApp(s);
  const b = await readyBuyer(s, { email: 'recover@example.com' });
  const p = await pay(s, await signRequest(app, { now: s.clock.now }));
  // What confirm() has done when the vault's commit is in and the ledger's not yet: the charge, nothing in the ledger.
  const { ctx, vault } = s.server.services;
  const pm = ctx.db.prepare('SELECT id, vault_token FROM payment_methods WHERE buyer_id = ?').get(b.id) as { id: string; vault_token: string };
  assert.equal((await vault.charge(pm.vault_token, 199, 'USD', p.body.id)).ok, true);
  await s.close();

  s = await startTestServer({ dataDir });
  try {
    const after = await s.api<{ status: string; buyer: { email: string } | null; paymentMethod: { last4: string } | null }>('GET', `/api/purchases/${p.body.id}`);
    assert.equal(after.body.status, 'completed');
    assert.equal(after.body.buyer?.email, 'recover@example.com');
    assert.equal(after.body.paymentMethod?.last4, '4242');
    const db = s.server.services.ctx.db;
    assert.deepEqual(db.prepare('SELECT amount FROM ledger_entries WHERE purchase_id = ?').all(p.body.id), [{ amount: 199 }]);
    assert.deepEqual(db.prepare('SELECT amount FROM card_month_spend WHERE payment_method_id = ?').all(pm.id), [{ amount: 199 }]);
    const charges = s.server.services.ctx.vaultDb.prepare('SELECT COUNT(*) AS n FROM charges WHERE idempotency_key = ?').get(p.body.id) as { n: number };
    assert.equal(charges.n, 1);
  } finally {
    await s.close();
  }
});
