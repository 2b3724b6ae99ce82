// Group commit (server/db/group-commit.ts): writes queued in one turn share one
// IMMEDIATE transaction, each caller keeps its own all-or-nothing, and nobody
// hears success before the COMMIT has returned and the WAL has been fdatasync'ed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fdatasync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { closeCommits, commit, commitStats, commitVisible, followDurability, setWalSync, whenDurable } from '../../server/db/group-commit.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

function table(): Db {
  const db = openDatabase(join(freshDataDir('group-commit'), 'g.db'), [{ name: '001 t', up: (d) => d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL) STRICT') }]);
  return db;
}

const rows = (db: Db) => db.prepare('SELECT k, v FROM t ORDER BY k').all() as { k: string; v: number }[];

test('writes of one turn share one transaction; each caller gets its own result once it is committed', async () => {
  const db = table();
  const before = commitStats(db);
  const answers = await Promise.all(['a', 'b', 'c'].map((k, i) => commit(db, () => {
    db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, i);
    // Inside the batch, under the write lock: nothing is visible to another connection yet.
    assert.equal(db.inTransaction, true);
    return k.toUpperCase();
  })));
  assert.deepEqual(answers, ['A', 'B', 'C']);
  const after = commitStats(db);
  assert.equal(after.commits - before.commits, 1, 'one COMMIT for the three writes');
  assert.equal(after.writes - before.writes, 3);
  assert.deepEqual(rows(db), [{ k: 'a', v: 0 }, { k: 'b', v: 1 }, { k: 'c', v: 2 }]);
  db.close();
});

test('a caller that throws rolls back only its own writes and alone gets the error', async () => {
  const db = table();
  const results = await Promise.allSettled([
    commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('kept-1', 1)),
    commit(db, () => {
      db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('half-done', 2);
      throw new Error('refused halfway');
    }),
    commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('kept-1', 3)),
    commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('kept-2', 4)),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /refused halfway/);
  assert.match(String((results[2] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.deepEqual(rows(db), [{ k: 'kept-1', v: 1 }, { k: 'kept-2', v: 4 }]);
  db.close();
});

test('a caller alone in its group that throws leaves nothing behind, and the next group commits', async () => {
  const db = table();
  await assert.rejects(commit(db, () => {
    db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('alone', 1);
    throw new Error('refused alone');
  }), /refused alone/);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(rows(db), []);
  await commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('next', 2));
  assert.deepEqual(rows(db), [{ k: 'next', v: 2 }]);
  db.close();
});

test('when the COMMIT cannot happen, nobody in the batch hears success and nothing is kept', async () => {
  const db = table();
  const pending = [
    commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('x', 1)),
    commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('y', 2)),
  ];
  // The write lock is held by another connection past the busy timeout: BEGIN IMMEDIATE fails.
  const other = openDatabase(db.name, [{ name: '001 t', up: () => {} }]);
  other.pragma('busy_timeout = 0');
  db.pragma('busy_timeout = 0');
  other.exec('BEGIN IMMEDIATE');
  const results = await Promise.allSettled(pending);
  other.exec('ROLLBACK');
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.deepEqual(rows(db), []);
  other.close();
  db.close();
});

test('callers hear success only after the fdatasync that follows the COMMIT; until then whenDurable() holds readers back', async () => {
  const db = table();
  const before = commitStats(db);
  assert.equal(whenDurable(db), undefined, 'nothing waits when everything is on disk');
  // The fdatasync is held until the test lets it run: what follows does not depend on
  // how fast the disk or the thread pool is.
  let runSync!: () => void;
  const syncing = new Promise<void>((started) => setWalSync(db, (fd, done) => {
    runSync = () => fdatasync(fd, done);
    started();
  }));
  let answered = false;
  const done = commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('w', 1)).then(() => (answered = true));
  await syncing;
  // Committed (SQLite has the frames in the WAL), visible to a reader, not yet acknowledged.
  assert.deepEqual(rows(db), [{ k: 'w', v: 1 }]);
  const barrier = whenDurable(db);
  assert.ok(barrier instanceof Promise, 'a reader of that row must wait before telling anyone');
  // Turns of the event loop pass; the caller still waits, as long as the disk has not answered.
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(answered, false, 'the caller waits for the fdatasync, which runs off the event loop');
  assert.equal(commitStats(db).syncs - before.syncs, 0);
  runSync();
  await barrier;
  await done;
  assert.equal(answered, true);
  assert.equal(commitStats(db).syncs - before.syncs, 1);
  assert.equal(whenDurable(db), undefined);
  // Every other transaction still commits with synchronous=FULL.
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  db.close();
});

test('commitVisible() answers at COMMIT; a database that follows another is durable only once both fdatasyncs returned', async () => {
  // Like a purchase: the vault's charge commits (visible, not yet on disk), then the ledger's completion.
  const vault = table();
  const ledger = table();
  followDurability(ledger, vault);
  let releaseVault!: () => void;
  const vaultSyncing = new Promise<void>((started) => setWalSync(vault, (fd, done) => {
    releaseVault = () => fdatasync(fd, done);
    started();
  }));
  const charged = await commitVisible(vault, () => vault.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('charge', 1).changes);
  assert.equal(charged, 1, 'answered at COMMIT');
  await vaultSyncing;
  assert.ok(whenDurable(vault) instanceof Promise, 'not yet on disk: nobody may be told');
  // The ledger's own fdatasync returns; what its caller then waits on is the vault's.
  const ledgerSynced = new Promise<void>((returned) => setWalSync(ledger, (fd, done) => fdatasync(fd, (e) => {
    done(e);
    returned();
  })));
  let completed = false;
  const completion = commit(ledger, () => ledger.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('completion', 1)).then(() => (completed = true));
  await ledgerSynced;
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(completed, false, 'the ledger\'s caller waits for the vault\'s fdatasync too');
  assert.ok(whenDurable(ledger) instanceof Promise, 'and so do its readers');
  releaseVault();
  await completion;
  assert.equal(whenDurable(ledger), undefined);
  assert.equal(whenDurable(vault), undefined);
  ledger.close();
  vault.close();
});

test('closeCommits() commits what is queued and makes it durable at once (before a database is closed)', async () => {
  const db = table();
  const before = commitStats(db);
  const done = commit(db, () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('z', 9));
  closeCommits(db);
  assert.deepEqual(rows(db), [{ k: 'z', v: 9 }]);
  assert.equal(commitStats(db).syncs - before.syncs, 1);
  db.close();
  await done;
});
