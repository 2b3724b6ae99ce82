// How an app's notice endpoint is doing, from its latest attempts: success
// rate, latency, last failure, and whether its notices "keep failing". The rule
// is a pure function of the attempt record (times come from the injected
// clock when each attempt started), so the console banner, the event the
// desktop notification listens to, and the tests all judge the same way.
import { iso, type Context } from '../context.ts';

/** Finished attempts the endpoint view considers: the app's latest. */
export const HEALTH_WINDOW = 200;
/** "Keep failing": at least this many finished attempts in a row failed … */
export const FAILING_ATTEMPTS = 5;
/** … and the first of that run started at least this long before the latest, so one burst (a deploy, a restart) is not a trend. */
export const FAILING_SPAN_MS = 10 * 60_000;

export interface FinishedAttempt {
  readonly noticeId: string;
  readonly url: string;
  readonly startedAt: number;
  readonly durationMs: number | null;
  readonly verdict: string;
  readonly reason: string | null;
  /** The merchant answered with an HTTP response (so durationMs is a round trip). */
  readonly answered: boolean;
}

/**
 * The run of failed attempts that ends at the latest one, when it makes the
 * app's notices "keep failing": FAILING_ATTEMPTS or more in a row, the first of
 * them at least FAILING_SPAN_MS before the latest. Newest first in, null when not.
 */
export function failingRun(newestFirst: readonly FinishedAttempt[]): { readonly since: number; readonly attempts: number } | null {
  const run = [];
  for (const a of newestFirst) {
    if (a.verdict === 'delivered') break;
    run.push(a);
  }
  const latest = run[0];
  const first = run[run.length - 1];
  if (!latest || !first || run.length < FAILING_ATTEMPTS || latest.startedAt - first.startedAt < FAILING_SPAN_MS) return null;
  return { since: first.startedAt, attempts: run.length };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function endpointHealth(appKey: string, newestFirst: readonly FinishedAttempt[]) {
  const delivered = newestFirst.filter((a) => a.verdict === 'delivered').length;
  const times = newestFirst.filter((a) => a.answered && a.durationMs !== null).map((a) => a.durationMs!).sort((a, b) => a - b);
  const failure = newestFirst.find((a) => a.verdict !== 'delivered');
  const run = failingRun(newestFirst);
  return {
    appKey,
    window: newestFirst.length,
    successRate: newestFirst.length === 0 ? null : delivered / newestFirst.length,
    latency: times.length === 0 ? null : { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) },
    lastFailure: failure ? { at: iso(failure.startedAt)!, noticeId: failure.noticeId, url: failure.url, verdict: failure.verdict, reason: failure.reason } : null,
    failing: run ? { since: iso(run.since)!, attempts: run.attempts } : null,
  };
}

interface AttemptRow { notice_id: string; url: string; started_at: number; duration_ms: number | null; verdict: string; reason: string | null; answered: number }

/**
 * Reads an app's latest finished attempts (index notice_attempts_by_app), and
 * after each recorded attempt tells the bus when the app starts or stops
 * keeping failing (app.notices_failing / app.notices_recovered).
 */
export class EndpointWatch {
  /** Whether each app was failing when last judged; an app not judged since the start is judged afresh (a restart announces a failing app again). */
  private readonly failing = new Map<string, boolean>();

  constructor(private readonly ctx: Context) {}

  latest(appKey: string): FinishedAttempt[] {
    // An interrupted attempt (Paydesk stopped) says nothing about the merchant.
    const rows = this.ctx.db.prepare(`SELECT notice_id, url, started_at, duration_ms, verdict, reason, response_status IS NOT NULL AS answered
      FROM notice_attempts WHERE app_key = ? AND verdict IS NOT NULL AND verdict <> 'interrupted' ORDER BY id DESC LIMIT ${HEALTH_WINDOW}`).all(appKey) as AttemptRow[];
    return rows.map((r) => ({
      noticeId: r.notice_id, url: r.url, startedAt: r.started_at, durationMs: r.duration_ms, verdict: r.verdict, reason: r.reason, answered: r.answered === 1,
    }));
  }

  health(appKey: string) {
    return endpointHealth(appKey, this.latest(appKey));
  }

  /** After an attempt of one of the app's notices was recorded. A delivery reads nothing: it ends any run, so the happy path costs no query. */
  judge(appKey: string, delivered: boolean): void {
    const was = this.failing.get(appKey) ?? false;
    if (delivered) {
      this.failing.set(appKey, false);
      if (was) this.ctx.events.emit('app.notices_recovered', { key: appKey });
      return;
    }
    const run = failingRun(this.latest(appKey));
    this.failing.set(appKey, run !== null);
    if (run && !was) this.ctx.events.emit('app.notices_failing', { key: appKey, since: iso(run.since)!, attempts: run.attempts });
    if (!run && was) this.ctx.events.emit('app.notices_recovered', { key: appKey });
  }
}
