// Console queries at scale: 1,000,000 transactions and 200,000 notices, seeded
// straight into a real ledger.db, then queried over HTTP against a server
// running as its own process (so its start time and RSS are its own). The
// dashboard summary is also put beside its baseline: the same numbers added up
// from the rows themselves, which is what it would cost without the rollups.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from '../server/main.ts';
import { newConfirmationCode, newId } from '../server/ids.ts';
import { summarize, type Row } from './report.ts';
import { KeepAlive, benchClient } from './load.ts';
import { eachChunk, exportRowCounter, type RouteQuery } from '../contract/client.ts';

const root = join(import.meta.dirname, '..');

/** One completed purchase from the middle of the seed, whose values the search cases look for. */
interface Sample { readonly txn: string; readonly id: string; readonly code: string; readonly order: string; readonly email: string }

export async function seed(dataDir: string, purchases: number, notices: number, progress: (msg: string) => void): Promise<{ appKeys: string[]; sample: Sample }> {
  // Schema, keys and apps through the real server, then bulk rows by SQL.
  const s = await startServer({ port: 0, dataDir, log: () => {} });
  const appKeys: string[] = [];
  for (let i = 0; i < 20; i++) {
    appKeys.push(s.services.apps.create({
      name: `Shop ${i}`, homepage: 'http://127.0.0.1:9/', contactEmail: 'shop@example.com',
      postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c', access: 'live',
    }).app.key);
  }
  await s.close();
  const db = new Database(join(dataDir, 'ledger.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Buyers, so a search by part of an email has rows to find (about a hundred purchases each at 1M).
  const buyers = Math.max(1, Math.floor(purchases / 100));
  const insBuyer = db.prepare("INSERT INTO buyers (id, email, name, created_at) VALUES (?, ?, 'Bench Buyer', 0)");
  db.transaction(() => {
    for (let b = 0; b < buyers; b++) insBuyer.run(`byr_bench${b}`, `buyer${b}.bench@example.com`);
  })();
  const ins = db.prepare(`INSERT INTO purchases (id, app_key, code, status, product_id, name, description, product_data, amount, currency,
      postback_url, chargeback_url, request_json, transaction_id, buyer_id, created_at, expires_at, completed_at, updated_at)
    VALUES (?, ?, ?, ?, ?, 'Elite Sparkle Pony', 'The shiniest pony of all!', ?, 199, 'USD', 'http://127.0.0.1:9/p', 'http://127.0.0.1:9/c', ?, ?, ?, ?, ?, ?, ?)`);
  const insNotice = db.prepare(`INSERT INTO notices (id, purchase_id, app_key, type, seq, url, payload_json, status, created_at, delivered_at)
    VALUES (?, ?, ?, 'postback', 1, 'http://127.0.0.1:9/p', '{}', 'delivered', ?, ?)`);
  const start = Date.UTC(2025, 10, 1);
  const span = 365 * 24 * 3600_000;
  let sample: Sample | undefined;
  const batch = 50_000;
  for (let done = 0; done < purchases; done += batch) {
    db.transaction(() => {
      for (let i = done; i < Math.min(purchases, done + batch); i++) {
        const at = start + Math.floor((i / purchases) * span);
        const status = i % 10 === 0 ? 'cancelled' : 'completed';
        const txn = status === 'completed' ? newId('txn', 20) : null;
        const id = newId('pur', 20);
        const app = appKeys[i % appKeys.length]!;
        const code = newConfirmationCode();
        ins.run(id, app, code, status, `pony-${i % 100}`, `order-${i}`, `{"id":"pony-${i % 100}","name":"Elite Sparkle Pony","price":"1.99","currency":"USD","productData":"order-${i}"}`,
          txn, txn ? `byr_bench${i % buyers}` : null, at, at + 900_000, txn ? at + 5000 : null, at);
        // Latencies of 5 ms to a few seconds, so the histogram has bins to walk.
        if (i < notices) insNotice.run(newId('ntc', 20), id, app, at, at + 5 + ((i * 7919) % 4000));
        if (i >= Math.floor(purchases / 2) && txn && !sample) sample = { txn, id, code, order: `order-${i}`, email: `buyer${i % buyers}.bench@example.com` };
      }
    })();
    progress(`seeded ${Math.min(purchases, done + batch).toLocaleString()} / ${purchases.toLocaleString()} transactions`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  if (!sample) throw new Error('the seed has no completed purchase in its second half: seed more rows');
  return { appKeys, sample };
}

const summaryRanges: readonly (readonly [string, string, string])[] = [['30 days', '2026-03-01', '2026-03-30'], ['90 days', '2026-01-01', '2026-03-31']];

/**
 * What the dashboard asks for: its default range, 30 days (spanning Paris's spring DST change),
 * and 90 days. Asked again, as the dashboard does, the server reads only the days whose
 * rollups changed (none here); the first read of a range reads every day from the rollups,
 * measured by asking each time in a time zone not asked before (the days it keeps are per zone).
 */
async function benchSummary(get: (query: RouteQuery<'getSummary'>) => Promise<{ ms: number }>, repeats: number): Promise<{ rows: Row[]; p50: number }> {
  const rows: Row[] = [];
  let p50 = NaN;
  const unseenZones = Intl.supportedValuesOf('timeZone').filter((z) => z !== 'Europe/Paris' && z !== 'UTC');
  for (const [label, from, to] of summaryRanges) {
    const query = { from, to, timeZone: 'Europe/Paris' };
    for (let i = 0; i < 20; i++) await get(query);
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) samples.push((await get(query)).ms);
    const s = summarize(samples);
    if (label === '30 days') p50 = s.p50;
    rows.push({ name: `dashboard summary, ${label} p50`, value: s.p50, unit: 'ms' });
    rows.push({ name: `dashboard summary, ${label} p99`, value: s.p99, unit: 'ms', goal: '< 10 ms', ok: s.p99 < 10 });
    const firstReads: number[] = [];
    for (const timeZone of unseenZones.splice(0, Math.min(repeats, Math.floor(unseenZones.length / 2)))) firstReads.push((await get({ from, to, timeZone })).ms);
    const f = summarize(firstReads);
    rows.push({ name: `dashboard summary, ${label}, first read p50`, value: f.p50, unit: 'ms', note: `${firstReads.length} zones, each asked once` });
    rows.push({ name: `dashboard summary, ${label}, first read p99`, value: f.p99, unit: 'ms' });
  }
  return { rows, p50 };
}

/**
 * The summary's baseline: the same counts and sums for the 30 days straight from
 * the purchase rows, in process and without HTTP, which flatters the baseline.
 */
function summaryBaseline(dataDir: string, summaryP50: number, repeats: number): Row[] {
  const [, from, to] = summaryRanges[0]!;
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  const lo = Date.parse(`${from}T00:00:00+01:00`);
  const hi = Date.parse(`${to}T00:00:00+02:00`) + 86_400_000;
  const q = db.prepare(`SELECT (created_at - ?) / 86400000 AS day, status, COUNT(*) AS n, SUM(amount) AS amount
    FROM purchases WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2`);
  const samples: number[] = [];
  for (let i = 0; i < Math.max(5, Math.floor(repeats / 10)); i++) {
    const t = performance.now();
    q.all(lo, lo, hi);
    samples.push(performance.now() - t);
  }
  db.close();
  const b = summarize(samples);
  return [
    { name: 'baseline: the same from the rows, 30 days p50', value: b.p50, unit: 'ms', note: 'in process, no HTTP' },
    { name: 'dashboard summary: ratio to the baseline', value: b.p50 / summaryP50, unit: 'x', goal: '> 1 x', ok: b.p50 > summaryP50, note: 'times faster' },
  ];
}

/** ledger.db's size, and the part of it the search index takes (migration 010). */
function sizes(dataDir: string): Row[] {
  const path = join(dataDir, 'ledger.db');
  const db = new Database(path, { readonly: true });
  const index = (db.prepare("SELECT SUM(pgsize) AS n FROM dbstat WHERE name LIKE 'purchase_search%'").get() as { n: number | null }).n ?? 0;
  db.close();
  return [
    { name: 'ledger.db size', value: statSync(path).size / 1e6, unit: 'MB' },
    { name: 'of which the search index', value: index / 1e6, unit: 'MB' },
  ];
}

/** Parts of the sample's values, one per kind of fragment the search box takes (issue 15). */
function searchCases(sample: Sample): [string, RouteQuery<'listTransactions'>][] {
  return [
    ['search by part of an order id in productData', { q: sample.order.slice(2) }],
    ['search by part of an email', { q: sample.email.split('@')[0]! }],
    ['search by confirmation code with its dash', { q: sample.code }],
    ['search by confirmation code without its dash', { q: sample.code.replace('-', '') }],
    ['search by purchase id prefix', { q: sample.id.slice(0, 12) }],
  ];
}

/**
 * The search's baseline: the same productData fragment found by LIKE over every row,
 * in process and without HTTP (what it would cost without migration 010's index);
 * and a fragment in every row ("pony"), which the index cannot narrow, for its cost.
 */
async function searchBaseline(transactions: (q: RouteQuery<'listTransactions'>) => Promise<{ ms: number }>, dataDir: string, sample: Sample): Promise<Row[]> {
  const fragment = sample.order.slice(2);
  const search: number[] = [];
  for (let i = 0; i < 50; i++) search.push((await transactions({ q: fragment })).ms);
  const broad: number[] = [];
  for (let i = 0; i < 5; i++) broad.push((await transactions({ q: 'pony' })).ms);
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  const q = db.prepare("SELECT id FROM purchases WHERE product_data LIKE '%' || ? || '%' ORDER BY created_at DESC, id DESC LIMIT 51");
  const like: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    q.all(fragment);
    like.push(performance.now() - t);
  }
  db.close();
  const s = summarize(search).p50;
  const b = summarize(like).p50;
  return [
    { name: 'search, a fragment in every row ("pony") p50', value: summarize(broad).p50, unit: 'ms', note: 'the index cannot narrow it' },
    { name: 'baseline: productData fragment by LIKE p50', value: b, unit: 'ms', note: 'in process, no HTTP' },
    { name: 'search: ratio to the baseline', value: b / s, unit: 'x', goal: '> 1 x', ok: b > s, note: 'times faster' },
  ];
}

/**
 * Every transaction exported as CSV through the one client's download, read as it
 * arrives (as `paydesk export` and the console do): the time, rows/s, MB, and the
 * server's RSS after it, which stays flat because rows are read a page at a time.
 */
async function benchExport(client: ReturnType<typeof benchClient>, purchases: number, rss: () => number): Promise<Row[]> {
  const t = performance.now();
  const d = await client.download('exportTransactions', { format: 'csv' });
  const count = exportRowCounter('csv');
  let rows = 0;
  let bytes = 0;
  await eachChunk(d.body, (chunk) => {
    rows = count(chunk);
    bytes += chunk.length;
  });
  const s = (performance.now() - t) / 1000;
  return [
    { name: 'export, every transaction as CSV', value: s, unit: 's', note: `${rows.toLocaleString()} of ${d.total.toLocaleString()} rows told up front` },
    { name: 'export rows per second', value: rows / s, unit: 'rows/s' },
    { name: 'export size', value: bytes / 1e6, unit: 'MB' },
    { name: 'export holds every row', value: rows, unit: 'rows', ok: rows === purchases && d.total === purchases },
    { name: 'server RSS after the export', value: rss(), unit: 'MB', goal: '< 250 MB', ok: rss() < 250 },
  ];
}

/** Starts `paydesk serve` as a child; resolves when it prints its address, with the time that took. */
function spawnServer(dataDir: string): Promise<{ url: string; pid: number; readyMs: number; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/cli.ts'), 'serve', '--port', '0', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({
        url: m[1]!, pid: child.pid!, readyMs: performance.now() - t0,
        stop: () => new Promise((r) => {
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** How long `import + startServer()` takes in a fresh Node process, excluding tsx's compile of the sources. */
function measureStartServer(dataDir: string): Promise<number> {
  const script = `
    const { startServer } = await import(${JSON.stringify(join(root, 'server/main.ts'))});
    const t0 = performance.now();
    const s = await startServer({ port: 0, dataDir: ${JSON.stringify(dataDir)}, log: () => {} });
    const ms = performance.now() - t0;
    await s.close();
    console.log(ms);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`start measurement failed: ${code}`))));
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function benchQueries(opts: { purchases?: number; notices?: number; repeats?: number; progress?: (m: string) => void } = {}): Promise<Row[]> {
  const purchases = opts.purchases ?? 1_000_000;
  const notices = opts.notices ?? 200_000;
  const repeats = opts.repeats ?? 200;
  const progress = opts.progress ?? ((m: string) => console.error(m));
  const dataDir = mkdtempSync(join(tmpdir(), 'paydesk-bench-queries-'));
  try {
    const t0 = performance.now();
    const { appKeys, sample } = await seed(dataDir, purchases, notices, progress);
    const seedS = (performance.now() - t0) / 1000;
    progress(`seeding took ${seedS.toFixed(1)} s`);
    const startMs = await measureStartServer(dataDir);
    const server = await spawnServer(dataDir);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    // One keep-alive connection, like the console's: the figure is the server's, not a new connection's.
    const transport = new KeepAlive(1);
    const client = benchClient(server.url, transport, token);
    const transactions = async (query: RouteQuery<'listTransactions'>) => {
      const t = performance.now();
      const body = await client.call('listTransactions', { query });
      return { ms: performance.now() - t, body };
    };
    // A cursor ten pages deep, so "next page" is not just page 2.
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) cursor = (await transactions({ limit: 50, cursor })).body.nextCursor!;
    const queries: [string, RouteQuery<'listTransactions'>][] = [
      ['first page (50 rows)', { limit: 50 }],
      ['next page by keyset (page 11)', { limit: 50, cursor }],
      ['filter by app', { limit: 50, appKey: appKeys[7] }],
      ['filter by app + status', { limit: 50, appKey: appKeys[3], status: 'completed' }],
      ['search by transaction id', { q: sample.txn }],
      ...searchCases(sample),
    ];
    const rows: Row[] = [{ name: 'seed (rows by SQL, through the triggers)', value: seedS, unit: 's' }, ...sizes(dataDir)];
    for (const [name, query] of queries) {
      for (let i = 0; i < 20; i++) await transactions(query);
      const samples: number[] = [];
      for (let i = 0; i < repeats; i++) samples.push((await transactions(query)).ms);
      const s = summarize(samples);
      rows.push({ name: `${name} p50`, value: s.p50, unit: 'ms' });
      rows.push({ name: `${name} p99`, value: s.p99, unit: 'ms', goal: '< 10 ms', ok: s.p99 < 10 });
    }
    const summary = await benchSummary(async (query) => {
      const t = performance.now();
      await client.call('getSummary', { query });
      return { ms: performance.now() - t };
    }, repeats);
    rows.push(...summary.rows);
    for (const [name, query] of [['search by transaction id', { q: sample.txn }], ...searchCases(sample)] as const) {
      const found = (await transactions(query)).body.items.some((t) => t.id === sample.id);
      rows.push({ name: `${name}: finds the purchase`, value: Number(found), unit: 'yes', ok: found });
    }
    rows.push(...await searchBaseline(transactions, dataDir, sample));
    rows.push(...await benchExport(client, purchases, () => rssMb(server.pid)));
    rows.push({ name: 'startServer() to ready', value: startMs, unit: 'ms', goal: '< 1000 ms', ok: startMs < 1000 });
    rows.push({ name: 'process spawn to listening (incl. tsx)', value: server.readyMs, unit: 'ms' });
    const rss = rssMb(server.pid);
    rows.push({ name: 'server RSS after the queries', value: rss, unit: 'MB', goal: '< 250 MB', ok: rss < 250 });
    transport.close();
    await server.stop();
    // After the server is gone: a pause on the keep-alive connection would end it.
    rows.push(...summaryBaseline(dataDir, summary.p50, repeats));
    return rows;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
