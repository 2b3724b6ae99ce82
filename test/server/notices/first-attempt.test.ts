// A purchase's first delivery attempt is opened in the transaction that completes
// the purchase (issue 16): the postback leaves once that one commit is durable,
// with no commit of its own before it, and goes out exactly as recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buy, readyBuyer, settled, waitFor, merchantStage } from './helpers.ts';

test('the first attempt is written with the completed purchase and sent as written', async (t) => {
  const { s, merchant, app } = await merchantStage(t);
  const buyer = await readyBuyer(s);
  const db = s.server.services.ctx.db;
  const attemptsAtCompletion: unknown[][] = [];
  // purchase.completed is emitted once the completing transaction is durable, before the dispatcher has run.
  const off = s.server.events.subscribe((e) => {
    if (e.type !== 'purchase.completed') return;
    attemptsAtCompletion.push(db.prepare(`SELECT a.number, a.verdict, a.started_at = n.created_at AS with_notice FROM notice_attempts a
      JOIN notices n ON n.id = a.notice_id WHERE n.purchase_id = ?`).all(e.data.id));
  });
  const { transactionID } = await buy(s, app, buyer);
  off();
  assert.deepEqual(attemptsAtCompletion, [[{ number: 1, verdict: null, with_notice: 1 }]], 'opened in the completing transaction');

  const got = await waitFor('the postback', () => merchant.received[0]);
  const n = await settled(s, got.headers['webhook-id'] as string);
  assert.equal(n.status, 'delivered');
  assert.equal(n.attemptLog.length, 1, 'the opened attempt is the one recorded, not a second');
  assert.equal(n.attemptLog[0]!.response?.body, transactionID);
  assert.equal(n.attemptLog[0]!.request.body, got.body);
  assert.equal(n.attemptLog[0]!.request.headers['webhook-signature'], got.headers['webhook-signature'], 'sent with the signature written in the transaction');
});
