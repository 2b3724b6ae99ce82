// `paydesk fixtures run FILE`: seeds a Paydesk from a JSON file of steps (apps,
// buyers, purchases, refunds, disputes), for demos and CI. The whole file is
// checked first (shape with zod, then every "$steps.<id>.<field>" reference against
// the steps before it), so a bad file runs nothing; then the steps run in order
// through the console API, each printed as it finishes. docs/fixtures.md.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isApiError, type Client } from '../contract/client.ts';
import type { Command, CommandContext } from './command.ts';
import { connectionHelp } from './connect.ts';
import { CliError, EXIT, exitHelp, type ExitCode } from './exit.ts';
import { appSigner, confirm, readyBuyer, startPurchase, type ReadyBuyer } from './flows.ts';

const stepId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, _ and -, starting with a letter');
const ref = z.string().min(1);
const url = z.url({ protocol: /^https?$/ });

const AppStep = z.strictObject({
  do: z.literal('app'), id: stepId.optional(),
  name: z.string().min(1).max(100), postbackURL: url, chargebackURL: url,
  homepage: url.optional(), contactEmail: z.email().optional(), access: z.enum(['live', 'simulate']).optional(),
});
const BuyerStep = z.strictObject({
  do: z.literal('buyer'), id: stepId.optional(),
  email: z.email(), name: z.string().min(1).max(100),
  card: z.enum(['success', 'decline', 'insufficient_funds', 'processing_error']).default('success'),
});
const PurchaseStep = z.strictObject({
  do: z.literal('purchase'), id: stepId.optional(),
  app: ref, buyer: ref,
  price: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal such as "4.99"'), currency: z.string().length(3),
  item: z.strictObject({ id: z.string().max(255), name: z.string().min(1).max(255), description: z.string().min(1).max(255), productData: z.string().max(255).optional() }),
});
const RefundStep = z.strictObject({
  do: z.literal('refund'), id: stepId.optional(), purchase: ref,
  amount: z.int().min(1).optional().describe('minor units; omit for everything still refundable'), reason: z.string().max(255).optional(),
});
const DisputeStep = z.strictObject({ do: z.literal('dispute'), id: stepId.optional(), purchase: ref, reason: z.string().max(255).optional() });

const Step = z.discriminatedUnion('do', [AppStep, BuyerStep, PurchaseStep, RefundStep, DisputeStep]);
export const FixtureFile = z.strictObject({ $schema: z.string().optional(), description: z.string().optional(), steps: z.array(Step).min(1).max(10_000) });
type Step = z.output<typeof Step>;
type Kind = Step['do'];

/** What a later step may refer to, per kind: "$steps.<id>.<field>". */
const outputs: Readonly<Record<Kind, readonly string[]>> = {
  app: ['key'], buyer: ['id', 'email'], purchase: ['id', 'transactionID'], refund: ['id'], dispute: ['id'],
};
/** Which fields take a reference, and to which kind of step (a field may also be a literal, e.g. an app key already in Paydesk). */
const referring: Readonly<Record<string, { readonly kind: Kind; readonly literal: boolean }>> = {
  app: { kind: 'app', literal: true },
  // A purchase is confirmed with the buyer's PIN, which only the buyer step that set it knows.
  buyer: { kind: 'buyer', literal: false },
  purchase: { kind: 'purchase', literal: true },
};
const REF = /^\$steps\.([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z]+)$/;

function invalid(step: number, s: { do?: unknown; id?: unknown } | undefined, code: string, what: string): CliError {
  const name = s ? ` (${String(s.do)}${typeof s.id === 'string' ? ` "${s.id}"` : ''})` : '';
  return new CliError(EXIT.usage, code, `steps[${step}]${name}: ${what}. Nothing was run; fix the file and run it again (docs/fixtures.md).`, { step });
}

/** The file's steps, or the first problem with its step index; references are checked against the steps before each one. */
export function checkFixtures(text: string): readonly Step[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(EXIT.usage, 'fixture_not_json', `The fixtures file is not JSON (${(e as Error).message}). Nothing was run.`);
  }
  const parsed = FixtureFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [top, index, ...rest] = issue.path;
    if (top !== 'steps' || typeof index !== 'number') {
      throw new CliError(EXIT.usage, 'fixture_invalid', `The fixtures file ${issue.path.length > 0 ? `at ${issue.path.join('.')}` : ''}: ${issue.message}. It holds {"steps": [...]}; nothing was run (docs/fixtures.md).`);
    }
    const raw = (json as { steps: { do?: unknown; id?: unknown }[] }).steps[index];
    throw invalid(index, raw, 'fixture_invalid', `${rest.length > 0 ? `${rest.join('.')}: ` : ''}${issue.message}`);
  }
  const steps = parsed.data.steps;
  const seen = new Map<string, Kind>();
  steps.forEach((s, i) => {
    for (const [field, rule] of Object.entries(referring)) {
      const v = (s as Readonly<Record<string, unknown>>)[field];
      if (typeof v !== 'string') continue;
      const m = REF.exec(v);
      if (!m) {
        if (v.startsWith('$') || !rule.literal) throw invalid(i, s, 'fixture_reference', `${field} must be "$steps.<id>.<field>" naming an earlier ${rule.kind} step${rule.literal ? ', or a literal key' : ''}, not "${v}"`);
        continue;
      }
      const [, id, out] = m as unknown as [string, string, string];
      const kind = seen.get(id);
      if (kind === undefined) throw invalid(i, s, 'fixture_reference', `${field} refers to "${id}", which is no earlier step's id`);
      if (kind !== rule.kind) throw invalid(i, s, 'fixture_reference', `${field} refers to "${id}", a ${kind} step, where a ${rule.kind} step is needed`);
      if (!outputs[kind].includes(out)) throw invalid(i, s, 'fixture_reference', `${field} refers to "${id}.${out}"; a ${kind} step gives ${outputs[kind].join(', ')}`);
      if (field === 'buyer' && out !== 'id') throw invalid(i, s, 'fixture_reference', 'buyer must refer to the buyer step\'s id');
    }
    if (s.id !== undefined) {
      if (seen.has(s.id)) throw invalid(i, s, 'fixture_duplicate_id', `the id "${s.id}" is already used by an earlier step`);
      seen.set(s.id, s.do);
    }
  });
  return steps;
}

