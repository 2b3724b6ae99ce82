import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, beforeAttempt, BASE_LOCK_MS, MAX_LOCK_MS } from '../../server/wallet/pin-policy.ts';
import { isTrivialPin, isPinFormat } from '../../contract/pin.ts';
import { luhnValid, cardBrand, expiryValid, testCards } from '../../server/vault/cards.ts';
import { startTestServer, createApp, signRequest, pay, readyBuyer, errorCode, freshDataDir, type TestServer } from '../helpers/paydesk.ts';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function server(opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}

interface BuyerBody { id: string; signedIn: boolean; pin: { set: boolean; locked: boolean; lockedUntil: string | null; triesLeft: number; unlockedUntil: string | null; unlockWindowSeconds: number }; paymentMethods: { id: string; last4: string; brand: string; limits: { perPurchase: number } }[] }

test('PIN policy: 4 to 8 digits, trivial ones refused', () => {
  for (const p of ['0000', '1111', '1234', '4321', '123456', '98765432', '8901', '1212', '121212', '123123', '2580']) assert.ok(isTrivialPin(p), p);
  for (const p of ['2468', '4826', '7391', '1397', '58203', '90210413']) assert.ok(!isTrivialPin(p), p);
  for (const p of ['123', '123456789', '12a4', '', ' 1234']) assert.ok(!isPinFormat(p), p);
});

test('PIN policy: five tries, then a lock that doubles each time, capped at a day', () => {
  let s = { failures: 0, lockouts: 0, lockedUntil: null as number | null };
  const now = 1_000_000;
  for (let i = 0; i < 4; i++) s = afterFailure(s, now);
  assert.equal(s.lockedUntil, null);
  s = afterFailure(s, now);
  assert.equal(s.lockedUntil, now + BASE_LOCK_MS);
  s = beforeAttempt(s, now + BASE_LOCK_MS);
  assert.deepEqual([s.failures, s.lockouts], [0, 1]);
  for (let i = 0; i < 5; i++) s = afterFailure(s, now);
  assert.equal(s.lockedUntil, now + 2 * BASE_LOCK_MS);
  assert.equal(afterFailure({ failures: 4, lockouts: 30, lockedUntil: null }, now).lockedUntil, now + MAX_LOCK_MS);
});

test('cards: Luhn, brand, expiry; every test card is Luhn-valid', () => {
  for (const c of testCards) assert.ok(luhnValid(c.number), c.number);
  assert.ok(!luhnValid('4242424242424241'));
  assert.equal(cardBrand('5555555555554444'), 'mastercard');
  assert.equal(cardBrand('378282246310005'), 'amex');
  assert.ok(expiryValid(12, 2030, Date.UTC(2030, 11, 31)));
  assert.ok(!expiryValid(12, 2030, Date.UTC(2031, 0, 1)));
});

test('buyers: create, list, unique email, sign in and out', async () => {
  const t = await server();
  const a = await t.api<BuyerBody>('POST', '/api/buyers', { email: 'ana@example.com', name: 'Ana' });
  assert.equal(a.status, 201);
  assert.equal(errorCode(await t.api('POST', '/api/buyers', { email: 'ANA@example.com', name: 'Other Ana' })), 'buyer_email_taken');
  assert.equal(errorCode(await t.api('POST', '/api/wallet/session', { buyerId: 'buy_nope' })), 'buyer_not_found');
  const s = await t.api<{ buyer: BuyerBody }>('POST', '/api/wallet/session', { buyerId: a.body.id });
  assert.equal(s.body.buyer.signedIn, true);
  assert.equal((await t.api<{ buyer: BuyerBody | null }>('GET', '/api/wallet/session')).body.buyer?.id, a.body.id);
  await t.api('DELETE', '/api/wallet/session');
  assert.equal((await t.api<{ buyer: null }>('GET', '/api/wallet/session')).body.buyer, null);
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${a.body.id}/pin`, { pin: '2468' })), 'wallet_signed_out');
  const b = await t.api<BuyerBody>('POST', '/api/buyers', { email: 'bo@example.com', name: 'Bo' });
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${a.body.id}/pin`, { pin: '2468' })), 'wallet_wrong_buyer');
  const list = await t.api<{ items: BuyerBody[] }>('GET', '/api/buyers');
  assert.deepEqual(list.body.items.map((x) => x.signedIn), [false, true]);
});

