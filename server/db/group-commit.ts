// Group commit. With synchronous=FULL every COMMIT waits for the disk (an
// fsync of the WAL), and one SQLite file has one writer: one transaction per
// request caps a server at the disk's commit rate (a few thousand a second
// here, far less when the disk is shared). So the writes of every request that
// arrive in the same turn of the event loop run in ONE `BEGIN IMMEDIATE`
// transaction, each inside its own SAVEPOINT, and every caller is answered only
// after that COMMIT is on disk: nobody is told before the change is durable.
//
// Each caller keeps its own all-or-nothing: when its function throws, its
// savepoint is rolled back and it alone gets the error; the others commit. If
// the COMMIT itself fails, every caller in the batch gets that error and none
// of their changes exists.
//
// The fsync runs on libuv's thread pool, not on the event loop. A group's
// COMMIT runs with synchronous=NORMAL (SQLite appends the frames to the WAL
// and returns), then the WAL file is fdatasync'ed on the thread pool, and only
// then are the group's callers answered: the frames of an acknowledged change
// are on disk exactly as synchronous=FULL would have put them (FULL is that
// same fdatasync, made by SQLite on the calling thread). Writes that arrive
// while an fdatasync runs wait for it and then commit as one group, covered by
// the next. Every other transaction (immediate()) stays synchronous=FULL.
//
// A committed group is visible to readers before its fdatasync returns, so
// nothing may be told of what they read until whenDurable() has resolved: the
// HTTP server waits for it before every answer (server/http/server.ts).
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type { Db } from './open.ts';
import type { Tx } from './tx.ts';

interface Pending {
  readonly fn: () => unknown;
  /** Answered at COMMIT, before the fdatasync (commitVisible). */
  readonly early: boolean;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A committed group whose callers wait for the fdatasync that covers it. */
interface Committed {
  readonly seq: number;
  /** Answers each caller with its own outcome. */
  readonly settle: () => void;
  /** Answers every caller with this error instead. */
  readonly fail: (error: unknown) => void;
}

/** Caps one batch, so one COMMIT never holds the event loop for long. */
const MAX_BATCH = 256;

export interface CommitStats {
  /** Transactions committed. */
  commits: number;
  /** Caller functions run (committed or rolled back to their savepoint). */
  writes: number;
  /** fdatasyncs of the WAL that made groups durable. */
  syncs: number;
}

/** How a group's WAL is made durable: fs.fdatasync, unless a test holds it (setWalSync). */
export type WalSync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

class CommitQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  readonly stats: CommitStats = { commits: 0, writes: 0, syncs: 0 };
  /** Groups committed, and how many of them are known to be on disk. */
  private committedSeq = 0;
  private syncedSeq = 0;
  private syncing = false;
  private waiting: Committed[] = [];
  /** whenDurable() callers, in the order of the group they wait for. */
  private readonly barriers: { readonly seq: number; readonly resolve: () => void; readonly reject: (e: unknown) => void }[] = [];
  private walFdOpen: number | undefined;
  /** Set when an fdatasync failed: nothing written since can be promised durable. */
  private broken: unknown;
  private closed = false;
  /** A file database in WAL mode; anything else (":memory:") commits with FULL semantics as is. */
  private readonly walPath: string | undefined;
  walSync: WalSync = fdatasync;
  /** Other databases whose commits this one's durability includes (followDurability). */
  readonly follows: CommitQueue[] = [];

  constructor(private readonly db: Db) {
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walPath = wal ? `${db.name}-wal` : undefined;
  }