/** What the run keeps per step id: its outputs, and for a buyer the PIN and card it set (never printed). */
interface Done {
  readonly outputs: Readonly<Record<string, string | null>>;
  readonly buyer?: ReadyBuyer;
  /** For a purchase: the buyer who paid, who is the one who may dispute it. */
  readonly paidBy?: ReadyBuyer;
}

async function runStep(client: Client, s: Step, done: ReadonlyMap<string, Done>): Promise<Done> {
  const resolve = (v: string) => {
    const m = REF.exec(v);
    return m ? done.get(m[1]!)!.outputs[m[2]!] ?? '' : v;
  };
  const stepOf = (v: string) => done.get(REF.exec(v)![1]!)!;
  switch (s.do) {
    case 'app': {
      const r = await client.call('createApp', {
        body: {
          name: s.name, postbackURL: s.postbackURL, chargebackURL: s.chargebackURL, homepage: s.homepage ?? new URL('/', s.postbackURL).href,
          contactEmail: s.contactEmail ?? 'fixtures@example.com', ...(s.access ? { access: s.access } : {}),
        },
      });
      return { outputs: { key: r.app.key } };
    }
    case 'buyer': {
      const b = await readyBuyer(client, { email: s.email, name: s.name }, s.card);
      return { outputs: { id: b.id, email: b.email }, buyer: b };
    }
    case 'purchase': {
      const buyer = stepOf(s.buyer).buyer!;
      const app = await appSigner(client, resolve(s.app));
      const pending = await startPurchase(client, app, { ...s.item, price: s.price, currency: s.currency });
      await client.call('signIn', { body: { buyerId: buyer.id } });
      const p = await confirm(client, pending.id, buyer);
      return { outputs: { id: p.id, transactionID: p.transactionID }, paidBy: buyer };
    }
    case 'refund': {
      const r = await client.call('refundTransaction', { params: { id: resolve(s.purchase) }, body: { ...(s.amount ? { amount: s.amount } : {}), ...(s.reason ? { reason: s.reason } : {}) } });
      return { outputs: { id: r.id } };
    }
    case 'dispute': {
      // Only the buyer who paid may dispute: sign them in when the purchase is one of this file's.
      const paidBy = REF.test(s.purchase) ? stepOf(s.purchase).paidBy : undefined;
      if (paidBy) await client.call('signIn', { body: { buyerId: paidBy.id } });
      const r = await client.call('disputePurchase', { params: { id: resolve(s.purchase) }, body: s.reason ? { reason: s.reason } : {} });
      return { outputs: { id: r.id } };
    }
  }
}

async function runFixtures({ positionals, out, connect }: CommandContext): Promise<ExitCode> {
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.usage, 'fixture_unreadable', `Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Nothing was run.`);
  }
  const steps = checkFixtures(text);
  const { client } = connect();
  const done = new Map<string, Done>();
  for (const [i, s] of steps.entries()) {
    let d: Done;
    try {
      d = await runStep(client, s, done);
    } catch (e) {
      if (isApiError(e) && (e.code === 'network_error' || e.code === 'unauthorized')) throw e;
      const why = isApiError(e) ? `${e.code}: ${e.message}${Object.keys(e.details).length > 0 ? ` ${JSON.stringify(e.details)}` : ''}` : e instanceof Error ? e.message : String(e);
      const code = e instanceof CliError || isApiError(e) ? e.code : 'failed';
      throw new CliError(EXIT.failed, code, `steps[${i}] (${s.do}${s.id ? ` "${s.id}"` : ''}) failed: ${why} Steps before it are done; none after it ran.`, { step: i, done: i });
    }
    if (s.id !== undefined) done.set(s.id, d);
    out.result(`[${i + 1}/${steps.length}] ${s.do}${s.id ? ` ${s.id}` : ''}: ${Object.entries(d.outputs).map(([k, v]) => `${k}=${v}`).join(' ')}`,
      { step: i, id: s.id ?? null, do: s.do, result: d.outputs });
  }
  out.say(`Ran ${steps.length} step${steps.length === 1 ? '' : 's'} of ${file}.`);
  return EXIT.ok;
}

export const fixturesRun: Command = {
  words: ['fixtures', 'run'],
  summary: 'seed Paydesk from a JSON file of steps (apps, buyers, purchases, refunds, disputes)',
  help: `Usage: paydesk fixtures run FILE [--json]
  Checks the whole file first (nothing runs if any step is wrong), then runs its
  steps in order and prints each one's result. A step may refer to an earlier
  one's result as "$steps.<id>.<field>", e.g. "app": "$steps.shop.key".
  Steps: app, buyer, purchase, refund, dispute (docs/fixtures.md, docs/fixtures.example.json).
  --json      one JSON line per step: {"step", "id", "do", "result": {...}}
${connectionHelp}
${exitHelp}`,
  options: {},
  positionals: [1, 1],
  run: runFixtures,
};
