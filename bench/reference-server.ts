// The bare reference for the end-to-end benchmark: the same durable work as a
// Paydesk purchase with nothing else, in plain Node. One request carries a
// signed payment request; it is checked with a raw HMAC, one IMMEDIATE
// transaction with synchronous=FULL writes the purchase, the ledger entry and
// the outbox row, the answer goes back, and the postback is one POST on a
// keep-alive connection. Run as its own process by bench/purchases.ts.
import { createServer, Agent } from 'node:http';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { bareNotice, postBareNotice, serveBare } from './load.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, secret: { type: 'string' }, postback: { type: 'string' } } });
const secret = Buffer.from(values.secret!, 'utf8');
const postback = new URL(values.postback!);

const db = new Database(join(values['data-dir']!, 'reference.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.REF_SYNC ?? 'FULL'}`);
db.exec(`
  CREATE TABLE IF NOT EXISTS purchases (id TEXT PRIMARY KEY, app TEXT NOT NULL, amount INTEGER NOT NULL, txn TEXT NOT NULL UNIQUE, request TEXT NOT NULL, at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, purchase TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, purchase TEXT NOT NULL, payload TEXT NOT NULL, at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS jtis (jti TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
`);
const insJti = db.prepare('INSERT INTO jtis (jti) VALUES (?)');
const insPurchase = db.prepare('INSERT INTO purchases (id, app, amount, txn, request, at) VALUES (?, ?, ?, ?, ?, ?)');
const insLedger = db.prepare('INSERT INTO ledger (purchase, amount, at) VALUES (?, ?, ?)');
const insOutbox = db.prepare('INSERT INTO outbox (id, purchase, payload, at) VALUES (?, ?, ?, ?)');
const commit = db.transaction((c: { iss: string; jti: string; request: unknown }, id: string, txn: string, notice: string) => {
  const now = Date.now();
  insJti.run(c.jti);
  insPurchase.run(id, c.iss, 199, txn, JSON.stringify(c.request), now);
  insLedger.run(id, 199, now);
  insOutbox.run(`ntc_${id}`, id, notice, now);
});

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function verify(token: string): { iss: string; jti: string; request: unknown } | undefined {
  const dot = token.lastIndexOf('.');
  const mac = createHmac('sha256', secret).update(token.slice(0, dot)).digest();
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) return undefined;
  return JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, dot), 'base64url').toString('utf8')) as { iss: string; jti: string; request: unknown };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { jwt } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { jwt: string };
    const claims = verify(jwt);
    if (!claims) {
      res.writeHead(401).end();
      return;
    }
    const id = `pur_${randomBytes(10).toString('hex')}`;
    const txn = `txn_${randomBytes(10).toString('hex')}`;
    const notice = bareNotice(txn);
    commit.immediate(claims, id, txn, notice);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ transactionID: txn }));
    postBareNotice(agent, postback, notice, `ntc_${id}`);
  });
});
serveBare(server, 'reference', () => db.close());
