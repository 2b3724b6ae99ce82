// The domain services of one running server, wired together once.
import type { Context } from './context.ts';
import { Apps } from './apps/apps.ts';
import { Vault } from './vault/vault.ts';
import { Wallet } from './wallet/wallet.ts';
import { Purchases } from './purchases/purchases.ts';

export interface Services {
  readonly ctx: Context;
  readonly apps: Apps;
  readonly vault: Vault;
  readonly wallet: Wallet;
  readonly purchases: Purchases;
}

export function makeServices(ctx: Context, options: { slowChargeMs?: number } = {}): Services {
  const apps = new Apps(ctx);
  const vault = new Vault(ctx.vaultDb, { now: () => ctx.now(), ...options });
  const wallet = new Wallet(ctx, vault);
  const purchases = new Purchases(ctx, apps, wallet, vault);
  return { ctx, apps, vault, wallet, purchases };
}
