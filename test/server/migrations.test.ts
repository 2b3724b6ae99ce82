// A test per migration (STYLE.md): each one applies on a real file from the
// version before it, and the runner's rules hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { openDatabase, migrate, SchemaTooNewError, type Migration } from '../../server/db/open.ts';
import { ledgerMigrations } from '../../server/db/ledger-migrations.ts';
import { vaultMigrations } from '../../server/db/vault-migrations.ts';
import { IdempotencyStore } from '../../server/http/idempotency.ts';
import { seal } from '../../server/keys/master-key.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

for (const [label, list] of [['ledger', ledgerMigrations], ['vault', vaultMigrations]] as const) {
  list.forEach((m, i) => {
    test(`${label} migration ${i + 1} (${m.name}) applies on a real file at version ${i}`, () => {
      const path = join(freshDataDir('migration'), `${label}.db`);
      const db = new Database(path);
      migrate(db, path, list.slice(0, i));
      const before = tables(db);
      migrate(db, path, list.slice(0, i + 1));
      assert.equal(db.pragma('user_version', { simple: true }), i + 1);
      assert.ok(tables(db).length > before.length || i > 0, 'it created something');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    });
  });
}

test('opening sets WAL and synchronous=FULL, and the file is private to its owner', async () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = openDatabase(path, ledgerMigrations);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('secure_delete', { simple: true }), 1);
  db.close();
  const { statSync } = await import('node:fs');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('all pending migrations run in one transaction: a failure leaves the file as it was', () => {
  const path = join(freshDataDir('migration'), 'x.db');
  const broken: Migration[] = [
    { name: 'ok', up: (db) => db.exec('CREATE TABLE a (x INTEGER)') },
    { name: 'fails', up: (db) => db.exec('CREATE TABLE b (x INTEGER); SELECT * FROM no_such_table') },
  ];
  assert.throws(() => openDatabase(path, broken));
  const db = new Database(path);
  assert.equal(db.pragma('user_version', { simple: true }), 0);
  assert.deepEqual(tables(db), []);
  db.close();
});

test('a database from a newer Paydesk is refused with a clear message', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  openDatabase(path, ledgerMigrations).close();
  const db = new Database(path);
  db.pragma(`user_version = ${ledgerMigrations.length + 1}`);
  db.close();
  assert.throws(() => openDatabase(path, ledgerMigrations), (e: unknown) => e instanceof SchemaTooNewError && /newer Paydesk/.test(e.message) && /Update Paydesk/.test(e.message));
});

test('migration 003 backfills seller reputation on a ledger written before it', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  migrate(db, path, ledgerMigrations.slice(0, 1));
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_a', 'A', 'http://a', 'a@a', 'http://a/p', 'http://a/c', 'active', 'live', 'x', 1, 1)`).run();
  const purchase = db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency,
      postback_url, chargeback_url, request_json, refunded_amount, created_at, expires_at, updated_at)
    VALUES (?, 'app_a', 'C', ?, 'p', 'n', 'd', '', 100, 'USD', 'http://a/p', 'http://a/c', '{}', ?, 1, 2, 1)`);
  purchase.run('pur_1', 'completed', 0);
  purchase.run('pur_2', 'completed', 50);
  purchase.run('pur_3', 'cancelled', 0);
  migrate(db, path, ledgerMigrations);
  assert.deepEqual(db.prepare('SELECT sales_count, refunded_count FROM apps').get(), { sales_count: 2, refunded_count: 1 });
  db.close();
});

test('a deleted row is overwritten in the file, not left in free space (secure_delete)', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = openDatabase(path, ledgerMigrations);
  const marker = 'swept-fingerprint-'.padEnd(64, 'q');
  const insert = db.prepare("INSERT INTO idempotency_keys (scope, key, fingerprint, state, status, response_json, created_at) VALUES ('console', ?, ?, 'done', 200, '{}', 1)");
  for (let i = 0; i < 20; i++) insert.run(`k${i}`, `${marker}${i}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  assert.ok(readFileSync(path).toString('latin1').includes(marker), 'the rows reached the file');
  db.prepare('DELETE FROM idempotency_keys').run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  assert.ok(!readFileSync(path).toString('latin1').includes(marker), 'a swept key\'s fingerprint is gone from ledger.db');
});