test('preauthorization: the vault checks the card and keeps only token, brand, last 4 and expiry', async () => {
  const t = await server();
  const b = await t.api<BuyerBody>('POST', '/api/buyers', { email: 'card@example.com', name: 'Card' });
  const add = (card: Record<string, unknown>) => t.api<{ id: string; last4: string; brand: string }>('POST', `/api/buyers/${b.body.id}/payment-methods`, { card: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123', ...card } });
  assert.equal(errorCode(await add({ number: '4242424242424241' })), 'card_number_invalid');
  assert.equal(errorCode(await add({ number: '4242' })), 'card_number_invalid');
  assert.equal(errorCode(await add({ expMonth: 1, expYear: 2001 })), 'card_expiry_invalid');
  assert.equal(errorCode(await add({ cvc: '12' })), 'card_cvc_invalid');
  assert.equal(errorCode(await add({ number: '378282246310005', cvc: '123' })), 'card_cvc_invalid');
  const ok = await add({ number: '4242 4242 4242 4242' });
  assert.equal(ok.status, 201);
  assert.deepEqual([ok.body.brand, ok.body.last4], ['visa', '4242']);
  assert.ok(!JSON.stringify(ok.body).includes('4242424242424242'));
  const limits = await t.api<{ limits: { perPurchase: number; perMonth: number } }>('PATCH', `/api/buyers/${b.body.id}/payment-methods/${ok.body.id}`, { limits: { perPurchase: 1000 } });
  assert.deepEqual(limits.body.limits, { perPurchase: 1000, perMonth: 200000 });
  assert.equal((await t.api('DELETE', `/api/buyers/${b.body.id}/payment-methods/${ok.body.id}`)).status, 200);
  assert.equal(errorCode(await t.api('DELETE', `/api/buyers/${b.body.id}/payment-methods/${ok.body.id}`)), 'payment_method_not_found');
  assert.equal((await t.api<BuyerBody>('GET', `/api/buyers/${b.body.id}`)).body.paymentMethods.length, 0);
  assert.equal(errorCode(await t.api('GET', '/api/buyers/buy_nope')), 'buyer_not_found');
});

test('PIN: set, refuse bad ones, change with the current PIN, reset only after a fresh sign-in', async () => {
  const t = await server();
  const b = await t.api<BuyerBody>('POST', '/api/buyers', { email: 'pin@example.com', name: 'Pin' });
  const id = b.body.id;
  await t.api('POST', '/api/wallet/session', { buyerId: id });
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '12' })), 'pin_invalid_format');
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '1234' })), 'pin_too_simple');
  assert.equal((await t.api<BuyerBody>('PUT', `/api/buyers/${id}/pin`, { pin: '2468' })).body.pin.set, true);
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '7391', currentPin: '1357' })), 'pin_incorrect');
  assert.equal((await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '7391', currentPin: '2468' })).status, 200);
  t.clock.advance(6 * 60_000);
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '5820' })), 'pin_reset_needs_signin');
  await t.api('POST', '/api/wallet/session', { buyerId: id });
  assert.equal((await t.api('PUT', `/api/buyers/${id}/pin`, { pin: '5820' })).status, 200, 'reset after signing in again');
});

test('five wrong PINs lock the wallet, and the lock survives a restart', async () => {
  const dataDir = freshDataDir('lockout');
  let t = await startTestServer({ dataDir });
  const app = await createApp(t);
  const buyer = await readyBuyer(t);
  const p = await pay(t, await signRequest(app, { now: t.clock.now }));
  for (let i = 1; i <= 4; i++) {
    const r = await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: '1357' });
    assert.equal(errorCode(r), 'pin_incorrect');
    assert.equal((r.body as unknown as { error: { triesLeft: number } }).error.triesLeft, 5 - i);
  }
  const fifth = await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: '1357' });
  assert.equal(errorCode(fifth), 'pin_locked');
  const lockedUntil = (fifth.body as unknown as { error: { lockedUntil: string } }).error.lockedUntil;
  assert.equal(Date.parse(lockedUntil) - t.clock.now, 5 * 60_000);
  const clockNow = t.clock.now;
  await t.close();

  t = await server({ dataDir, startAt: clockNow + 60_000 });
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: buyer.pin })), 'pin_locked', 'even the right PIN waits out the lock');
  const b = await t.api<BuyerBody>('GET', `/api/buyers/${buyer.id}`);
  assert.equal(b.body.pin.locked, true);
  assert.equal(b.body.pin.lockedUntil, lockedUntil);
  t.clock.advance(5 * 60_000);
  for (let i = 0; i < 5; i++) await t.api('POST', `/api/purchases/${p.body.id}/confirm`, { pin: '1357' });
  const second = await t.api<BuyerBody>('GET', `/api/buyers/${buyer.id}`);
  assert.equal(Date.parse(second.body.pin.lockedUntil!) - t.clock.now, 10 * 60_000, 'the second lock is longer');
  t.clock.advance(10 * 60_000);
  const fresh = await pay(t, await signRequest(app, { now: t.clock.now }));
  assert.equal((await t.api('POST', `/api/purchases/${fresh.body.id}/confirm`, { pin: buyer.pin })).status, 200);
});

