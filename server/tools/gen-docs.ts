// Generates the reference docs that must never drift from the code:
// docs/errors.md (the error catalogue) and docs/price-tiers.md (the tier table).
// `npm run docs` writes them; test/server/errors.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue } from '../../contract/errors.ts';
import { priceTiers } from '../money/price-tiers.ts';
import { currencies, formatAmount } from '../money/currency.ts';

export function errorsMarkdown(): string {
  const rows = Object.entries(errorCatalogue).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message.replace(/\|/g, '\\|')} |`);
  return [
    '# Error codes',
    '',
    'Generated from `server/errors.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Every error answers `{"error": {"code", "message", ...details}}` with the HTTP status below. Codes are stable: match on them, not on messages.',
    '',
    '| code | HTTP | what it means and what to do |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function priceTiersMarkdown(): string {
  const cols = Object.keys(priceTiers[1]!.prices);
  return [
    '# Price tiers',
    '',
    'Generated from `server/money/price-tiers.ts` by `npm run docs`; do not edit by hand. Also served at `GET /api/price-tiers`.',
    '',
    'A request with `"pricePoint": N` costs tier N\'s price in the currency it names with `currency`, or in USD when it names none. Tier 0 is free.',
    '',
    `| tier | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---|').join('')}`,
    ...priceTiers.map((t) => `| ${t.id} | ${cols.map((c) => formatAmount(t.prices[c]!, c)).join(' | ')} |`),
    '',
    `Currencies accepted with \`price\` + \`currency\`: ${Object.keys(currencies).join(', ')}. Prices are at most 10,000.00 in any currency.`,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const docs = join(import.meta.dirname, '..', '..', 'docs');
  writeFileSync(join(docs, 'errors.md'), errorsMarkdown());
  writeFileSync(join(docs, 'price-tiers.md'), priceTiersMarkdown());
  console.log('wrote docs/errors.md and docs/price-tiers.md');
}
