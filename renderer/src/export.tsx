// "Export CSV / JSON" for a list pane: the server streams every row the current filter
// matches (GET /api/export/…); the console reads it as it arrives, shows a progress bar
// against the total the server told up front, and saves the file when it is whole.
import { useRef, useState } from 'react';
import { download, exportRowCounter, eachChunk, type ExportName, type ExportQuery } from './api.ts';
import { formatCount } from './format.ts';
import { Button, useToast } from './ui.tsx';
import { IconX } from './icons.tsx';

type Format = 'csv' | 'json';
type FilterOf<N extends ExportName> = Omit<NonNullable<ExportQuery<N>>, 'format'>;

export function ExportButtons<N extends ExportName>({ name, filter, what }: { readonly name: N; readonly filter: FilterOf<N>; readonly what: string }) {
  const toast = useToast();
  const [progress, setProgress] = useState<{ readonly format: Format; readonly rows: number; readonly total: number } | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function run(format: Format) {
    const ctrl = new AbortController();
    abort.current = ctrl;
    setProgress({ format, rows: 0, total: 0 });
    try {
      const d = await download(name, { ...filter, format } as ExportQuery<N>, { signal: ctrl.signal });
      const count = exportRowCounter(format);
      const parts: Uint8Array[] = [];
      let rows = 0;
      setProgress({ format, rows, total: d.total });
      await eachChunk(d.body, (chunk) => {
        parts.push(chunk);
        rows = count(chunk);
        setProgress({ format, rows, total: d.total });
      });
      // A stream cut short by the server (it stopped mid-way) is not saved as if whole.
      if (rows < d.total) throw new Error(`The export stopped after ${formatCount(rows)} of ${formatCount(d.total)} rows. Try again.`);
      save(new Blob(parts as BlobPart[], { type: format === 'csv' ? 'text/csv' : 'application/json' }), d.filename);
      toast.success('Export saved', `${formatCount(rows)} ${what} in ${d.filename}.`);
    } catch (e) {
      if (!ctrl.signal.aborted) toast.error(e);
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="stack-sm export-buttons">
      <div className="row">
        <Button size="sm" busy={progress?.format === 'csv'} disabled={progress !== null} onClick={() => void run('csv')}>Export CSV</Button>
        <Button size="sm" busy={progress?.format === 'json'} disabled={progress !== null} onClick={() => void run('json')}>Export JSON</Button>
      </div>
      {progress && (
        <div className="row small" role="status" aria-live="polite" data-testid="export-progress">
          <progress max={Math.max(progress.total, 1)} value={progress.rows} aria-label={`Exporting ${what}`} />
          <span className="num">{formatCount(progress.rows)} / {formatCount(progress.total)} rows</span>
          <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => abort.current?.abort()}>Cancel</Button>
        </div>
      )}
    </div>
  );
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // After the click has handed the file to the browser's download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
