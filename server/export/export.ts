// Exports: every transaction or notice a filter matches, as CSV or JSON, written to an
// HTTP answer a chunk at a time. Rows come from their owners' keyset pages
// (transactionPages, Notices.pages), so memory stays the same at a million rows, and
// each chunk waits for the client to take the last one (backpressure).
import type { ServerResponse } from 'node:http';
import { EXPORT_TOTAL_HEADER } from '../../contract/api.ts';

export type ExportFormat = 'csv' | 'json';

/** One CSV column: its header and how to read it from a row. */
export interface ExportColumn<T> {
  readonly name: string;
  readonly value: (row: T) => string | number | boolean | null;
}

/** What an export writes: how many rows, the rows a page at a time, and (for CSV) its columns. */
export interface ExportSource<T> {
  readonly kind: 'transactions' | 'notices';
  readonly total: number;
  readonly pages: Iterable<readonly T[]>;
  readonly columns: readonly ExportColumn<T>[];
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR, which some strip
 * first) as a formula: productData, names and emails come from merchants and buyers, so
 * such a text cell gets a leading ' (OWASP "CSV Injection"). Numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: readonly (string | number | boolean | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** The export as text chunks: a CSV header then a line per row, or a JSON array with one item per line. */
export function* exportChunks<T>(source: ExportSource<T>, format: ExportFormat): Generator<string> {
  if (format === 'csv') yield csvLine(source.columns.map((c) => c.name));
  else yield '[';
  let first = true;
  for (const page of source.pages) {
    let chunk = '';
    for (const row of page) {
      if (format === 'csv') chunk += csvLine(source.columns.map((c) => c.value(row)));
      else {
        chunk += `${first ? '' : ','}\n${JSON.stringify(row)}`;
        first = false;
      }
    }
    yield chunk;
  }
  if (format === 'json') yield '\n]\n';
}

/** Resolves when the client has taken what was written, or has gone; leaves no listener behind (a million rows wait thousands of times). */
function drainedOrGone(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the export as the answer: headers first (the total among them), then each
 * chunk once the client has taken the last. Stops when the client goes away. An error
 * after the headers can only cut the answer short, which the client sees as fewer rows
 * than X-Total-Count.
 */
export async function sendExport<T>(res: ServerResponse, source: ExportSource<T>, format: ExportFormat, day: string): Promise<void> {
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="paydesk-${source.kind}-${day}.${format}"`,
    [EXPORT_TOTAL_HEADER]: String(source.total),
    // The desktop console (app://paydesk) reads these across origins.
    'access-control-expose-headers': `${EXPORT_TOTAL_HEADER}, content-disposition`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  let gone = false;
  res.once('close', () => (gone = true));
  for (const chunk of exportChunks(source, format)) {
    if (gone) return;
    if (!res.write(chunk)) await drainedOrGone(res);
  }
  if (!gone) res.end();
}
