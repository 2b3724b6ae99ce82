// `paydesk trigger <scenario>`: one whole flow without the browser, for scripts
// and CI. A payment request signed with the app's secret, a test buyer and card,
// confirmed through the console API, then the notice's first delivery read from
// the event stream, and its verdict printed. Exit 0 when the flow ended as the
// scenario says (a `declined` purchase declined, a postback the merchant took), 3
// when it did not (cli/exit.ts).
import { isApiError, type RouteResult } from '../contract/client.ts';
import type { PaymentRequest } from '../sdk/index.ts';
import { stringFlag, type Command, type CommandContext } from './command.ts';
import { connectionHelp } from './connect.ts';
import { EXIT, exitHelp, usageError, type ExitCode } from './exit.ts';
import { EventWatch, TRIGGER_BUYER, appSigner, confirm, onlyApp, readyBuyer, startPurchase, type CardBehaviour, type ReadyBuyer } from './flows.ts';

/** What each scenario does: the card it pays with, and what follows a completed purchase. */
const scenarios = {
  purchase: { card: 'success', then: 'postback', about: 'a purchase completes and its postback is delivered' },
  declined: { card: 'decline', declines: 'card_declined', about: 'the card is declined (card_declined)' },
  'insufficient-funds': { card: 'insufficient_funds', declines: 'card_insufficient_funds', about: 'declined for insufficient funds' },
  'processor-error': { card: 'processing_error', declines: 'processor_error', about: 'the processor fails: nothing charged, the purchase stays pending' },
  refund: { card: 'success', then: 'refund', about: 'a purchase, then a full refund and its chargeback' },
  'partial-refund': { card: 'success', then: 'partial-refund', about: 'a purchase, then half refunded and its chargeback' },
  dispute: { card: 'success', then: 'dispute', about: 'a purchase the buyer disputes: a reversal and its chargeback' },
  'simulate-postback': { card: 'success', simulate: 'postback', then: 'postback', about: 'a simulated purchase (no money moves) and its postback' },
  'simulate-chargeback': { card: 'success', simulate: 'chargeback', then: 'chargeback', about: 'a simulated purchase answered with a chargeback' },
} as const satisfies Record<string, { card: CardBehaviour; about: string; then?: string; declines?: string; simulate?: 'postback' | 'chargeback' }>;
type Scenario = keyof typeof scenarios;
const PRICE = { price: '2.00', currency: 'USD', minor: 200 } as const;

function isScenario(s: string): s is Scenario {
  return Object.hasOwn(scenarios, s);
}

const width = Math.max(...Object.keys(scenarios).map((s) => s.length));

export const trigger: Command = {
  words: ['trigger'],
  summary: 'run one whole payment flow (purchase, decline, refund, dispute ...) and print the notice\'s verdict',
  help: `Usage: paydesk trigger <scenario> [--app KEY] [--audience paydesk] [--json]
  Signs a payment request with the app's secret, pays as the test buyer
  ${TRIGGER_BUYER.email} with a test card, confirms it through the console API,
  waits for the notice's first delivery and prints its verdict.
${Object.entries(scenarios).map(([name, s]) => `  ${name.padEnd(width)}  ${s.about}`).join('\n')}
  --app       the app to pay (default: the only active app)
  --audience  the aud Paydesk was started with (default "paydesk")
  --json      one document: scenario, ok, purchase, refund, notice, declined
${connectionHelp}
${exitHelp}`,
  options: { app: { type: 'string' }, audience: { type: 'string' } },
  positionals: [1, 1],
  run: runTrigger,
};

interface NoticeVerdict {
  readonly id: string;
  readonly type: string;
  readonly verdict: string;
  readonly reason: string | null;
  readonly attempt: number;
}

