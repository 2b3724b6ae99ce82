// Time-ordered ids (server/ids.ts): a pending purchase's id is the credential
// of its cancel route, so its random part is decoded and counted here, and the
// number the docs state is checked against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newOrderedId, ORDERED_ID_RANDOM_BITS } from '../../server/ids.ts';
import { startTestServer, createApp, signRequest, pay } from '../helpers/paydesk.ts';

const root = join(import.meta.dirname, '..', '..');
const shape = /^pur_([0-9a-z]{9})([0-9a-z]+)$/;

function decode(id: string): { time: number; random: string } {
  const m = shape.exec(id);
  assert.ok(m, `${id} is pur_<time><random>`);
  return { time: parseInt(m[1]!, 36), random: m[2]! };
}

/** What a sample of ids shows of their random part: its length, its alphabet, and so its bits. */
function randomBits(ids: readonly string[]): { length: number; letters: number; bits: number } {
  const parts = ids.map((id) => decode(id).random);
  const lengths = new Set(parts.map((r) => r.length));
  assert.equal(lengths.size, 1, 'one length');
  const length = parts[0]!.length;
  // Every letter turns up at every position: each position is uniformly random over the alphabet.
  const alphabet = new Set(parts.join(''));
  for (let i = 0; i < length; i++) {
    assert.equal(new Set(parts.map((r) => r[i])).size, alphabet.size, `position ${i}`);
  }
  return { length, letters: alphabet.size, bits: length * Math.log2(alphabet.size) };
}

test('an ordered id carries at least 96 random bits after its time prefix', () => {
  const ids = Array.from({ length: 4000 }, () => newOrderedId('pur'));
  const r = randomBits(ids);
  assert.ok(r.bits >= 96, `${r.length} letters of ${r.letters}: ${r.bits.toFixed(1)} bits`);
  assert.equal(r.bits, ORDERED_ID_RANDOM_BITS, 'ORDERED_ID_RANDOM_BITS says how many');
  assert.equal(new Set(ids).size, ids.length, 'no two alike');
});

test('ordered ids start with their creation time, and sort by it', () => {
  const times = [0, 1, 35, 36, 1_700_000_000_000, 1_700_000_000_001, Date.UTC(2100, 0, 1)];
  const ids = times.map((ms) => newOrderedId('pur', ms));
  assert.deepEqual(ids.map((id) => decode(id).time), times);
  assert.deepEqual([...ids].sort(), ids);
});

test('the docs state the purchase id\'s random bits as the ids have them', () => {
  const doc = readFileSync(join(root, 'docs', 'buy-flow.md'), 'utf8');
  const stated = [...doc.matchAll(/(\d+) random bits/g)].map((m) => Number(m[1]));
  assert.ok(stated.length > 0, 'docs/buy-flow.md states the number');
  const { bits } = randomBits(Array.from({ length: 4000 }, () => newOrderedId('pur')));
  assert.deepEqual([...new Set(stated)], [bits]);
});

test('a purchase made through POST /v1/pay has such an id, and every route takes it', async () => {
  const t = await startTestServer();
  try {
    const app = await createApp(t);
    const r = await pay(t, await signRequest(app, { now: t.clock.now }));
    assert.equal(r.status, 201);
    assert.equal(decode(r.body.id).random.length * 5, ORDERED_ID_RANDOM_BITS);
    assert.equal((await t.api('GET', `/v1/pay/${r.body.id}`)).status, 200);
    const page = await fetch(`${t.url}/pay/${r.body.id}`);
    assert.equal(page.status, 200, 'the status window knows it');
    await page.text();
    assert.equal((await t.api('GET', `/api/purchases/${r.body.id}`)).status, 200);
    assert.equal((await t.api<{ status: string }>('POST', `/v1/pay/${r.body.id}/cancel`, {})).body.status, 'cancelled');
  } finally {
    await t.close();
  }
});
