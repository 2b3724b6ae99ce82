// The part of oidc-provider 9 that Paydesk uses, typed: the package ships no
// declarations (and @types/oidc-provider cannot be installed here). Kept to
// what server/identity/ calls, so a wrong call still fails to compile.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    readonly [key: string]: unknown;
    readonly jti?: string;
    readonly grantId?: string;
    readonly uid?: string;
    readonly userCode?: string;
    readonly consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface AccessTokenModel {
    readonly jti: string;
    readonly accountId: string;
    readonly clientId: string;
    readonly scope?: string;
    readonly aud?: string | readonly string[];
    readonly grantId?: string;
    readonly isExpired: boolean;
  }

  export interface InteractionModel {
    readonly uid: string;
    readonly exp: number;
    readonly returnTo: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly prompt: { readonly name: string; readonly details: Readonly<Record<string, unknown>> };
    readonly session?: { readonly accountId?: string };
    readonly grantId?: string;
    readonly deviceCode?: string;
    result?: Readonly<Record<string, unknown>>;
    save(ttl: number): Promise<string>;
  }

  export interface GrantModel {
    readonly jti: string;
    readonly accountId?: string;
    readonly clientId?: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  export interface ClientModel {
    readonly clientId: string;
    readonly redirectUris: readonly string[];
    grantTypeAllowed(type: string): boolean;
  }

  export interface KoaContextish {
    readonly oidc: {
      readonly route?: string;
      readonly params?: Readonly<Record<string, unknown>>;
      readonly result?: { readonly consent?: { readonly grantId?: string } };
      readonly session?: { readonly accountId?: string; grantIdFor(clientId: string): string | undefined };
      readonly client?: ClientModel;
      readonly provider: Provider;
      readonly entities: Readonly<Record<string, unknown>>;
    };
    body: unknown;
    type: string;
    status: number;
  }

  export class Provider {
    constructor(issuer: string, configuration: Readonly<Record<string, unknown>>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: readonly unknown[]) => void): this;
    readonly Interaction: { find(uid: string): Promise<InteractionModel | undefined> };
    readonly Grant: { new (init: { accountId: string; clientId: string }): GrantModel; find(id: string): Promise<GrantModel | undefined> };
    readonly AccessToken: { find(value: string): Promise<AccessTokenModel | undefined> };
  }

  export const errors: {
    readonly InvalidTarget: new (description?: string) => Error;
  };

}
