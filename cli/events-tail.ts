// `paydesk events tail`: GET /api/events as it happens, one line per event for a
// person, JSON lines for a script. Ctrl-C ends it (exit 0); the server going away
// ends it with exit 2, so a script notices.
import { streamEvents } from '../contract/client.ts';
import { eventTypes, selects, type EventSelector, type PaydeskEvent } from '../contract/events.ts';
import { listFlag, stringFlag, type Command } from './command.ts';
import { connectionHelp } from './connect.ts';
import { CliError, EXIT, exitHelp, usageError } from './exit.ts';

const groups = [...new Set(eventTypes.map((t) => `${t.split('.')[0]}.`))];

/** --type values as the contract's selectors: a type, or a group as "purchase" or "purchase.". */
function selectors(given: readonly string[]): readonly EventSelector[] {
  return given.flatMap((g) => g.split(',')).filter((g) => g !== '').map((g) => {
    const s = groups.includes(`${g}.`) ? `${g}.` : g;
    if (!(eventTypes as readonly string[]).includes(s) && !groups.includes(s)) {
      throw usageError(`--type "${g}" is neither an event type nor a group. Types: ${eventTypes.join(', ')}; groups: ${groups.map((x) => x.slice(0, -1)).join(', ')}.`);
    }
    return s as EventSelector;
  });
}

/** The app an event is about, when it names one; purchase events after the first carry only the purchase id. */
function appOf(e: PaydeskEvent): string | undefined {
  const d = e.data as Readonly<Record<string, unknown>>;
  const key = e.type.startsWith('app.') ? d.key : d.appKey;
  return typeof key === 'string' ? key : undefined;
}

/** One line a person can read: the seq, the type, then the fields as key=value. */
export function eventLine(e: PaydeskEvent): string {
  const { seq, ...fields } = e.data;
  const rest = Object.entries(fields).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [`#${seq}`, e.type.padEnd(28), ...rest].join(' ');
}

export const eventsTail: Command = {
  words: ['events', 'tail'],
  summary: 'print Paydesk\'s events as they happen (the console\'s live stream)',
  help: `Usage: paydesk events tail [--type TYPE]... [--app KEY] [--json]
  Prints every event the running Paydesk emits, one line each, until Ctrl-C.
  Events carry ids and states only (never secrets or card data).
  --type      an event type (notice.failed) or a group (notice); repeat or
              separate with commas for several; default: every event
  --app       only events about this app (its purchases, notices and settings)
  --json      one JSON line per event: {"type": ..., "data": {...}}
${connectionHelp}
${exitHelp}`,
  options: { type: { type: 'string', multiple: true }, app: { type: 'string' } },
  positionals: [0, 0],
  async run({ flags, out, connect, signal }) {
    const wanted = selectors(listFlag(flags, 'type'));
    const app = stringFlag(flags, 'app');
    const conn = connect();
    // Purchases of the app, learnt from purchase.created: their later events name only the purchase.
    const purchases = new Set<string>();
    const about = (e: PaydeskEvent) => {
      if (app === undefined) return true;
      if (e.type === 'purchase.created' && e.data.appKey === app) purchases.add(e.data.id);
      const named = appOf(e);
      return named !== undefined ? named === app : e.type.startsWith('purchase.') && purchases.has((e.data as { id: string }).id);
    };
    const stream = streamEvents({ baseUrl: conn.url, token: conn.token }, {
      signal,
      onOpen: () => process.stderr.write(`Listening to ${conn.url} for ${wanted.length > 0 ? wanted.join(', ') : 'every event'}${app ? ` about app ${app}` : ''} (Ctrl-C stops).\n`),
    });
    for await (const e of stream) {
      if (!about(e) || (wanted.length > 0 && !selects(wanted, e.type))) continue;
      out.result(eventLine(e), e);
    }
    if (signal.aborted) return EXIT.ok;
    throw new CliError(EXIT.unreachable, 'stopped', `Paydesk on ${conn.url} stopped sending events (it stopped or restarted). Run \`paydesk events tail\` again once it is back.`);
  },
};
