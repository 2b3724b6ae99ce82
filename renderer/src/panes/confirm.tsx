// Wallet → Confirmation: the trusted dialog of DESIGN section 4 step 4. The
// purchase as the provider verified it (item, price, seller and reputation, the
// code Paydesk's status window shows too), and the PIN, typed here and nowhere else.
// The confirm carries the purchase's digest, binding the PIN to what was shown.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { call, type Purchase } from '../api.ts';
import { useDocumentTitle, useNow, useResource } from '../hooks.ts';
import { navigate } from '../router.ts';
import { bridge } from '../connection.ts';
import { useWallet } from '../wallet-context.tsx';
import { formatClock, formatDate, formatDateTime, formatMoney, formatPercent, relativeTime, formatCount } from '../format.ts';
import { Badge, Button, ButtonLink, Card, EmptyState, ErrorState, IdChip, LoadingBlock, PageHeader, StatusBadge, UserText } from '../ui.tsx';
import { IconAlert, IconCard, IconCircleCheck, IconCircleX, IconClock, IconFlag, IconShield, IconStore } from '../icons.tsx';
import { AppAvatar } from './apps.tsx';
import { PinEntryPanel, failedStatus, usePinEntry, type Outcome, type PinEntryProps } from './pin-entry.tsx';

const declineWords: Record<string, string> = {
  card_declined: 'The card issuer declined the charge. Try another payment method.',
  card_insufficient_funds: 'The card has insufficient funds for this purchase.',
  card_expired: 'The processor reports the card as expired. Preauthorize a current card.',
  processor_error: 'The processor failed; nothing was charged.',
};

export function ConfirmPane({ id }: { readonly id?: string }) {
  useDocumentTitle('Confirm purchase');
  const { pending } = useWallet();
  const list = pending.data ?? [];
  const first = list[0]?.id;
  const selected = id ?? first;
  const others = list.filter((p) => p.id !== selected);
  // The pane picks a purchase only when the buyer opens it without one, and names it in
  // the route at once: from then on it shows that purchase whatever the pending list does
  // (a confirmed one leaves it), so nothing else can slide under the buyer's PIN.
  useEffect(() => {
    if (id === undefined && first !== undefined) navigate(`/wallet/confirm/${first}`, undefined, { replace: true });
  }, [id, first]);

  return (
    <>
      <PageHeader
        title="Confirm purchase"
        sub="Purchases started on merchant pages wait here. Check the seller, the price and the code Paydesk's status window shows, then confirm with the PIN."
      />
      {!selected ? (
        pending.error && !pending.data ? <Card><ErrorState error={pending.error} retry={pending.reload} /></Card>
          : !pending.data ? <LoadingBlock label="Looking for pending purchases…" />
            : (
              <Card>
                <EmptyState icon={<IconShield />} title="Nothing to confirm" action={<ButtonLink href="#/lab" variant="primary">Start a test purchase</ButtonLink>}>
                  When a merchant page asks for a payment, the purchase appears here at once, with the seller's reputation and a confirmation code.
                </EmptyState>
              </Card>
            )
      ) : (
        <div className="confirm-layout">
          <PurchaseConfirmation key={selected} id={selected} />
          {others.length > 0 && (
            <Card title="Also waiting for you" description={`${others.length} more pending`} flush>
              <nav className="queue" aria-label="Other pending purchases">
                {others.map((p) => (
                  <a key={p.id} href={`#/wallet/confirm/${encodeURIComponent(p.id)}`}>
                    <AppAvatar app={{ key: p.seller.appKey, name: p.seller.name }} />
                    <span className="grow">
                      <span className="ellipsis" style={{ display: 'block', fontWeight: 560 }}>{p.item.name}</span>
                      <span className="small subtle">{p.seller.name} · expires {relativeTime(p.expiresAt)}</span>
                    </span>
                    <span className="num" style={{ fontWeight: 600 }}>{formatMoney(p.price.amount, p.price.currency)}</span>
                  </a>
                ))}
              </nav>
            </Card>
          )}
        </div>
      )}
    </>
  );
}

/** The desktop app's trusted confirmation window (app://paydesk/#/confirm/<id>): this purchase only. */
export function ConfirmWindow({ id }: { readonly id: string }) {
  useDocumentTitle('Confirm purchase');
  return (
    <main className="confirm-window" id="main">
      <PurchaseConfirmation id={id} standalone />
    </main>
  );
}

