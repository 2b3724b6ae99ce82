// The short crash run inside `npm test`: a load of purchases, refunds and
// notice deliveries while `paydesk serve` is SIGKILLed five times at random
// moments and restarted on the same data folder; after every restart the money
// invariants hold (test/crash/harness.ts says which). `npm run test:crash` is
// the long run, with at least 50 kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDataDir } from '../helpers/paydesk.ts';
import { runCrashHarness } from './harness.ts';
import { buy, createApp, readyBuyer, startNoticeServer } from '../server/notices/helpers.ts';

test('SIGKILL at random moments under load, 5 times: after every restart no acknowledged money is lost or doubled', { timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const report = await runCrashHarness({ kills: 5, timeLimitMs: 120_000, workers: 4, dataDir: freshDataDir('crash-harness'), log: (l) => lines.push(l) });
  assert.deepEqual(report.violations, [], lines.join('\n'));
  assert.equal(report.kills, 5);
  assert.equal(report.checks, 6, 'checked after every restart and at the end');
  assert.ok(report.acknowledged.purchases > 0, 'purchases were acknowledged between the kills');
});

test('a refund retried with its Idempotency-Key after a crash lost the stored answer is the same refund, not a second one', async (t) => {
  const s = await startNoticeServer();
  t.after(() => s.close());
  const app = await createApp(s);
  const buyer = await readyBuyer(s);
  const { purchaseId } = await buy(s, app, buyer);
  const first = await s.api<{ id: string; refundedTotal: number }>('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 50 }, { 'idempotency-key': 'refund-once' });
  assert.equal(first.status, 201);
  // What a SIGKILL between the refund's commit and the stored answer leaves: the refund, and its key
  // still the claim the refund's first transaction wrote (in progress, naming the refund), no answer.
  s.server.services.ctx.db.prepare("UPDATE idempotency_keys SET state = 'in_progress', status = NULL, response_json = NULL, resource_id = ? WHERE key = 'refund-once'")
    .run(first.body.id);
  const retry = await s.api<{ id: string; refundedTotal: number }>('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 50 }, { 'idempotency-key': 'refund-once' });
  assert.equal(retry.status, 201);
  assert.equal(retry.body.id, first.body.id, 'the same refund');
  assert.equal(retry.body.refundedTotal, 50, 'refunded once');
  const other = await s.api('POST', `/api/transactions/${purchaseId}/refunds`, { amount: 60 }, { 'idempotency-key': 'refund-once' });
  assert.equal(other.status, 422, 'the same key with another body is refused');
});
