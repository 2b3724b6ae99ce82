// Control and bidi characters in text people read (issue 10, point 6): refused
// at input with a stable code and nothing written; what cannot be refused
// (opaque productData, rows stored before) is shown escaped and isolated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, createApp, signRequest, ponyRequest, pay, readyBuyer, count, errorCode, type TestServer, type CreatedApp } from '../helpers/paydesk.ts';
import { renderStatusPage, type PublicPurchaseView } from '../../server/paypage/status-page.ts';
import { showControls } from '../../contract/api.ts';

/** One of each class the rule names; written as escapes so this file shows them. */
const refused: readonly [label: string, char: string][] = [
  ['RIGHT-TO-LEFT OVERRIDE', '\u202E'], ['LEFT-TO-RIGHT EMBEDDING', '\u202A'], ['RIGHT-TO-LEFT ISOLATE', '\u2067'],
  ['POP DIRECTIONAL ISOLATE', '\u2069'], ['RIGHT-TO-LEFT MARK', '\u200F'], ['LEFT-TO-RIGHT MARK', '\u200E'], ['ARABIC LETTER MARK', '\u061C'],
  ['NUL', '\u0000'], ['ESCAPE (C0)', '\u001B'], ['DEL', '\u007F'], ['NEXT LINE (C1)', '\u0085'], ['CSI (C1)', '\u009B'], ['LINE SEPARATOR', '\u2028'],
];
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

let t: TestServer;
let app: CreatedApp;
before(async () => {
  t = await startTestServer();
  app = await createApp(t);
});
after(() => t.close());

interface Refusal { error: { code: string; field: string; character?: string; detail?: string } }

test('console bodies: names, URLs and reasons holding a control or bidi character are refused with text_control_characters, nothing written', async () => {
  const appsBefore = count(t, 'apps');
  const buyersBefore = count(t, 'buyers');
  for (const [label, c] of refused) {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/apps', { name: `Pony${c}gnp.exe`, homepage: 'http://127.0.0.1:9/', contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' }, 'body.name'],
      ['POST', '/api/apps', { name: 'Pony', homepage: `http://127.0.0.1:9/a${c}b`, contactEmail: 'm@example.com', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c' }, 'body.homepage'],
      ['PATCH', `/api/apps/${app.key}`, { name: `Pony${c}Shop` }, 'body.name'],
      ['PATCH', `/api/apps/${app.key}`, { postbackURL: `http://127.0.0.1:9/p${c}q` }, 'body.postbackURL'],
      ['POST', '/api/buyers', { email: 'ctl@example.com', name: `Ada${c}Lovelace` }, 'body.name'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await t.api<Refusal>(method, path, body);
      assert.equal(r.status, 400, `${label} in ${method} ${path} ${field}`);
      assert.equal(errorCode(r), 'text_control_characters', `${label} in ${method} ${path}`);
      assert.equal(r.body.error.field, field);
      assert.equal(r.body.error.character, hex(c));
    }
  }
  assert.equal(count(t, 'apps'), appsBefore);
  assert.equal(count(t, 'buyers'), buyersBefore);
  assert.equal((await t.api<{ name: string }>('GET', `/api/apps/${app.key}`)).body.name, 'Elite Sparkle Pony', 'the app is as it was');
});

test('console bodies: a tab or a line break in a name is refused too; spaces and right-to-left letters are not', async () => {
  for (const c of ['\t', '\n', '\r']) {
    assert.equal(errorCode(await t.api('POST', '/api/buyers', { email: 'tab@example.com', name: `Ada${c}Lovelace` })), 'text_control_characters');
  }
  const hebrew = await t.api<{ name: string }>('POST', '/api/buyers', { email: 'rtl@example.com', name: 'Ada \u05E9\u05DC\u05D5\u05DD\u00A0Lovelace' });
  assert.equal(hebrew.status, 201);
  assert.equal(hebrew.body.name, 'Ada \u05E9\u05DC\u05D5\u05DD\u00A0Lovelace');
});

test('refund and dispute reasons are refused the same way, and nothing is refunded', async () => {
  const buyer = await readyBuyer(t);
  const created = await pay(t, await signRequest(app, { now: t.clock.now }));
  await t.api('POST', `/api/purchases/${created.body.id}/confirm`, { pin: buyer.pin });
  const refunds = count(t, 'refunds');
  const r = await t.api<Refusal>('POST', `/api/transactions/${created.body.id}/refunds`, { reason: 'Never arrived\u202E' });
  assert.equal(errorCode(r), 'text_control_characters');
  assert.equal(r.body.error.field, 'body.reason');
  const d = await t.api<Refusal>('POST', `/api/purchases/${created.body.id}/dispute`, { reason: '\u0000' });
  assert.equal(errorCode(d), 'text_control_characters');
  assert.equal(count(t, 'refunds'), refunds);
});

test('payment requests: a control or bidi character in id, name, description, locales or simulate.reason is request_field_invalid, nothing written', async () => {
  const purchases = count(t, 'purchases');
  const jtis = count(t, 'used_jtis');
  for (const [label, c] of refused) {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ponyRequest, name: `Pony${c}gnp.exe` }, 'name'],
      [{ ...ponyRequest, description: `Shiny${c}` }, 'description'],
      [{ ...ponyRequest, id: `pony${c}1` }, 'id'],
      [{ ...ponyRequest, defaultLocale: 'en', locales: { de: { name: `Pony${c}` } } }, 'locales.de.name'],
      [{ ...ponyRequest, simulate: { result: 'postback', reason: `x${c}` } }, 'simulate.reason'],
    ];
    for (const [request, field] of cases) {
      const r = await pay(t, await signRequest(app, { request, now: t.clock.now }));
      assert.equal(errorCode(r), 'request_field_invalid', `${label} in ${field}`);
      const e = (r.body as unknown as Refusal).error;
      assert.equal(e.field, field);
      assert.match(e.detail!, new RegExp(hex(c).replace('+', '\\+')));
    }
  }
  assert.equal(count(t, 'purchases'), purchases);
  assert.equal(count(t, 'used_jtis'), jtis, 'a refused request does not use up its jti');
});

