// Kept-alive connections to merchants (server/notices/deliver.ts): notices to
// one merchant share connections; a kept connection the merchant has closed
// never costs an attempt; and an attempt that ends abnormally never leaves its
// connection to the next one. Real receivers on 127.0.0.1 count the TCP
// connections they accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { buy, createApp, echo, readyBuyer, settled, startNoticeServer, transactionIDOf, waitFor, type Behaviour, type NoticeDetail, type NoticeTestServer } from './helpers.ts';
import { MerchantConnections, defaultDeliveryLimits, sendNotice } from '../../../server/notices/deliver.ts';
import { checkTarget } from '../../../server/notices/target.ts';

interface CountingReceiver {
  readonly url: string;
  /** TCP connections accepted, and closed. */
  readonly connections: number;
  readonly closed: number;
  /** Requests read, with the webhook-id they carried. */
  readonly received: { readonly webhookId: string; readonly onReusedConnection: boolean }[];
  /** Requests that arrived on a connection already used, and were cut unanswered (dropReused). */
  readonly dropped: number;
  behaviour: Behaviour;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * dropReused: cuts a connection as soon as a second request arrives on it, without
 * an answer: what Paydesk meets when the merchant closed a kept connection while it
 * sat idle and the request was already on its way.
 */
async function countingReceiver(behaviour: Behaviour = echo, options: { dropReused?: boolean } = {}): Promise<CountingReceiver> {
  const requestsOn = new WeakMap<Socket, number>();
  const r = {
    url: '', connections: 0, closed: 0, dropped: 0, received: [] as CountingReceiver['received'][number][], behaviour,
    server: createServer((req: IncomingMessage, res: ServerResponse) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      if (options.dropReused && n > 1) {
        r.dropped++;
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        r.received.push({ webhookId: String(req.headers['webhook-id'] ?? ''), onReusedConnection: n > 1 });
        r.behaviour(req, res, Buffer.concat(chunks).toString('utf8'));
      });
    }),
    close: async () => {
      r.server.closeAllConnections();
      r.server.close();
      await once(r.server, 'close');
    },
  };
  r.server.on('connection', (socket: Socket) => {
    r.connections++;
    socket.on('close', () => r.closed++);
  });
  r.server.listen(0, '127.0.0.1');
  await once(r.server, 'listening');
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
  return r;
}

/** Buys `count` times one after the other, each time waiting until its postback is recorded; returns the notices. */
async function buyInTurn(s: NoticeTestServer, merchant: CountingReceiver, count: number): Promise<NoticeDetail[]> {
  const app = await createApp(s, { postbackURL: `${merchant.url}/postback`, chargebackURL: `${merchant.url}/chargeback` });
  const buyer = await readyBuyer(s);
  const notices: NoticeDetail[] = [];
  for (let i = 0; i < count; i++) {
    const { transactionID } = await buy(s, app, buyer);
    const id = await waitFor('the postback', () => merchant.received.find((q) => q.webhookId.length > 0 && !notices.some((n) => n.id === q.webhookId))?.webhookId);
    const n = await settled(s, id);
    assert.equal(n.transactionID, transactionID);
    notices.push(n);
  }
  return notices;
}

test('notices to one merchant share kept-alive connections: fewer connections than notices', async (t) => {
  const s = await startNoticeServer();
  const merchant = await countingReceiver();
  t.after(async () => {
    await s.close();
    await merchant.close();
  });
  const notices = await buyInTurn(s, merchant, 6);
  for (const n of notices) {
    assert.equal(n.status, 'delivered');
    assert.equal(n.attempts, 1);
  }
  console.log(`# ${notices.length} notices over ${merchant.connections} connection(s)`);
  assert.ok(merchant.connections < notices.length, `${merchant.connections} connections for ${notices.length} notices`);
  assert.ok(merchant.received.some((q) => q.onReusedConnection), 'a notice went out on a kept connection');
  // Stopping Paydesk closes the connections it kept.
  await s.close();
  await waitFor('the kept connections to close', () => merchant.closed === merchant.connections);
});

