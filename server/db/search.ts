// What the console's search box becomes, for every list that searches (transactions,
// notices): one rule for short text, one case rule, the pieces a trigram index holds,
// one id-prefix range.
import { PaydeskError } from '../../contract/errors.ts';

/**
 * Below this, a trigram index has nothing to look up (its terms are three characters)
 * and every id shares its first characters (pur_, txn_): a search answers
 * search_too_short instead of scanning a million rows.
 */
export const MIN_SEARCH_CHARACTERS = 3;

export interface SearchText {
  /** As typed, trimmed: ids are compared as they are. */
  readonly text: string;
  /** Lowercased (ASCII letters only, as SQLite's lower() does, so both sides fold alike). */
  readonly needle: string;
  /** The needle without its dash when the rest could be part of a confirmation code (stored without theirs, migration 010); else the needle. */
  readonly codeNeedle: string;
}

/** What can be part of a confirmation code once its dash is gone (server/ids.ts: six letters or digits). */
const CODE_PART = new RegExp(`^[a-z0-9]{${MIN_SEARCH_CHARACTERS},6}$`);

const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function searchText(q: string): SearchText {
  const text = q.trim();
  if ([...text].length < MIN_SEARCH_CHARACTERS) throw new PaydeskError('search_too_short', { minimum: MIN_SEARCH_CHARACTERS });
  const needle = lowerAscii(text);
  const dashless = needle.replaceAll('-', '');
  return { text, needle, codeNeedle: dashless !== needle && CODE_PART.test(dashless) ? dashless : needle };
}

/**
 * The distinct three-character pieces of `s` (by code point, as FTS5's trigram tokenizer
 * cuts them), each as an FTS5 phrase: quoted, quotes doubled, so `*`, `NEAR`, `-`, `OR`
 * and `:` are looked up as written, never parsed as query syntax. At most `max`, those
 * that do not overlap first (starting at 0, 3, 6 …, then 1, 4 …), so the first few
 * looked at cover the whole text.
 */
export function trigramTerms(s: string, max: number): string[] {
  const chars = [...s];
  const out = new Set<string>();
  for (let phase = 0; phase < 3; phase++) {
    for (let i = phase; i + 3 <= chars.length && out.size < max; i += 3) out.add(`"${chars.slice(i, i + 3).join('').replaceAll('"', '""')}"`);
  }
  return [...out];
}

/**
 * [lo, hi) holding every string that starts with `prefix` (binary order, as SQLite
 * compares TEXT): `id >= lo AND id < hi` is a range on the id's index, where LIKE
 * 'x%' would need case-insensitive collation and escaping.
 */
export function idPrefixRange(prefix: string): readonly [string, string] {
  const last = prefix.codePointAt(prefix.length - 1)!;
  // Ids are ASCII; at a surrogate or U+FFFF the successor below would not be one character, so take everything above.
  if (last >= 0xd800) return [prefix, `${prefix}\u{10FFFF}`];
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}