test('unlock window: later purchases skip the PIN but still need a confirm; off by default', async () => {
  const t = await server();
  const app = await createApp(t);
  const buyer = await readyBuyer(t);
  const buy = async () => (await pay(t, await signRequest(app, { now: t.clock.now }))).body.id;
  const a = await buy();
  await t.api('POST', `/api/purchases/${a}/confirm`, { pin: buyer.pin });
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${await buy()}/confirm`, {})), 'pin_required', 'off by default');
  assert.equal(errorCode(await t.api('PATCH', `/api/buyers/${buyer.id}`, { unlockWindowSeconds: 301 })), 'validation_failed');
  await t.api('PATCH', `/api/buyers/${buyer.id}`, { unlockWindowSeconds: 120 });
  await t.api('POST', `/api/purchases/${await buy()}/confirm`, { pin: buyer.pin });
  const inside = await t.api<{ status: string }>('POST', `/api/purchases/${await buy()}/confirm`, {});
  assert.equal(inside.body.status, 'completed');
  t.clock.advance(121_000);
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${await buy()}/confirm`, {})), 'pin_required');
  await t.api('POST', `/api/purchases/${await buy()}/confirm`, { pin: buyer.pin });
  await t.api('DELETE', '/api/wallet/session');
  await t.api('POST', '/api/wallet/session', { buyerId: buyer.id });
  assert.equal(errorCode(await t.api('POST', `/api/purchases/${await buy()}/confirm`, {})), 'pin_required', 'signing out closes the window');
});

test('PIN guesses sent all at once still get five tries between them', async () => {
  const t = await server();
  const buyer = await readyBuyer(t);
  // Changing the PIN checks the current one, with no purchase to serialise on.
  const guesses = Array.from({ length: 40 }, (_, i) => (i === 30 ? buyer.pin : String(5000 + i * 7)));
  const results = await Promise.all(guesses.map((currentPin) => t.api('PUT', `/api/buyers/${buyer.id}/pin`, { pin: '7391', currentPin })));
  const evaluated = results.filter((r) => errorCode(r) !== 'pin_locked');
  assert.ok(evaluated.length <= 5, `${evaluated.length} guesses were checked`);
  assert.ok(results.every((r) => r.status !== 200), 'the right PIN, arriving after the lock, changes nothing');
  const b = await t.api<BuyerBody>('GET', `/api/buyers/${buyer.id}`);
  assert.equal(b.body.pin.locked, true);
});

test('a PIN reset waits out a lock instead of lifting it', async () => {
  const t = await server();
  const b = await t.api<BuyerBody>('POST', '/api/buyers', { email: 'locked@example.com', name: 'Locked' });
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  await t.api('PUT', `/api/buyers/${b.body.id}/pin`, { pin: '2468' });
  for (let i = 0; i < 5; i++) await t.api('PUT', `/api/buyers/${b.body.id}/pin`, { pin: '7391', currentPin: '1357' });
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  assert.equal(errorCode(await t.api('PUT', `/api/buyers/${b.body.id}/pin`, { pin: '7391' })), 'pin_locked');
  t.clock.advance(5 * 60_000);
  await t.api('POST', '/api/wallet/session', { buyerId: b.body.id });
  assert.equal((await t.api('PUT', `/api/buyers/${b.body.id}/pin`, { pin: '7391' })).status, 200);
});
