// The PIN rules of DESIGN section 5, as pure functions of their inputs and the
// clock: the lockout schedule. What a PIN may be is contract/pin.ts (the console checks it too).

const MAX_TRIES = 5;
export const BASE_LOCK_MS = 5 * 60_000;
export const MAX_LOCK_MS = 24 * 3600_000;
/** A PIN reset needs the buyer to have signed in this recently. */
export const RESET_SIGNIN_WINDOW_MS = 5 * 60_000;

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
