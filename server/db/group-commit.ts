// Group commit. With synchronous=FULL every COMMIT waits for the disk (an
// fsync of the WAL), and one SQLite file has one writer: one transaction per
// request caps a server at the disk's commit rate (a few thousand a second
// here, far less when the disk is shared). So the writes of every request that
// arrive in the same turn of the event loop run in ONE `BEGIN IMMEDIATE`
// transaction, each inside its own SAVEPOINT, and every caller is answered only
// after that COMMIT has returned: nobody is told before the change is durable.
//
// Each caller keeps its own all-or-nothing: when its function throws, its
// savepoint is rolled back and it alone gets the error; the others commit. If
// the COMMIT itself fails, every caller in the batch gets that error and none
// of their changes exists.
import type { Db } from './open.ts';

interface Pending {
  readonly fn: () => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Caps one batch, so one COMMIT never holds the event loop for long. */
const MAX_BATCH = 256;

export interface CommitStats {
  /** Transactions committed. */
  commits: number;
  /** Caller functions run (committed or rolled back to their savepoint). */
  writes: number;
}

class CommitQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  readonly stats: CommitStats = { commits: 0, writes: 0 };

  constructor(private readonly db: Db) {}

  submit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the I/O callbacks of this turn: every request that
        // the poll phase handed us has had the chance to queue its write.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now (also called before the database is closed). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.commit(batch);
    }
  }

  private commit(batch: readonly Pending[]): void {
    const db = this.db;
    const outcomes: Outcome[] = [];
    const failAll = (error: unknown) => {
      for (const p of batch) p.reject(error);
    };
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      failAll(error);
      return;
    }
    for (const p of batch) {
      // Some errors (a full disk, an I/O error) make SQLite roll back the whole transaction.
      if (!db.inTransaction) break;
      db.exec('SAVEPOINT paydesk_write');
      try {
        const value = p.fn();
        db.exec('RELEASE paydesk_write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK TO paydesk_write; RELEASE paydesk_write');
        outcomes.push({ ok: false, error });
      }
    }
    try {
      if (!db.inTransaction) throw new Error('SQLite rolled back the whole group commit; no write in it was kept');
      db.exec('COMMIT');
    } catch (error) {
      // Nothing in this batch is durable, so nobody may hear success.
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // the connection is gone; SQLite rolls back on the next open
      }
      failAll(error);
      return;
    }
    this.stats.commits++;
    this.stats.writes += batch.length;
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}

const queues = new WeakMap<Db, CommitQueue>();

function queueOf(db: Db): CommitQueue {
  let q = queues.get(db);
  if (!q) {
    q = new CommitQueue(db);
    queues.set(db, q);
  }
  return q;
}

/**
 * Runs fn inside the next group commit on db and resolves with its result once
 * that transaction is durable. fn must be synchronous and must not await: it
 * runs between BEGIN IMMEDIATE and COMMIT, so everything it reads it reads
 * under the write lock, as with immediate().
 */
export function commit<T>(db: Db, fn: () => T): Promise<T> {
  return queueOf(db).submit(fn);
}

/** Commits whatever is queued, now; call before closing the database. */
export function flushCommits(db: Db): void {
  queues.get(db)?.flush();
}

/** How many transactions carried how many writes, for the benchmarks. */
export function commitStats(db: Db): Readonly<CommitStats> {
  return { ...queueOf(db).stats };
}
