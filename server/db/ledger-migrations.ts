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
    name: '007 dashboard rollups: purchases, refunds and notices per 15 minutes, hour and 6 hours',
    up(db) {
      // The dashboard's numbers at a million transactions: counters per span-long slot and
      // currency, kept by triggers in the transaction of the change they count, so no writer
      // has to remember them. Read only by server/dashboard/summary.ts. Each change counts in
      // three slots, 15 minutes, an hour and 6 hours long: every time zone's midnight falls on
      // a quarter hour (DST days included) and almost every one on an hour, so a local day
      // reads about 9 rows (6-hour slots inside, hours at its edges) instead of 96, and only
      // :30/:45 zones read quarters. Built from these constants so each is written once; the
      // text they make is frozen with this migration, like any other.
      const spans = '(SELECT 900000 AS span UNION ALL SELECT 3600000 UNION ALL SELECT 21600000)';
      const slot = (at: string) => `(${at}) / s.span * s.span`;
      const inSlots = (at: string) => `(span, slot) IN (SELECT s.span, ${slot(at)} FROM ${spans} s)`;
      // The latency histogram of delivered notices (queued to acknowledged): lat_k counts those
      // under the k-th bound and at or over the one before, the last column those over the last bound.
      const latencyBoundsMs = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 3600000];
      const lat = [...latencyBoundsMs, null].map((_, k) => `lat_${k}`);
      const bucket = (n: string) => `(SELECT COUNT(*) FROM notice_latency_bounds b WHERE b.below_ms <= ${n}.delivered_at - ${n}.created_at)`;
      // One notice in or out (sign 1 or -1) of its bucket, in each of its slots.
      const latencyUpsert = (n: string, sign: number) => `INSERT INTO notice_rollup (span, slot, ${lat.join(', ')})
            SELECT s.span, ${slot(`${n}.created_at`)}, ${lat.map((_, k) => `${sign} * (b.k = ${k})`).join(', ')} FROM ${spans} s, (SELECT ${bucket(n)} AS k) b WHERE true
            ON CONFLICT DO UPDATE SET ${lat.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
      const statusCounts = ['pending', 'completed', 'declined', 'cancelled', 'expired'];
      const completion = (name: string, on: string, what: 'sales' | 'refund') => `CREATE TRIGGER ${name} AFTER ${on} NEW.status = 'completed' AND NEW.completed_at IS NOT NULL BEGIN
          INSERT INTO purchase_rollup (span, slot, currency, ${what}_count, ${what}_amount)
            SELECT s.span, ${slot('NEW.completed_at')}, NEW.currency, 1, NEW.amount FROM ${spans} s WHERE true
            ON CONFLICT DO UPDATE SET ${what}_count = ${what}_count + 1, ${what}_amount = ${what}_amount + excluded.${what}_amount;
        END;`;
      db.exec(`
        CREATE TABLE purchase_rollup (
          span INTEGER NOT NULL,
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
          PRIMARY KEY (span, slot, currency)
        ) STRICT, WITHOUT ROWID;

        -- Notices queued in the slot, by their status now.
        CREATE TABLE notice_rollup (
          span INTEGER NOT NULL,
          slot INTEGER NOT NULL,
          pending INTEGER NOT NULL DEFAULT 0,
          delivered INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          ${lat.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n          ')},
          PRIMARY KEY (span, slot)
        ) STRICT, WITHOUT ROWID;
        -- The histogram's bounds, for the triggers and for the reader of lat_k.
        CREATE TABLE notice_latency_bounds (bucket INTEGER PRIMARY KEY, below_ms INTEGER NOT NULL UNIQUE) STRICT;
        INSERT INTO notice_latency_bounds (bucket, below_ms) VALUES ${latencyBoundsMs.map((ms, k) => `(${k}, ${ms})`).join(', ')};

        CREATE TRIGGER purchase_rollup_started AFTER INSERT ON purchases BEGIN
          INSERT INTO purchase_rollup (span, slot, currency, started, ${statusCounts.join(', ')}, simulated)
            SELECT s.span, ${slot('NEW.created_at')}, NEW.currency, 1, ${statusCounts.map((c) => `NEW.status = '${c}'`).join(', ')},
              NEW.status = 'completed' AND NEW.simulate_json IS NOT NULL
            FROM ${spans} s WHERE true
            ON CONFLICT DO UPDATE SET started = started + 1, ${[...statusCounts, 'simulated'].map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};
        END;
        CREATE TRIGGER purchase_rollup_status AFTER UPDATE OF status ON purchases WHEN OLD.status IS NOT NEW.status BEGIN
          UPDATE purchase_rollup SET
            ${statusCounts.map((c) => `${c} = ${c} + (NEW.status = '${c}') - (OLD.status = '${c}')`).join(',\n            ')},
            simulated = simulated + (NEW.status = 'completed' AND NEW.simulate_json IS NOT NULL) - (OLD.status = 'completed' AND OLD.simulate_json IS NOT NULL)
          WHERE currency = OLD.currency AND ${inSlots('OLD.created_at')};
        END;
        -- A completion counts in the slot it happened; the _inserted ones take rows written
        -- completed at once (imports, the benchmark's seed).
        ${completion('purchase_rollup_sale', "UPDATE OF status ON purchases WHEN OLD.status IS NOT 'completed' AND", 'sales')}
        ${completion('purchase_rollup_sale_inserted', 'INSERT ON purchases WHEN', 'sales')}
        ${completion('purchase_rollup_refund', "UPDATE OF status ON refunds WHEN OLD.status IS NOT 'completed' AND", 'refund')}
        ${completion('purchase_rollup_refund_inserted', 'INSERT ON refunds WHEN', 'refund')}

        CREATE TRIGGER notice_rollup_queued AFTER INSERT ON notices BEGIN
          INSERT INTO notice_rollup (span, slot, pending, delivered, failed)
            SELECT s.span, ${slot('NEW.created_at')}, NEW.status = 'pending', NEW.status = 'delivered', NEW.status = 'failed' FROM ${spans} s WHERE true
            ON CONFLICT DO UPDATE SET pending = pending + excluded.pending, delivered = delivered + excluded.delivered, failed = failed + excluded.failed;
        END;
        CREATE TRIGGER notice_rollup_status AFTER UPDATE OF status ON notices WHEN OLD.status IS NOT NEW.status BEGIN
          UPDATE notice_rollup SET
            pending = pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
            delivered = delivered + (NEW.status = 'delivered') - (OLD.status = 'delivered'),
            failed = failed + (NEW.status = 'failed') - (OLD.status = 'failed')
          WHERE ${inSlots('OLD.created_at')};
        END;
        CREATE TRIGGER notice_latency_queued AFTER INSERT ON notices WHEN NEW.status = 'delivered' AND NEW.delivered_at IS NOT NULL BEGIN
          ${latencyUpsert('NEW', 1)}
        END;
        CREATE TRIGGER notice_latency_delivered AFTER UPDATE OF status ON notices
          WHEN NEW.status = 'delivered' AND OLD.status IS NOT 'delivered' AND NEW.delivered_at IS NOT NULL BEGIN
          ${latencyUpsert('NEW', 1)}
        END;
        -- A delivered notice sent again (redeliver) leaves the histogram until it is delivered anew.
        CREATE TRIGGER notice_latency_undelivered AFTER UPDATE OF status ON notices
          WHEN OLD.status = 'delivered' AND NEW.status IS NOT 'delivered' AND OLD.delivered_at IS NOT NULL BEGIN
          ${latencyUpsert('OLD', -1)}
        END;

        -- What the ledger already holds.
        INSERT INTO purchase_rollup (span, slot, currency, started, ${statusCounts.join(', ')}, simulated)
          SELECT s.span, ${slot('created_at')}, currency, COUNT(*), ${statusCounts.map((c) => `SUM(status = '${c}')`).join(', ')}, SUM(status = 'completed' AND simulate_json IS NOT NULL)
          FROM purchases, ${spans} s GROUP BY 1, 2, 3;
        ${[['sales', 'purchases'], ['refund', 'refunds']].map(([what, table]) => `
        INSERT INTO purchase_rollup (span, slot, currency, ${what}_count, ${what}_amount)
          SELECT s.span, ${slot('completed_at')}, currency, COUNT(*), SUM(amount) FROM ${table}, ${spans} s
          WHERE status = 'completed' AND completed_at IS NOT NULL GROUP BY 1, 2, 3
          ON CONFLICT DO UPDATE SET ${what}_count = excluded.${what}_count, ${what}_amount = excluded.${what}_amount;`).join('')}
        -- k is NULL for a notice not delivered: IS, not =, so a slot of only such notices counts 0, not NULL.
        INSERT INTO notice_rollup (span, slot, pending, delivered, failed, ${lat.join(', ')})
          SELECT s.span, ${slot('n.created_at')}, SUM(n.status = 'pending'), SUM(n.status = 'delivered'), SUM(n.status = 'failed'), ${lat.map((_, k) => `SUM(n.k IS ${k})`).join(', ')}
          FROM (SELECT created_at, status, CASE WHEN status = 'delivered' AND delivered_at IS NOT NULL THEN ${bucket('notices')} END AS k FROM notices) n, ${spans} s
          GROUP BY 1, 2;
      `);
    },
  },
  {
    name: '008 sign-in: the OpenID Connect provider\'s store, apps as OAuth clients, sign-ins waiting in the wallet, connections',
    up(db) {
      db.exec(`
        -- oidc-provider's models (server/identity/adapter.ts). An opaque token, a code or a
        -- session id is a bearer secret: only its HMAC is kept, never the value.
        CREATE TABLE oidc_models (
          model TEXT NOT NULL,
          id_hash TEXT NOT NULL,
          payload TEXT NOT NULL,
          grant_id TEXT,
          uid TEXT,
          user_code_hash TEXT,
          expires_at INTEGER,
          consumed_at INTEGER,
          PRIMARY KEY (model, id_hash)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX oidc_models_by_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
        CREATE INDEX oidc_models_by_uid ON oidc_models(uid) WHERE uid IS NOT NULL;
        CREATE INDEX oidc_models_by_user_code ON oidc_models(user_code_hash) WHERE user_code_hash IS NOT NULL;
        CREATE INDEX oidc_models_by_expiry ON oidc_models(expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE oauth_clients (
          app_key TEXT PRIMARY KEY REFERENCES apps(key),
          enabled INTEGER NOT NULL,
          type TEXT NOT NULL CHECK (type IN ('public', 'confidential')),
          redirect_uris TEXT NOT NULL,
          allowed_scopes TEXT NOT NULL,
          secret_sealed TEXT,
          secret_created_at INTEGER,
          updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE oidc_signing_keys (
          kid TEXT PRIMARY KEY,
          jwk_sealed TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE sign_ins (
          id TEXT PRIMARY KEY,
          interaction_uid TEXT NOT NULL UNIQUE,
          code TEXT NOT NULL,
          flow TEXT NOT NULL CHECK (flow IN ('code', 'device')),
          app_key TEXT NOT NULL,
          scopes TEXT NOT NULL,
          login_hint TEXT,
          session_buyer_id TEXT,
          status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
          buyer_id TEXT,
          remember INTEGER,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          decided_at INTEGER
        ) STRICT;
        CREATE INDEX sign_ins_by_status ON sign_ins(status, created_at);

        CREATE TABLE oidc_connections (
          grant_id TEXT PRIMARY KEY,
          buyer_id TEXT NOT NULL,
          app_key TEXT NOT NULL,
          scopes TEXT NOT NULL,
          remember INTEGER NOT NULL,
          granted_at INTEGER NOT NULL,
          last_used_at INTEGER
        ) STRICT;
        CREATE INDEX oidc_connections_by_buyer ON oidc_connections(buyer_id, app_key);

        -- The buyer a payments token named: only they may confirm the purchase.
        ALTER TABLE purchases ADD COLUMN signed_in_buyer_id TEXT;
      `);
    },
  },
  {
    name: '009 notices that can be recovered: cancelled, the URL each attempt used and where it came from, retry jobs',
    up(db) {
      db.exec(`
        -- A cancelled notice is 'failed' with cancelled_at set, so the status CHECK, the due index
        -- and 007's rollup triggers stay as they are (the dashboard counts it as not delivered).
        ALTER TABLE notices ADD COLUMN cancelled_at INTEGER;
        -- Where the notice's url came from: the app's registered URL, the payment request's own
        -- postbackURL/chargebackURL (which overrides the app's), or one typed in the console.
        ALTER TABLE notices ADD COLUMN url_source TEXT CHECK (url_source IN ('app', 'request', 'other'));
        ALTER TABLE notice_attempts ADD COLUMN url_source TEXT CHECK (url_source IN ('app', 'request', 'other'));
        -- The endpoint view reads an app's latest attempts without a join through every notice.
        ALTER TABLE notice_attempts ADD COLUMN app_key TEXT;
        UPDATE notices SET url_source = CASE
            WHEN COALESCE(json_extract(payload_json, CASE type WHEN 'postback' THEN '$.request.postbackURL' ELSE '$.request.chargebackURL' END), '') <> '' THEN 'request'
            ELSE 'app' END
          WHERE origin <> 'test';
        UPDATE notice_attempts SET (app_key, url_source) = (SELECT n.app_key, n.url_source FROM notices n WHERE n.id = notice_attempts.notice_id);
        CREATE INDEX notice_attempts_by_app ON notice_attempts(app_key, id);

        -- "Retry all failed": which notices one bulk retry queued, so its summary is read from the notices themselves.
        CREATE TABLE notice_retry_jobs (
          id TEXT PRIMARY KEY,
          filter_json TEXT NOT NULL,
          queued INTEGER NOT NULL,
          skipped INTEGER NOT NULL,
          more INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE notice_retry_items (
          job_id TEXT NOT NULL REFERENCES notice_retry_jobs(id),
          notice_id TEXT NOT NULL REFERENCES notices(id),
          PRIMARY KEY (job_id, notice_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX notice_retry_items_by_notice ON notice_retry_items(notice_id);
      `);
    },
  },
  {
    name: '010 transaction search: a trigram index over productData, product id, confirmation code and buyer email',
    up(db) {
      // Search by any part of a value (issue 15). The trigram index answers which rows hold
      // a three-character piece of the search text; the reader starts from the rarest piece
      // and checks the whole text on those few rows in purchase_search_text (the values, the
      // buyer's email beside them), so it never has to read a common piece's long list
      // (server/purchases/transactions.ts). Hence detail=none (no positions, a quarter of the
      // size) and contentless with contentless_delete (the values stay in purchases and
      // buyers; a row is replaced when its buyer is set). Ids are not in it: their prefixes
      // use the ids' own indexes. The code is indexed without its dash, and the reader strips
      // dashes for that column, so "K7P4QX" and "K7P-4QX" both find it. The email is copied
      // in because it is what people type; a buyer's email never changes (server/wallet).
      // Kept by triggers in the transaction of the change, like 007's rollups, so no writer
      // has to remember it.
      const columns = 'rowid, product_data, product_id, code, email';
      const values = (p: string) => `${p}.rowid, ${p}.product_data, ${p}.product_id, replace(${p}.code, '-', ''), (SELECT email FROM buyers WHERE id = ${p}.buyer_id)`;
      db.exec(`
        CREATE VIRTUAL TABLE purchase_search USING fts5(
          product_data, product_id, code, email,
          content = '', contentless_delete = 1, detail = none, tokenize = 'trigram'
        );
        CREATE VIEW purchase_search_text AS
          SELECT p.rowid AS rowid, p.product_data, p.product_id, replace(p.code, '-', '') AS code, b.email
          FROM purchases p LEFT JOIN buyers b ON b.id = p.buyer_id;
        CREATE TRIGGER purchase_search_inserted AFTER INSERT ON purchases BEGIN
          INSERT INTO purchase_search (${columns}) SELECT ${values('NEW')};
        END;
        CREATE TRIGGER purchase_search_buyer AFTER UPDATE OF buyer_id ON purchases WHEN OLD.buyer_id IS NOT NEW.buyer_id BEGIN
          INSERT OR REPLACE INTO purchase_search (${columns}) SELECT ${values('NEW')};
        END;
        CREATE TRIGGER purchase_search_deleted AFTER DELETE ON purchases BEGIN
          DELETE FROM purchase_search WHERE rowid = OLD.rowid;
        END;

        -- Exact productData lookups were the old search's; the index above covers them.
        DROP INDEX purchases_by_product_data;

        -- What the ledger already holds.
        INSERT INTO purchase_search (${columns}) SELECT ${values('p')} FROM purchases p;
      `);
    },
  },
  {
    name: '011 a running total of each card\'s spend per month, for the monthly limit',
    up(db) {
      // The UTC month's first millisecond, as monthStart() in server/purchases/purchases.ts computes it.
      const month = (col: string) => `CAST(strftime('%s', ${col} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000`;
      db.exec(`
        -- The monthly-limit check read SUM(amount) over the card's completed purchases of the
        -- month at every confirmation, linear in them; this is that sum, kept up to date by
        -- the transaction that completes a purchase (the trigger runs inside it).
        CREATE TABLE card_month_spend (
          payment_method_id TEXT NOT NULL,
          month INTEGER NOT NULL,
          amount INTEGER NOT NULL,
          PRIMARY KEY (payment_method_id, month)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER card_month_spend_completed AFTER UPDATE OF status ON purchases
          WHEN NEW.status = 'completed' AND OLD.status IS NOT 'completed' AND NEW.payment_method_id IS NOT NULL AND NEW.simulate_json IS NULL BEGIN
          INSERT INTO card_month_spend (payment_method_id, month, amount) VALUES (NEW.payment_method_id, ${month('NEW.completed_at')}, NEW.amount)
            ON CONFLICT DO UPDATE SET amount = amount + excluded.amount;
        END;
        INSERT INTO card_month_spend (payment_method_id, month, amount)
          SELECT payment_method_id, ${month('completed_at')}, SUM(amount) FROM purchases
          WHERE status = 'completed' AND payment_method_id IS NOT NULL AND simulate_json IS NULL AND completed_at IS NOT NULL GROUP BY 1, 2;
        -- Only that sum read this index, and every purchase's completion wrote it.
        DROP INDEX purchases_by_payment_method;
      `);
    },
  },
  {
    name: '012 dashboard rollups: a change counter on each 6-hour slot, so the summary recomputes only the days that changed',
    up(db) {
      // Every change to the rollups writes the 6-hour slot of its instant (migration 007's
      // triggers write all three slot lengths at once), so counting those writes per 6-hour
      // row tells the summary which local days changed since it last read them. Counted by
      // triggers, not compared by value: a redelivery can move a notice out of one hour's
      // bucket and another into the next hour's, leaving the 6-hour row equal and a day edge
      // different. A new row starts at 1, so it counts as a change too.
      for (const table of ['purchase_rollup', 'notice_rollup']) {
        const key = table === 'purchase_rollup' ? 'span = NEW.span AND slot = NEW.slot AND currency = NEW.currency' : 'span = NEW.span AND slot = NEW.slot';
        db.exec(`
          ALTER TABLE ${table} ADD COLUMN touched INTEGER NOT NULL DEFAULT 1;
          CREATE TRIGGER ${table}_touched AFTER UPDATE ON ${table} WHEN NEW.span = 21600000 AND NEW.touched = OLD.touched BEGIN
            UPDATE ${table} SET touched = touched + 1 WHERE ${key};
          END;`);
      }
    },
  },
];
