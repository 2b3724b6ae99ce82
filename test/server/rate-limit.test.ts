// The public API's token bucket (server/http/rate-limit.ts), on an injected clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../server/http/rate-limit.ts';

test('a bucket lets a burst through, then says how many whole seconds until the next token; a clock set back gives nothing', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter({ perSecond: 4, burst: 8 }, () => now);
  for (let i = 0; i < 8; i++) assert.equal(limiter.take('a'), 0);
  assert.equal(limiter.take('a'), 1);
  assert.equal(limiter.take('b'), 0, 'keys have their own buckets');
  now += 250;
  assert.equal(limiter.take('a'), 0, 'a quarter second at 4/s: one token');
  now -= 60_000;
  assert.equal(limiter.take('a'), 1, 'the clock went back: no tokens from it');
  now += 60_000 + 500;
  assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 1], 'and none lost to it either: half a second is two tokens');
});

test('many callers: every new key gets a full bucket, however many came before', () => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, () => 0);
  for (let i = 0; i < 12_000; i++) assert.equal(limiter.take(`http://site-${i}.example`), 0);
  assert.equal(limiter.take('http://site-11999.example'), 0);
  assert.equal(limiter.take('http://site-11999.example'), 1, 'a recent bucket is kept');
});
