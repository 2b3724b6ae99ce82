// `paydesk notices list|show|redeliver|cancel|retry-failed` (issue 15): the
// notice inspector from a terminal, on the console API through the one client.
// Redeliver goes where the notice would go now (the request's own URL if it
// named one, else the app's current URL), or --app-url, or --to URL (the server
// judges every address with the same guard as postbacks). retry-failed follows
// the bulk job on the event stream and prints its progress and summary.
import type { RouteResult } from '../contract/client.ts';
import { stringFlag, type Command, type Flags } from './command.ts';
import { connectionHelp } from './connect.ts';
import { EXIT, exitHelp, usageError } from './exit.ts';
import { EventWatch } from './flows.ts';

type Summary = RouteResult<'listNotices'>['items'][number];

const source = { app: "app's URL", request: "request's URL", other: 'other URL' } as const;

function line(n: Summary): string {
  return `${n.id}  ${n.type.padEnd(10)} ${n.status.padEnd(9)} ${String(n.attempts).padStart(2)}/${n.maxAttempts}  ${n.url}${n.urlSource ? ` (${source[n.urlSource]})` : ''}`;
}

function typeFlag(flags: Flags): 'postback' | 'chargeback' | undefined {
  const t = stringFlag(flags, 'type');
  if (t !== undefined && t !== 'postback' && t !== 'chargeback') throw usageError(`--type is postback or chargeback, not "${t}".`);
  return t;
}

const statuses = ['pending', 'delivered', 'failed', 'cancelled'] as const;
const isStatus = (s: string): s is (typeof statuses)[number] => (statuses as readonly string[]).includes(s);

