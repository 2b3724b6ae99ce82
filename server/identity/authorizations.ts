// Sign-ins waiting in the wallet (DESIGN section 8): each interaction the
// provider starts (login and consent) becomes a pending authorization the
// buyer approves or denies in Paydesk, never on a page the merchant opened.
// The decision itself is handed to the provider by server/identity/provider.ts.
import { EventEmitter } from 'node:events';
import { PaydeskError } from '../../contract/errors.ts';
import { oauthScopes, type OAuthScope } from '../../contract/api.ts';
import { newConfirmationCode, newId } from '../ids.ts';
import { iso, type Context } from '../context.ts';
import type { Apps } from '../apps/apps.ts';
import type { Wallet } from '../wallet/wallet.ts';

export type SignInStatus = 'pending' | 'approved' | 'denied' | 'expired';
export type SignInFlow = 'code' | 'device';

interface SignInRow {
  id: string; interaction_uid: string; code: string; flow: SignInFlow; app_key: string; scopes: string; login_hint: string | null;
  session_buyer_id: string | null; status: SignInStatus; buyer_id: string | null; remember: number | null;
  created_at: number; expires_at: number; decided_at: number | null;
}

export interface NewSignIn {
  readonly interactionUid: string;
  readonly flow: SignInFlow;
  readonly appKey: string;
  readonly scopes: readonly string[];
  readonly loginHint: string | null;
  /** The buyer the browser's provider session is already signed in as, if any. */
  readonly sessionBuyerId: string | null;
  readonly expiresAt: number;
}

export const scopeWords = (scopes: readonly string[]) =>
  scopes.filter((s): s is OAuthScope => s in oauthScopes).map((scope) => ({ scope, description: oauthScopes[scope] }));

export class SignIns {
  /** Wakes the authorization page's long polls when a sign-in is decided. */
  private readonly decided = new EventEmitter();

  constructor(private readonly ctx: Context, private readonly apps: Apps, private readonly wallet: Wallet) {
    this.decided.setMaxListeners(0);
  }

  open(input: NewSignIn): string {
    const existing = this.ctx.db.prepare('SELECT id FROM sign_ins WHERE interaction_uid = ?').get(input.interactionUid) as { id: string } | undefined;
    if (existing) return existing.id;
    const id = newId('sgn', 16);
    this.ctx.db.prepare(`INSERT INTO sign_ins (id, interaction_uid, code, flow, app_key, scopes, login_hint, session_buyer_id, status, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`).run(id, input.interactionUid, newConfirmationCode(), input.flow, input.appKey,
      JSON.stringify(input.scopes), input.loginHint, input.sessionBuyerId, this.ctx.now(), input.expiresAt);
    this.ctx.events.emit('authorization.pending', { id, appKey: input.appKey, flow: input.flow });
    return id;
  }

  private row(id: string): SignInRow {
    const row = this.ctx.db.prepare('SELECT * FROM sign_ins WHERE id = ?').get(id) as SignInRow | undefined;
    if (!row) throw new PaydeskError('authorization_not_found');
    return this.expireIfDue(row);
  }

  byInteraction(uid: string) {
    const row = this.ctx.db.prepare('SELECT * FROM sign_ins WHERE interaction_uid = ?').get(uid) as SignInRow | undefined;
    return row ? this.view(this.expireIfDue(row)) : undefined;
  }

  private expireIfDue(row: SignInRow): SignInRow {
    if (row.status !== 'pending' || row.expires_at > this.ctx.now()) return row;
    this.ctx.db.prepare("UPDATE sign_ins SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'").run(this.ctx.now(), row.id);
    this.ctx.events.emit('authorization.expired', { id: row.id, appKey: row.app_key });
    return { ...row, status: 'expired' };
  }

