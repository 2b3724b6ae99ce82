// When a failed notice is tried again (DESIGN section 6). Exponential backoff
// that flattens out at half a day, about three days in all, like Stripe's
// webhooks; docs/notices.md shows the table. Jitter spreads retries so a
// merchant coming back up is not hit by every queued notice in the same second.

/** Waits after attempt 1, 2, … before the next one; attempt 1 is immediate. */
export const retryDelaysSeconds: readonly number[] = [
  10, 60, 5 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 12 * 3600, 16 * 3600, 16 * 3600,
];

/** Attempts in the default schedule: the first plus one per delay. */
export const defaultMaxAttempts = retryDelaysSeconds.length + 1;

/** ±20 %: enough to spread a burst, small enough that the table stays true. */
export const JITTER = 0.2;

/**
 * Milliseconds to wait after `attempt` (1-based) failed, or undefined when it
 * was the last one. `timeScale` compresses every wait (0.001 turns three days
 * into about four minutes) for development and tests.
 */
export function retryDelayMs(attempt: number, maxAttempts: number, timeScale: number, random: () => number = Math.random): number | undefined {
  if (attempt >= maxAttempts) return undefined;
  const base = retryDelaysSeconds[Math.min(attempt - 1, retryDelaysSeconds.length - 1)]! * 1000;
  const jitter = 1 - JITTER + 2 * JITTER * random();
  return Math.max(0, Math.round(base * jitter * timeScale));
}

/** The nominal total wait from the first attempt to the last, in seconds. */
export function totalScheduleSeconds(): number {
  return retryDelaysSeconds.reduce((a, b) => a + b, 0);
}

/** `--notice-time-scale` as typed (serve and the demo share it): a number above 0 and at most 1, or undefined. */
export function parseTimeScale(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 1 ? n : undefined;
}

export const TIME_SCALE_RULE = 'a number above 0 and at most 1';
