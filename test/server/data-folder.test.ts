// What a copy of the whole data folder gives away (README, "What the data
// folder holds"). Headless, master.key sits beside the databases, so the copy
// can recompute every HMAC and unseal everything Paydesk keyed with it. After a
// run that set a PIN, preauthorized cards with their CVCs and confirmed
// purchases, all under Idempotency-Keys, every idempotency row is attacked the
// way fingerprints used to be made (an HMAC over method, path and raw body),
// by an attacker who knows every request except its secret: every 4-6 digit
// PIN, every 3-4 digit CVC. Nothing may fall faster than the scrypt PIN hash.
// The old fingerprints gave the PIN up within a second; now each PIN row costs
// the attacker the whole space (about a million HMACs) for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { deriveKeys, unseal } from '../../server/keys/master-key.ts';
import { startTestServer, createApp, signRequest, pay, freshDataDir, readyBuyer, errorCode } from '../helpers/paydesk.ts';

// Four digits keep the search below small (10^4 guesses a row, as an attacker who knows
// the length would try); the old fingerprint gave up a 6-digit PIN in seconds just the same.
const PIN = '4029';
const cards = [
  { number: '4242 4242 4242 4242', cvc: '731' },
  { number: '3782 822463 10005', cvc: '4096' },
];

interface Template {
  readonly what: string;
  /** What the old fingerprint covered, exactly as the client sent it, split where the secret goes. */
  readonly before: string;
  readonly after: string;
  readonly candidates: () => Iterable<string>;
}

const SLOT = '\u0000';
function template(what: string, method: string, path: string, body: (secret: string) => unknown, candidates: () => Iterable<string>): Template {
  const [before, after] = `${method} ${path}\n${JSON.stringify(body(SLOT))}`.split(JSON.stringify(SLOT).slice(1, -1)) as [string, string];
  return { what, before, after, candidates };
}

function* digits(min: number, max: number): Iterable<string> {
  for (let len = min; len <= max; len++) for (let i = 0; i < 10 ** len; i++) yield String(i).padStart(len, '0');
}

