// The price-tier table of the mozPay pricePoint form: a tier id maps to one
// price per currency. Tier 0 is free. docs/price-tiers.md is generated from
// this table and GET /api/price-tiers serves it.
import type { Money } from '../../contract/money.ts';

export interface PriceTier {
  readonly id: string;
  readonly prices: Readonly<Record<string, number>>;
}

function tier(id: number, usd: number, eur: number, gbp: number, brl: number, jpy: number): PriceTier {
  return { id: String(id), prices: { USD: usd, EUR: eur, GBP: gbp, BRL: brl, JPY: jpy } };
}

export const priceTiers: readonly PriceTier[] = [
  tier(0, 0, 0, 0, 0, 0),
  tier(1, 99, 89, 79, 399, 120),
  tier(2, 199, 179, 159, 799, 240),
  tier(3, 299, 279, 249, 1199, 360),
  tier(4, 399, 369, 329, 1599, 480),
  tier(5, 499, 459, 409, 1999, 600),
  tier(6, 699, 649, 579, 2799, 840),
  tier(7, 999, 929, 829, 3999, 1200),
  tier(8, 1299, 1199, 1079, 5199, 1560),
  tier(9, 1499, 1399, 1249, 5999, 1800),
  tier(10, 1999, 1849, 1649, 7999, 2400),
  tier(11, 2499, 2299, 2049, 9999, 3000),
  tier(12, 2999, 2799, 2499, 11999, 3600),
  tier(13, 4999, 4599, 4099, 19999, 6000),
];

/** pricePoint may arrive as 3 or "3"; anything else is unknown. */
export function findTier(pricePoint: unknown): PriceTier | undefined {
  const id = typeof pricePoint === 'number' && Number.isInteger(pricePoint) ? String(pricePoint)
    : typeof pricePoint === 'string' && /^\d{1,4}$/.test(pricePoint) ? String(Number(pricePoint)) : undefined;
  return id === undefined ? undefined : priceTiers.find((t) => t.id === id);
}

export function tierPrice(t: PriceTier, currency: string): Money | undefined {
  const amount = t.prices[currency];
  return amount === undefined ? undefined : { amount, currency };
}
