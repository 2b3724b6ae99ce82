// The one rule for money a person or a merchant writes as a decimal
// (contract/money.ts): the server prices requests with parseAmount, the console
// parses what is typed with parseMajor, both on parseMinorUnits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAmount, parseMinorUnits } from '../../contract/money.ts';
import { parseMajor } from '../../renderer/src/format.ts';

test('parseMinorUnits is exact, within the currency\'s digits, and knows only supported currencies', () => {
  assert.equal(parseMinorUnits('1.99', 'USD'), 199);
  assert.equal(parseMinorUnits(0.1, 'USD'), 10);
  assert.equal(parseMinorUnits('1.50', 'JPY'), undefined);
  assert.equal(parseMinorUnits('500', 'JPY'), 500);
  assert.equal(parseMinorUnits('1.005', 'BHD'), 1005);
  assert.equal(parseMinorUnits('0', 'USD'), 0);
  assert.equal(parseMinorUnits('2000000', 'USD'), 200_000_000, 'a monthly card limit may exceed any price');
  for (const bad of ['1.999', '-1', '1e3', '', ' ', '1.', '.5', Number.NaN, Infinity, null, {}]) assert.equal(parseMinorUnits(bad, 'USD'), undefined, String(bad));
  assert.equal(parseMinorUnits('1.00', 'XXX'), undefined);
});

test('parseAmount: a positive price of at most 10,000 in the currency', () => {
  assert.equal(parseAmount('10000', 'USD'), 1_000_000);
  assert.equal(parseAmount('10000.01', 'USD'), undefined);
  assert.equal(parseAmount('0', 'USD'), undefined);
  assert.equal(parseAmount(' 4.99 ', 'EUR'), 499);
  assert.equal(parseAmount(1.99, 'USD'), 199);
});

test('the console parses typed amounts by the same rule, a decimal comma allowed', () => {
  assert.equal(parseMajor('0.50', 'USD'), 50);
  assert.equal(parseMajor(' 0,50 ', 'USD'), 50);
  assert.equal(parseMajor('0.505', 'USD'), undefined);
  assert.equal(parseMajor('12', 'KWD'), 12_000);
  assert.equal(parseMajor('abc', 'USD'), undefined);
});