test('migration 005 erases console fingerprints written over secrets; such a key still replays, on the key alone', () => {
  const dir = freshDataDir('migration');
  const path = join(dir, 'ledger.db');
  const db = new Database(path);
  migrate(db, path, ledgerMigrations.slice(0, 4));
  const key = randomBytes(32);
  // As the store of that version wrote them: a fingerprint over the whole body, PIN and all.
  const fp = createHmac('sha256', key).update('PUT /api/buyers/b1/pin\n{"pin":"402913"}').digest('base64url');
  for (const scope of ['console', 'public:']) {
    db.prepare("INSERT INTO idempotency_keys (scope, key, fingerprint, state, status, response_json, created_at) VALUES (?, 'k1', ?, 'done', 200, ?, 1000)")
      .run(scope, fp, seal(key, JSON.stringify({ ok: true }), `idem:${scope}:k1`));
  }
  migrate(db, path, ledgerMigrations);
  const rows = db.prepare('SELECT scope, fingerprint FROM idempotency_keys ORDER BY scope').all();
  assert.deepEqual(rows, [{ scope: 'console', fingerprint: '' }, { scope: 'public:', fingerprint: fp }], 'public routes carry no secrets: their fingerprints stay');
  const now = new IdempotencyStore(db, () => 2_000, key);
  assert.deepEqual(now.begin('console', 'k1', now.fingerprint('PUT', '/api/buyers/b1/pin', '{}', { body: {}, fields: ['pin'] })), { status: 200, body: { ok: true } });
  assert.throws(() => now.begin('public:', 'k1', 'another'), /different request/);
  db.close();
});

test('migration 006 moves a refund\'s Idempotency-Key into idempotency_keys: a retry after the crash resumes that refund', () => {
  const dir = freshDataDir('migration');
  const path = join(dir, 'ledger.db');
  const db = new Database(path);
  migrate(db, path, ledgerMigrations.slice(0, 5));
  db.exec(`
    INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
      VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'shop@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 1, 1);
    INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
        request_json, created_at, expires_at, updated_at)
      VALUES ('pur_1', 'app_1', 'ABC-DEF', 'completed', 'p', 'Pony', 'A pony', '', 199, 'USD', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', '{}', 1, 2, 1);
    INSERT INTO refunds (id, purchase_id, app_key, kind, amount, currency, source, status, created_at, request_key, request_fingerprint)
      VALUES ('ref_1', 'pur_1', 'app_1', 'refund', 50, 'USD', 'console', 'pending', 1000, 'console' || char(10) || 'k-lost', 'fp-1'),
             ('ref_2', 'pur_1', 'app_1', 'refund', 50, 'USD', 'console', 'completed', 1000, 'console' || char(10) || 'k-answered', 'fp-2');
    INSERT INTO idempotency_keys (scope, key, fingerprint, state, status, response_json, created_at) VALUES ('console', 'k-answered', 'fp-2', 'done', 201, 'sealed', 1000);
  `);
  migrate(db, path, ledgerMigrations);
  assert.deepEqual(db.prepare('SELECT scope, key, fingerprint, state, resource_id FROM idempotency_keys ORDER BY key').all(), [
    { scope: 'console', key: 'k-answered', fingerprint: 'fp-2', state: 'done', resource_id: null },
    { scope: 'console', key: 'k-lost', fingerprint: 'fp-1', state: 'in_progress', resource_id: 'ref_1' },
  ], 'the key whose answer was lost becomes a claim on its refund; an answered key keeps its answer');
  const columns = (db.prepare("SELECT name FROM pragma_table_info('refunds')").all() as { name: string }[]).map((c) => c.name);
  assert.ok(!columns.includes('request_key') && !columns.includes('request_fingerprint'), 'refunds keep no keys of their own');
  const store = new IdempotencyStore(db, () => 2_000, randomBytes(32));
  assert.throws(() => store.begin('console', 'k-lost', 'fp-other'), /different request/);
  assert.equal(store.begin('console', 'k-lost', 'fp-1'), undefined, 'the retry runs');
  assert.equal(store.forRequest('console', 'k-lost', 201, () => {}).resumes, 'ref_1', '...resuming the refund its key claimed');
  db.close();
});

