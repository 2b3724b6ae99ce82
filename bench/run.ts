// `npm run bench`: every benchmark, bounded in time, loopback only. Prints a
// table per benchmark and writes JSON to bench/results/ (ignored by git).
// `npm run bench -- purchases dispatch` runs some; `--quick` uses smaller sizes
// and shorter points (about a minute in all, against about five);
// `--buyers=64` measures only those points of the purchase benchmark (for profiling).
import { cpus, loadavg } from 'node:os';
import { benchPurchases } from './purchases.ts';
import { benchVerify } from './verify.ts';
import { benchQueries } from './queries.ts';
import { benchDispatch } from './dispatch.ts';
import { printTable, writeResults, type Row } from './report.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const buyersArg = args.find((a) => a.startsWith('--buyers='))?.slice('--buyers='.length);
const buyers = buyersArg ? buyersArg.split(',').map(Number) : [1, 16, 64];
if (!buyers.every((b) => Number.isInteger(b) && b > 0)) {
  console.error(`--buyers wants whole numbers above 0, like --buyers=16,64; got ${buyersArg}.`);
  process.exit(2);
}
const progress = (m: string) => console.error(m);
const all: Record<string, () => Promise<Row[]>> = {
  purchases: async () => (await benchPurchases({ pointMs: quick ? 1500 : 4000, warmupMs: quick ? 300 : 700, buyers, progress })).rows,
  verify: () => benchVerify(quick ? 500 : 2000),
  queries: () => benchQueries(quick ? { purchases: 100_000, notices: 20_000, repeats: 50, progress } : { progress }),
  dispatch: () => benchDispatch({ notices: quick ? 2_000 : 10_000, buyers: 16, progress }),
};
const unknown = wanted.filter((w) => !(w in all));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(all).join(', ')}.`);
  process.exit(2);
}
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavgAtStart: loadavg() };
console.log(`node ${process.version}, ${machine.cpus} cores (${machine.model}), load average ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}${quick ? ', --quick' : ''}`);
const t0 = performance.now();
const results: Record<string, Row[]> = {};
for (const [name, run] of Object.entries(all)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.error(`running ${name}...`);
  results[name] = await run();
  printTable(name, results[name]);
}
const file = writeResults('bench', { at: new Date().toISOString(), quick, node: process.version, machine, seconds: (performance.now() - t0) / 1000, results });
console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s in all; results: ${file}`);
