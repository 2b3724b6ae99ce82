// The currency table and the exact decimal rule live in contract/money.ts, so the
// console parses amounts by the same rule; server code keeps importing them here.
export { currencies, MAX_MAJOR_AMOUNT, isSupportedCurrency, minorDigits, parseAmount, formatAmount, type Money } from '../../contract/money.ts';