function PurchaseConfirmation({ id, standalone = false }: { readonly id: string; readonly standalone?: boolean }) {
  const res = useResource((signal) => call('getPurchase', { params: { id }, signal }), [id], { events: ['purchase.'] });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Shown pending here and then decided without this pane: the result says it happened elsewhere.
  const [sawPending, setSawPending] = useState(false);
  const p = res.data;
  const pendingNow = p?.status === 'pending';
  useEffect(() => {
    if (pendingNow) setSawPending(true);
  }, [pendingNow]);
  const retry = useCallback(() => setOutcome(null), []);
  const shown = outcome === null ? p : outcome.kind === 'failed' ? p : outcome.purchase;
  const result = !shown ? null : outcome ? resultText(shown, outcome, false) : !pendingNow ? resultText(shown, null, sawPending) : null;
  const announcement = result ? `${result.title}. ${result.body}` : '';

  let view: ReactNode;
  if (!p || !shown) view = res.error ? <Card><ErrorState error={res.error} retry={res.reload} /></Card> : <LoadingBlock />;
  else if (result) {
    // Only a processor error leaves the purchase pending, and only while it still is may the buyer retry.
    const canRetry = outcome?.kind === 'failed' && outcome.code === 'processor_error' && pendingNow;
    view = <PurchaseResult purchase={shown} text={result} standalone={standalone} onRetry={canRetry ? retry : undefined} />;
  } else view = <PendingPurchase purchase={p} onChanged={res.reload} onOutcome={setOutcome} />;
  return (
    <>
      {/* A live region that is in the page before the result arrives, so the result is read out when it
          changes (DESIGN section 11); one inserted together with its text is often not announced. */}
      <div className="sr-only" role="status" data-testid="confirm-announcer">{announcement}</div>
      {view}
    </>
  );
}

/** The seller's identity and reputation, as purchases and sign-ins show it. */
export function SellerBlock({ seller: s }: { readonly seller: Purchase['seller'] }) {
  return (
    <div className={`seller ${s.newSeller ? 'new-seller' : ''}`} data-testid="seller">
      <AppAvatar app={{ key: s.appKey, name: s.name }} />
      <div className="grow">
        <div className="row wrap">
          <b style={{ fontSize: 15 }}><UserText text={s.name} /></b>
          {s.newSeller && <span className="new-seller-flag" data-testid="new-seller"><IconFlag />New seller</span>}
        </div>
        <div className="small muted"><a href={s.homepage} target="_blank" rel="noreferrer noopener"><UserText text={s.homepage} /></a></div>
        <div className="seller-stats">
          <span>Registered <b>{formatDate(s.registeredAt)}</b></span>
          <span><b>{formatCount(s.sales)}</b> {s.sales === 1 ? 'sale' : 'sales'}</span>
          <span>Refund rate <b>{formatPercent(s.refundRate)}</b></span>
        </div>
        {s.newSeller && <div className="small seller-note" style={{ marginTop: 8 }}>This seller is new to Paydesk (under 30 days or fewer than 5 sales). Make sure you know who you're paying.</div>}
      </div>
    </div>
  );
}

function PendingPurchase({ purchase: p, onChanged, onOutcome }: { readonly purchase: Purchase; readonly onChanged: () => void; readonly onOutcome: (o: Outcome) => void }) {
  const { session } = useWallet();
  const buyer = session.data?.buyer ?? null;
  const now = useNow(1000);
  const expiresIn = Date.parse(p.expiresAt) - now;
  const expired = expiresIn <= 0;
  useEffect(() => {
    if (expired) onChanged();
  }, [expired, onChanged]);

  return (
    <div className="trusted" aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <div className="trusted-head"><IconShield />Paydesk wallet<span className="head-long"> · verified payment request</span><span className="grow" />
        <span className="row small" title={`Expires ${formatDateTime(p.expiresAt, true)}`}><IconClock width={14} height={14} />Expires in {formatClock(expiresIn)}</span>
      </div>
      <div className="trusted-grid">
        <div className="trusted-body">
          <div className="stack-sm" style={{ gap: 4 }}>
            <h2 id="confirm-title"><UserText text={p.item.name} /></h2>
            <div className="muted"><UserText text={p.item.description} /></div>
          </div>
          <div className="row wrap" style={{ alignItems: 'baseline', gap: 12 }}>
            <div className="price-big" data-testid="price">{formatMoney(p.price.amount, p.price.currency)}</div>
            {p.simulate ? <Badge tone="accent">Simulated: no money moves</Badge> : p.pricePoint !== null ? <span className="small subtle">price point {p.pricePoint}</span> : null}
          </div>
          <SellerBlock seller={p.seller} />
          {p.signedIn && p.buyer && (
            <p className="small muted" style={{ margin: 0 }} data-testid="signed-in-at"><IconShield width={14} height={14} style={{ verticalAlign: '-2px', marginRight: 6 }} />Signed in at <b><UserText text={p.seller.name} /></b> as <b><UserText text={p.buyer.name} /></b>: only this buyer can confirm it, and the token is no consent to pay.</p>
          )}
          <div className="code-box">
            <div>
              <div className="small muted">Confirmation code</div>
              <div className="small subtle code-hint">Paydesk's status window (opened by the merchant's page) shows the same code. Don't confirm if they differ.</div>
            </div>
            <span className="conf-code" data-testid="conf-code">{p.code}</span>
          </div>
          <ul className="confirm-facts">
            <li><IconShield />Paydesk verified this request with {p.seller.name}'s secret: the page that opened it could not change the price or the seller.</li>
            <li><IconCard />{p.simulate ? 'Simulated: nothing is charged, but the seller still gets its notice.' : `Nothing is charged until you confirm; then ${p.seller.name} gets a signed receipt.`}</li>
            <li><IconFlag /><span>Not delivered? Dispute the purchase later in <a href="#/wallet/history">History</a>.</span></li>
          </ul>
        </div>
        <div className="trusted-side">
          <PinPanel purchase={p} buyer={buyer} onChanged={onChanged} onOutcome={onOutcome} />
        </div>
      </div>
    </div>
  );
}

