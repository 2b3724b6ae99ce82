// Merchant apps as OAuth clients (DESIGN section 8): the client_id is the app
// key; redirect URIs (matched exactly), public or confidential, allowed scopes.
// A confidential client's secret is sealed at rest like app secrets and leaves
// this module only when made or on an explicit reveal.
import { PaydeskError } from '../../contract/errors.ts';
import { oauthScopes, type OAuthScope } from '../../contract/api.ts';
import { newSecret } from '../ids.ts';
import { seal, unseal } from '../keys/master-key.ts';
import { iso, type Context } from '../context.ts';
import type { Apps } from '../apps/apps.ts';

export type ClientType = 'public' | 'confidential';

export interface OAuthSettings {
  readonly enabled: boolean;
  readonly type: ClientType;
  readonly redirectURIs: readonly string[];
  readonly allowedScopes: readonly OAuthScope[];
}

interface ClientRow {
  app_key: string; enabled: number; type: ClientType; redirect_uris: string; allowed_scopes: string;
  secret_sealed: string | null; secret_created_at: number | null; updated_at: number;
}

/** What an app that never set its OAuth settings is: a public client with no redirect URI yet, so it cannot sign anyone in. */
const defaults: OAuthSettings = { enabled: true, type: 'public', redirectURIs: [], allowedScopes: Object.keys(oauthScopes) as OAuthScope[] };

/** The client metadata oidc-provider validates (OpenID Connect Dynamic Client Registration names). */
export interface ClientMetadata {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly client_name: string;
  readonly redirect_uris: readonly string[];
  readonly response_types: readonly string[];
  readonly grant_types: readonly string[];
  readonly token_endpoint_auth_method: string;
  readonly application_type: 'web' | 'native';
  readonly scope: string;
}

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

export class OAuthClients {
  constructor(private readonly ctx: Context, private readonly apps: Apps) {}

  private row(key: string): ClientRow | undefined {
    return this.ctx.db.prepare('SELECT * FROM oauth_clients WHERE app_key = ?').get(key) as ClientRow | undefined;
  }

  private sealSecret(key: string, secret: string): string {
    return seal(this.ctx.keys.secretsKey, secret, `oauth-client-secret:${key}`);
  }

  get(key: string) {
    this.apps.get(key);
    const row = this.row(key);
    const s = row ? settingsOf(row) : defaults;
    return {
      clientId: key, enabled: s.enabled, type: s.type, redirectURIs: [...s.redirectURIs], allowedScopes: [...s.allowedScopes],
      secret: row?.secret_created_at != null && s.type === 'confidential' ? { createdAt: iso(row.secret_created_at)! } : null,
      updatedAt: iso(row?.updated_at),
    };
  }

  /** Sets the settings; a client turning confidential without a secret gets one, answered this once. */
  set(key: string, settings: OAuthSettings): { client: ReturnType<OAuthClients['get']>; secret: string | null } {
    this.apps.get(key);
    const now = this.ctx.now();
    const before = this.row(key);
    const secret = settings.type === 'confidential' && !before?.secret_sealed ? newSecret() : null;
    this.ctx.db.prepare(`INSERT INTO oauth_clients (app_key, enabled, type, redirect_uris, allowed_scopes, secret_sealed, secret_created_at, updated_at)
      VALUES (@key, @enabled, @type, @uris, @scopes, @sealed, @created, @now)
      ON CONFLICT (app_key) DO UPDATE SET enabled = excluded.enabled, type = excluded.type, redirect_uris = excluded.redirect_uris,
        allowed_scopes = excluded.allowed_scopes, secret_sealed = COALESCE(excluded.secret_sealed, secret_sealed),
        secret_created_at = COALESCE(excluded.secret_created_at, secret_created_at), updated_at = excluded.updated_at`).run({
      key, enabled: settings.enabled ? 1 : 0, type: settings.type, uris: JSON.stringify([...new Set(settings.redirectURIs)]),
      scopes: JSON.stringify([...new Set(settings.allowedScopes)]), sealed: secret ? this.sealSecret(key, secret) : null, created: secret ? now : null, now,
    });
    this.ctx.events.emit('app.oauth_updated', { key });
    return { client: this.get(key), secret };
  }

  /** A new secret; the old one is refused at once (a client has one secret: the library checks exactly one). */
  rotateSecret(key: string): { client: ReturnType<OAuthClients['get']>; secret: string } {
    const row = this.confidential(key);
    const secret = newSecret();
    const now = this.ctx.now();
    this.ctx.db.prepare('UPDATE oauth_clients SET secret_sealed = ?, secret_created_at = ?, updated_at = ? WHERE app_key = ?').run(this.sealSecret(key, secret), now, now, row.app_key);
    this.ctx.events.emit('app.oauth_updated', { key });
    return { client: this.get(key), secret };
  }

  revealSecret(key: string): { secret: string } {
    const row = this.confidential(key);
    return { secret: unseal(this.ctx.keys.secretsKey, row.secret_sealed!, `oauth-client-secret:${key}`) };
  }

  private confidential(key: string): ClientRow {
    this.apps.get(key);
    const row = this.row(key);
    if (!row || row.type !== 'confidential' || !row.secret_sealed) throw new PaydeskError('oauth_client_public');
    return row;
  }

  /**
   * The client as oidc-provider sees it, or undefined when the app is unknown,
   * disabled, not enabled as a client or has no redirect URI. Read on each use,
   * so an edit (a redirect URI removed, a secret rotated) counts at once.
   */
  metadata(key: string): ClientMetadata | undefined {
    const row = this.row(key);
    if (!row || row.enabled !== 1) return undefined;
    let app;
    try {
      app = this.apps.get(key);
    } catch {
      return undefined;
    }
    const s = settingsOf(row);
    if (app.status !== 'active' || s.redirectURIs.length === 0) return undefined;
    const confidential = s.type === 'confidential' && row.secret_sealed !== null;
    const native = s.redirectURIs.some((u) => !/^https?:/.test(u));
    return {
      client_id: key, client_name: app.name,
      ...(confidential ? { client_secret: unseal(this.ctx.keys.secretsKey, row.secret_sealed!, `oauth-client-secret:${key}`) } : {}),
      redirect_uris: s.redirectURIs, response_types: ['code'], grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE],
      token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
      application_type: native ? 'native' : 'web',
      // `payments` is the pay API's scope (a resource server's), not an OpenID one: checked by allows().
      scope: s.allowedScopes.filter((x) => x !== 'payments').join(' '),
    };
  }

  /** Whether this client may be granted `scope` (the provider asks for resource scopes, approve for all). */
  allows(key: string, scope: string): boolean {
    const row = this.row(key);
    return (row ? settingsOf(row) : defaults).allowedScopes.some((s) => s === scope);
  }
}

function settingsOf(row: ClientRow): OAuthSettings {
  return {
    enabled: row.enabled === 1, type: row.type,
    redirectURIs: JSON.parse(row.redirect_uris) as string[], allowedScopes: JSON.parse(row.allowed_scopes) as OAuthScope[],
  };
}
