// Check mode: every answer is parsed against its route's response schema in
// contract/api.ts, so a handler that answers the wrong shape fails its test
// (startTestServer turns it on) instead of reaching the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, errorCode } from '../helpers/paydesk.ts';
import type { Handlers } from '../../server/http/handlers.ts';

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