/** Its own component, so typing a digit redraws the PIN entry, not the whole dialog. */
function PinPanel(props: PinEntryProps) {
  const entry = usePinEntry(props);
  return <PinEntryPanel entry={entry} purchase={props.purchase} buyer={props.buyer} />;
}

interface ResultText {
  /** The purchase's state as this result leaves it. */
  readonly status: Purchase['status'];
  readonly tone: 'success' | 'danger' | 'neutral';
  readonly title: string;
  readonly body: string;
  /** The server's code for a charge that did not go through. */
  readonly reason: string | null;
}

/**
 * What a result says: from this pane's own outcome when it has one (the server's
 * answer, before any reload), else from the purchase's state; `elsewhere` when
 * it was decided while shown here, by another window, a script or the store's page.
 */
function resultText(p: Purchase, outcome: Outcome | null, elsewhere: boolean): ResultText {
  const amount = formatMoney(p.price.amount, p.price.currency);
  const reason = outcome?.kind === 'failed' ? outcome.code : outcome === null && p.status === 'declined' ? p.failure?.code ?? null : null;
  const status = outcome === null ? p.status : outcome.kind === 'failed' ? failedStatus[outcome.code]! : outcome.kind;
  const there = elsewhere ? ' elsewhere (another Paydesk window, a script or the store\'s page) while it was open here' : '';
  switch (status) {
    case 'completed':
      return { status, tone: 'success', title: 'Payment complete', body: `${elsewhere ? `This purchase was confirmed${there}. ` : ''}${amount} paid to ${p.seller.name}. The store's page gets its confirmation, and Paydesk sends the merchant a signed postback.`, reason };
    case 'declined':
      return { status, tone: 'danger', title: 'Payment declined', body: `${elsewhere ? `This purchase was confirmed${there}, and declined. ` : ''}${(reason && declineWords[reason]) ?? 'The charge was declined.'} Nothing was charged; the store's page was told PAYMENT_DECLINED.`, reason };
    case 'pending':
      return { status, tone: 'danger', title: 'Payment not processed', body: `${declineWords.processor_error!} The purchase is still pending: try again, or come back to it before it expires.`, reason };
    case 'cancelled':
      return { status, tone: 'neutral', title: 'Purchase cancelled', body: `${elsewhere ? `This purchase was cancelled${there}. ` : ''}Nothing was charged. The store's page was told USER_CANCELLED.`, reason };
    case 'expired':
      return { status, tone: 'neutral', title: 'Purchase expired', body: 'It waited too long for a confirmation. Nothing was charged; ask the store to start again.', reason };
  }
}

