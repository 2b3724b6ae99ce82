// Each table has one owner module holding all of its SQL (STYLE.md, "Data has an
// owner"); other domains call the owner's functions. This reads every server file
// and fails when a statement names a table (INSERT INTO / UPDATE / DELETE FROM /
// FROM / JOIN) outside that table's owner, and when the migrations make a table
// nobody owns: the next table must be given an owner here before it is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openDatabase, type Migration } from '../../server/db/open.ts';
import { ledgerMigrations } from '../../server/db/ledger-migrations.ts';
import { vaultMigrations } from '../../server/db/vault-migrations.ts';

const root = join(import.meta.dirname, '..', '..');

/** The one table -> owner map: a file, or a domain folder (ending in /) whose files share the table. */
const tableOwners: Readonly<Record<string, string>> = {
  apps: 'server/apps/apps.ts',
  app_secrets: 'server/apps/apps.ts',
  buyers: 'server/wallet/wallet.ts',
  wallet_session: 'server/wallet/wallet.ts',
  payment_methods: 'server/wallet/wallet.ts',
  cards: 'server/vault/vault.ts',
  charges: 'server/vault/vault.ts',
  purchases: 'server/purchases/',
  purchase_events: 'server/purchases/timeline.ts',
  card_month_spend: 'server/purchases/purchases.ts',
  used_jtis: 'server/purchases/request-ids.ts',
  ledger_entries: 'server/purchases/',
  refunds: 'server/refunds/refunds.ts',
  notices: 'server/notices/',
  notice_attempts: 'server/notices/',
  notice_retry_jobs: 'server/notices/',
  notice_retry_items: 'server/notices/',
  provider_keys: 'server/notices/provider-keys.ts',
  idempotency_keys: 'server/http/idempotency.ts',
  purchase_rollup: 'server/dashboard/summary.ts',
  notice_rollup: 'server/dashboard/summary.ts',
  notice_latency_bounds: 'server/dashboard/summary.ts',
  oidc_models: 'server/identity/adapter.ts',
  oauth_clients: 'server/identity/clients.ts',
  oidc_signing_keys: 'server/identity/signing-keys.ts',
  sign_ins: 'server/identity/authorizations.ts',
  oidc_connections: 'server/identity/connections.ts',
  purchase_search: 'server/purchases/transactions.ts',
  purchase_search_text: 'server/purchases/transactions.ts',
};

/** Where schema is made, not used: the numbered migrations. */
const exempt = (file: string) => /^server\/db\/[\w-]+-migrations\.ts$/.test(file);

function serverFiles(dir = join(root, 'server')): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return serverFiles(p);
    return name.endsWith('.ts') ? [relative(root, p).split('\\').join('/')] : [];
  });
}

/** Every table and view the migrations make, read from a database they built; an FTS5 table's shadow tables (its _data, _idx …) are the table's own. */
function schemaTables(migrations: readonly Migration[]): string[] {
  const db = openDatabase(':memory:', migrations);
  const names = (db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual', 'view') AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
  db.close();
  return names;
}

/** Statements naming a known table, as `table`, with the line they are on. SQL keywords are written in capitals here. */
function tablesNamed(source: string, known: ReadonlySet<string>): { table: string; line: number }[] {
  const out: { table: string; line: number }[] = [];
  for (const m of source.matchAll(/\b(?:INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+[A-Z]+)?|DELETE\s+FROM|FROM|JOIN)\s+["`]?(\w+)/g)) {
    const table = m[1]!;
    if (known.has(table)) out.push({ table, line: source.slice(0, m.index).split('\n').length });
  }
  return out;
}

function violations(files: readonly { file: string; source: string }[], owners: Readonly<Record<string, string>>): string[] {
  const known = new Set(Object.keys(owners));
  const owns = (owner: string, file: string) => (owner.endsWith('/') ? file.startsWith(owner) : file === owner);
  return files.filter((f) => !exempt(f.file)).flatMap(({ file, source }) => tablesNamed(source, known)
    .filter(({ table }) => !owns(owners[table]!, file))
    .map(({ table, line }) => `${file}:${line} names ${table}, which ${owners[table]} owns: call its function instead`));
}

const files = serverFiles().map((file) => ({ file, source: readFileSync(join(root, file), 'utf8') }));

test('every table the migrations make has an owner, and every owner exists', () => {
  const tables = [...schemaTables(ledgerMigrations), ...schemaTables(vaultMigrations)].sort();
  assert.deepEqual(tables.filter((t) => !(t in tableOwners)), [], 'a table without an owner: name its module in tableOwners');
  assert.deepEqual(Object.keys(tableOwners).filter((t) => !tables.includes(t)), [], 'an owner of a table no migration makes');
  for (const owner of new Set(Object.values(tableOwners))) assert.ok(existsSync(join(root, owner)), `${owner} exists`);
});

test('a table\'s SQL appears only in its owner (migrations aside)', () => {
  assert.deepEqual(violations(files, tableOwners), []);
});

test('the scan sees SQL written the ways the server writes it', () => {
  const known = new Set(['apps', 'notices']);
  const sql = "db.prepare('UPDATE apps SET sales_count = 1');\ndb.exec(`DELETE FROM notices`);\nconst x = 'SELECT n.id FROM notices n JOIN apps a ON a.key = n.app_key';\n// data from apps and notices (lower case: prose, not SQL)\n";
  assert.deepEqual(tablesNamed(sql, known), [{ table: 'apps', line: 1 }, { table: 'notices', line: 2 }, { table: 'notices', line: 3 }, { table: 'apps', line: 3 }]);
  assert.deepEqual(violations([{ file: 'server/refunds/refunds.ts', source: sql }], { apps: 'server/apps/apps.ts', notices: 'server/notices/' }).length, 4);
  assert.deepEqual(violations([{ file: 'server/db/ledger-migrations.ts', source: sql }], { apps: 'server/apps/apps.ts', notices: 'server/notices/' }), [], 'migrations are exempt');
});