test('a copy of the data folder, master.key included, recovers no PIN and no CVC from the idempotency rows', async () => {
  const t = await startTestServer();
  const app = await createApp(t);
  const templates: Template[] = [];
  const send = async (method: string, path: string, body: Record<string, unknown>, key: string) => {
    const r = await t.api<{ id: string; status?: string }>(method, path, body, { 'idempotency-key': key });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  const buyer = (await t.api<{ id: string }>('POST', '/api/buyers', { email: 'folder@example.com', name: 'Folder Copy' })).body;
  await t.api('POST', '/api/wallet/session', { buyerId: buyer.id });
  const expYear = new Date(t.clock.now).getUTCFullYear() + 3;
  const methods: string[] = [];
  for (const [i, card] of cards.entries()) {
    const path = `/api/buyers/${buyer.id}/payment-methods`;
    const body = (cvc: string) => ({ card: { number: card.number, expMonth: 12, expYear, cvc } });
    methods.push((await send('POST', path, body(card.cvc), `preauth-${i}`)).id);
    templates.push(template(`CVC of card ${i}`, 'POST', path, body, () => digits(3, 4)));
  }
  // The first confirmation with the PIN opens the unlock window; the second confirms inside it, without.
  const pinPath = `/api/buyers/${buyer.id}/pin`;
  const setBody = (pin: string) => ({ pin, unlockWindowSeconds: 300 });
  await send('PUT', pinPath, setBody(PIN), 'set-pin');
  templates.push(template('PIN (set)', 'PUT', pinPath, setBody, () => digits(PIN.length, PIN.length)));
  for (const [i, pm] of methods.entries()) {
    const purchase = (await pay(t, await signRequest(app, { now: t.clock.now }))).body;
    const path = `/api/purchases/${purchase.id}/confirm`;
    const body = (pin: string) => ({ pin, paymentMethodId: pm });
    const confirmed = await send('POST', path, i === 0 ? body(PIN) : { paymentMethodId: pm }, `confirm-${i}`);
    assert.equal(confirmed.status, 'completed');
    if (i === 0) templates.push(template('PIN (confirm)', 'POST', path, body, () => digits(PIN.length, PIN.length)));
  }
  // What is deleted later (swept keys, replaced PIN hashes) is overwritten, in both files.
  for (const db of [t.server.services.ctx.db, t.server.services.ctx.vaultDb]) assert.equal(db.pragma('secure_delete', { simple: true }), 1, db.name);
  await t.close();

  // The attacker's copy: every file of the folder, WAL included.
  const copy = freshDataDir('folder-copy');
  cpSync(t.dataDir, copy, { recursive: true });
  const key = deriveKeys(Buffer.from(readFileSync(join(copy, 'master.key'), 'utf8').trim(), 'base64')).idempotencyKey;
  const db = new Database(join(copy, 'ledger.db'), { readonly: true });
  const rows = db.prepare('SELECT scope, key, fingerprint, response_json FROM idempotency_keys').all() as
    { scope: string; key: string; fingerprint: string; response_json: string }[];
  db.close();
  assert.equal(rows.filter((r) => /^(preauth|set-pin|confirm)/.test(r.key)).length, 5, 'every request above left its row to attack');

  const fingerprints = new Set(rows.map((r) => r.fingerprint));
  const recovered: string[] = [];
  let tried = 0;
  for (const tpl of templates) {
    for (const guess of tpl.candidates()) {
      tried++;
      if (fingerprints.has(createHmac('sha256', key).update(tpl.before + guess + tpl.after).digest('base64url'))) {
        recovered.push(`${tpl.what}: ${guess}`);
        break;
      }
    }
  }
  assert.deepEqual(recovered, [], `recovered from the idempotency rows after ${tried} guesses`);

  // The stored answers unseal with the same key: none holds a PIN, card number or CVC.
  const secrets = new Set([PIN, ...cards.flatMap((c) => [c.number, c.number.replace(/ /g, ''), c.cvc])]);
  const leaks: string[] = [];
  const walk = (v: unknown, where: string): void => {
    if (typeof v === 'string' && secrets.has(v)) leaks.push(where);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
  };
  for (const r of rows) walk(JSON.parse(unseal(key, r.response_json, `idem:${r.scope}:${r.key}`)) as unknown, r.key);
  assert.deepEqual(leaks, []);
});

test('the PIN is not part of the request: the same key with another PIN replays the first answer and counts no try', async () => {
  const t = await startTestServer();
  try {
    const app = await createApp(t);
    const buyer = await readyBuyer(t, { pin: PIN });
    const triesLeft = async () => (await t.api<{ pin: { triesLeft: number } }>('GET', `/api/buyers/${buyer.id}`)).body.pin.triesLeft;
    const purchase = (await pay(t, await signRequest(app, { now: t.clock.now }))).body;
    const confirm = (pin: string, key: string) => t.api<{ status?: string }>('POST', `/api/purchases/${purchase.id}/confirm`, { pin, paymentMethodId: buyer.paymentMethodId }, { 'idempotency-key': key });

    const wrong = await confirm('975310', 'confirm-a');
    assert.equal(errorCode(wrong), 'pin_incorrect');
    assert.equal(await triesLeft(), 4);
    // The right PIN under the wrong try's key learns nothing new and spends nothing: the old answer, no PIN check.
    const replayed = await confirm(PIN, 'confirm-a');
    assert.equal(errorCode(replayed), 'pin_incorrect');
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    assert.equal(await triesLeft(), 4, 'a replay is not a try');
    for (const guess of ['135792', '864213', '975310', '246801']) assert.equal(errorCode(await confirm(guess, 'confirm-a')), 'pin_incorrect', 'nor is it an oracle');
    assert.equal(await triesLeft(), 4);

    const done = await confirm(PIN, 'confirm-b');
    assert.equal(done.body.status, 'completed');
    const again = await confirm('975310', 'confirm-b');
    assert.equal(again.body.status, 'completed', 'a wrong PIN under the key that completed hears what already happened');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await triesLeft(), 5, 'the right PIN reset the count; the replay spent none');
  } finally {
    await t.close();
  }
});