test('migration 007 backfills the dashboard rollups from the rows already there, and its triggers keep them', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  migrate(db, path, ledgerMigrations.slice(0, 6));
  const slot = Date.UTC(2025, 0, 10, 9, 0);
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'a@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 0, 0)`).run();
  const purchase = db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, simulate_json, created_at, expires_at, completed_at, updated_at) VALUES (?, 'app_1', 'C', ?, 'p', 'P', 'D', '', ?, 'USD', 'u', 'u', '{}', ?, ?, 0, ?, 0)`);
  purchase.run('pur_1', 'completed', 199, null, slot + 60_000, slot + 120_000);
  purchase.run('pur_2', 'completed', 500, '{"result":"postback"}', slot + 14 * 60_000, slot + 16 * 60_000);
  purchase.run('pur_3', 'pending', 300, null, slot + 5 * 60_000, null);
  db.prepare(`INSERT INTO refunds (id, purchase_id, app_key, kind, amount, currency, source, status, created_at, completed_at)
    VALUES ('ref_1', 'pur_1', 'app_1', 'refund', 50, 'USD', 'console', 'completed', ?, ?)`).run(slot + 3 * 86_400_000, slot + 3 * 86_400_000);
  const notice = db.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, delivered_at) VALUES (?, ?, 'app_1', 'postback', ?, 'u', '{}', ?, ?, ?)`);
  notice.run('ntc_1', 'pur_1', 1, 'delivered', slot + 120_000, slot + 120_000 + 42);
  notice.run('ntc_2', 'pur_2', 1, 'delivered', slot + 120_000, slot + 120_000 + 1234);
  notice.run('ntc_3', 'pur_1', 2, 'failed', slot + 120_000, null);

  migrate(db, path, ledgerMigrations);
  const columns = 'started, pending, completed, simulated, sales_count, sales_amount, refund_count, refund_amount';
  const rollup = (span = 900_000) => db.prepare(`SELECT slot - ? AS at, ${columns} FROM purchase_rollup WHERE span = ? ORDER BY slot`).all(slot, span);
  // Every slot length holds the same counts: the hours and 6-hour slots add up to what the quarters say.
  const spansAgree = () => {
    const totals = (table: string, cols: string) => db.prepare(`SELECT span, ${cols.split(', ').map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM ${table} GROUP BY span ORDER BY span`).all()
      .map((r) => { const { span, ...rest } = r as Record<string, number>; assert.ok([900_000, 3_600_000, 21_600_000].includes(span!)); return rest; });
    const latencyCols = Array.from({ length: 15 }, (_, k) => `lat_${k}`).join(', ');
    for (const [table, cols] of [['purchase_rollup', columns], ['notice_rollup', `pending, delivered, failed, ${latencyCols}`]] as const) {
      const [quarters, ...others] = totals(table, cols);
      assert.equal(others.length, 2, table);
      for (const o of others) assert.deepEqual(o, quarters, table);
    }
  };
  assert.deepEqual(rollup(), [
    { at: 0, started: 3, pending: 1, completed: 2, simulated: 1, sales_count: 1, sales_amount: 199, refund_count: 0, refund_amount: 0 },
    { at: 900_000, started: 0, pending: 0, completed: 0, simulated: 0, sales_count: 1, sales_amount: 500, refund_count: 0, refund_amount: 0 },
    { at: 3 * 86_400_000, started: 0, pending: 0, completed: 0, simulated: 0, sales_count: 0, sales_amount: 0, refund_count: 1, refund_amount: 50 },
  ]);
  // The hour holds the first two; the 6-hour slot from 06:00 all three.
  assert.deepEqual(rollup(3_600_000)[0], { at: 0, started: 3, pending: 1, completed: 2, simulated: 1, sales_count: 2, sales_amount: 699, refund_count: 0, refund_amount: 0 });
  assert.deepEqual(rollup(21_600_000).map((r) => (r as { at: number }).at), [-3 * 3_600_000, 3 * 86_400_000 - 3 * 3_600_000]);
  assert.deepEqual(db.prepare('SELECT slot - ? AS at, pending, delivered, failed FROM notice_rollup WHERE span = 900000').all(slot), [{ at: 0, pending: 0, delivered: 2, failed: 1 }]);
  // The latency histogram: 42 ms is under 50 (lat_2), 1,234 ms under 2.5 s (lat_7).
  const latency = () => Object.entries(db.prepare('SELECT * FROM notice_rollup WHERE span = 900000').get() as Record<string, number>).filter(([k, v]) => k.startsWith('lat_') && v !== 0);
  assert.deepEqual(latency(), [['lat_2', 1], ['lat_7', 1]]);
  spansAgree();

  // The triggers: the pending purchase completes an hour later; the failed notice is delivered after a redelivery.
  db.prepare("UPDATE purchases SET status = 'completed', completed_at = ? WHERE id = 'pur_3'").run(slot + 3_600_000);
  db.prepare("UPDATE notices SET status = 'pending' WHERE id = 'ntc_3'").run();
  db.prepare("UPDATE notices SET status = 'delivered', delivered_at = created_at + 7 WHERE id = 'ntc_3'").run();
  assert.deepEqual(rollup()[0], { at: 0, started: 3, pending: 0, completed: 3, simulated: 1, sales_count: 1, sales_amount: 199, refund_count: 0, refund_amount: 0 });
  assert.deepEqual(db.prepare('SELECT sales_count, sales_amount FROM purchase_rollup WHERE span = 900000 AND slot = ?').get(slot + 3_600_000), { sales_count: 1, sales_amount: 300 });
  assert.deepEqual(db.prepare('SELECT pending, delivered, failed FROM notice_rollup WHERE span = 900000').all(), [{ pending: 0, delivered: 3, failed: 0 }]);
  assert.deepEqual(latency(), [['lat_0', 1], ['lat_2', 1], ['lat_7', 1]]);
  spansAgree();

  // A latency on a bound counts in the bucket above it: 10 ms is lat_1, 3,600,000 ms lat_14.
  const edge = db.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, delivered_at)
    VALUES (?, 'pur_2', 'app_1', 'postback', ?, 'u', '{}', 'delivered', ?, ?)`);
  edge.run('ntc_4', 2, slot + 120_000, slot + 120_000 + 10);
  edge.run('ntc_5', 3, slot + 120_000, slot + 120_000 + 9);
  edge.run('ntc_6', 4, slot + 120_000, slot + 120_000 + 3_600_000);
  assert.deepEqual(latency(), [['lat_0', 2], ['lat_1', 1], ['lat_2', 1], ['lat_7', 1], ['lat_14', 1]]);
  spansAgree();
  db.close();
});

test('migration 012 counts every change to a 6-hour rollup row, even one that leaves its sums as they were', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  const touchedAt = ledgerMigrations.findIndex((m) => m.name.includes('a change counter on each 6-hour slot'));
  migrate(db, path, ledgerMigrations.slice(0, touchedAt));
  const slot = Date.UTC(2025, 0, 10, 6);
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'a@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 0, 0)`).run();
  db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, created_at, expires_at, completed_at, updated_at) VALUES ('pur_1', 'app_1', 'C', 'completed', 'p', 'P', 'D', '', 199, 'USD', 'u', 'u', '{}', ?, 0, ?, 0)`).run(slot, slot);
  const notice = db.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, delivered_at) VALUES (?, 'pur_1', 'app_1', 'postback', ?, 'u', '{}', ?, ?, ?)`);
  notice.run('ntc_1', 1, 'delivered', slot + 60_000, slot + 60_000 + 30);
  notice.run('ntc_2', 2, 'pending', slot + 2 * 3_600_000, null);

  migrate(db, path, ledgerMigrations);
  const touched = (table: string) => db.prepare(`SELECT span, touched FROM ${table} ORDER BY span`).all();
  const sums = () => db.prepare('SELECT pending, delivered, lat_2 FROM notice_rollup WHERE span = 21600000').get();
  // Rows already there count as one change; only the 6-hour rows count further.
  assert.deepEqual(touched('purchase_rollup'), [{ span: 900_000, touched: 1 }, { span: 3_600_000, touched: 1 }, { span: 21_600_000, touched: 1 }]);
  const before = sums();
  // A redelivery moves the first notice out of the histogram while the second, two hours later
  // and in another hour's row, is delivered as fast: the 6-hour sums end as they began.
  db.prepare("UPDATE notices SET status = 'pending' WHERE id = 'ntc_1'").run();
  db.prepare("UPDATE notices SET status = 'delivered', delivered_at = created_at + 30 WHERE id = 'ntc_2'").run();
  assert.deepEqual(sums(), before);
  const six = (db.prepare('SELECT touched FROM notice_rollup WHERE span = 21600000').pluck().get() as number);
  assert.ok(six >= 3, `the 6-hour row counted both changes (${six})`);
  assert.deepEqual(db.prepare('SELECT DISTINCT touched FROM notice_rollup WHERE span < 21600000').pluck().all(), [1], 'shorter rows are not counted');
  // A purchase that changes status counts on its 6-hour row too.
  db.prepare("UPDATE purchases SET status = 'cancelled' WHERE id = 'pur_1'").run();
  assert.equal(db.prepare('SELECT touched FROM purchase_rollup WHERE span = 21600000').pluck().get(), 2);
  db.close();
});

