// The test clock (`serve --test-clock`, `npm run demo -- --test-clock`): Paydesk's
// time runs ahead of the machine's by an offset that only grows, so a developer
// can see what happens in 15 minutes, a day or three days without waiting: a
// pending purchase expires, a PIN lockout ends, the next notice retry falls due,
// a rotated secret's grace period ends. Never in normal mode: without the flag
// there is no TestClock and Paydesk's time is the machine's (startServer).
//
// Time moves forward only: every stored time (a purchase's expiry, a lockout's
// end, a notice's next attempt) was written by this clock, and going back would
// bring an ended lockout back or un-expire nothing consistently. The offset is
// kept in the data folder (`test-clock`), so a restart does not move time back
// either; a data folder used with the test clock carries times in its future.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PaydeskError } from '../../contract/errors.ts';
import type { EventBus } from '../events/bus.ts';

export const TEST_CLOCK_FILE = 'test-clock';

/** What `serve` and the demo say when --test-clock comes without a folder of its own (the default is the desktop app's). */
export const TEST_CLOCK_NEEDS_DATA_DIR = '--test-clock needs --data-dir DIR, a data folder of its own: its times run ahead of the real ones, and Paydesk without --test-clock refuses that folder afterwards.';

/** The longest single step: far past any grace period (30 days) or notice schedule (~3 days). */
export const MAX_ADVANCE_SECONDS = 366 * 24 * 3600;

export interface TestClockState {
  /** Paydesk's time now, in ms. */
  readonly now: number;
  /** How far it runs ahead of the machine's clock, in ms. */
  readonly offsetMs: number;
}

export class TestClock {
  private offsetMs: number;
  private readonly file: string;
  private events: EventBus | undefined;

  /** `wallNow` is the machine's clock (or a test's injected one); the offset is read back from `dataDir`. */
  constructor(private readonly wallNow: () => number, dataDir: string) {
    this.file = join(dataDir, TEST_CLOCK_FILE);
    this.offsetMs = existsSync(this.file) ? readOffset(this.file) : 0;
  }

  /** Where "clock.advanced" goes: set once the bus exists, before anything can advance. */
  attach(events: EventBus): void {
    this.events = events;
  }

  /** Paydesk's time: what Context.now() returns in test-clock mode. */
  readonly now = (): number => this.wallNow() + this.offsetMs;

  state(): TestClockState {
    return { now: this.now(), offsetMs: this.offsetMs };
  }

  /**
   * Moves Paydesk's time forward and says so on the bus; listeners run before this
   * returns (the bus delivers synchronously), so purchases overdue at the new time
   * are already expired when the caller answers, and the dispatcher has been woken.
   */
  advance(seconds: number): TestClockState {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_ADVANCE_SECONDS) throw new PaydeskError('validation_failed');
    const next = this.offsetMs + seconds * 1000;
    // Written before it takes effect: a crash right after cannot move time back on restart.
    writeFileSync(`${this.file}.tmp`, `${next}\n`, { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
    this.offsetMs = next;
    const state = this.state();
    this.events?.emit('clock.advanced', { now: new Date(state.now).toISOString(), bySeconds: seconds, offsetMs: state.offsetMs });
    return state;
  }
}

/**
 * Refuses to open, in normal mode, a data folder whose test clock was moved: its purchases,
 * lockouts and notices carry times ahead of the real ones, which normal mode would take as real.
 */
export function refuseMovedClock(dataDir: string): void {
  const file = join(dataDir, TEST_CLOCK_FILE);
  if (existsSync(file) && readOffset(file) > 0) {
    throw new Error(`${dataDir} was used with --test-clock and its times run ahead of the real ones. Start it with --test-clock again, or use another data folder (--data-dir).`);
  }
}

function readOffset(file: string): number {
  const n = Number(readFileSync(file, 'utf8').trim());
  // A damaged file starts again from the machine's time rather than refusing to start a development server.
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
