// `paydesk export transactions|notices` (issue 15): GET /api/export/{kind} as the
// console's Export buttons fetch it, streamed to a file or stdout with the rows
// counted as they arrive (the server tells the total first), so a million rows
// show their progress on a terminal and never sit in memory.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { eachChunk, exportRowCounter } from '../contract/client.ts';
import { stringFlag, type Command, type Flags } from './command.ts';
import { connectionHelp } from './connect.ts';
import { EXIT, exitHelp, usageError } from './exit.ts';

const kinds = { transactions: 'exportTransactions', notices: 'exportNotices' } as const;
type Kind = keyof typeof kinds;
const isKind = (k: string | undefined): k is Kind => k === 'transactions' || k === 'notices';

/** A --from/--to flag: a date (2026-03-01, midnight UTC) or a whole ISO time. */
function instant(flags: Flags, name: string): string | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) throw usageError(`--${name} is a date like 2026-03-01 or a time like 2026-03-01T12:00:00Z, not "${v}".`);
  return new Date(ms).toISOString();
}

export const exportRows: Command = {
  words: ['export'],
  summary: 'stream every transaction or notice a filter matches, as CSV or JSON',
  help: `Usage: paydesk export transactions|notices [--format csv|json] [--from DATE] [--to DATE] [--app KEY]
                      [--status STATUS] [--q TEXT] [--out FILE] [--json]
  Streams every row the filter matches, newest first, as the console's Export
  buttons do: CSV with a header row (cells a spreadsheet would run as formulas
  are prefixed with '), or JSON (an array of the list API's items). Progress
  ("12,000 / 1,000,000 rows") goes to stderr on a terminal.
  --format    csv (default) or json
  --from      rows created at or after this date (2026-03-01) or time (ISO 8601)
  --to        rows created before this date or time
  --app       only this app's rows
  --status    a transaction's or a notice's status, as the console's filter
  --q         the console's search text (at least 3 characters)
  --out       write to FILE (made whole or not at all) instead of stdout
  --json      with --out: one document {"kind","format","rows","total","file"} on stdout
${connectionHelp}
${exitHelp}`,
  options: {
    format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, app: { type: 'string' },
    status: { type: 'string' }, q: { type: 'string' }, out: { type: 'string' },
  },
  positionals: [1, 1],
  async run({ flags, positionals, out, connect, signal }) {
    const kind = positionals[0];
    if (!isKind(kind)) throw usageError(`paydesk export takes transactions or notices, not "${kind}".`);
    const format = stringFlag(flags, 'format') ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw usageError(`--format is csv or json, not "${format}".`);
    const file = stringFlag(flags, 'out');
    if (out.json && file === undefined) throw usageError('--json needs --out FILE: without it the export itself is what goes to stdout.');
    const query = {
      format, from: instant(flags, 'from'), to: instant(flags, 'to'), appKey: stringFlag(flags, 'app'), status: stringFlag(flags, 'status'), q: stringFlag(flags, 'q'),
    };
    // The server checks the filter (status names, the search's length) and refuses before the first row.
    const download = await connect().client.download(kinds[kind], query as never, { signal });
    const count = exportRowCounter(format);
    const progress = process.stderr.isTTY ? (rows: number) => process.stderr.write(`\r${rows.toLocaleString('en-US')} / ${download.total.toLocaleString('en-US')} rows`) : undefined;
    // A file is written beside its name and renamed when whole, so an interrupted export leaves nothing half-written.
    const partial = file === undefined ? undefined : `${file}.partial`;
    const sink = partial === undefined ? process.stdout : createWriteStream(partial, { mode: 0o600 });
    let rows = 0;
    let shown = 0;
    try {
      await eachChunk(download.body, async (chunk) => {
        rows = count(chunk);
        if (!sink.write(chunk)) await once(sink, 'drain');
        if (progress && rows - shown >= 1000) progress((shown = rows));
      });
      if (partial !== undefined) {
        sink.end();
        await once(sink, 'finish');
        await rename(partial, file!);
      }
    } catch (e) {
      if (partial !== undefined) {
        sink.destroy();
        await rm(partial, { force: true });
      }
      throw e;
    }
    progress?.(rows);
    if (progress) process.stderr.write('\n');
    if (file !== undefined) out.result(`Exported ${rows.toLocaleString('en-US')} ${kind} to ${file} (${format}).`, { kind, format, rows, total: download.total, file });
    return EXIT.ok;
  },
};