/**
 * The result of a confirmation, for this purchase only. It stays until the buyer
 * moves on: the next pending purchase is offered, never shown in its place.
 * Announced (DESIGN section 11): the pane's live region reads it out, focus moves to its heading,
 * and the next Tab reaches what the buyer does next (review the next purchase, try again, done)
 * before the receipt's details.
 */
function PurchaseResult({ purchase: p, text, standalone, onRetry }: {
  readonly purchase: Purchase; readonly text: ResultText; readonly standalone: boolean; readonly onRetry?: (() => void) | undefined;
}) {
  const close = bridge()?.closeConfirmation;
  const { pending } = useWallet();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // The oldest other pending purchase (the list is newest first): a purchase arriving now
  // does not change the offer under the buyer's pointer. The desktop window holds one
  // purchase; its main process opens the next one in a window of its own.
  const next = standalone ? undefined : pending.data?.findLast((x) => x.id !== p.id);
  return (
    <Card>
      <div data-testid="purchase-result">
        <div className="result-hero">
          <div className={`hero-icon hero-${text.tone}`}>{text.tone === 'success' ? <IconCircleCheck /> : text.tone === 'danger' ? <IconCircleX /> : <IconAlert />}</div>
          <h2 ref={heading} tabIndex={-1}>{text.title}</h2>
          <p className="muted" style={{ maxWidth: 520 }}>{text.body}</p>
          <StatusBadge status={text.status} large />
        </div>
        {next && (
          <div className="next-purchase" data-testid="next-purchase" style={{ margin: '0 auto 16px' }}>
            <AppAvatar app={{ key: next.seller.appKey, name: next.seller.name }} />
            <div className="grow" style={{ minWidth: 0 }}>
              <div className="small muted">Next pending purchase</div>
              <div className="ellipsis"><b>{next.item.name}</b>, <span className="num">{formatMoney(next.price.amount, next.price.currency)}</span>, {next.seller.name}</div>
            </div>
            <Button onClick={() => navigate(`/wallet/confirm/${next.id}`)}>Review</Button>
          </div>
        )}
        <div className="row wrap" style={{ justifyContent: 'center', margin: '0 0 24px' }}>
          {onRetry && <Button variant="primary" onClick={onRetry}>Try again</Button>}
          {standalone && close ? (
            <Button variant={onRetry ? 'secondary' : 'primary'} onClick={() => void close(p.id)}>Close</Button>
          ) : (
            <>
              {!next && !onRetry && <Button variant="primary" onClick={() => navigate('/wallet/confirm')}>Done</Button>}
              <Button onClick={() => navigate('/wallet/history')}>Purchase history</Button>
            </>
          )}
        </div>
        <dl className="kv" style={{ maxWidth: 560, margin: '0 auto' }}>
          <dt>Item</dt><dd>{p.item.name}</dd>
          <dt>Seller</dt><dd className="row"><IconStore width={15} height={15} />{p.seller.name}</dd>
          <dt>Amount</dt><dd className="num">{formatMoney(p.price.amount, p.price.currency)}</dd>
          <dt>Confirmation code</dt><dd><code className="code-inline">{p.code}</code></dd>
          {p.transactionID && <><dt>Transaction id</dt><dd><IdChip value={p.transactionID} /></dd></>}
          {p.paymentMethod && <><dt>{text.status === 'completed' ? 'Paid with' : 'Card'}</dt><dd>{p.paymentMethod.brand.toUpperCase()} •••• {p.paymentMethod.last4}</dd></>}
          {text.reason && <><dt>Reason</dt><dd><code className="code-inline">{text.reason}</code></dd></>}
          <dt>{text.status === 'completed' ? 'Completed' : 'Started'}</dt><dd>{formatDateTime(p.completedAt ?? p.createdAt, true)}</dd>
        </dl>
      </div>
    </Card>
  );
}