test('a merchant that closes kept connections: every notice is still delivered on its first attempt', async (t) => {
  const s = await startNoticeServer();
  const dropsReused = await countingReceiver(echo, { dropReused: true });
  // Closes each connection 1 ms after answering, without a Keep-Alive header saying so.
  const closesIdle = await countingReceiver((req, res, body) => {
    res.on('finish', () => setTimeout(() => req.socket.destroy(), 1));
    echo(req, res, body);
  });
  closesIdle.server.keepAliveTimeout = 0;
  t.after(async () => {
    await s.close();
    await dropsReused.close();
    await closesIdle.close();
  });
  for (const merchant of [dropsReused, closesIdle]) {
    const notices = await buyInTurn(s, merchant, 5);
    for (const n of notices) {
      assert.equal(n.status, 'delivered', `${n.id}: ${n.lastVerdict} ${n.lastReason}`);
      assert.equal(n.attempts, 1);
      assert.deepEqual(n.attemptLog.map((a) => a.verdict), ['delivered']);
    }
  }
  assert.ok(dropsReused.dropped > 0, 'Paydesk sent a notice on a connection it kept, and the merchant dropped it');
  console.log(`# kept connections dropped by the merchant and sent again at once: ${dropsReused.dropped}`);
});

test('an attempt that ends abnormally closes its connection; a fully read answer leaves it for the next attempt', async (t) => {
  const merchant = await countingReceiver();
  const connections = new MerchantConnections();
  t.after(async () => {
    connections.close();
    await merchant.close();
  });
  const check = await checkTarget(`${merchant.url}/postback`, new Set());
  assert.ok(check.ok);
  // Only the merchant that never answers meets a short response timeout: the others are
  // judged on their answers, however long a busy machine takes to carry them.
  const impatient = { ...defaultDeliveryLimits, responseTimeoutMs: 300 };
  const attempt = async (behaviour: Behaviour, signal?: AbortSignal, limits = defaultDeliveryLimits) => {
    merchant.behaviour = behaviour;
    const body = `notice=${Buffer.from('{}').toString('base64url')}.${Buffer.from(JSON.stringify({ response: { transactionID: 'txn_1' } })).toString('base64url')}.sig`;
    assert.equal(transactionIDOf(body), 'txn_1');
    const outcome = await sendNotice({ target: check.target, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, expectedEcho: 'txn_1', limits, connections, ...(signal ? { signal } : {}) });
    return { verdict: outcome.verdict, connections: merchant.connections };
  };
  const huge: Behaviour = (_q, res) => {
    res.writeHead(200);
    const chunk = 'x'.repeat(16 * 1024);
    const pump = () => { while (res.write(chunk)) { /* fill the buffer */ } };
    res.on('drain', pump);
    pump();
  };
  const hang: Behaviour = () => { /* reads the request, never answers */ };
  let halfWritten!: () => void;
  const halfAnswered = new Promise<void>((resolve) => (halfWritten = resolve));
  const halfAnswer: Behaviour = (_q, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('txn', () => halfWritten());
  };

  assert.deepEqual(await attempt((_q, res) => { res.writeHead(500); res.end('oops'); }), { verdict: 'http_status', connections: 1 });
  assert.deepEqual(await attempt((_q, res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/' }); res.end(); }), { verdict: 'redirect_not_followed', connections: 1 });
  assert.deepEqual(await attempt((_q, res) => { res.writeHead(200); res.end('OK'); }), { verdict: 'wrong_echo', connections: 1 });
  assert.deepEqual(await attempt(echo), { verdict: 'delivered', connections: 1 });

  // Each abnormal end closes its connection at once, and the next attempt makes a new one.
  assert.equal((await attempt(huge)).verdict, 'response_too_large');
  await waitFor('the connection of the oversized answer to close', () => merchant.closed === 1);
  assert.deepEqual(await attempt(echo), { verdict: 'delivered', connections: 2 });
  assert.equal((await attempt(hang, undefined, impatient)).verdict, 'timeout');
  await waitFor('the connection that timed out to close', () => merchant.closed === 2);
  assert.deepEqual(await attempt(echo), { verdict: 'delivered', connections: 3 });
  const controller = new AbortController();
  const interrupted = attempt(halfAnswer, controller.signal);
  // The merchant has sent 3 of the 100 bytes it announced: Paydesk stops in the middle of the answer.
  await halfAnswered;
  assert.equal(merchant.received.length, 9);
  controller.abort();
  assert.equal((await interrupted).verdict, 'interrupted');
  await waitFor('the interrupted connection to close', () => merchant.closed === 3);
  assert.deepEqual(await attempt(echo), { verdict: 'delivered', connections: 4 });
  assert.equal(merchant.closed, 3);
  connections.close();
  await waitFor('the kept connection to close', () => merchant.closed === 4);
});
