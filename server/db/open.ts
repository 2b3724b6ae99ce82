// Opens a SQLite file with the settings money needs (WAL, synchronous=FULL) and
// brings its schema up to date. Migrations are numbered by their position in the
// list and tracked by PRAGMA user_version; all pending ones run in one
// transaction, and a file written by a newer Paydesk is refused rather than
// guessed at (after Signal-Desktop's ts/sql/migrations).
import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import type { Tx } from './tx.ts';

export type Db = Database.Database;

export interface Migration {
  readonly name: string;
  up(db: Db): void;
}

export interface OpenOptions {
  /** Path to an Electron-ABI better_sqlite3.node when running inside the desktop app. */
  readonly nativeBinding?: string;
  readonly readonly?: boolean;
}

export class SchemaTooNewError extends Error {
  constructor(path: string, found: number, known: number) {
    super(`${path} was written by a newer Paydesk (schema ${found}, this version knows ${known}). Update Paydesk, or point --data-dir at another folder.`);
    this.name = 'SchemaTooNewError';
  }
}

export function openDatabase(path: string, migrations: readonly Migration[], options: OpenOptions = {}): Db {
  const db = new Database(path, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(options.readonly ? { readonly: true } : {}),
  });
  try {
    // Only the owner may read what holds sealed secrets and PIN hashes.
    if (!options.readonly && path !== ':memory:') chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Deleted rows (swept Idempotency-Keys, used jtis, replaced PIN hashes) are overwritten with
    // zeros, not left readable in free space for whoever copies the file later.
    db.pragma('secure_delete = ON');
    // Group commit wraps each write in a SAVEPOINT, whose undo pages SQLite keeps in a
    // temporary file by default: in memory, a write to an indexed table costs half.
    db.pragma('temp_store = MEMORY');
    migrate(db, path, migrations);
    cacheStatements(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Statements kept at most; the SQL text is the key, so dynamic filters make a few variants each. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Services call db.prepare(sql) where they use it, which keeps the SQL next to
 * its use; compiling it again on every call cost more than running it on the
 * hot paths (bench/purchases.ts). So prepared statements are kept by their SQL
 * text. Safe because no caller keeps a statement busy (no iterate()) or
 * changes its mode (pluck/raw/expand).
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt === undefined) {
      stmt = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(source, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}

export function migrate(db: Db, path: string, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) throw new SchemaTooNewError(path, current, migrations.length);
  if (current === migrations.length) return current;
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) migrations[v]!.up(db);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
  return migrations.length;
}

/** Runs fn in a BEGIN IMMEDIATE transaction: the writer lock is taken up front, so no upgrade deadlock. */
export function immediate<T>(db: Db, fn: (tx: Tx) => T): T {
  return db.transaction(() => fn(db as Tx)).immediate();
}
