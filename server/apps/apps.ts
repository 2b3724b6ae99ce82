// Merchant apps and their secrets (DESIGN section 2). Secrets are sealed with a
// key derived from the master key; plaintext leaves this module only when the
// app is created or rotated, or on an explicit reveal.
import { PaydeskError } from '../../contract/errors.ts';
import { randomBytes } from 'node:crypto';
import { newId, newSecret } from '../ids.ts';
import { seal, unseal } from '../keys/master-key.ts';
import { immediate } from '../db/open.ts';
import type { Tx } from '../db/tx.ts';
import { iso, type Context } from '../context.ts';
import type { AppForVerification, SecretState } from '../requests/verify.ts';
import type { NoticeTargets } from '../notices/target.ts';

export type AppStatus = 'active' | 'disabled';
export type AppAccess = 'live' | 'simulate';

export interface NewApp {
  readonly name: string;
  readonly homepage: string;
  readonly contactEmail: string;
  readonly postbackURL: string;
  readonly chargebackURL: string;
  readonly access: AppAccess;
}

/** How notices to the app are signed: its HS256 secret, or the provider's Ed25519 key (JWKS). */
export type NoticeSigning = 'hmac' | 'eddsa';

export type AppPatch = Partial<NewApp & { status: AppStatus; noticeSigning: NoticeSigning }>;

interface AppRow {
  key: string; name: string; homepage: string; contact_email: string; postback_url: string; chargeback_url: string;
  status: AppStatus; access: AppAccess; webhook_secret_sealed: string; sales_count: number; refunded_count: number;
  created_at: number; updated_at: number; notice_signing: NoticeSigning;
}
interface SecretRow { id: string; app_key: string; secret_sealed: string; created_at: number; expires_at: number | null; revoked_at: number | null }

/** A seller is flagged new to buyers for its first 30 days or first 5 sales. */
const NEW_SELLER_MS = 30 * 24 * 3600_000;
const NEW_SELLER_SALES = 5;

function refundRate(row: Pick<AppRow, 'sales_count' | 'refunded_count'>): number {
  return row.sales_count === 0 ? 0 : row.refunded_count / row.sales_count;
}

function secretState(s: Pick<SecretRow, 'expires_at' | 'revoked_at'>, now: number): SecretState {
  if (s.revoked_at !== null) return 'revoked';
  if (s.expires_at !== null && s.expires_at <= now) return 'expired';
  return 'active';
}

/** What verification and notice signing need of an app, secrets unsealed; see Apps.material(). */
interface AppMaterial {
  readonly row: AppRow;
  readonly secrets: readonly (SecretRow & { readonly plain: string })[];
  readonly webhookSecret: string;
}

/** Apps whose material is kept; a merchant has a handful, a test run a few hundred. */
const MATERIAL_CACHE_SIZE = 1000;

export class Apps {
  /**
   * Every payment request is verified against its app's secrets, and every notice
   * signed with them: reading and unsealing them each time cost more than the
   * rest of the verification (bench/purchases.ts). Every change to an app or its
   * secrets goes through this class and forgets the app's entry; the reputation
   * counters (countSale, countRefundedSale) are not part of it: seller() reads them.
   */
  private readonly materials = new Map<string, AppMaterial>();

  constructor(
    private readonly ctx: Context,
    private readonly targets: NoticeTargets,
  ) {}

  private material(key: string): AppMaterial | undefined {
    const cached = this.materials.get(key);
    if (cached) return cached;
    const row = this.ctx.db.prepare('SELECT * FROM apps WHERE key = ?').get(key) as AppRow | undefined;
    if (!row) return undefined;
    const m: AppMaterial = {
      row,
      secrets: this.secrets(key).map((s) => ({ ...s, plain: this.unsealSecret(key, s.secret_sealed) })),
      webhookSecret: unseal(this.ctx.keys.secretsKey, row.webhook_secret_sealed, `webhook-secret:${key}`),
    };
    if (this.materials.size >= MATERIAL_CACHE_SIZE) this.materials.delete(this.materials.keys().next().value!);
    this.materials.set(key, m);
    return m;
  }

  private sealSecret(appKey: string, secret: string): string {
    return seal(this.ctx.keys.secretsKey, secret, `app-secret:${appKey}`);
  }

  private unsealSecret(appKey: string, sealed: string): string {
    return unseal(this.ctx.keys.secretsKey, sealed, `app-secret:${appKey}`);
  }