  submit<T>(fn: () => T, early = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.broken !== undefined) {
        reject(this.broken);
        return;
      }
      this.queue.push({ fn, early, resolve: resolve as (v: unknown) => void, reject });
      // While an fdatasync runs, what is queued waits for it to finish and then commits
      // as one group: its callers would wait for the next fdatasync anyway, and one
      // COMMIT writes fewer pages than several.
      if (!this.scheduled && !this.syncing) {
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
    const async = this.walPath !== undefined;
    try {
      // The fdatasync comes after, off the event loop (see the top of this file).
      if (async) db.exec('PRAGMA synchronous = NORMAL');
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      this.restoreFull();
      failAll(error);
      return;
    }
    // A caller alone in its group has the transaction itself as its all-or-nothing.
    const alone = batch.length === 1;
    for (const p of batch) {
      // Some errors (a full disk, an I/O error) make SQLite roll back the whole transaction.
      if (!db.inTransaction) break;
      if (!alone) db.exec('SAVEPOINT paydesk_write');
      try {
        const value = p.fn();
        if (!alone) db.exec('RELEASE paydesk_write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (db.inTransaction) db.exec(alone ? 'ROLLBACK' : 'ROLLBACK TO paydesk_write; RELEASE paydesk_write');
        outcomes.push({ ok: false, error });
      }
    }
    const only = outcomes[0];
    if (alone && only && !only.ok) {
      // Nothing was written: nothing to commit or to wait for.
      this.restoreFull();
      batch[0]!.reject(only.error);
      return;
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
      this.restoreFull();
      failAll(error);
      return;
    }
    this.restoreFull();
    this.stats.commits++;
    this.stats.writes += batch.length;
    const answer = (p: Pending, o: Outcome) => {
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    };
    if (!async) {
      batch.forEach((p, i) => answer(p, outcomes[i]!));
      return;
    }
    // Early callers hear now; they must await whenDurable() before telling anyone.
    batch.forEach((p, i) => {
      if (p.early) answer(p, outcomes[i]!);
    });
    const late = batch.filter((p) => !p.early);
    this.waiting.push({
      seq: ++this.committedSeq,
      settle: () => batch.forEach((p, i) => {
        if (!p.early) answer(p, outcomes[i]!);
      }),
      fail: (error) => late.forEach((p) => p.reject(error)),
    });
    this.sync();
  }

  private restoreFull(): void {
    if (this.walPath === undefined) return;
    try {
      this.db.exec('PRAGMA synchronous = FULL');
    } catch {
      // the connection is gone
    }
  }

  /**
   * The WAL file's descriptor, opened once: SQLite writes it in place and deletes it
   * only when the last connection closes, which is after closeCommits().
   */
  private walFd(): number {
    this.walFdOpen ??= openSync(this.walPath!, 'r');
    return this.walFdOpen;
  }

  /** One fdatasync at a time; it covers every group committed before it started. */
  private sync(): void {
    if (this.syncing || this.syncedSeq === this.committedSeq) return;
    this.syncing = true;
    const target = this.committedSeq;
    let fd: number;
    try {
      fd = this.walFd();
    } catch (error) {
      this.syncDone(target, error);
      return;
    }
    // What the followed databases committed before this point is part of what this fdatasync promises.
    const others = this.follows.map((q) => q.durable()).filter((w) => w !== undefined);
    this.walSync(fd, (error) => {
      if (error || others.length === 0) this.syncDone(target, error ?? undefined);
      else Promise.all(others).then(() => this.syncDone(target, undefined), (e: unknown) => this.syncDone(target, e));
    });
  }

  private syncDone(target: number, error: unknown): void {
    // An fdatasync still running when close() made its own finishes into a closed queue.
    if (this.closed) return;
    this.syncing = false;
    if (error !== undefined) {
      // The disk refused: what these groups wrote may not survive a power cut, so
      // none of their callers hears success, and nothing later can be promised either.
      this.broken = error;
      const failed = this.waiting;
      this.waiting = [];
      this.barriers.splice(0).forEach((b) => b.reject(error));
      for (const c of failed) c.fail(error);
      return;
    }
    this.stats.syncs++;
    this.syncedSeq = Math.max(this.syncedSeq, target);
    while (this.waiting.length > 0 && this.waiting[0]!.seq <= target) this.waiting.shift()!.settle();
    while (this.barriers.length > 0 && this.barriers[0]!.seq <= target) this.barriers.shift()!.resolve();
    // What queued up during the fdatasync commits at the end of this turn, with
    // whatever the rest of the turn's I/O adds to it.
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    // Groups committed while this fdatasync ran (a flush already under way) need the next.
    this.sync();
  }

  /** Resolves once every group committed so far is on disk; undefined when that is already so. */
  durable(): Promise<void> | undefined {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.syncedSeq === this.committedSeq) return undefined;
    const seq = this.committedSeq;
    return new Promise((resolve, reject) => this.barriers.push({ seq, resolve, reject }));
  }

  /** Commits what is queued and waits, on this thread, for it to be on disk; then lets go of the WAL. */
  close(): void {
    this.flush();
    if (this.syncedSeq !== this.committedSeq && this.broken === undefined) {
      const target = this.committedSeq;
      let error: unknown;
      try {
        fdatasyncSync(this.walFd());
      } catch (e) {
        error = e;
      }
      this.syncDone(target, error);
    }
    this.closed = true;
    if (this.walFdOpen !== undefined) closeSync(this.walFdOpen);
    this.walFdOpen = undefined;
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
 * under the write lock, as with immediate(). fn is handed the transaction (Tx)
 * that the writes which must be part of it take.
 */
export function commit<T>(db: Db, fn: (tx: Tx) => T): Promise<T> {
  return queueOf(db).submit(() => fn(db as Tx));
}

/**
 * commit(), resolved as soon as the transaction has committed, before it is on
 * disk: what it wrote is visible to readers of db, and survives the process
 * being killed (SQLite wrote it to the WAL), but not yet a power cut. The caller
 * may build on it (another database's transaction that reads it, see
 * followDurability) and must not tell anyone before whenDurable(db).
 */
export function commitVisible<T>(db: Db, fn: (tx: Tx) => T): Promise<T> {
  return queueOf(db).submit(() => fn(db as Tx), true);
}

/**
 * Makes db's group commits durable only together with what `other` had committed
 * when each fdatasync of db started: the two fdatasyncs run side by side, and
 * db's callers (and whenDurable(db)) hear once both returned. A transaction on db
 * that read a commitVisible() result of `other` is then never reported durable
 * before that result is.
 */
export function followDurability(db: Db, other: Db): void {
  const q = queueOf(db);
  const o = queueOf(other);
  if (!q.follows.includes(o)) q.follows.push(o);
}

/**
 * Resolves once everything committed on db so far is on disk (undefined when it
 * already is). Await it before telling anyone what was read from db.
 */
export function whenDurable(db: Db): Promise<void> | undefined {
  return queues.get(db)?.durable();
}

/** Commits whatever is queued and makes it durable, now; call before closing the database. */
export function closeCommits(db: Db): void {
  queues.get(db)?.close();
}

/**
 * Replaces the fdatasync of db's group commits. For tests: a sync held until the
 * test lets it run shows what callers and readers see between COMMIT and disk,
 * with no reliance on how fast the thread pool happens to be.
 */
export function setWalSync(db: Db, sync: WalSync): void {
  queueOf(db).walSync = sync;
}

/** How many transactions carried how many writes, for the benchmarks. */
export function commitStats(db: Db): Readonly<CommitStats> {
  return { ...queueOf(db).stats };
}
