// Crash safety (DESIGN section 6): the server runs as a child process and is
// SIGKILLed (a) after the purchase committed but before its postback left, and
// (b) after the merchant answered 2xx but before that was recorded. After a
// restart on the same data folder the notice is delivered, with the same
// webhook-id, and none is lost. The kill points are a deliberate test hook
// (PAYDESK_TEST_NOTICE_FAULT, read only by server/cli.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDataDir, pay, rawApi, testClient } from '../../helpers/paydesk.ts';
import { createApp, notice, readyBuyer, receiver, settled, signRequest, waitFor, type TestServer } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..', '..');

interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly client: TestServer;
}

/** A server in a child process, on a port the OS picks (a port chosen here and passed on could be taken meanwhile). */
async function serve(dataDir: string, fault?: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/cli.ts'), 'serve', '--port', '0', '--data-dir', dataDir, '--notice-time-scale', '0.00001'], {
    cwd: root,
    env: { ...process.env, PAYDESK_TEST_NOTICE_FAULT: fault ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const read = (c: Buffer) => {
      output += c.toString();
      const m = /Paydesk listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    void exited.then(() => reject(new Error(`the server exited before it listened: ${output}`)));
  });
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  // The shared fixtures only use api, client and clock; this child has no in-process internals to offer.
  const client = { url, dataDir, api: rawApi({ url, token }), client: testClient({ url, token }), clock: { now: Date.now(), advance() {} }, close: async () => {} } as unknown as TestServer;
  return { proc, exited, client };
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) {
    child.proc.kill('SIGTERM');
    await child.exited;
  }
}

/** Confirms; the connection may die with the server, which is the point. */
async function confirmDespiteCrash(c: TestServer, purchaseId: string, pin: string): Promise<void> {
  try {
    await c.api('POST', `/api/purchases/${purchaseId}/confirm`, { pin });
  } catch {
    // the server was killed while answering; the purchase committed before the kill point
  }
}

for (const [label, fault, merchantSawFirst] of [
  ['(a) between the commit and the delivery', 'kill-before-send', 0],
  ['(b) between the merchant\'s 2xx and the record of it', 'kill-after-response', 1],
] as const) {
  test(`SIGKILL ${label}: after restart the notice is delivered with the same webhook-id, none lost`, async (t) => {
    const dataDir = freshDataDir('crash');
    const merchant = await receiver();
    const children: Child[] = [];
    t.after(async () => {
      for (const c of children) await stop(c);
      await merchant.close();
    });

    // Set up on a clean server, then restart with the fault armed.
    const setup = await serve(dataDir);
    children.push(setup);
    const app = await createApp(setup.client, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
    const buyer = await readyBuyer(setup.client);
    const created = await pay(setup.client, await signRequest(app));
    assert.equal(created.status, 201);
    await stop(setup);

    const doomed = await serve(dataDir, fault);
    children.push(doomed);
    await confirmDespiteCrash(doomed.client, created.body.id, buyer.pin);
    const ended = await doomed.exited;
    assert.equal(ended.signal, 'SIGKILL', 'the fault hook killed the server');
    assert.equal(merchant.received.length, merchantSawFirst);

    const revived = await serve(dataDir);
    children.push(revived);
    const tx = await revived.client.api<{ purchase: { status: string; transactionID: string } }>('GET', `/api/transactions/${created.body.id}`);
    assert.equal(tx.body.purchase.status, 'completed', 'the purchase committed before the kill');
    const list = await revived.client.api<{ items: { id: string }[] }>('GET', `/api/notices?transactionID=${tx.body.purchase.transactionID}`);
    assert.equal(list.body.items.length, 1, 'exactly one notice, none lost, none duplicated');
    const id = list.body.items[0]!.id;
    const done = await settled(revived.client, id, ['delivered']);

    await waitFor('the redelivery', () => merchant.received.length === merchantSawFirst + 1);
    assert.deepEqual(merchant.received.map((r) => r.headers['webhook-id']), Array(merchantSawFirst + 1).fill(id), 'the same webhook-id every time');
    assert.deepEqual(done.attemptLog.map((a) => a.verdict), ['interrupted', 'delivered']);
    assert.match(done.attemptLog[0]!.reason!, /stopped during this attempt/);
    assert.equal(done.attempts, 1, 'the interrupted attempt does not count toward the schedule');
    // Nothing more arrives: delivered means done.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(merchant.received.length, merchantSawFirst + 1);
    assert.equal((await notice(revived.client, id)).status, 'delivered');
  });
}
