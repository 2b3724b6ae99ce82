// Shared by every benchmark: latency summaries, a printed table, and JSON in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The goal, for the table: e.g. "< 10 ms" or ">= 0.5 x reference". */
  readonly goal?: string;
  readonly ok?: boolean;
  readonly note?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(samples: number[]): { p50: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n## ${title}`);
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  for (const r of rows) {
    const v = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(r.value < 10 ? 2 : 1);
    const verdict = r.ok === undefined ? '' : r.ok ? 'ok  ' : 'MISS';
    console.log(`${verdict.padEnd(5)}${r.name.padEnd(w + 2)}${`${v} ${r.unit}`.padStart(16)}  ${r.goal ? `goal ${r.goal}` : ''}${r.note ? `  (${r.note})` : ''}`);
  }
}

export function writeResults(name: string, data: unknown): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