  create(input: NewApp) {
    // Stored as parsed: the form every later check and the connection see.
    const postbackURL = this.targets.accept(input.postbackURL, 'postbackURL');
    const chargebackURL = this.targets.accept(input.chargebackURL, 'chargebackURL');
    const now = this.ctx.now();
    const key = newId('app', 16);
    const secret = newSecret();
    const secretId = newId('sec', 12);
    // Standard Webhooks: whsec_ + standard base64 of the key bytes.
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    immediate(this.ctx.db, () => {
      this.ctx.db.prepare(`INSERT INTO apps (key, name, homepage, contact_email, postback_url, chargeback_url, status, access, webhook_secret_sealed, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`).run(key, input.name, input.homepage, input.contactEmail,
        postbackURL, chargebackURL, input.access, seal(this.ctx.keys.secretsKey, webhookSecret, `webhook-secret:${key}`), now, now);
      this.ctx.db.prepare('INSERT INTO app_secrets (id, app_key, secret_sealed, created_at) VALUES (?, ?, ?, ?)')
        .run(secretId, key, this.sealSecret(key, secret), now);
    });
    this.ctx.events.emit('app.created', { key });
    return { app: this.get(key), secret: { id: secretId, secret }, webhookSecret };
  }

  private row(key: string): AppRow {
    const row = this.ctx.db.prepare('SELECT * FROM apps WHERE key = ?').get(key) as AppRow | undefined;
    if (!row) throw new PaydeskError('app_not_found');
    return row;
  }

  private secrets(key: string): SecretRow[] {
    return this.ctx.db.prepare('SELECT * FROM app_secrets WHERE app_key = ? ORDER BY created_at DESC, id').all(key) as SecretRow[];
  }

  private view(row: AppRow) {
    const now = this.ctx.now();
    return {
      key: row.key,
      name: row.name,
      homepage: row.homepage,
      contactEmail: row.contact_email,
      postbackURL: row.postback_url,
      chargebackURL: row.chargeback_url,
      status: row.status,
      access: row.access,
      noticeSigning: row.notice_signing,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
      sales: row.sales_count,
      refundRate: refundRate(row),
      secrets: this.secrets(row.key).map((s) => ({
        id: s.id,
        state: secretState(s, now),
        createdAt: iso(s.created_at)!,
        expiresAt: iso(s.expires_at),
        revokedAt: iso(s.revoked_at),
      })),
    };
  }

  get(key: string) {
    return this.view(this.row(key));
  }

  list() {
    const rows = this.ctx.db.prepare('SELECT * FROM apps ORDER BY created_at DESC, rowid DESC').all() as AppRow[];
    return rows.map((r) => this.view(r));
  }

  update(key: string, patch: AppPatch) {
    const row = this.row(key);
    const next = {
      name: patch.name ?? row.name,
      homepage: patch.homepage ?? row.homepage,
      contact_email: patch.contactEmail ?? row.contact_email,
      postback_url: patch.postbackURL === undefined ? row.postback_url : this.targets.accept(patch.postbackURL, 'postbackURL'),
      chargeback_url: patch.chargebackURL === undefined ? row.chargeback_url : this.targets.accept(patch.chargebackURL, 'chargebackURL'),
      access: patch.access ?? row.access,
      status: patch.status ?? row.status,
      notice_signing: patch.noticeSigning ?? row.notice_signing,
    };
    this.ctx.db.prepare(`UPDATE apps SET name = @name, homepage = @homepage, contact_email = @contact_email,
      postback_url = @postback_url, chargeback_url = @chargeback_url, access = @access, status = @status, notice_signing = @notice_signing, updated_at = @now
      WHERE key = @key`).run({ ...next, now: this.ctx.now(), key });
    this.materials.delete(key);
    this.ctx.events.emit('app.updated', { key, status: next.status });
    return this.get(key);
  }

  /** A new secret; every other active secret keeps working for `graceSeconds`, then is refused. */
  rotate(key: string, graceSeconds: number = this.ctx.config.defaultGraceSeconds) {
    this.row(key);
    const now = this.ctx.now();
    const secret = newSecret();
    const id = newId('sec', 12);
    immediate(this.ctx.db, () => {
      this.ctx.db.prepare(`UPDATE app_secrets SET expires_at = MIN(COALESCE(expires_at, @until), @until)
        WHERE app_key = @key AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)`)
        .run({ key, now, until: now + graceSeconds * 1000 });
      this.ctx.db.prepare('INSERT INTO app_secrets (id, app_key, secret_sealed, created_at) VALUES (?, ?, ?, ?)')
        .run(id, key, this.sealSecret(key, secret), now);
    });
    this.materials.delete(key);
    this.ctx.events.emit('app.secret_rotated', { key, secretId: id });
    return { app: this.get(key), secret: { id, secret } };
  }

