// Checkpoints run in a worker thread with its own connection (server/db/checkpointer.ts),
// so the writer's COMMITs never copy the WAL back themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../server/db/open.ts';
import { commit } from '../../server/db/group-commit.ts';
import { startCheckpointer } from '../../server/db/checkpointer.ts';
import { freshDataDir } from '../helpers/paydesk.ts';

test('the worker checkpoints what the server commits, and the server connection only checkpoints far out', async () => {
  const db = openDatabase(join(freshDataDir('checkpointer'), 'c.db'), [{ name: '001 t', up: (d) => d.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT') }]);
  const lines: string[] = [];
  // A long interval: the test says when.
  const checkpointer = startCheckpointer(db, { intervalMs: 60_000, log: (l) => lines.push(l) });
  try {
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 20_000);
    for (let i = 0; i < 20; i++) await commit(db, () => db.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(2000)));
    const first = await checkpointer.checkpointNow();
    assert.ok(first.log > 0, 'the commits are in the WAL');
    assert.equal(first.checkpointed, first.log, 'all of it is now in the database file');
    // With every frame copied back, the next write starts the WAL over.
    await commit(db, () => db.prepare('INSERT INTO t (v) VALUES (?)').run('y'));
    const second = await checkpointer.checkpointNow();
    assert.ok(second.log < first.log, `the WAL was reused from its start (${second.log} frames after ${first.log})`);
    assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM t').get(), { n: 21 });
  } finally {
    await checkpointer.stop();
    db.close();
  }
  assert.deepEqual(lines, []);
  await assert.rejects(checkpointer.checkpointNow(), /stopped/);
});
