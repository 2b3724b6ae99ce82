// Schema of vault.db, the stand-in for the card processor. It never holds a card
// number or a CVC: only the token, what identifies the card to its owner, and
// the test behaviour the number selected.
import type { Migration } from './open.ts';

export const vaultMigrations: readonly Migration[] = [
  {
    name: '001 card tokens and charges',
    up(db) {
      db.exec(`
        CREATE TABLE cards (
          token TEXT PRIMARY KEY,
          brand TEXT NOT NULL,
          last4 TEXT NOT NULL,
          exp_month INTEGER NOT NULL,
          exp_year INTEGER NOT NULL,
          behaviour TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;

        -- One row per charge attempt, keyed by the caller's idempotency key so a
        -- retried confirmation never charges twice.
        CREATE TABLE charges (
          id TEXT PRIMARY KEY,
          token TEXT NOT NULL REFERENCES cards(token),
          idempotency_key TEXT NOT NULL UNIQUE,
          amount INTEGER NOT NULL,
          currency TEXT NOT NULL,
          outcome TEXT NOT NULL,
          refunded INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
];
