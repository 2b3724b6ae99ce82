// The pure parts of notice delivery: the retry schedule, the target rules
// (every address form is in target.test.ts),
// curl quoting, the signing format, and migration 002 on a database that
// already holds 001-era notices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { jwtVerify } from 'jose';
import { Webhook } from 'standardwebhooks';
import { defaultMaxAttempts, retryDelayMs, retryDelaysSeconds, totalScheduleSeconds, JITTER } from '../../../server/notices/schedule.ts';
import { checkTarget } from '../../../server/notices/target.ts';
import { curlCommand, shellQuote } from '../../../server/notices/curl.ts';
import { deliveryHeaders, noticeBody, signNotice } from '../../../server/notices/signing.ts';
import { migrate } from '../../../server/db/open.ts';
import { ledgerMigrations } from '../../../server/db/ledger-migrations.ts';
import { freshDataDir } from '../../helpers/paydesk.ts';

test('the default schedule: 13 attempts over about three days, growing, each wait within ±20 % jitter', () => {
  assert.equal(defaultMaxAttempts, 13);
  const days = totalScheduleSeconds() / 86_400;
  assert.ok(days > 2.8 && days < 3.1, `${days} days`);
  for (let i = 1; i < retryDelaysSeconds.length; i++) assert.ok(retryDelaysSeconds[i]! >= retryDelaysSeconds[i - 1]!);
  assert.equal(retryDelayMs(1, 13, 1, () => 0.5), 10_000);
  assert.equal(retryDelayMs(1, 13, 1, () => 0), 10_000 * (1 - JITTER));
  assert.equal(retryDelayMs(1, 13, 1, () => 1), 10_000 * (1 + JITTER));
  assert.equal(retryDelayMs(12, 13, 1, () => 0.5), 16 * 3600_000);
  assert.equal(retryDelayMs(13, 13, 1), undefined, 'no wait after the last attempt');
  assert.equal(retryDelayMs(1, 1, 1), undefined, 'a one-shot notice (test notice) is not retried');
  // The development setting compresses every wait.
  assert.equal(retryDelayMs(4, 13, 0.001, () => 0.5), 1800);
});

test('targets: only http(s); never the provider\'s own port on this machine; other loopback ports are fine', async () => {
  const own = new Set([7402]);
  const refuse = async (url: string, verdict: string) => {
    const r = await checkTarget(url, own);
    assert.equal(r.ok, false, url);
    if (!r.ok) assert.equal(r.verdict, verdict, url);
  };
  await refuse('ftp://127.0.0.1/x', 'forbidden_target');
  await refuse('file:///etc/passwd', 'forbidden_target');
  await refuse('not a url', 'forbidden_target');
  await refuse('http://127.0.0.1:7402/api/apps', 'forbidden_target');
  await refuse('http://localhost:7402/', 'forbidden_target');
  await refuse('http://[::1]:7402/', 'forbidden_target');
  await refuse('http://0.0.0.0:7402/', 'forbidden_target');
  await refuse('http://127.1.2.3:7402/', 'forbidden_target');
  await refuse('http://no-such-host.invalid/', 'dns_failed');
  const ok = await checkTarget('http://127.0.0.1:7403/postback', own);
  assert.ok(ok.ok);
  const https = await checkTarget('https://127.0.0.1/postback', own);
  assert.ok(https.ok && https.target.port === 443);
});

test('copy as curl quotes for the shell, whatever the values hold', () => {
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  const cmd = curlCommand('http://127.0.0.1:1/p?a=1&b=2', { 'content-length': '9', 'webhook-id': `x'; rm -rf /; echo '` }, 'notice=a.b.c');
  assert.ok(!cmd.includes('content-length'), 'curl sets the length itself');
  // The shell sees exactly the original strings.
  const argv = execFileSync('sh', ['-c', `printf '%s\\n' ${cmd.replace(/^curl -sS -i -X POST /, '').replace(/ \\\n {2}/g, ' ')}`], { encoding: 'utf8' }).split('\n');
  assert.deepEqual(argv.slice(0, 5), ['http://127.0.0.1:1/p?a=1&b=2', '-H', `webhook-id: x'; rm -rf /; echo '`, '--data-binary', 'notice=a.b.c']);
});

test('signing: an HS256 notice jose verifies with the secret\'s UTF-8 bytes; EdDSA with the public key; headers standardwebhooks verifies', async () => {
  const claims = { iss: 'paydesk', aud: 'app_x', typ: 'mozilla/payments/pay/postback/v1', iat: 1, exp: 2 ** 31, jti: 'ntc_1', request: { id: 'é' }, response: { transactionID: 't' } };
  const secret = 'a-secret-with-ünïcode';
  const hs = signNotice(claims, { alg: 'HS256', secret });
  const { payload } = await jwtVerify(hs.jwt, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
  assert.deepEqual(payload, claims);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ed = signNotice(claims, { alg: 'EdDSA', kid: 'k1', key: privateKey });
  const verified = await jwtVerify(ed.jwt, publicKey, { algorithms: ['EdDSA'] });
  assert.equal(verified.protectedHeader.kid, 'k1');

  const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = noticeBody(hs.jwt);
  assert.equal(body, `notice=${hs.jwt}`, 'the JWT alphabet needs no form escaping');
  const headers = deliveryHeaders({ id: 'ntc_1', timestampSeconds: Math.floor(Date.now() / 1000), body, webhookSecret: whsec });
  assert.doesNotThrow(() => new Webhook(whsec).verify(body, headers, { jsonParse: false }));
});

test('migration 002 keeps 001-era notices (now due, default schedule) and a 001-style insert still works', () => {
  const path = join(freshDataDir('migration-002'), 'ledger.db');
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  migrate(db, path, ledgerMigrations.slice(0, 1));
  db.exec(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
      VALUES ('app_1', 'A', 'http://h', 'a@b.c', 'http://h/p', 'http://h/c', 'active', 'live', 'sealed', 1, 1);
    INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency, postback_url, chargeback_url,
      request_json, created_at, expires_at, updated_at, transaction_id) VALUES ('pur_1', 'app_1', 'ABC-DEF', 'completed', 'p', 'n', 'd', '', 199, 'USD',
      'http://h/p', 'http://h/c', '{}', 1, 2, 1, 'txn_1');
    INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, created_at)
      VALUES ('ntc_1', 'pur_1', 'app_1', 'postback', 1, 'http://h/p', '{"request":{},"response":{"transactionID":"txn_1"},"seq":1}', 5);`);
  migrate(db, path, ledgerMigrations);
  const row = db.prepare('SELECT * FROM notices').get() as Record<string, unknown>;
  assert.equal(row.status, 'pending');
  assert.equal(row.next_attempt_at, 5);
  assert.equal(row.transaction_id, 'txn_1');
  assert.equal(row.max_attempts, null);
  assert.equal(row.origin, 'purchase');
  assert.equal((db.prepare('SELECT notice_signing FROM apps').get() as { notice_signing: string }).notice_signing, 'hmac');
  // purchases.ts's insert names only 001's columns; the rest take their defaults.
  db.prepare('INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run('ntc_2', 'pur_1', 'app_1', 'chargeback', 2, 'http://h/c', '{"response":{"transactionID":"txn_1"}}', 6);
  assert.deepEqual(db.prepare("SELECT status, next_attempt_at, attempts FROM notices WHERE id = 'ntc_2'").get(), { status: 'pending', next_attempt_at: 0, attempts: 0 });
  assert.throws(() => db.prepare("UPDATE notices SET status = 'lost' WHERE id = 'ntc_2'").run(), /CHECK/);
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});
