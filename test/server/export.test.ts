// Exports (issue 15) through the real server: JSON round-trips to the list API's items,
// CSV quoting (RFC 4180) and formula cells, the total told up front, filters, refusals
// answered as errors before any row, and a client that reads slowly or goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, ponyRequest, pay, readyBuyer, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { eachChunk, exportRowCounter } from '../../contract/client.ts';
import { csvCell } from '../../server/export/export.ts';

let t: TestServer;
let shop: CreatedApp;
let other: CreatedApp;
const tricky = ['=HYPERLINK("http://x.example","click")', '+1+2', '-3', '@SUM(A1)', 'a,b', 'say "hi"', 'two\r\nlines', 'plain'];

const exportOf = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${t.server.token}`, ...headers } });

/** A small RFC 4180 reader for the checks (no CSV parser is installed): quoted cells, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  return rows;
}

before(async () => {
  t = await startTestServer({ startAt: Date.UTC(2026, 10, 1, 12) });
  shop = await createApp(t, { name: 'Shop' });
  other = await createApp(t, { name: 'Other' });
  const buyer = await readyBuyer(t, { email: 'export.buyer@example.com' });
  for (const [i, productData] of tricky.entries()) {
    t.clock.advance(60_000);
    const r = await pay(t, await signRequest(i < 6 ? shop : other, { now: t.clock.now, request: { ...ponyRequest, productData } }));
    if (i % 2 === 0) await t.api('POST', `/api/purchases/${r.body.id}/confirm`, { pin: buyer.pin });
  }
});
after(() => t.close());

test('JSON export holds exactly the list API\'s items, newest first, with the total told up front', async () => {
  const res = await exportOf('/api/export/transactions?format=json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  assert.equal(res.headers.get('x-total-count'), String(tricky.length));
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="paydesk-transactions-2026-11-01\.json"$/);
  const text = await res.text();
  const list = await t.client.call('listTransactions', { query: { limit: 200 } });
  assert.deepEqual(JSON.parse(text), list.items);
  assert.equal(exportRowCounter('json')(new TextEncoder().encode(text)), tricky.length, 'the row counter the CLI and console show agrees');
});

test('CSV export: a header row, RFC 4180 quoting, and formula cells prefixed so a spreadsheet shows them as text', async () => {
  const res = await exportOf('/api/export/transactions');
  assert.match(res.headers.get('content-type')!, /^text\/csv/);
  const text = await res.text();
  const rows = parseCsv(text);
  const header = rows[0]!;
  assert.deepEqual(header.slice(0, 3), ['id', 'transactionID', 'status']);
  const data = header.indexOf('productData');
  const amount = header.indexOf('amount');
  assert.deepEqual(rows.slice(1).map((r) => r[data]).reverse(),
    ['\'=HYPERLINK("http://x.example","click")', '\'+1+2', '\'-3', '\'@SUM(A1)', 'a,b', 'say "hi"', 'two\r\nlines', 'plain']);
  assert.ok(rows.slice(1).every((r) => r.length === header.length && r[amount] === '199'), 'numbers stay numbers, every row is whole');
  assert.ok(text.includes('"say ""hi"""') && text.includes('"two\r\nlines"'));
  assert.equal(exportRowCounter('csv')(new TextEncoder().encode(text)), tricky.length, 'a line break inside a quoted cell is no row');
  assert.equal(csvCell('\tTAB'), '\'\tTAB');
  assert.equal(csvCell(null), '');
});

test('the filters of the list apply: app, status, date range and search', async () => {
  const rows = async (q: string) => {
    const res = await exportOf(`/api/export/transactions?format=json&${q}`);
    const items = JSON.parse(await res.text()) as { appKey: string; status: string }[];
    assert.equal(res.headers.get('x-total-count'), String(items.length), q);
    return items;
  };
  assert.ok((await rows(`appKey=${other.key}`)).every((x) => x.appKey === other.key));
  assert.equal((await rows(`appKey=${other.key}`)).length, 2);
  assert.equal((await rows('status=completed')).length, 4);
  assert.equal((await rows(`from=${new Date(Date.UTC(2026, 10, 1, 12, 2)).toISOString()}&to=${new Date(Date.UTC(2026, 10, 1, 12, 4)).toISOString()}`)).length, 2);
  assert.equal((await rows('q=HYPERLINK')).length, 1);
  assert.equal((await rows('q=no-such-thing')).length, 0);
});

test('notices export the same way: JSON equal to the list, CSV with a header', async () => {
  const json = await exportOf('/api/export/notices?format=json');
  const list = await t.client.call('listNotices', { query: { limit: 200 } });
  assert.ok(list.items.length > 0);
  assert.equal(json.headers.get('x-total-count'), String(list.items.length));
  assert.deepEqual(JSON.parse(await json.text()), list.items);
  const csv = parseCsv(await (await exportOf(`/api/export/notices?appKey=${shop.key}`)).text());
  assert.equal(csv[0]![0], 'id');
  assert.equal(csv.length - 1, list.items.filter((n) => n.appKey === shop.key).length);
  const prefix = list.items[0]!.id.slice(0, 12);
  assert.ok(JSON.parse(await (await exportOf(`/api/export/notices?format=json&q=${prefix}`)).text()).some((n: { id: string }) => n.id === list.items[0]!.id));
});

test('refusals come before any row, as the API\'s errors: no token, a bad filter, search_too_short, a page of another origin', async () => {
  assert.equal(errorCode({ status: 401, body: await (await fetch(`${t.url}/api/export/transactions`)).json() } as never), 'unauthorized');
  const bad = await exportOf('/api/export/transactions?format=xlsx');
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'validation_failed');
  const short = await exportOf('/api/export/transactions?q=ab');
  assert.equal((await short.json()).error.code, 'search_too_short');
  const foreign = await exportOf('/api/export/transactions', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
  assert.equal((await foreign.json()).error.code, 'cross_origin_refused');
  const token = await exportOf(`/api/export/transactions?token=${t.server.token}`, { authorization: '' });
  assert.equal(token.status, 401, 'a token in the URL is no credential');
});

test('the one client downloads an export as a stream and refuses like a call', async () => {
  const d = await t.client.download('exportTransactions', { format: 'csv', appKey: shop.key });
  assert.equal(d.total, 6);
  assert.equal(d.filename, 'paydesk-transactions-2026-11-01.csv');
  const count = exportRowCounter('csv');
  let rows = 0;
  await eachChunk(d.body, (chunk) => void (rows = count(chunk)));
  assert.equal(rows, 6);
  await assert.rejects(t.client.download('exportNotices', { q: 'x' }), (e: { code?: string }) => e.code === 'search_too_short');
});