  revoke(key: string, secretId: string) {
    this.row(key);
    const now = this.ctx.now();
    immediate(this.ctx.db, () => {
      const all = this.secrets(key);
      const s = all.find((x) => x.id === secretId);
      if (!s) throw new PaydeskError('secret_not_found');
      if (s.revoked_at !== null) throw new PaydeskError('secret_already_revoked');
      const othersActive = all.some((x) => x.id !== secretId && secretState(x, now) === 'active');
      if (secretState(s, now) === 'active' && !othersActive) throw new PaydeskError('secret_last_active');
      this.ctx.db.prepare('UPDATE app_secrets SET revoked_at = ? WHERE id = ?').run(now, secretId);
    });
    this.materials.delete(key);
    this.ctx.events.emit('app.secret_revoked', { key, secretId });
    return this.get(key);
  }

  /** Plaintext of one secret, on an explicit action in the console only. */
  reveal(key: string, secretId: string): { id: string; secret: string } {
    const s = this.secrets(key).find((x) => x.id === secretId);
    if (!s) throw new PaydeskError(this.ctx.db.prepare('SELECT 1 FROM apps WHERE key = ?').get(key) ? 'secret_not_found' : 'app_not_found');
    return { id: s.id, secret: this.unsealSecret(key, s.secret_sealed) };
  }

  webhookSecret(key: string): string {
    const m = this.material(key);
    if (!m) throw new PaydeskError('app_not_found');
    return m.webhookSecret;
  }

  /** How this app's notices are signed. */
  noticeSigning(key: string): NoticeSigning {
    const m = this.material(key);
    if (!m) throw new PaydeskError('app_not_found');
    return m.row.notice_signing;
  }

  /** A sale of real money, counted for the seller's reputation inside the purchase's completing transaction. */
  countSale(tx: Tx, key: string): void {
    tx.prepare('UPDATE apps SET sales_count = sales_count + 1 WHERE key = ?').run(key);
  }

  /** A sale refunded for the first time (the refund rate counts each sale once), inside the refund's transaction. */
  countRefundedSale(tx: Tx, key: string): void {
    tx.prepare('UPDATE apps SET refunded_count = refunded_count + 1 WHERE key = ?').run(key);
  }

  /** The names of these apps, for lists of their transactions (one query for a page). */
  names(keys: readonly string[]): ReadonlyMap<string, string> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    const rows = this.ctx.db.prepare(`SELECT key, name FROM apps WHERE key IN (${unique.map(() => '?').join(', ')})`).all(...unique) as { key: string; name: string }[];
    return new Map(rows.map((r) => [r.key, r.name]));
  }

  /** What a buyer is shown about the seller before confirming (DESIGN section 4): one row read, no secrets. */
  seller(key: string) {
    const row = this.row(key);
    return {
      appKey: row.key, name: row.name, homepage: row.homepage, contactEmail: row.contact_email, registeredAt: iso(row.created_at)!,
      sales: row.sales_count, refundRate: refundRate(row),
      newSeller: this.ctx.now() - row.created_at < NEW_SELLER_MS || row.sales_count < NEW_SELLER_SALES,
    };
  }

  /**
   * Why a pending purchase of this app, signed with this secret, may no longer be
   * confirmed (a seller disabled since, a secret revoked as leaked), or undefined.
   * It runs on every confirmation.
   */
  saleRefusal(key: string, secretId: string | null): 'request_app_disabled' | 'request_secret_revoked' | undefined {
    const m = this.material(key);
    if (!m) throw new PaydeskError('app_not_found');
    if (m.row.status !== 'active') return 'request_app_disabled';
    if (m.secrets.some((s) => s.id === secretId && s.revoked_at !== null)) return 'request_secret_revoked';
    return undefined;
  }

  forVerification(key: string): AppForVerification | undefined {
    const m = this.material(key);
    if (!m) return undefined;
    const { row } = m;
    // A secret's state moves with the clock (a grace period ends): computed on every call.
    const now = this.ctx.now();
    const order: Record<SecretState, number> = { active: 0, expired: 1, revoked: 2 };
    const secrets = m.secrets
      .map((s) => ({ id: s.id, secret: s.plain, state: secretState(s, now) }))
      .sort((a, b) => order[a.state] - order[b.state]);
    return { key, status: row.status, access: row.access, postbackURL: row.postback_url, chargebackURL: row.chargeback_url, secrets };
  }
}

export type AppView = ReturnType<Apps['get']>;
