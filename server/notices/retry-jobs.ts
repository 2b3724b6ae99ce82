// "Retry all failed" (issue 15): one bulk job queues again the failed notices
// that match a filter, in one transaction, and reports its progress as those
// notices are attempted. Bounded: at most RETRY_BATCH notices a job (the answer
// says when more match, so the user runs it again), and the dispatcher's
// per-app slots pace the sending as for any notice. The job's summary is read
// from the notices it queued (notice_retry_items), so it survives a restart;
// progress events come from the process that started it.
import { PaydeskError } from '../../contract/errors.ts';
import { newOrderedId } from '../ids.ts';
import { immediate, type Db } from '../db/open.ts';
import { iso, type Context, type RequestKey } from '../context.ts';
import type { Dispatcher, NoticeRow } from './dispatcher.ts';
import { noticeWhere, requeueNotice, type Destination, type Notices } from './notices.ts';
import type { NoticePayload, NoticeType } from './signing.ts';

/** Notices one job queues at most. */
export const RETRY_BATCH = 500;

export interface RetryFilter extends Destination {
  readonly appKey?: string;
  readonly type?: NoticeType;
  readonly transactionID?: string;
  readonly q?: string;
}

interface JobRow { id: string; filter_json: string; queued: number; skipped: number; more: number; created_at: number }

export class NoticeRetries {
  /** Notices of jobs this process started and that are not finished, to the job. */
  private readonly tracked = new Map<string, string>();

  constructor(
    private readonly ctx: Context,
    private readonly notices: Notices,
    private readonly dispatcher: Dispatcher,
  ) {
    ctx.events.subscribe((e) => {
      if (e.type === 'notice.delivered' || e.type === 'notice.failed' || e.type === 'notice.cancelled') this.progress(e.data.id);
    });
  }

  start(f: RetryFilter, key?: RequestKey) {
    const now = this.ctx.now();
    const id = newOrderedId('nrt', now);
    const { job, queued } = immediate(this.ctx.db, (tx) => {
      const { where, args } = noticeWhere({ ...f, status: 'failed' });
      // Oldest first: the notices that have waited longest go out first.
      const rows = tx.prepare(`SELECT * FROM notices WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ${RETRY_BATCH + 1}`).all(args) as NoticeRow[];
      const batch = rows.slice(0, RETRY_BATCH);
      const done: string[] = [];
      let skipped = 0;
      for (const row of batch) {
        let dest;
        try {
          dest = this.notices.destination(row, (JSON.parse(row.payload_json) as NoticePayload).request, f);
        } catch (e) {
          // An address the guard refuses stays failed, counted; the rest still go.
          if (e instanceof PaydeskError) { skipped++; continue; }
          throw e;
        }
        requeueNotice(tx, row, dest, now);
        done.push(row.id);
      }
      const filter = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
      tx.prepare('INSERT INTO notice_retry_jobs (id, filter_json, queued, skipped, more, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, JSON.stringify(filter), done.length, skipped, rows.length > RETRY_BATCH ? 1 : 0, now);
      const item = tx.prepare('INSERT INTO notice_retry_items (job_id, notice_id) VALUES (?, ?)');
      for (const n of done) item.run(id, n);
      const view = this.view(tx, id);
      key?.answer(tx, view);
      return { job: view, queued: done };
    });
    for (const n of queued) this.tracked.set(n, id);
    this.emit(job);
    this.dispatcher.kick();
    return job;
  }

  get(id: string) {
    return this.view(this.ctx.db, id);
  }

  private view(db: Db, id: string) {
    const job = db.prepare('SELECT * FROM notice_retry_jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!job) throw new PaydeskError('notice_retry_job_not_found');
    const counts = db.prepare(`SELECT COALESCE(SUM(n.status = 'pending'), 0) AS pending, COALESCE(SUM(n.status = 'delivered'), 0) AS delivered,
        COALESCE(SUM(n.status = 'failed'), 0) AS failed
      FROM notice_retry_items i JOIN notices n ON n.id = i.notice_id WHERE i.job_id = ?`).get(id) as { pending: number; delivered: number; failed: number };
    return {
      id, filter: JSON.parse(job.filter_json) as RetryFilter, queued: job.queued, skipped: job.skipped, more: job.more === 1,
      ...counts, finished: counts.pending === 0, createdAt: iso(job.created_at)!,
    };
  }

  private progress(noticeId: string): void {
    const id = this.tracked.get(noticeId);
    if (id === undefined) return;
    this.tracked.delete(noticeId);
    this.emit(this.get(id));
  }

  private emit(job: ReturnType<NoticeRetries['get']>): void {
    const { id, queued, pending, delivered, failed } = job;
    this.ctx.events.emit('notice_retry.progress', { id, queued, pending, delivered, failed });
    if (job.finished) {
      this.ctx.events.emit('notice_retry.finished', { id, queued, delivered, failed });
      for (const [n, j] of this.tracked) if (j === id) this.tracked.delete(n);
    }
  }
}