test('migration 008 adds the sign-in tables, and a purchase from before it names no signed-in buyer', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  const at008 = ledgerMigrations.findIndex((m) => m.name.startsWith('008 '));
  migrate(db, path, ledgerMigrations.slice(0, at008));
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'a@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 0, 0)`).run();
  db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, created_at, expires_at, updated_at) VALUES ('pur_1', 'app_1', 'C', 'pending', 'p', 'P', 'D', '', 100, 'USD', 'u', 'u', '{}', 0, 0, 0)`).run();
  migrate(db, path, ledgerMigrations.slice(0, at008 + 1));
  for (const t of ['oidc_models', 'oauth_clients', 'oidc_signing_keys', 'sign_ins', 'oidc_connections']) assert.ok(tables(db).includes(t), t);
  assert.equal((db.prepare("SELECT signed_in_buyer_id AS b FROM purchases WHERE id = 'pur_1'").get() as { b: unknown }).b, null);
  // An app's OAuth settings belong to an app that exists.
  assert.throws(() => db.prepare("INSERT INTO oauth_clients (app_key, enabled, type, redirect_uris, allowed_scopes, updated_at) VALUES ('app_x', 1, 'public', '[]', '[]', 0)").run(), /FOREIGN KEY/);
  db.close();
});

test('migration 010 indexes the purchases already there for search, and its triggers keep the index with each change', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  const at = ledgerMigrations.findIndex((m) => m.name.startsWith('010 '));
  migrate(db, path, ledgerMigrations.slice(0, at));
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'a@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 0, 0)`).run();
  const buyer = db.prepare("INSERT INTO buyers (id, email, name, created_at) VALUES (?, ?, 'B', 0)");
  buyer.run('byr_1', 'dana.old@example.com');
  buyer.run('byr_2', 'eli.new@example.com');
  const purchase = db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, buyer_id, created_at, expires_at, updated_at) VALUES (?, 'app_1', ?, 'pending', 'pony-9', 'P', 'D', ?, 199, 'USD', 'u', 'u', '{}', ?, 0, 0, 0)`);
  purchase.run('pur_1', 'K7P-4QX', 'order-31337', 'byr_1');
  purchase.run('pur_2', 'M2N-8RT', 'order-42', null);

  migrate(db, path, ledgerMigrations.slice(0, at + 1));
  const found = (piece: string) => (db.prepare('SELECT rowid FROM purchase_search WHERE purchase_search MATCH ? ORDER BY rowid').all(`"${piece}"`) as { rowid: number }[])
    .map((r) => (db.prepare('SELECT id FROM purchases WHERE rowid = ?').get(r.rowid) as { id: string }).id);
  assert.deepEqual(found('313'), ['pur_1'], 'productData');
  assert.deepEqual(found('ony'), ['pur_1', 'pur_2'], 'product id');
  assert.deepEqual(found('P4Q'), ['pur_1'], 'the code without its dash');
  assert.deepEqual(found('P-4'), [], 'the dash is not indexed');
  assert.deepEqual(found('a.o'), ['pur_1'], 'the buyer\'s email');
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ?').get('purchases_by_product_data') as { n: number }).n, 0, 'the old exact-match index is gone');

  purchase.run('pur_3', 'Q3W-5ER', 'order-777', null);
  assert.deepEqual(found('777'), ['pur_3'], 'a new purchase is indexed as it is written');
  db.prepare("UPDATE purchases SET buyer_id = 'byr_2' WHERE id = 'pur_2'").run();
  assert.deepEqual(found('i.n'), ['pur_2'], 'a buyer set later is indexed');
  db.prepare("UPDATE purchases SET buyer_id = 'byr_2' WHERE id = 'pur_1'").run();
  assert.deepEqual(found('a.o'), [], 'the buyer it replaced is not');
  assert.deepEqual(found('313'), ['pur_1'], 'and the rest of the row stays');
  db.prepare("DELETE FROM purchases WHERE id = 'pur_3'").run();
  assert.deepEqual(found('777'), []);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.prepare("INSERT INTO purchase_search (purchase_search, rank) VALUES ('integrity-check', 0)").run();
  db.close();
});

test('migration 009 marks where each notice\'s URL came from (the request\'s own or the app\'s) and gives attempts their app, for the endpoint view', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  const at009 = ledgerMigrations.findIndex((m) => m.name.startsWith('009 '));
  migrate(db, path, ledgerMigrations.slice(0, at009));
  db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
    VALUES ('app_1', 'Shop', 'http://127.0.0.1:9/', 'a@example.com', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', 'active', 'live', 'x', 0, 0)`).run();
  const notice = db.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, origin) VALUES (?, NULL, 'app_1', ?, 1, 'u', ?, 'failed', 0, ?)`);
  notice.run('ntc_own', 'postback', JSON.stringify({ request: { postbackURL: 'http://127.0.0.1:9/own' } }), 'purchase');
  notice.run('ntc_app', 'postback', JSON.stringify({ request: { chargebackURL: 'http://127.0.0.1:9/own' } }), 'purchase');
  notice.run('ntc_cb', 'chargeback', JSON.stringify({ request: { chargebackURL: 'http://127.0.0.1:9/own' } }), 'purchase');
  notice.run('ntc_test', 'postback', JSON.stringify({ request: {} }), 'test');
  db.prepare(`INSERT INTO notice_attempts (notice_id, number, url, started_at, request_headers_json, request_body, notice_json, verdict)
    VALUES ('ntc_own', 1, 'u', 0, '{}', '', '{}', 'connect_refused')`).run();

  migrate(db, path, ledgerMigrations);
  assert.deepEqual(db.prepare('SELECT id, url_source, cancelled_at FROM notices ORDER BY id').all(), [
    { id: 'ntc_app', url_source: 'app', cancelled_at: null },
    { id: 'ntc_cb', url_source: 'request', cancelled_at: null },
    { id: 'ntc_own', url_source: 'request', cancelled_at: null },
    { id: 'ntc_test', url_source: null, cancelled_at: null },
  ]);
  assert.deepEqual(db.prepare('SELECT app_key, url_source FROM notice_attempts').all(), [{ app_key: 'app_1', url_source: 'request' }]);
  assert.throws(() => db.prepare("UPDATE notices SET url_source = 'elsewhere' WHERE id = 'ntc_app'").run(), /CHECK constraint/);
  db.close();
});

test('migration 011 backfills each card\'s spend per UTC month, and its trigger adds each completion to it', () => {
  const path = join(freshDataDir('migration'), 'ledger.db');
  const db = new Database(path);
  const at = ledgerMigrations.findIndex((m) => m.name.startsWith('011 '));
  assert.ok(at > 0);
  migrate(db, path, ledgerMigrations.slice(0, at));
  // Rows of purchases only: no app, buyer or card rows for them to name.
  db.pragma('foreign_keys = OFF');
  const jan = Date.UTC(2025, 0, 1);
  const feb = Date.UTC(2025, 1, 1);
  const purchase = db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, simulate_json, payment_method_id, created_at, expires_at, completed_at, updated_at) VALUES (?, 'app_1', 'C', ?, 'p', 'P', 'D', '', ?, 'USD', 'u', 'u', '{}', ?, ?, 0, 0, ?, 0)`);
  purchase.run('pur_1', 'completed', 199, null, 'pm_a', jan + 5);
  purchase.run('pur_2', 'completed', 300, null, 'pm_a', feb - 1);
  purchase.run('pur_3', 'completed', 50, null, 'pm_a', feb);
  purchase.run('pur_4', 'completed', 700, '{"result":"postback"}', 'pm_a', feb + 10);
  purchase.run('pur_5', 'pending', 80, null, 'pm_a', null);
  purchase.run('pur_6', 'completed', 20, null, 'pm_b', feb + 20);
  purchase.run('pur_7', 'declined', 90, null, 'pm_b', null);

  migrate(db, path, ledgerMigrations);
  const totals = () => db.prepare('SELECT payment_method_id AS pm, month, amount FROM card_month_spend ORDER BY pm, month').all();
  assert.deepEqual(totals(), [
    { pm: 'pm_a', month: jan, amount: 499 },
    { pm: 'pm_a', month: feb, amount: 50 },
    { pm: 'pm_b', month: feb, amount: 20 },
  ], 'simulated, pending and declined purchases spend nothing');
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'purchases_by_payment_method'").all(), []);

  db.prepare("UPDATE purchases SET status = 'completed', completed_at = ? WHERE id = 'pur_5'").run(feb + 30);
  db.prepare("UPDATE purchases SET updated_at = 1 WHERE id = 'pur_5'").run();
  db.prepare("UPDATE purchases SET status = 'completed', completed_at = ? WHERE id = 'pur_5'").run(feb + 30);
  db.prepare("UPDATE purchases SET refunded_amount = 10 WHERE id = 'pur_1'").run();
  assert.deepEqual(totals(), [
    { pm: 'pm_a', month: jan, amount: 499 },
    { pm: 'pm_a', month: feb, amount: 130 },
    { pm: 'pm_b', month: feb, amount: 20 },
  ], 'a completion counts once; other updates count nothing');
  db.close();
});
