// Check mode: every answer is parsed against its route's response schema in
// contract/api.ts, so a handler that answers the wrong shape fails its test
// (startTestServer turns it on) instead of reaching the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, errorCode } from '../helpers/paydesk.ts';
import type { Handlers } from '../../server/http/handlers.ts';
import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createClient, isApiError } from '../../contract/client.ts';

/** getApp answers its app with `sales` as text instead of a number. */
const wrongGetApp = (handlers: Handlers): Handlers => ({
  ...handlers,
  getApp: (input) => ({ ...handlers.getApp(input) as object, sales: 'many' }) as unknown as ReturnType<Handlers['getApp']>,
});

/** listApps answers a field the contract does not declare: zod would strip it, so no client type or document knows it. */
const undeclaredField = (handlers: Handlers): Handlers => ({
  ...handlers,
  listApps: (input) => {
    const { items } = handlers.listApps(input) as { items: readonly object[] };
    return { items: items.map((a) => ({ ...a, internalNote: 'x' })) } as unknown as ReturnType<Handlers['listApps']>;
  },
});

test('a handler answering the wrong shape gets 500 internal_error, and the log names the route and the field, not the body', async () => {
  const t = await startTestServer({ wrapHandlers: wrongGetApp });
  try {
    const app = await createApp(t, { name: 'Shape Checked Pony' });
    const r = await t.api('GET', `/api/apps/${app.key}`);
    assert.equal(r.status, 500);
    assert.equal(errorCode(r), 'internal_error');
    assert.ok(!JSON.stringify(r.body).includes('many'), 'the wrong body is not sent');
    const line = t.logs.find((l) => l.startsWith('response check:'));
    assert.ok(line, `no response check line in ${JSON.stringify(t.logs)}`);
    assert.match(line, /getApp \(GET \/api\/apps\/\{key\}\)/);
    assert.match(line, /sales: /);
    assert.ok(!line.includes('Shape Checked Pony') && !line.includes(app.key), 'the log holds no part of the body');
    // Routes whose handlers keep their contract still answer.
    assert.equal((await t.api('GET', '/api/apps')).status, 200);
  } finally {
    await t.close();
  }
});

test('a field the contract does not declare fails the check too, named by its path', async () => {
  const t = await startTestServer({ wrapHandlers: undeclaredField });
  try {
    await createApp(t);
    const r = await t.api('GET', '/api/apps');
    assert.equal(r.status, 500);
    assert.equal(errorCode(r), 'internal_error');
    assert.ok(t.logs.some((l) => l.startsWith('response check: listApps') && l.includes('items.0.internalNote: not in the contract')), JSON.stringify(t.logs));
  } finally {
    await t.close();
  }
});

test('without check mode (production) the same handler\'s answer goes out unchecked', async () => {
  const t = await startTestServer({ wrapHandlers: wrongGetApp, checkResponses: false });
  try {
    const app = await createApp(t);
    const r = await t.api<{ sales: unknown }>('GET', `/api/apps/${app.key}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.sales, 'many');
    assert.ok(!t.logs.some((l) => l.startsWith('response check:')));
  } finally {
    await t.close();
  }
});

test('the test client checks too: a wrong shape that reached it would be response_invalid', async () => {
  const t = await startTestServer({ wrapHandlers: wrongGetApp, checkResponses: false });
  try {
    const app = await createApp(t);
    await assert.rejects(t.client.call('getApp', { params: { key: app.key } }), (e: { code?: string }) => e.code === 'response_invalid');
  } finally {
    await t.close();
  }
});

/** A stand-in for the server on 127.0.0.1 that answers every request with `reply`: to show what the client does with answers Paydesk never gives. */
async function answering(reply: (res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => reply(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

test('the checked client holds a route to the success status of its contract: a createBuyer answered 200 instead of 201 is response_invalid', async () => {
  const t = await startTestServer();
  const buyer = await t.client.call('createBuyer', { body: { email: 'status@example.com', name: 'Status Buyer' } });
  await t.close();
  const wrong = await answering((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(buyer)));
  try {
    const checked = createClient({ baseUrl: wrong.url, token: 'x', checkResponses: true });
    await assert.rejects(checked.call('createBuyer', { body: { email: 'status@example.com', name: 'Status Buyer' } }),
      (e) => isApiError(e) && e.code === 'response_invalid' && e.status === 200 && /says 201/.test(e.message));
    // Unchecked (production), any 2xx is a success: the shape and status are the server's promise, not the caller's worry.
    const unchecked = createClient({ baseUrl: wrong.url, token: 'x' });
    assert.equal((await unchecked.call('createBuyer', { body: { email: 'status@example.com', name: 'Status Buyer' } })).id, buyer.id);
  } finally {
    await wrong.close();
  }
});

test('an answer cut off halfway is a network_error from the client, as a refused connection is (callers retry on it)', async () => {
  let halfSent: ServerResponse | undefined;
  const cut = await answering((res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"items": [');
    halfSent = res;
  });
  try {
    // The connection dies once fetch() has the headers, while the client reads the body.
    const cutAfterHeaders: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      halfSent?.socket?.destroy();
      return res;
    };
    const client = createClient({ baseUrl: cut.url, token: 'x', fetch: cutAfterHeaders });
    await assert.rejects(client.call('listApps'), (e) => isApiError(e) && e.code === 'network_error');
  } finally {
    await cut.close();
  }
});