test('payment requests: a description may hold tabs and line breaks; productData is opaque and echoed as sent', async () => {
  const request = { ...ponyRequest, description: 'Line one\nLine two\twith a tab', productData: 'order=42\u202E&x=\u0000' };
  const created = await pay(t, await signRequest(app, { request, now: t.clock.now }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const shown = await t.api<{ item: { description: string; productData: string } }>('GET', `/api/purchases/${created.body.id}`);
  assert.equal(shown.body.item.description, request.description);
  assert.equal(shown.body.item.productData, request.productData, 'the API gives the merchant\'s data back unchanged; the console shows it escaped');
});

test('the status window shows stored text with controls escaped and isolated in <bdi>, its title too', () => {
  const view: PublicPurchaseView = {
    id: 'pur_x', status: 'pending', code: 'K7P-4QX', item: { name: 'Pony\u202Egnp.exe', description: 'Shiny\u2066 \u0000' },
    price: { amount: 199, currency: 'USD', display: '1.99' }, seller: { name: 'Shop\u200F', homepage: 'http://127.0.0.1:9/' },
    transactionID: null, error: null, expiresAt: new Date(0).toISOString(),
  };
  const html = renderStatusPage(view, 0);
  assert.doesNotMatch(html, /[\u0000\u200F\u202E\u2066]/, 'no raw control character reaches the page');
  assert.match(html, /<h1 class="item"><bdi>Pony\\u202egnp\.exe<\/bdi><\/h1>/);
  assert.match(html, /<p class="description"><bdi>Shiny\\u2066 \\u0000<\/bdi><\/p>/);
  assert.match(html, /<span class="seller-name"><bdi>Shop\\u200f<\/bdi><\/span>/);
  assert.match(html, /<title>Confirm in Paydesk · Pony\\u202egnp\.exe<\/title>/);
});

test('showControls writes each control out and keeps layout; on JSON text the value survives a round trip', () => {
  for (const [, c] of refused) assert.doesNotMatch(showControls(`a${c}b`), /[\p{Cc}\p{Bidi_Control}\u2028]/u);
  assert.equal(showControls('a\tb\nc\r\n'), 'a\tb\nc\r\n');
  const value = { name: 'Pony\u202Egnp.exe', other: '\u0085\u2029\u061C' };
  const text = showControls(JSON.stringify(value, null, 2));
  assert.doesNotMatch(text, /[\u202E\u0085\u2029\u061C]/);
  assert.deepEqual(JSON.parse(text), value);
});
