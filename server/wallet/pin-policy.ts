// The PIN rules of DESIGN section 5, as pure functions of their inputs and the
// clock: format, trivial PINs, and the lockout schedule.

const MAX_TRIES = 5;
export const BASE_LOCK_MS = 5 * 60_000;
export const MAX_LOCK_MS = 24 * 3600_000;
/** A PIN reset needs the buyer to have signed in this recently. */
export const RESET_SIGNIN_WINDOW_MS = 5 * 60_000;

export function isPinFormat(pin: unknown): pin is string {
  return typeof pin === 'string' && /^\d{4,8}$/.test(pin);
}

const commonPins = new Set(['2580', '0852', '1004', '2000', '1122', '6969', '1313', '1010', '0007', '7777777']);

/** Repeated digits, runs up or down (with wrap), repeated pairs or halves, and a few well-known PINs. */
export function isTrivialPin(pin: string): boolean {
  if (commonPins.has(pin)) return true;
  const d = [...pin].map(Number);
  const steps = new Set(d.slice(1).map((x, i) => (x - d[i]! + 10) % 10));
  // One repeated step of 0, +1 or -1 (with wrap): 0000, 1234, 9876, 8901.
  if (steps.size === 1 && [0, 1, 9].includes([...steps][0]!)) return true;
  for (const period of [2, 3, 4]) {
    if (pin.length % period === 0 && pin.length > period && pin === pin.slice(0, period).repeat(pin.length / period)) return true;
  }
  return false;
}

export interface LockState {
  readonly failures: number;
  readonly lockouts: number;
  readonly lockedUntil: number | null;
}

export function isLocked(s: LockState, now: number): boolean {
  return s.lockedUntil !== null && s.lockedUntil > now;
}

/** After a lock has run out the buyer gets a fresh set of tries, but the next lock is longer. */
export function beforeAttempt(s: LockState, now: number): LockState {
  if (s.lockedUntil !== null && s.lockedUntil <= now) return { failures: 0, lockouts: s.lockouts, lockedUntil: null };
  return s;
}

export function afterFailure(s: LockState, now: number): LockState {
  const failures = s.failures + 1;
  if (failures < MAX_TRIES) return { failures, lockouts: s.lockouts, lockedUntil: null };
  const lockMs = Math.min(BASE_LOCK_MS * 2 ** s.lockouts, MAX_LOCK_MS);
  return { failures, lockouts: s.lockouts + 1, lockedUntil: now + lockMs };
}

export const afterSuccess: LockState = { failures: 0, lockouts: 0, lockedUntil: null };

export function triesLeft(s: LockState): number {
  return Math.max(0, MAX_TRIES - s.failures);
}
