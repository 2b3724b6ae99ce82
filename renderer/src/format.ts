// Money, dates and durations in the buyer's locale. Money arrives as integer
// minor units with its currency; only display divides.
import { currencies, parseMinorUnits } from '../../contract/money.ts';

/** Minor digits of a currency (USD 2, JPY 0, BHD 3): Paydesk's table, the platform's ISO 4217 data for any other. */
export function minorDigits(currency: string): number {
  const known = Object.hasOwn(currencies, currency) ? currencies[currency] : undefined;
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(amount: number, currency: string, opts: { compact?: boolean } = {}): string {
  const digits = minorDigits(currency);
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency', currency,
      ...(opts.compact ? { notation: 'compact', maximumFractionDigits: 1 } : { minimumFractionDigits: digits, maximumFractionDigits: digits }),
    }).format(amount / 10 ** digits);
  } catch {
    return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** What a person typed ("12.50", or "12,50") in minor units, by the server's own rule (contract/money.ts); undefined when malformed. */
export function parseMajor(text: string, currency: string): number | undefined {
  return parseMinorUnits(text.trim().replace(',', '.'), currency);
}

/** Minor units back to a plain decimal for an input field. */
export function toMajorText(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const s = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${amount < 0 ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSec = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  return (seconds ? dateTimeSec : dateTime).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateOnly.format(new Date(iso));
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return timeOnly.format(new Date(iso));
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return diff < 0 ? 'just now' : rtf.format(Math.max(1, Math.round(diff / 1000)), 'second');
  const units: [Intl.RelativeTimeFormatUnit, number][] = [['minute', 60_000], ['hour', 3_600_000], ['day', 86_400_000], ['month', 2_592_000_000], ['year', 31_536_000_000]];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = units[0]!;
  for (const u of units) if (abs >= u[1]) chosen = u;
  return rtf.format(Math.round(diff / chosen[1]), chosen[0]);
}

/** 272000 → "4 min 32 s"; 3 h and up drop seconds. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** A countdown clock: "04:32". */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatDuration(ms);
}

export function formatPercent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits).replace(/\.0+$/, '')}%`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat().format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const a = parts[0]?.[0] ?? '?';
  const b = parts.length > 1 ? parts[parts.length - 1]![0]! : (parts[0]?.[1] ?? '');
  return (a + b).toUpperCase();
}

/** A stable, pleasant hue per string (app or buyer), for avatars. */
export function hueOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** A long span in words: "3 d 4 h", "2 h 15 min", "15 min", "40 s" (the test clock's lead). */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}
