// The store's order book: one JSON file in the data folder, rewritten (atomic
// rename) on every change. An order is paid when the store's server has
// handled Paydesk's postback for it, never when the page says so.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export type OrderStatus = 'awaiting_payment' | 'paid' | 'charged_back';

export interface Order {
  readonly id: string;
  readonly productId: string;
  /** What the store asked for, in the form notices carry it ("1.99"). */
  readonly amount: string;
  readonly currency: string;
  readonly status: OrderStatus;
  readonly transactionID: string | null;
  readonly chargebackReason: string | null;
  readonly createdAt: string;
  readonly paidAt: string | null;
  readonly chargedBackAt: string | null;
}

/** The part of an order the page may see. */
export type PublicOrder = Pick<Order, 'id' | 'status' | 'transactionID' | 'chargebackReason' | 'paidAt' | 'chargedBackAt'>;

const MAX_ORDERS = 1000;

export class OrderBook {
  readonly #file: string | undefined;
  readonly #orders = new Map<string, Order>();

  /** `file` undefined keeps orders in memory only. */
  constructor(file?: string) {
    this.#file = file;
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { orders?: Order[] };
      for (const o of saved.orders ?? []) this.#orders.set(o.id, o);
    }
  }

  create(productId: string, amount: string, currency: string): Order {
    const order: Order = {
      id: `ord_${randomBytes(12).toString('base64url')}`, productId, amount, currency, status: 'awaiting_payment',
      transactionID: null, chargebackReason: null, createdAt: new Date().toISOString(), paidAt: null, chargedBackAt: null,
    };
    this.#orders.set(order.id, order);
    // Unpaid orders are cheap to lose: keep the book from growing without end.
    if (this.#orders.size > MAX_ORDERS) {
      const oldest = [...this.#orders.values()].find((o) => o.status === 'awaiting_payment');
      if (oldest) this.#orders.delete(oldest.id);
    }
    this.#save();
    return order;
  }

  get(id: string): Order | undefined {
    return this.#orders.get(id);
  }

  byTransaction(transactionID: string): Order | undefined {
    for (const o of this.#orders.values()) if (o.transactionID === transactionID) return o;
    return undefined;
  }

  markPaid(id: string, transactionID: string): Order {
    return this.#update(id, { status: 'paid', transactionID, paidAt: new Date().toISOString(), chargebackReason: null, chargedBackAt: null });
  }

  markChargedBack(id: string, reason: string): Order {
    return this.#update(id, { status: 'charged_back', chargebackReason: reason, chargedBackAt: new Date().toISOString() });
  }

  static toPublic(o: Order): PublicOrder {
    return { id: o.id, status: o.status, transactionID: o.transactionID, chargebackReason: o.chargebackReason, paidAt: o.paidAt, chargedBackAt: o.chargedBackAt };
  }

  #update(id: string, patch: Partial<Order>): Order {
    const o = this.#orders.get(id);
    if (!o) throw new Error(`no order ${id}`);
    const next = { ...o, ...patch };
    this.#orders.set(id, next);
    this.#save();
    return next;
  }

  #save(): void {
    if (!this.#file) return;
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ orders: [...this.#orders.values()] }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#file);
  }
}
