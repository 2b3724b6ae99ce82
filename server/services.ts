// The domain services of one running server, wired together once.
import type { Context } from './context.ts';
import { Apps } from './apps/apps.ts';
import { Vault } from './vault/vault.ts';
import { Wallet } from './wallet/wallet.ts';
import { Purchases } from './purchases/purchases.ts';
import { ProviderKeys } from './notices/provider-keys.ts';
import { Dispatcher, defaultDispatcherOptions, type DispatcherOptions } from './notices/dispatcher.ts';
import { Notices } from './notices/notices.ts';
import { Refunds } from './refunds/refunds.ts';
import { NoticeTargets } from './notices/target.ts';
import { DashboardSummaries } from './dashboard/summary.ts';

export interface Services {
  readonly ctx: Context;
  /** The notice address guard; told Paydesk's own ports once the server listens. */
  readonly noticeTargets: NoticeTargets;
  readonly apps: Apps;
  readonly vault: Vault;
  readonly wallet: Wallet;
  readonly purchases: Purchases;
  readonly providerKeys: ProviderKeys;
  /** Started and stopped by startServer(); idle until start(). */
  readonly dispatcher: Dispatcher;
  readonly notices: Notices;
  readonly refunds: Refunds;
  readonly dashboard: DashboardSummaries;
}

export function makeServices(ctx: Context, options: { slowCharge?: () => Promise<void>; notices?: Partial<DispatcherOptions> } = {}): Services {
  const { notices: noticeOptions, ...vaultOptions } = options;
  const noticeTargets = new NoticeTargets();
  const apps = new Apps(ctx, noticeTargets);
  const vault = new Vault(ctx.vaultDb, { now: () => ctx.now(), ...vaultOptions });
  const wallet = new Wallet(ctx, vault);
  const providerKeys = new ProviderKeys(ctx);
  const dispatcher = new Dispatcher(ctx, apps, providerKeys, noticeTargets, { ...defaultDispatcherOptions, ...noticeOptions });
  const purchases = new Purchases(ctx, apps, wallet, vault, noticeTargets, (n) => dispatcher.prepare(n));
  const notices = new Notices(ctx, apps, dispatcher, noticeTargets);
  const refunds = new Refunds(ctx, apps, purchases, vault, wallet);
  return { ctx, noticeTargets, apps, vault, wallet, purchases, providerKeys, dispatcher, notices, refunds, dashboard: new DashboardSummaries(ctx.db) };
}