  /** The buyer preselected: login_hint (an email or a buyer id), else the provider session's, else the wallet's. */
  private preselected(row: SignInRow): string | null {
    if (row.buyer_id) return row.buyer_id;
    const hint = row.login_hint;
    const hinted = hint ? (this.wallet.buyerContact(hint)?.id ?? this.wallet.buyerIdByEmail(hint)) : undefined;
    return hinted ?? row.session_buyer_id ?? this.wallet.session()?.buyerId ?? null;
  }

  private view(row: SignInRow) {
    const buyerId = this.preselected(row);
    return {
      id: row.id, code: row.code, status: row.status, flow: row.flow,
      seller: this.apps.seller(row.app_key),
      scopes: scopeWords(JSON.parse(row.scopes) as string[]),
      buyer: buyerId ? this.wallet.buyerContact(buyerId) ?? null : null,
      loginHint: row.login_hint,
      buyers: this.wallet.listBuyers().map((b) => ({ id: b.id, email: b.email, name: b.name })),
      createdAt: iso(row.created_at)!, expiresAt: iso(row.expires_at)!, decidedAt: iso(row.decided_at),
    };
  }

  get(id: string) {
    return this.view(this.row(id));
  }

  list(status?: SignInStatus) {
    const rows = this.ctx.db.prepare(`SELECT * FROM sign_ins ${status ? 'WHERE status = ?' : ''} ORDER BY created_at DESC, id LIMIT 200`)
      .all(...(status ? [status] : [])) as SignInRow[];
    return rows.map((r) => this.expireIfDue(r)).filter((r) => !status || r.status === status).map((r) => this.view(r));
  }

  /** The provider interaction of a pending sign-in: what deny needs (no buyer: refusing names nobody). */
  pendingInteraction(id: string): string {
    const row = this.row(id);
    if (row.status !== 'pending') throw new PaydeskError('authorization_not_pending');
    return row.interaction_uid;
  }

  /** What approve needs before it grants: the pending row, the buyer chosen. */
  claim(id: string, buyerId?: string): { uid: string; appKey: string; scopes: readonly string[]; buyerId: string } {
    const row = this.row(id);
    if (row.status !== 'pending') throw new PaydeskError('authorization_not_pending');
    const chosen = buyerId ?? this.preselected(row);
    if (!chosen) throw new PaydeskError('wallet_signed_out');
    if (!this.wallet.buyerContact(chosen)) throw new PaydeskError('buyer_not_found');
    return { uid: row.interaction_uid, appKey: row.app_key, scopes: JSON.parse(row.scopes) as string[], buyerId: chosen };
  }

  decide(id: string, decision: { status: 'approved'; buyerId: string; remember: boolean } | { status: 'denied' }) {
    const row = this.row(id);
    const changed = this.ctx.db.prepare("UPDATE sign_ins SET status = ?, buyer_id = ?, remember = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(
      decision.status, decision.status === 'approved' ? decision.buyerId : null, decision.status === 'approved' ? Number(decision.remember) : null, this.ctx.now(), id);
    if (changed.changes === 0) throw new PaydeskError('authorization_not_pending');
    if (decision.status === 'approved') this.ctx.events.emit('authorization.approved', { id, appKey: row.app_key, buyerId: decision.buyerId });
    else this.ctx.events.emit('authorization.denied', { id, appKey: row.app_key });
    this.decided.emit(row.interaction_uid);
    return this.get(id);
  }

  /** Resolves once the sign-in of this interaction is decided, or after `ms` (the page asks again). */
  wait(uid: string, ms: number, signal: AbortSignal): Promise<SignInStatus | undefined> {
    const now = this.byInteraction(uid);
    if (!now || now.status !== 'pending') return Promise.resolve(now?.status);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.decided.off(uid, done);
        signal.removeEventListener('abort', done);
        resolve(this.byInteraction(uid)?.status);
      };
      const timer = setTimeout(done, ms);
      this.decided.on(uid, done);
      signal.addEventListener('abort', done);
    });
  }
}
