// The demo's first-run setup through the typed client: it registers the app and
// the buyer once, and repairs what the console changed since (a disabled app, a
// revoked secret, moved store URLs) on the next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureApp, ensureBuyer, consoleClient, type DemoState } from '../../demo/setup.ts';
import { startTestServer } from '../helpers/paydesk.ts';

test('the demo registers its app and buyer once, then repairs a disabled app with a revoked secret', async () => {
  const t = await startTestServer();
  try {
    const client = consoleClient(t.url, t.server.token);
    const said: string[] = [];
    const say = (line: string) => said.push(line);
    const app = await ensureApp(client, 'http://127.0.0.1:9', {}, say);
    const buyer = await ensureBuyer(client, { app }, say);
    assert.match(said.join('\n'), /Registered the demo store.*\n.*Created the demo buyer.*\n.*Preauthorized.*\n.*Set a new PIN/s);
    const state: DemoState = { app, buyer: { id: buyer.id, pin: buyer.pin } };

    // Meanwhile, in the console: the app disabled, a second secret, the demo's own one revoked.
    const params = { key: app.appKey };
    await client.call('updateApp', { params, body: { status: 'disabled' } });
    await client.call('rotateSecret', { params, body: {} });
    await client.call('revokeSecret', { params: { ...params, secretId: app.secretId } });

    said.length = 0;
    const repaired = await ensureApp(client, 'http://127.0.0.1:10', state, say);
    assert.equal(repaired.appKey, app.appKey, 'the same app, not a second one');
    assert.notEqual(repaired.secretId, app.secretId);
    const now = await client.call('getApp', { params });
    assert.equal(now.status, 'active');
    assert.equal(now.postbackURL, 'http://127.0.0.1:10/postback');
    assert.ok(now.secrets.some((s) => s.id === repaired.secretId && s.state === 'active'));
    const again = await ensureBuyer(client, { ...state, app: repaired }, say);
    assert.deepEqual({ id: again.id, pin: again.pin }, state.buyer, 'the buyer set up before is kept as it is');
    assert.deepEqual(said, ['The demo store\'s app was disabled in Paydesk; enabling it again.', 'The demo app\'s saved secret is no longer active; rotated to a new one.']);
  } finally {
    await t.close();
  }
});
