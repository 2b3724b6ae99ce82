// A power cut inside confirm's shared fdatasync window (issue 16): ledger.db keeps the
// completion, vault.db loses its WAL tail and with it the charge. The state such a cut
// leaves is made here on a real data folder: the vault's fdatasync is held so nothing
// is answered or sent, the server stops, and the charge's row is deleted from vault.db
// (what a lost WAL tail leaves). At the next start the vault has the charge again
// before the postback goes, and a refund of it works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setWalSync } from '../../server/db/group-commit.ts';
import { startTestServer, createApp, signRequest, pay, readyBuyer, freshDataDir, type TestServer } from '../helpers/paydesk.ts';
import { receiver, transactionIDOf, waitFor } from './notices/helpers.ts';

interface Charge { token: string; idempotency_key: string; amount: number; currency: string; outcome: string; refunded: number }

const chargeOf = (t: TestServer, purchaseId: string) =>
  t.server.services.ctx.vaultDb.prepare('SELECT token, idempotency_key, amount, currency, outcome, refunded FROM charges WHERE idempotency_key = ?').get(purchaseId) as Charge | undefined;

const statusOf = (t: TestServer, purchaseId: string) =>
  (t.server.services.ctx.db.prepare('SELECT status FROM purchases WHERE id = ?').get(purchaseId) as { status: string }).status;

/** What a lost WAL tail leaves in vault.db: no row for these charges. */
function loseCharges(dataDir: string, purchaseIds: readonly string[]): void {
  const vault = new Database(join(dataDir, 'vault.db'));
  try {
    for (const id of purchaseIds) assert.equal(vault.prepare('DELETE FROM charges WHERE idempotency_key = ?').run(id).changes, 1);
  } finally {
    vault.close();
  }
}

test('a completion whose charge vault.db lost in a power cut gets it back at start-up, before its one postback; one completed long before is not looked at', async () => {
  const merchant = await receiver();
  const dataDir = freshDataDir('power-cut');
  const start = Date.UTC(2026, 10, 2, 9);
  const s = await startTestServer({ dataDir, startAt: start });
  let later: TestServer | undefined;
  try {
    const app = await createApp(s, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
    const b = await readyBuyer(s);
    const buy = async () => {
      const p = await pay(s, await signRequest(app, { now: s.clock.now }));
      const c = await s.api<{ status: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: b.pin });
      assert.equal(c.body.status, 'completed');
      return p.body.id;
    };
    const old = await buy();
    s.clock.advance(60 * 60_000);
    const kept = await buy();
    s.clock.advance(1_000);

    // The power cut: the vault's fdatasync never returns, so the confirmation is never
    // answered and its postback never leaves, while the completion is committed.
    setWalSync(s.server.services.ctx.vaultDb, () => {});
    const cut = await pay(s, await signRequest(app, { now: s.clock.now }));
    const unanswered = s.api('POST', `/api/purchases/${cut.body.id}/confirm`, { pin: b.pin }).catch(() => undefined);
    await waitFor('the completion to commit', () => statusOf(s, cut.body.id) === 'completed');
    const token = chargeOf(s, cut.body.id)!.token;
    await s.close();
    await unanswered;
    const sentBefore = merchant.received.length;
    assert.equal(sentBefore, 2, 'the two confirmed purchases were notified, the cut one not');
    loseCharges(dataDir, [cut.body.id, old]);

    later = await startTestServer({ dataDir, startAt: s.clock.now });
    const t = later;
    assert.deepEqual(chargeOf(t, cut.body.id), { token, idempotency_key: cut.body.id, amount: 199, currency: 'USD', outcome: 'success', refunded: 0 });
    assert.equal(chargeOf(t, old), undefined, 'a completion an hour before the vault\'s last charge cannot be in a lost tail, and is not read');
    assert.ok(chargeOf(t, kept));
    assert.ok(t.logs.some((l) => l.includes('re-recorded')), t.logs.join('\n'));

    const detail = await t.api<{ transactionID: string }>('GET', `/api/purchases/${cut.body.id}`);
    await waitFor('the postback', () => merchant.received.some((r) => r.url === '/postback' && transactionIDOf(r.body) === detail.body.transactionID));
    const refund = await t.api<{ status: string }>('POST', `/api/transactions/${detail.body.transactionID}/refunds`, {});
    assert.equal(refund.status, 201, JSON.stringify(refund.body));
    assert.equal(refund.body.status, 'completed');
    assert.equal(chargeOf(t, cut.body.id)!.refunded, 199);
    await waitFor('the chargeback', () => merchant.received.some((r) => r.url === '/chargeback'));
    const postbacks = merchant.received.slice(sentBefore).filter((r) => r.url === '/postback');
    assert.deepEqual(postbacks.map((r) => transactionIDOf(r.body)), [detail.body.transactionID], 'the postback is sent once');
  } finally {
    await later?.close();
    await merchant.close();
  }
});

test('a start-up with nothing to reconcile writes nothing to vault.db', async () => {
  const dataDir = freshDataDir('power-cut');
  let s = await startTestServer({ dataDir });
  const app = await createApp(s);
  const b = await readyBuyer(s);
  const p = await pay(s, await signRequest(app, { now: s.clock.now }));
  assert.equal((await s.api<{ status: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: b.pin })).body.status, 'completed');
  const before = chargeOf(s, p.body.id);
  await s.close();

  s = await startTestServer({ dataDir, startAt: s.clock.now });
  try {
    // total_changes() counts the rows this connection (the server's, opened at start) changed.
    assert.deepEqual(s.server.services.ctx.vaultDb.prepare('SELECT total_changes() AS n').get(), { n: 0 });
    assert.deepEqual(chargeOf(s, p.body.id), before);
  } finally {
    await s.close();
  }
});

test('a lost charge whose card vault.db does not know either is reported at start-up, and the server still starts', async () => {
  const dataDir = freshDataDir('power-cut');
  let s = await startTestServer({ dataDir });
  const app = await createApp(s);
  const b = await readyBuyer(s);
  const p = await pay(s, await signRequest(app, { now: s.clock.now }));
  const done = await s.api<{ status: string; transactionID: string }>('POST', `/api/purchases/${p.body.id}/confirm`, { pin: b.pin });
  assert.equal(done.body.status, 'completed');
  const token = chargeOf(s, p.body.id)!.token;
  await s.close();
  // Not what a power cut leaves (cards are written with synchronous=FULL): a vault.db replaced by hand.
  loseCharges(dataDir, [p.body.id]);
  const vault = new Database(join(dataDir, 'vault.db'));
  vault.prepare('DELETE FROM cards WHERE token = ?').run(token);
  vault.close();

  s = await startTestServer({ dataDir, startAt: s.clock.now });
  try {
    assert.ok(s.logs.some((l) => l.includes(p.body.id) && l.includes('cannot be re-recorded')), s.logs.join('\n'));
    assert.equal(chargeOf(s, p.body.id), undefined);
    const refund = await s.api<{ error: { code: string } }>('POST', `/api/transactions/${done.body.transactionID}/refunds`, {});
    assert.equal(refund.body.error.code, 'processor_error');
  } finally {
    await s.close();
  }
});
