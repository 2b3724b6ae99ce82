// `paydesk events tail` against a real Paydesk: lines as events happen, filtered
// by --type and --app, JSON lines with --json, exit 0 on Ctrl-C and 2 when the
// server goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, startTestServer } from '../helpers/paydesk.ts';
import { paydesk, finished } from '../helpers/cli.ts';

const LISTENING = /Listening to http:\/\/127\.0\.0\.1:\d+ for .*\(Ctrl-C stops\)\.\n/;

test('events tail prints each event as a line, ends cleanly on Ctrl-C (exit 0)', async () => {
  const t = await startTestServer();
  try {
    const tail = paydesk(['events', 'tail', '--data-dir', t.dataDir]);
    await tail.printed(LISTENING);
    const { key } = await createApp(t);
    await tail.printed(new RegExp(`^#\\d+ app\\.created +key=${key}$`, 'm'));
    tail.child.kill('SIGINT');
    assert.equal(await tail.exited, 0, tail.output());
  } finally {
    await t.close();
  }
});

test('events tail --json --type app.updated --app KEY: only that app\'s matching events, as JSON lines', async () => {
  const t = await startTestServer();
  try {
    const a = await createApp(t);
    const b = await createApp(t);
    const tail = paydesk(['events', 'tail', '--json', '--type', 'app.updated', '--app', a.key, '--data-dir', t.dataDir]);
    await tail.printed(LISTENING);
    await t.client.call('updateApp', { params: { key: b.key }, body: { status: 'disabled' } });
    await t.client.call('rotateSecret', { params: { key: a.key }, body: {} });
    await t.client.call('updateApp', { params: { key: a.key }, body: { status: 'disabled' } });
    await tail.printed(/"type":"app\.updated"/);
    tail.child.kill('SIGTERM');
    assert.equal(await tail.exited, 0, tail.output());
    const lines = tail.jsonLines() as { type: string; data: { key: string; status: string } }[];
    assert.deepEqual(lines.map((l) => [l.type, l.data.key, l.data.status]), [['app.updated', a.key, 'disabled']]);
  } finally {
    await t.close();
  }
});

test('events tail exits 2 with what to do when Paydesk stops; refuses a type nobody sends (exit 1)', async () => {
  const t = await startTestServer();
  const tail = paydesk(['events', 'tail', '--data-dir', t.dataDir]);
  await tail.printed(LISTENING);
  await t.close();
  assert.equal(await tail.exited, 2, tail.output());
  assert.match(tail.stderr(), /stopped sending events .*Run `paydesk events tail` again once it is back\./);

  const bad = await finished(paydesk(['events', 'tail', '--type', 'purchase.teleported', '--url', 'http://127.0.0.1:9', '--token', 'x']));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr(), /--type "purchase\.teleported" is neither an event type nor a group/);
});
