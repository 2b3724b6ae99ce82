// Errors in words for the console: the server's sentence is written for API
// users ("... with POST /api/wallet/session"); here each code the panes meet
// gets a sentence for someone clicking, with its details filled in.
import { ApiError, isApiError } from './api.ts';
import { formatDuration, formatMoney, formatTime } from './format.ts';

export interface ErrorText {
  readonly title: string;
  readonly body: string;
  readonly code?: string;
}

const titles: Record<string, string> = {
  network_error: 'Paydesk is not answering',
  unauthorized: 'Console session ended',
  validation_failed: 'Some fields need fixing',
  pin_incorrect: 'Wrong PIN',
  pin_locked: 'PIN locked',
  pin_required: 'PIN needed',
  pin_not_set: 'No PIN yet',
  pin_too_simple: 'PIN too easy to guess',
  pin_invalid_format: 'PIN must be 4 to 8 digits',
  pin_reset_needs_signin: 'Sign in again to reset',
  wallet_signed_out: 'No buyer signed in',
  wallet_wrong_buyer: 'Another buyer is signed in',
  payment_method_missing: 'No payment method',
  card_declined: 'Card declined',
  card_insufficient_funds: 'Insufficient funds',
  card_expired: 'Card expired',
  processor_error: 'Processor error',
  purchase_expired: 'Purchase expired',
  purchase_not_pending: 'Already decided',
  purchase_mismatch: 'Purchase changed',
  limit_per_purchase_exceeded: 'Over the per-purchase limit',
  limit_per_month_exceeded: 'Over the monthly limit',
  buyer_email_taken: 'Email already used',
  secret_last_active: 'Last active secret',
  not_found: 'Not available on this server',
  refund_exceeds_refundable: 'More than is left to refund',
  refund_not_refundable: 'Not refundable',
  notice_payload_invalid: 'The edited notice is not valid',
};

const bodies: Record<string, (e: ApiError) => string | undefined> = {
  network_error: () => 'Check that the Paydesk server is running; the console reconnects on its own.',
  unauthorized: () => 'The server no longer accepts this console\'s session (it may have restarted). Open a new login link from `npm run login`.',
  pin_incorrect: (e) => {
    const n = typeof e.details.triesLeft === 'number' ? e.details.triesLeft : undefined;
    return n === undefined ? 'Try again.' : n === 1 ? 'Try again: 1 try left before the PIN locks.' : `Try again: ${n} tries left before the PIN locks.`;
  },
  pin_locked: (e) => {
    const until = typeof e.details.lockedUntil === 'string' ? e.details.lockedUntil : undefined;
    if (!until) return 'Too many wrong PINs. Wait for the lock to end; each later lock lasts twice as long.';
    return `Too many wrong PINs. Locked until ${formatTime(until)} (${formatDuration(Date.parse(until) - Date.now())} from now); each later lock lasts twice as long.`;
  },
  pin_required: () => 'Type the PIN: no unlock window is open for this buyer.',
  pin_not_set: () => 'This buyer has no PIN. Set one in Wallet → PIN, then confirm.',
  pin_reset_needs_signin: () => 'Resetting a forgotten PIN needs a sign-in from the last 5 minutes. Sign the buyer in again, then reset.',
  refund_exceeds_refundable: (e) => typeof e.details.refundable === 'number' && typeof e.details.currency === 'string'
    ? `Only ${formatMoney(e.details.refundable, e.details.currency)} is left to refund on this purchase.` : undefined,
  refund_not_refundable: (e) => `Only a completed purchase can be refunded or disputed; this one is ${String(e.details.status ?? 'not completed')}.`,
  wallet_signed_out: () => 'Sign a buyer in to the wallet (Wallet → Buyers) first.',
  wallet_wrong_buyer: () => 'Only the buyer signed in to the wallet can do this. Switch to that buyer first.',
  payment_method_missing: () => 'The signed-in buyer has no card. Preauthorize one in Wallet → Payment methods.',
  limit_per_purchase_exceeded: (e) => typeof e.details.limit === 'number' ? `This purchase is above the card's per-purchase limit (${e.details.limit} minor units). Raise the limit in Payment methods.` : undefined,
  limit_per_month_exceeded: (e) => typeof e.details.limit === 'number' ? `The card has a monthly limit of ${e.details.limit} minor units and ${String(e.details.spent ?? 0)} is already spent this month. Raise the limit in Payment methods.` : undefined,
  payment_method_currency_mismatch: (e) => `The card is for ${String(e.details.paymentMethodCurrency)}, the purchase is in ${String(e.details.purchaseCurrency)}. Preauthorize a card in ${String(e.details.purchaseCurrency)}.`,
  purchase_not_pending: (e) => `This purchase is ${String(e.details.status ?? 'no longer pending')}, so it can't be confirmed or cancelled.`,
  not_found: () => 'This action needs a route the running Paydesk server does not offer yet. Update Paydesk.',
  validation_failed: (e) => e.issues.length > 0 ? e.issues.map((i) => `${i.path.replace(/^body\./, '')}: ${i.message}`).join('; ') : undefined,
};

export function describeError(e: unknown): ErrorText {
  if (isApiError(e)) {
    const body = bodies[e.code]?.(e) ?? e.message;
    return { title: titles[e.code] ?? 'Something went wrong', body, code: e.code };
  }
  if (e instanceof Error) return { title: 'Something went wrong', body: e.message };
  return { title: 'Something went wrong', body: String(e) };
}

