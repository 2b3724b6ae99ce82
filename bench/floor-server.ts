// The floor for the end-to-end benchmark: Paydesk's three HTTP exchanges per
// purchase (POST /v1/pay, POST /api/purchases/{id}/confirm, the postback on a
// kept-alive connection) with no work at all: no verification, no database, no
// signing. Whatever a purchase costs above this is ours; what this costs is the
// machine's HTTP stack, shared with the load generator. Run by bench/purchases.ts.
import { createServer, Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { bareNotice, postBareNotice, serveBare } from './load.ts';

const { values } = parseArgs({ options: { postback: { type: 'string' } } });
const postback = new URL(values.postback!);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const reply = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/v1/pay') {
      reply({ id: `pur_${randomBytes(10).toString('hex')}` }, 201);
      return;
    }
    const txn = `txn_${randomBytes(10).toString('hex')}`;
    reply({ status: 'completed', transactionID: txn });
    postBareNotice(agent, postback, bareNotice(txn), `ntc_${txn}`);
  });
});
serveBare(server, 'floor');
