// Generates the reference docs that must never drift from the code:
// docs/errors.md (the error catalogue), docs/price-tiers.md (the tier table) and
// docs/openapi.json (every route and resource of contract/api.ts, as GET /api/openapi.json serves it).
// `npm run docs` writes them; test/server/errors.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue } from '../../contract/errors.ts';
import { priceTiers } from '../money/price-tiers.ts';
import { currencies, formatAmount } from '../../contract/money.ts';
import { openApiDocument } from '../http/openapi.ts';

/** The document with a placeholder address: a running server names its own. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument('http://127.0.0.1:4110'), null, 2)}\n`;
}

export function errorsMarkdown(): string {
  const rows = Object.entries(errorCatalogue).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message.replace(/\|/g, '\\|')} |`);
  return [
    '# Error codes',
    '',
    'Generated from `contract/errors.ts` by `npm run docs`; do not edit by hand.',
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
  writeFileSync(join(docs, 'openapi.json'), openApiJson());
  console.log('wrote docs/errors.md, docs/price-tiers.md and docs/openapi.json');
}
