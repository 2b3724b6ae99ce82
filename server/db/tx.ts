// A handle on a database inside an open write transaction (after Signal-Desktop's
// ReadableDB/WritableDB, ts/sql/Interface.std.ts). A write that must share the
// transaction of the change it belongs to (a ledger entry, an outbox row, an
// Idempotency-Key's answer) takes a Tx as its first parameter, so calling it
// outside one is a compile error, not a comment. Only the commit helpers make
// one: immediate() (server/db/open.ts) and commit() (server/db/group-commit.ts);
// lint refuses `as Tx` anywhere else (eslint.config.js). Reads take the plain Db.
import type { Db } from './open.ts';

declare const inWriteTransaction: unique symbol;

export type Tx = Db & { readonly [inWriteTransaction]: true };
