// Schema of ledger.db: apps, buyers, purchases and the money they move.
// Append only: a shipped migration is never edited (its position is its number).
import type { Migration } from './open.ts';

export const ledgerMigrations: readonly Migration[] = [
  {
    name: '001 apps, buyers, purchases, ledger, idempotency',
    up(db) {
      db.exec(`
        CREATE TABLE apps (
          key TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          homepage TEXT NOT NULL,
          contact_email TEXT NOT NULL,
          postback_url TEXT NOT NULL,
          chargeback_url TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
          access TEXT NOT NULL CHECK (access IN ('live', 'simulate')),
          webhook_secret_sealed TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE app_secrets (
          id TEXT PRIMARY KEY,
          app_key TEXT NOT NULL REFERENCES apps(key),
          secret_sealed TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER,
          revoked_at INTEGER
        ) STRICT;
        CREATE INDEX app_secrets_by_app ON app_secrets(app_key, created_at);

        CREATE TABLE buyers (
          id TEXT PRIMARY KEY,
          email TEXT NOT NULL UNIQUE COLLATE NOCASE,
          name TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          pin_hash TEXT,
          pin_set_at INTEGER,
          pin_failures INTEGER NOT NULL DEFAULT 0,
          pin_locked_until INTEGER,
          pin_lockouts INTEGER NOT NULL DEFAULT 0,
          unlock_window_seconds INTEGER NOT NULL DEFAULT 0,
          unlocked_until INTEGER
        ) STRICT;

        -- One buyer is signed in to the wallet at a time.
        CREATE TABLE wallet_session (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          buyer_id TEXT NOT NULL REFERENCES buyers(id),
          signed_in_at INTEGER NOT NULL
        ) STRICT;

        -- A preauthorization: only the vault token and what a buyer needs to recognise the card.
        CREATE TABLE payment_methods (
          id TEXT PRIMARY KEY,
          buyer_id TEXT NOT NULL REFERENCES buyers(id),
          vault_token TEXT NOT NULL,
          brand TEXT NOT NULL,
          last4 TEXT NOT NULL,
          exp_month INTEGER NOT NULL,
          exp_year INTEGER NOT NULL,
          currency TEXT NOT NULL,
          limit_per_purchase INTEGER NOT NULL,
          limit_per_month INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          removed_at INTEGER
        ) STRICT;
        CREATE INDEX payment_methods_by_buyer ON payment_methods(buyer_id);

        CREATE TABLE purchases (
          id TEXT PRIMARY KEY,
          app_key TEXT NOT NULL REFERENCES apps(key),
          code TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled', 'declined', 'expired')),
          product_id TEXT NOT NULL,
          name TEXT NOT NULL,
          description TEXT NOT NULL,
          product_data TEXT NOT NULL,
          amount INTEGER NOT NULL CHECK (amount >= 0),
          currency TEXT NOT NULL,
          price_point TEXT,
          postback_url TEXT NOT NULL,
          chargeback_url TEXT NOT NULL,
          request_json TEXT NOT NULL,
          simulate_json TEXT,
          buyer_id TEXT REFERENCES buyers(id),
          payment_method_id TEXT REFERENCES payment_methods(id),
          transaction_id TEXT UNIQUE,
          failure_code TEXT,
          refunded_amount INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          completed_at INTEGER,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX purchases_by_created ON purchases(created_at DESC, id DESC);
        CREATE INDEX purchases_by_app ON purchases(app_key, created_at DESC, id DESC);
        CREATE INDEX purchases_by_status ON purchases(status, created_at DESC, id DESC);
        CREATE INDEX purchases_by_buyer ON purchases(buyer_id, created_at DESC, id DESC);
        CREATE INDEX purchases_by_product_data ON purchases(product_data);

        -- Every state change of a purchase, in order: the transaction timeline.
        CREATE TABLE purchase_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          purchase_id TEXT NOT NULL REFERENCES purchases(id),
          type TEXT NOT NULL,
          at INTEGER NOT NULL,
          data_json TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX purchase_events_by_purchase ON purchase_events(purchase_id, id);

        -- Money that moved, per app. Charges are positive, refunds and reversals negative.
        CREATE TABLE ledger_entries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          purchase_id TEXT NOT NULL REFERENCES purchases(id),
          app_key TEXT NOT NULL REFERENCES apps(key),
          kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'reversal')),
          amount INTEGER NOT NULL,
          currency TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX ledger_by_app ON ledger_entries(app_key, currency);

        -- Notices to merchants, written in the same transaction as the change they report.
        CREATE TABLE notices (
          id TEXT PRIMARY KEY,
          purchase_id TEXT NOT NULL REFERENCES purchases(id),
          app_key TEXT NOT NULL REFERENCES apps(key),
          type TEXT NOT NULL CHECK (type IN ('postback', 'chargeback')),
          seq INTEGER NOT NULL,
          url TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending',
          created_at INTEGER NOT NULL,
          UNIQUE (purchase_id, seq)
        ) STRICT;
        CREATE INDEX notices_by_status ON notices(status, created_at);

        -- Seen request ids, so a signed request cannot be replayed before it expires.
        CREATE TABLE used_jtis (
          app_key TEXT NOT NULL,
          jti TEXT NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (app_key, jti)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE idempotency_keys (
          scope TEXT NOT NULL,
          key TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
          status INTEGER,
          response_json TEXT,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (scope, key)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    name: '002 notice delivery record, refunds, provider signing keys',
    up(db) {
      db.exec(`
        -- The outbox is rebuilt because test notices belong to no purchase
        -- (purchase_id becomes nullable) and SQLite cannot relax a NOT NULL in place.
        -- Every new column has a default, so a row written by the 001-era insert
        -- in purchases.ts is due at once and follows the default retry schedule.
        CREATE TABLE notices_v2 (
          id TEXT PRIMARY KEY,
          purchase_id TEXT REFERENCES purchases(id),
          app_key TEXT NOT NULL REFERENCES apps(key),
          type TEXT NOT NULL CHECK (type IN ('postback', 'chargeback')),
          seq INTEGER NOT NULL,
          url TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
          created_at INTEGER NOT NULL,
          origin TEXT NOT NULL DEFAULT 'purchase' CHECK (origin IN ('purchase', 'resend', 'test')),
          parent_id TEXT,
          transaction_id TEXT GENERATED ALWAYS AS (json_extract(payload_json, '$.response.transactionID')) VIRTUAL,
          -- Attempts that count toward the schedule (an attempt cut short by a crash does not).
          attempts INTEGER NOT NULL DEFAULT 0,
          -- NULL: the length of the retry schedule in force.
          max_attempts INTEGER,
          next_attempt_at INTEGER NOT NULL DEFAULT 0,
          last_attempt_at INTEGER,
          last_verdict TEXT,
          last_reason TEXT,
          delivered_at INTEGER,
          failed_at INTEGER,
          UNIQUE (purchase_id, seq)
        ) STRICT;
        INSERT INTO notices_v2 (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, next_attempt_at)
          SELECT id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, created_at FROM notices;
        DROP TABLE notices;
        ALTER TABLE notices_v2 RENAME TO notices;
        CREATE INDEX notices_due ON notices(status, app_key, next_attempt_at);
        CREATE INDEX notices_by_created ON notices(created_at DESC, id DESC);
        CREATE INDEX notices_by_app ON notices(app_key, created_at DESC, id DESC);
        CREATE INDEX notices_by_transaction ON notices(transaction_id);

        -- Every delivery attempt, written before the request leaves (verdict NULL)
        -- and completed after, so a crash mid-attempt is visible as 'interrupted'.
        CREATE TABLE notice_attempts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          notice_id TEXT NOT NULL REFERENCES notices(id),
          number INTEGER NOT NULL,
          url TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          duration_ms REAL,
          request_headers_json TEXT NOT NULL,
          request_body TEXT NOT NULL,
          notice_json TEXT NOT NULL,
          response_status INTEGER,
          response_headers_json TEXT,
          response_body TEXT,
          response_truncated INTEGER NOT NULL DEFAULT 0,
          verdict TEXT,
          reason TEXT,
          UNIQUE (notice_id, number)
        ) STRICT;

        -- Refunds and reversals. A row is written 'pending' (reserving the amount)
        -- before the vault is asked, and completed together with the ledger entry
        -- and the chargeback notice; see server/refunds/refunds.ts.
        CREATE TABLE refunds (
          id TEXT PRIMARY KEY,
          purchase_id TEXT NOT NULL REFERENCES purchases(id),
          app_key TEXT NOT NULL REFERENCES apps(key),
          kind TEXT NOT NULL CHECK (kind IN ('refund', 'reversal')),
          amount INTEGER NOT NULL CHECK (amount > 0),
          currency TEXT NOT NULL,
          reason TEXT,
          source TEXT NOT NULL CHECK (source IN ('console', 'merchant', 'buyer')),
          status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
          notice_id TEXT,
          created_at INTEGER NOT NULL,
          completed_at INTEGER
        ) STRICT;
        CREATE INDEX refunds_by_purchase ON refunds(purchase_id, created_at);
        CREATE INDEX refunds_pending ON refunds(status) WHERE status = 'pending';

        -- Ed25519 keys that sign notices for apps that opted in; public halves are
        -- served at /.well-known/jwks.json until expires_at.
        CREATE TABLE provider_keys (
          kid TEXT PRIMARY KEY,
          public_jwk TEXT NOT NULL,
          private_sealed TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          retired_at INTEGER,
          expires_at INTEGER
        ) STRICT;

        ALTER TABLE apps ADD COLUMN notice_signing TEXT NOT NULL DEFAULT 'hmac' CHECK (notice_signing IN ('hmac', 'eddsa'));
      `);
    },
  },
  {
    name: '003 seller reputation counters, the secret a purchase was signed with, spend lookups',
    up(db) {
      db.exec(`
        -- Reputation as counters, so showing a seller costs nothing at a million sales.
        ALTER TABLE apps ADD COLUMN sales_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE apps ADD COLUMN refunded_count INTEGER NOT NULL DEFAULT 0;
        UPDATE apps SET
          sales_count = (SELECT COUNT(*) FROM purchases p WHERE p.app_key = apps.key AND p.status = 'completed' AND p.simulate_json IS NULL),
          refunded_count = (SELECT COUNT(*) FROM purchases p WHERE p.app_key = apps.key AND p.status = 'completed' AND p.simulate_json IS NULL AND p.refunded_amount > 0);

        -- A purchase signed with a secret revoked since (a leaked secret) is not confirmed.
        ALTER TABLE purchases ADD COLUMN secret_id TEXT;

        -- The monthly-limit check sums a card's spend at every confirmation.
        CREATE INDEX purchases_by_payment_method ON purchases(payment_method_id, status, completed_at) WHERE payment_method_id IS NOT NULL;
      `);
    },
  },
  {
    name: '004 the Idempotency-Key a refund was made under',
    up(db) {
      db.exec(`
        -- Written in the same transaction as the refund's reservation, so a retry
        -- after a crash that lost the stored answer finds the refund instead of
        -- making a second one (found by test/crash/harness.ts).
        ALTER TABLE refunds ADD COLUMN request_key TEXT;
        ALTER TABLE refunds ADD COLUMN request_fingerprint TEXT;
        CREATE UNIQUE INDEX refunds_by_request_key ON refunds(request_key) WHERE request_key IS NOT NULL;
      `);
    },
  },
  {
    name: '005 Idempotency-Key fingerprints that covered a PIN or CVC are erased',
    up(db) {
      // Written before fingerprints left secret fields out (server/http/idempotency.ts): an HMAC over
      // a PIN under a key beside it in the folder gives the PIN away. Only console routes carry secrets.
      // '' matches no fingerprint; IdempotencyStore replays such a key on the key alone until its day ends.
      db.exec(`UPDATE idempotency_keys SET fingerprint = '' WHERE scope = 'console'`);
    },
  },
  {
    name: '006 Idempotency-Keys live in one table: a refund binds its key there instead of in its own columns',
    up(db) {
      // One mechanism (server/http/idempotency.ts): a change made over several transactions
      // (a refund: reserve, ask the processor, complete) claims its key in the first one, as an
      // 'in_progress' row naming the change (resource_id), so a retry after a crash finds the
      // refund instead of making another. 004's request_key was '<scope>\n<key>'; its fingerprint
      // is the same HMAC the store computes. Keys already answered keep their answer.
      db.exec(`
        ALTER TABLE idempotency_keys ADD COLUMN resource_id TEXT;
        INSERT INTO idempotency_keys (scope, key, fingerprint, state, resource_id, created_at)
          SELECT substr(request_key, 1, instr(request_key, char(10)) - 1), substr(request_key, instr(request_key, char(10)) + 1),
            request_fingerprint, 'in_progress', id, created_at
          FROM refunds WHERE request_key IS NOT NULL AND instr(request_key, char(10)) > 0
          ON CONFLICT (scope, key) DO NOTHING;
        DROP INDEX refunds_by_request_key;
        ALTER TABLE refunds DROP COLUMN request_key;
        ALTER TABLE refunds DROP COLUMN request_fingerprint;
      `);
    },
  },
  {
    name: '007 dashboard rollups: purchases, refunds and notices per 15-minute slot',
    up(db) {
      // The dashboard's numbers at a million transactions: counters per 15-minute slot
      // (every time zone's midnight falls on a slot boundary, DST days included) and
      // currency, kept by triggers in the transaction of the change they count, so no
      // writer has to remember them. Read only by server/dashboard/summary.ts.
      db.exec(`
        CREATE TABLE purchase_rollup (
          slot INTEGER NOT NULL,
          currency TEXT NOT NULL,
          -- Purchases started in the slot, by their status now.
          started INTEGER NOT NULL DEFAULT 0,
          pending INTEGER NOT NULL DEFAULT 0,
          completed INTEGER NOT NULL DEFAULT 0,
          declined INTEGER NOT NULL DEFAULT 0,
          cancelled INTEGER NOT NULL DEFAULT 0,
          expired INTEGER NOT NULL DEFAULT 0,
          simulated INTEGER NOT NULL DEFAULT 0,
          -- Completions, refunds and reversals in the slot they happened.
          sales_count INTEGER NOT NULL DEFAULT 0,
          sales_amount INTEGER NOT NULL DEFAULT 0,
          refund_count INTEGER NOT NULL DEFAULT 0,
          refund_amount INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (slot, currency)
        ) STRICT, WITHOUT ROWID;

        -- Notices queued in the slot, by their status now, and a histogram of the delivered
        -- ones' latency (queued to acknowledged): lat_k counts those under the k-th bound of
        -- 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10, 30, 60 s, 5 min, 1 h (lat_14: longer).
        CREATE TABLE notice_rollup (
          slot INTEGER PRIMARY KEY,
          pending INTEGER NOT NULL DEFAULT 0,
          delivered INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          lat_0 INTEGER NOT NULL DEFAULT 0,
          lat_1 INTEGER NOT NULL DEFAULT 0,
          lat_2 INTEGER NOT NULL DEFAULT 0,
          lat_3 INTEGER NOT NULL DEFAULT 0,
          lat_4 INTEGER NOT NULL DEFAULT 0,
          lat_5 INTEGER NOT NULL DEFAULT 0,
          lat_6 INTEGER NOT NULL DEFAULT 0,
          lat_7 INTEGER NOT NULL DEFAULT 0,
          lat_8 INTEGER NOT NULL DEFAULT 0,
          lat_9 INTEGER NOT NULL DEFAULT 0,
          lat_10 INTEGER NOT NULL DEFAULT 0,
          lat_11 INTEGER NOT NULL DEFAULT 0,
          lat_12 INTEGER NOT NULL DEFAULT 0,
          lat_13 INTEGER NOT NULL DEFAULT 0,
          lat_14 INTEGER NOT NULL DEFAULT 0
        ) STRICT, WITHOUT ROWID;

        CREATE TRIGGER purchase_rollup_started AFTER INSERT ON purchases BEGIN
          INSERT INTO purchase_rollup (slot, currency, started, pending, completed, declined, cancelled, expired, simulated)
            VALUES (((NEW.created_at) / 900000) * 900000, NEW.currency, 1, NEW.status = 'pending', NEW.status = 'completed', NEW.status = 'declined', NEW.status = 'cancelled', NEW.status = 'expired', (NEW.status = 'completed' AND NEW.simulate_json IS NOT NULL))
            ON CONFLICT DO UPDATE SET started = started + 1, pending = pending + excluded.pending, completed = completed + excluded.completed, declined = declined + excluded.declined, cancelled = cancelled + excluded.cancelled, expired = expired + excluded.expired, simulated = simulated + excluded.simulated;
        END;
        CREATE TRIGGER purchase_rollup_status AFTER UPDATE OF status ON purchases WHEN OLD.status IS NOT NEW.status BEGIN
          UPDATE purchase_rollup SET
            pending = pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
            completed = completed + (NEW.status = 'completed') - (OLD.status = 'completed'),
            declined = declined + (NEW.status = 'declined') - (OLD.status = 'declined'),
            cancelled = cancelled + (NEW.status = 'cancelled') - (OLD.status = 'cancelled'),
            expired = expired + (NEW.status = 'expired') - (OLD.status = 'expired'),
            simulated = simulated + (NEW.status = 'completed' AND NEW.simulate_json IS NOT NULL) - (OLD.status = 'completed' AND OLD.simulate_json IS NOT NULL)
          WHERE slot = ((OLD.created_at) / 900000) * 900000 AND currency = OLD.currency;
        END;
        CREATE TRIGGER purchase_rollup_sale AFTER UPDATE OF status ON purchases
          WHEN NEW.status = 'completed' AND OLD.status IS NOT 'completed' AND NEW.completed_at IS NOT NULL BEGIN
          INSERT INTO purchase_rollup (slot, currency, sales_count, sales_amount) VALUES (((NEW.completed_at) / 900000) * 900000, NEW.currency, 1, NEW.amount)
            ON CONFLICT DO UPDATE SET sales_count = sales_count + 1, sales_amount = sales_amount + excluded.sales_amount;
        END;
        -- Rows written completed at once (imports, the benchmark's seed).
        CREATE TRIGGER purchase_rollup_sale_inserted AFTER INSERT ON purchases
          WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL BEGIN
          INSERT INTO purchase_rollup (slot, currency, sales_count, sales_amount) VALUES (((NEW.completed_at) / 900000) * 900000, NEW.currency, 1, NEW.amount)
            ON CONFLICT DO UPDATE SET sales_count = sales_count + 1, sales_amount = sales_amount + excluded.sales_amount;
        END;
        CREATE TRIGGER purchase_rollup_refund AFTER UPDATE OF status ON refunds
          WHEN NEW.status = 'completed' AND OLD.status IS NOT 'completed' AND NEW.completed_at IS NOT NULL BEGIN
          INSERT INTO purchase_rollup (slot, currency, refund_count, refund_amount) VALUES (((NEW.completed_at) / 900000) * 900000, NEW.currency, 1, NEW.amount)
            ON CONFLICT DO UPDATE SET refund_count = refund_count + 1, refund_amount = refund_amount + excluded.refund_amount;
        END;
        CREATE TRIGGER purchase_rollup_refund_inserted AFTER INSERT ON refunds
          WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL BEGIN
          INSERT INTO purchase_rollup (slot, currency, refund_count, refund_amount) VALUES (((NEW.completed_at) / 900000) * 900000, NEW.currency, 1, NEW.amount)
            ON CONFLICT DO UPDATE SET refund_count = refund_count + 1, refund_amount = refund_amount + excluded.refund_amount;
        END;

        CREATE TRIGGER notice_rollup_queued AFTER INSERT ON notices BEGIN
          INSERT INTO notice_rollup (slot, pending, delivered, failed, lat_0, lat_1, lat_2, lat_3, lat_4, lat_5, lat_6, lat_7, lat_8, lat_9, lat_10, lat_11, lat_12, lat_13, lat_14)
            VALUES (((NEW.created_at) / 900000) * 900000, NEW.status = 'pending', NEW.status = 'delivered', NEW.status = 'failed',
              NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 0, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 1, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 2, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 3, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 4, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 5, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 6, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 7, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 8, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 9, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 10, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 11, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 12, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 13, NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL AND CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 14)
            ON CONFLICT DO UPDATE SET pending = pending + excluded.pending, delivered = delivered + excluded.delivered, failed = failed + excluded.failed,
              lat_0 = lat_0 + excluded.lat_0, lat_1 = lat_1 + excluded.lat_1, lat_2 = lat_2 + excluded.lat_2, lat_3 = lat_3 + excluded.lat_3, lat_4 = lat_4 + excluded.lat_4, lat_5 = lat_5 + excluded.lat_5, lat_6 = lat_6 + excluded.lat_6, lat_7 = lat_7 + excluded.lat_7, lat_8 = lat_8 + excluded.lat_8, lat_9 = lat_9 + excluded.lat_9, lat_10 = lat_10 + excluded.lat_10, lat_11 = lat_11 + excluded.lat_11, lat_12 = lat_12 + excluded.lat_12, lat_13 = lat_13 + excluded.lat_13, lat_14 = lat_14 + excluded.lat_14;
        END;
        CREATE TRIGGER notice_rollup_status AFTER UPDATE OF status ON notices WHEN OLD.status IS NOT NEW.status BEGIN
          UPDATE notice_rollup SET
            pending = pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
            delivered = delivered + (NEW.status = 'delivered') - (OLD.status = 'delivered'),
            failed = failed + (NEW.status = 'failed') - (OLD.status = 'failed')
          WHERE slot = ((OLD.created_at) / 900000) * 900000;
        END;
        CREATE TRIGGER notice_latency_delivered AFTER UPDATE OF status ON notices
          WHEN NEW.status = 'delivered' AND OLD.status IS NOT 'delivered' AND NEW.delivered_at IS NOT NULL BEGIN
          UPDATE notice_rollup SET lat_0 = lat_0 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 0), lat_1 = lat_1 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 1), lat_2 = lat_2 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 2), lat_3 = lat_3 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 3), lat_4 = lat_4 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 4), lat_5 = lat_5 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 5), lat_6 = lat_6 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 6), lat_7 = lat_7 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 7), lat_8 = lat_8 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 8), lat_9 = lat_9 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 9), lat_10 = lat_10 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 10), lat_11 = lat_11 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 11), lat_12 = lat_12 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 12), lat_13 = lat_13 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 13), lat_14 = lat_14 + (CASE WHEN (NEW.delivered_at - NEW.created_at) < 10 THEN 0 WHEN (NEW.delivered_at - NEW.created_at) < 25 THEN 1 WHEN (NEW.delivered_at - NEW.created_at) < 50 THEN 2 WHEN (NEW.delivered_at - NEW.created_at) < 100 THEN 3 WHEN (NEW.delivered_at - NEW.created_at) < 250 THEN 4 WHEN (NEW.delivered_at - NEW.created_at) < 500 THEN 5 WHEN (NEW.delivered_at - NEW.created_at) < 1000 THEN 6 WHEN (NEW.delivered_at - NEW.created_at) < 2500 THEN 7 WHEN (NEW.delivered_at - NEW.created_at) < 5000 THEN 8 WHEN (NEW.delivered_at - NEW.created_at) < 10000 THEN 9 WHEN (NEW.delivered_at - NEW.created_at) < 30000 THEN 10 WHEN (NEW.delivered_at - NEW.created_at) < 60000 THEN 11 WHEN (NEW.delivered_at - NEW.created_at) < 300000 THEN 12 WHEN (NEW.delivered_at - NEW.created_at) < 3600000 THEN 13 ELSE 14 END = 14) WHERE slot = ((NEW.created_at) / 900000) * 900000;
        END;
        -- A delivered notice sent again (redeliver) leaves the histogram until it is delivered anew.
        CREATE TRIGGER notice_latency_undelivered AFTER UPDATE OF status ON notices
          WHEN OLD.status = 'delivered' AND NEW.status IS NOT 'delivered' AND OLD.delivered_at IS NOT NULL BEGIN
          UPDATE notice_rollup SET lat_0 = lat_0 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 0), lat_1 = lat_1 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 1), lat_2 = lat_2 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 2), lat_3 = lat_3 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 3), lat_4 = lat_4 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 4), lat_5 = lat_5 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 5), lat_6 = lat_6 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 6), lat_7 = lat_7 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 7), lat_8 = lat_8 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 8), lat_9 = lat_9 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 9), lat_10 = lat_10 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 10), lat_11 = lat_11 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 11), lat_12 = lat_12 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 12), lat_13 = lat_13 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 13), lat_14 = lat_14 - (CASE WHEN (OLD.delivered_at - OLD.created_at) < 10 THEN 0 WHEN (OLD.delivered_at - OLD.created_at) < 25 THEN 1 WHEN (OLD.delivered_at - OLD.created_at) < 50 THEN 2 WHEN (OLD.delivered_at - OLD.created_at) < 100 THEN 3 WHEN (OLD.delivered_at - OLD.created_at) < 250 THEN 4 WHEN (OLD.delivered_at - OLD.created_at) < 500 THEN 5 WHEN (OLD.delivered_at - OLD.created_at) < 1000 THEN 6 WHEN (OLD.delivered_at - OLD.created_at) < 2500 THEN 7 WHEN (OLD.delivered_at - OLD.created_at) < 5000 THEN 8 WHEN (OLD.delivered_at - OLD.created_at) < 10000 THEN 9 WHEN (OLD.delivered_at - OLD.created_at) < 30000 THEN 10 WHEN (OLD.delivered_at - OLD.created_at) < 60000 THEN 11 WHEN (OLD.delivered_at - OLD.created_at) < 300000 THEN 12 WHEN (OLD.delivered_at - OLD.created_at) < 3600000 THEN 13 ELSE 14 END = 14) WHERE slot = ((OLD.created_at) / 900000) * 900000;
        END;

        -- What the ledger already holds.
        INSERT INTO purchase_rollup (slot, currency, started, pending, completed, declined, cancelled, expired, simulated)
          SELECT ((created_at) / 900000) * 900000, currency, COUNT(*), SUM(status = 'pending'), SUM(status = 'completed'), SUM(status = 'declined'), SUM(status = 'cancelled'), SUM(status = 'expired'), SUM(status = 'completed' AND simulate_json IS NOT NULL)
          FROM purchases GROUP BY 1, 2;
        INSERT INTO purchase_rollup (slot, currency, sales_count, sales_amount)
          SELECT ((completed_at) / 900000) * 900000, currency, COUNT(*), SUM(amount) FROM purchases WHERE status = 'completed' AND completed_at IS NOT NULL GROUP BY 1, 2 HAVING true
          ON CONFLICT DO UPDATE SET sales_count = excluded.sales_count, sales_amount = excluded.sales_amount;
        INSERT INTO purchase_rollup (slot, currency, refund_count, refund_amount)
          SELECT ((completed_at) / 900000) * 900000, currency, COUNT(*), SUM(amount) FROM refunds WHERE status = 'completed' AND completed_at IS NOT NULL GROUP BY 1, 2 HAVING true
          ON CONFLICT DO UPDATE SET refund_count = excluded.refund_count, refund_amount = excluded.refund_amount;
        INSERT INTO notice_rollup (slot, pending, delivered, failed, lat_0, lat_1, lat_2, lat_3, lat_4, lat_5, lat_6, lat_7, lat_8, lat_9, lat_10, lat_11, lat_12, lat_13, lat_14)
          SELECT ((created_at) / 900000) * 900000, SUM(status = 'pending'), SUM(status = 'delivered'), SUM(status = 'failed'),
            SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 0), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 1), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 2), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 3), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 4), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 5), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 6), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 7), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 8), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 9), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 10), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 11), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 12), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 13), SUM(status = 'delivered' AND delivered_at IS NOT NULL AND CASE WHEN (notices.delivered_at - notices.created_at) < 10 THEN 0 WHEN (notices.delivered_at - notices.created_at) < 25 THEN 1 WHEN (notices.delivered_at - notices.created_at) < 50 THEN 2 WHEN (notices.delivered_at - notices.created_at) < 100 THEN 3 WHEN (notices.delivered_at - notices.created_at) < 250 THEN 4 WHEN (notices.delivered_at - notices.created_at) < 500 THEN 5 WHEN (notices.delivered_at - notices.created_at) < 1000 THEN 6 WHEN (notices.delivered_at - notices.created_at) < 2500 THEN 7 WHEN (notices.delivered_at - notices.created_at) < 5000 THEN 8 WHEN (notices.delivered_at - notices.created_at) < 10000 THEN 9 WHEN (notices.delivered_at - notices.created_at) < 30000 THEN 10 WHEN (notices.delivered_at - notices.created_at) < 60000 THEN 11 WHEN (notices.delivered_at - notices.created_at) < 300000 THEN 12 WHEN (notices.delivered_at - notices.created_at) < 3600000 THEN 13 ELSE 14 END = 14)
          FROM notices GROUP BY 1;
      `);
    },
  },
];
