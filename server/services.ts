// The domain services of one running server, wired together once.
import type { Context } from './context.ts';
import { Apps } from './apps/apps.ts';
import { Vault } from './vault/vault.ts';
import { Wallet } from './wallet/wallet.ts';
import { Purchases } from './purchases/purchases.ts';
import { ProviderKeys } from './notices/provider-keys.ts';
import { Dispatcher, defaultDispatcherOptions, type DispatcherOptions } from './notices/dispatcher.ts';
import { Notices } from './notices/notices.ts';
import { NoticeRetries } from './notices/retry-jobs.ts';
import { Refunds } from './refunds/refunds.ts';
import { NoticeTargets } from './notices/target.ts';
import { DashboardSummaries } from './dashboard/summary.ts';
import { OidcStore } from './identity/adapter.ts';
import { OAuthClients } from './identity/clients.ts';
import { SignIns } from './identity/authorizations.ts';
import { Connections } from './identity/connections.ts';
import { Identity, type TokenRate } from './identity/provider.ts';
import type { TestClock } from './clock/test-clock.ts';

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
  readonly noticeRetries: NoticeRetries;
  readonly refunds: Refunds;
  readonly dashboard: DashboardSummaries;
  /** Sign-in (OpenID Connect provider), started once the server listens. */
  readonly identity: Identity;
  readonly oauthClients: OAuthClients;
  readonly signIns: SignIns;
  readonly connections: Connections;
  readonly oidcStore: OidcStore;
  /** Only with `--test-clock` (server/clock/test-clock.ts); undefined in normal mode. */
  readonly testClock: TestClock | undefined;
}

export function makeServices(ctx: Context, options: { slowCharge?: () => Promise<void>; notices?: Partial<DispatcherOptions>; tokenRate?: TokenRate; testClock?: TestClock } = {}): Services {
  const { notices: noticeOptions, tokenRate, testClock, ...vaultOptions } = options;
  const noticeTargets = new NoticeTargets();
  const apps = new Apps(ctx, noticeTargets);
  const vault = new Vault(ctx.vaultDb, { now: () => ctx.now(), ...vaultOptions });
  const wallet = new Wallet(ctx, vault);
  const providerKeys = new ProviderKeys(ctx);
  const dispatcher = new Dispatcher(ctx, apps, providerKeys, noticeTargets, { ...defaultDispatcherOptions, ...noticeOptions });
  const purchases = new Purchases(ctx, apps, wallet, vault, noticeTargets, (n) => dispatcher.prepare(n));
  const notices = new Notices(ctx, apps, dispatcher, noticeTargets);
  const noticeRetries = new NoticeRetries(ctx, notices, dispatcher);
  const refunds = new Refunds(ctx, apps, purchases, vault, wallet);
  const oidcStore = new OidcStore(ctx.db, ctx.keys.idempotencyKey, ctx.keys.secretsKey, () => ctx.now());
  const oauthClients = new OAuthClients(ctx, apps);
  const signIns = new SignIns(ctx, apps, wallet);
  const connections = new Connections(ctx, apps, wallet, oidcStore);
  const identity = new Identity({ ctx, wallet, store: oidcStore, clients: oauthClients, signIns, connections }, tokenRate);
  return {
    ctx, noticeTargets, apps, vault, wallet, purchases, providerKeys, dispatcher, notices, noticeRetries, refunds, dashboard: new DashboardSummaries(ctx.db),
    identity, oauthClients, signIns, connections, oidcStore, testClock,
  };
}