async function runTrigger({ flags, positionals, out, connect, signal }: CommandContext): Promise<ExitCode> {
  const name = positionals[0]!;
  if (!isScenario(name)) throw usageError(`Unknown scenario "${name}": one of ${Object.keys(scenarios).join(', ')}.`);
  const s: (typeof scenarios)[Scenario] = scenarios[name];
  const conn = connect();
  const { client } = conn;
  const app = await appSigner(client, stringFlag(flags, 'app') ?? (await onlyApp(client)));
  const buyer: ReadyBuyer = await readyBuyer(client, TRIGGER_BUYER, s.card);
  const watch = await EventWatch.open(conn, signal);
  try {
    const request: PaymentRequest = {
      id: `paydesk-trigger-${name}`, name: `paydesk trigger ${name}`, description: s.about, productData: `scenario=${name}`,
      price: PRICE.price, currency: PRICE.currency,
      ...('simulate' in s ? { simulate: { result: s.simulate } } : {}),
    };
    const pending = await startPurchase(client, app, request, stringFlag(flags, 'audience'));
    out.say(`Purchase ${pending.id} for app ${app.key} (${PRICE.price} ${PRICE.currency}); confirming as ${buyer.email}...`);

    let purchase: RouteResult<'confirmPurchase'>;
    try {
      purchase = await confirm(client, pending.id, buyer);
    } catch (e) {
      if (!('declines' in s) || !isApiError(e)) throw e;
      const ok = e.code === s.declines;
      // A decline ends the purchase; a processor error leaves it pending, since a retry may succeed.
      const { status } = await client.call('getPurchase', { params: { id: pending.id } });
      out.result(`${status === 'declined' ? 'Declined' : 'Not completed'}: ${e.code}: ${e.message} (the purchase is ${status})${ok ? '' : `; the scenario expects ${s.declines}`}`,
        { scenario: name, ok, purchase: { id: pending.id, status }, declined: { code: e.code, message: e.message } });
      return ok ? EXIT.ok : EXIT.failed;
    }
    const summary = { id: purchase.id, status: purchase.status, transactionID: purchase.transactionID };
    if ('declines' in s) {
      out.result(`Not declined: the purchase is ${purchase.status} (the scenario expects ${s.declines}).`, { scenario: name, ok: false, purchase: summary });
      return EXIT.failed;
    }
    out.say(`Completed: transaction ${purchase.transactionID}.`);

    let refund: RouteResult<'refundTransaction'> | undefined;
    let attempt;
    if (s.then === 'postback' || s.then === 'chargeback') {
      attempt = await watch.firstAttempt(purchase.id, s.then);
    } else {
      // The purchase's own postback first, so what the merchant is told arrives in order.
      await watch.firstAttempt(purchase.id, 'postback');
      refund = s.then === 'dispute'
        ? await client.call('disputePurchase', { params: { id: purchase.id }, body: { reason: 'paydesk trigger dispute' } })
        : await client.call('refundTransaction', { params: { id: purchase.id }, body: s.then === 'partial-refund' ? { amount: PRICE.minor / 2 } : {} });
      out.say(`${refund.kind === 'reversal' ? 'Disputed: reversal' : 'Refunded:'} ${refund.id} of ${refund.amount.display} ${refund.amount.currency}.`);
      if (refund.noticeId === null) {
        out.result('No chargeback was written for the refund.', { scenario: name, ok: false, purchase: summary, refund: { id: refund.id } });
        return EXIT.failed;
      }
      attempt = await watch.firstAttemptOf(refund.noticeId, 'chargeback');
    }
    const notice: NoticeVerdict = { id: attempt.id, type: attempt.type, verdict: attempt.verdict, reason: attempt.reason, attempt: attempt.attempt };
    const ok = notice.verdict === 'delivered';
    out.result(
      ok ? `The ${notice.type} ${notice.id} was delivered (attempt ${notice.attempt}).`
        : `The ${notice.type} ${notice.id} was not delivered: ${notice.verdict}${notice.reason ? `: ${notice.reason}` : ''}. Paydesk retries it; fix the app's endpoint, then redeliver it from the console.`,
      { scenario: name, ok, purchase: summary, ...(refund ? { refund: { id: refund.id, kind: refund.kind, amount: refund.amount } } : {}), notice },
    );
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    watch.close();
  }
}