export const noticesList: Command = {
  words: ['notices', 'list'],
  summary: 'list notices, newest first (filter by app, status, type)',
  help: `Usage: paydesk notices list [--app KEY] [--status pending|delivered|failed|cancelled] [--type postback|chargeback] [--limit N] [--json]
  One line per notice: id, type, status, attempts, the URL it goes to and where
  that URL came from (the app's, the payment request's own, or another).
  --json      {"items": [...]} as GET /api/notices answers
${connectionHelp}
${exitHelp}`,
  options: { app: { type: 'string' }, status: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' } },
  positionals: [0, 0],
  async run({ flags, connect, out }) {
    const status = stringFlag(flags, 'status');
    if (status !== undefined && !isStatus(status)) throw usageError(`--status is one of ${statuses.join(', ')}, not "${status}".`);
    const limit = stringFlag(flags, 'limit');
    if (limit !== undefined && !/^[1-9][0-9]*$/.test(limit)) throw usageError('--limit is a whole number from 1 to 200.');
    const page = await connect().client.call('listNotices', {
      query: { appKey: stringFlag(flags, 'app'), status, type: typeFlag(flags), limit: limit === undefined ? 50 : Math.min(Number(limit), 200) },
    });
    out.result(page.items.length === 0 ? 'No notices match.' : page.items.map(line).join('\n'), page);
    return EXIT.ok;
  },
};

export const noticesShow: Command = {
  words: ['notices', 'show'],
  summary: 'one notice with every attempt: when, where, the verdict',
  help: `Usage: paydesk notices show <notice-id> [--json]
  The notice and each attempt: its time, the URL it went to (and whether that was
  the app's URL or the request's own), the verdict and the reason.
  --json      the notice as GET /api/notices/{id} answers
${connectionHelp}
${exitHelp}`,
  options: {},
  positionals: [1, 1],
  async run({ positionals, connect, out }) {
    const n = await connect().client.call('getNotice', { params: { id: positionals[0]! } });
    const attempts = n.attemptLog.map((a) => `  #${a.number} ${a.startedAt}  ${a.verdict}${a.reason ? ` (${a.reason})` : ''}  ${a.url}${a.urlSource ? ` (${source[a.urlSource]})` : ''}`);
    out.result([line(n), `  transaction ${n.transactionID ?? '-'}, app ${n.appKey}`, ...(attempts.length ? attempts : ['  no attempt yet'])].join('\n'), n);
    return EXIT.ok;
  },
};

export const noticesRedeliver: Command = {
  words: ['notices', 'redeliver'],
  summary: 'send a notice again now, same webhook-id (to where it would go now, the app\'s URL, or --to URL)',
  help: `Usage: paydesk notices redeliver <notice-id> [--to URL | --app-url] [--json]
  Sends the notice once more with the same webhook-id. By default to where it
  would go now: the payment request's own URL if it named one, else the app's
  current URL (fixed since it failed?). --app-url: the app's current URL even so.
  --to URL: any other URL, judged by the same address guard as postbacks.
  --json      the notice as POST /api/notices/{id}/redeliver answers
${connectionHelp}
${exitHelp}`,
  options: { to: { type: 'string' }, 'app-url': { type: 'boolean' } },
  positionals: [1, 1],
  async run({ positionals, flags, connect, out }) {
    const to = stringFlag(flags, 'to');
    if (to !== undefined && flags['app-url']) throw usageError('Give --to URL or --app-url, not both.');
    const body = to !== undefined ? { url: to } : flags['app-url'] ? { to: 'app' as const } : {};
    const n = await connect().client.call('redeliverNotice', { params: { id: positionals[0]! }, body });
    out.result(`Redelivery of ${n.id} queued to ${n.url}${n.urlSource ? ` (${source[n.urlSource]})` : ''}; \`paydesk notices show ${n.id}\` shows the attempt.`, n);
    return EXIT.ok;
  },
};

export const noticesCancel: Command = {
  words: ['notices', 'cancel'],
  summary: 'stop a notice\'s retries (a delivered notice cannot be cancelled)',
  help: `Usage: paydesk notices cancel <notice-id> [--json]
  Stops retrying the notice; cancelling again changes nothing. A delivered notice
  cannot be cancelled (exit 3, notice_delivered_not_cancellable). Redeliver
  sends a cancelled notice again.
  --json      the notice as POST /api/notices/{id}/cancel answers
${connectionHelp}
${exitHelp}`,
  options: {},
  positionals: [1, 1],
  async run({ positionals, connect, out }) {
    const n = await connect().client.call('cancelNotice', { params: { id: positionals[0]! }, body: {} });
    out.result(`Notice ${n.id} is cancelled after ${n.attempts} attempt(s): no more retries.`, n);
    return EXIT.ok;
  },
};

export const noticesRetryFailed: Command = {
  words: ['notices', 'retry-failed'],
  summary: 'retry every failed notice (of an app, a type) in bulk, with progress and a summary',
  help: `Usage: paydesk notices retry-failed [--app KEY] [--type postback|chargeback] [--app-url] [--json]
  Queues again the failed notices that match (at most 500 a run; it says when more
  match), each to where it would go now (--app-url: the app's current URL), then
  follows them until each is delivered or failed again. Cancelled notices stay.
  --json      a progress line per change, then the job's summary as GET /api/notice-retries/{id}
Exit 0 when every retried notice was delivered, 3 when some failed again.
${connectionHelp}
${exitHelp}`,
  options: { app: { type: 'string' }, type: { type: 'string' }, 'app-url': { type: 'boolean' } },
  positionals: [0, 0],
  async run({ flags, connect, out, signal }) {
    const conn = connect();
    const watch = await EventWatch.open(conn, signal);
    try {
      const job = await conn.client.call('retryFailedNotices', {
        body: { appKey: stringFlag(flags, 'app'), type: typeFlag(flags), ...(flags['app-url'] ? { to: 'app' as const } : {}) },
      });
      out.say(job.queued === 0 ? 'No failed notice matches: nothing to retry.' : `Retrying ${job.queued} failed notice(s) (job ${job.id})${job.skipped ? `; ${job.skipped} left failed, their address is refused` : ''}...`);
      if (!job.finished) {
        await watch.until((e) => {
          if (e.type === 'notice_retry.progress' && e.data.id === job.id) {
            out.say(`  ${e.data.delivered + e.data.failed}/${e.data.queued}: ${e.data.delivered} delivered, ${e.data.failed} failed`);
            out.emit({ progress: e.data });
          }
          return e.type === 'notice_retry.finished' && e.data.id === job.id ? e.data : undefined;
        }, `the retry job ${job.id}`);
      }
      const done = await conn.client.call('getNoticeRetry', { params: { id: job.id } });
      out.result(`Done: ${done.queued} queued, ${done.delivered} delivered, ${done.failed} failed again.${done.more ? ' More failed notices match: run it again.' : ''}`, done);
      return done.failed > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      watch.close();
    }
  },
};

export const noticeCommands: readonly Command[] = [noticesList, noticesShow, noticesRedeliver, noticesCancel, noticesRetryFailed];
