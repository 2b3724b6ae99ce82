// `npm run bench`: every benchmark, bounded in time, loopback only. Prints a
// table per benchmark and writes JSON to bench/results/ (ignored by git).
// `npm run bench -- verify queries` runs some; `--quick` uses smaller sizes.
import { benchVerify } from './verify.ts';
import { benchQueries } from './queries.ts';
import { printTable, writeResults, type Row } from './report.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const all: Record<string, () => Promise<Row[]>> = {
  verify: () => benchVerify(quick ? 500 : 2000),
  queries: () => benchQueries(quick ? { purchases: 100_000, notices: 20_000, repeats: 50 } : {}),
};
const results: Record<string, Row[]> = {};
for (const [name, run] of Object.entries(all)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.error(`running ${name}...`);
  results[name] = await run();
  printTable(name, results[name]);
}
const file = writeResults('bench', { at: new Date().toISOString(), quick, node: process.version, results });
console.log(`\nresults: ${file}`);
