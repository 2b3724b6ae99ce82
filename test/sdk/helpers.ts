// What the provider side of a notice looks like, built from the conventions the
// SDK verifies (DESIGN section 6), plus small HTTP helpers. Real servers on
// 127.0.0.1 with ports the OS picks; each test closes what it opens.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, base64url, type CryptoKey } from 'jose';
import { CHARGEBACK_TYP, POSTBACK_TYP, secretKey } from '../../sdk/index.ts';

export const appKey = 'app_3f9c2b';
// 32 random bytes as base64url, the form Paydesk hands out.
export const secret = 'qT1pD0yq8e6m0P1Vq0b3fQ9yJk2nXl4Rz7WcA5sGhU8';
export const webhookSecret = `whsec_${Buffer.from('paydesk-notice-signing-key-32b!!').toString('base64')}`;

export const request = {
  id: 'pony-1',
  name: 'Elite Sparkle Pony',
  description: 'The shiniest pony of all!',
  pricePoint: 1,
  productData: 'session=xyz',
  postbackURL: 'http://127.0.0.1/postback',
  chargebackURL: 'http://127.0.0.1/chargeback',
} as const;

export interface NoticeClaims {
  readonly [claim: string]: unknown;
}

/** The claims of a good postback; override or delete (set undefined) any of them. */
export function noticeClaims(overrides: NoticeClaims = {}, now = new Date()): Record<string, unknown> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: 'paydesk',
    aud: appKey,
    typ: POSTBACK_TYP,
    iat,
    exp: iat + 3600,
    jti: `ntc_${randomUUID()}`,
    request,
    response: { transactionID: 'txn_0001', price: { amount: '0.99', currency: 'USD' } },
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

export function chargebackClaims(reason = 'refund', overrides: NoticeClaims = {}): Record<string, unknown> {
  return noticeClaims({
    typ: CHARGEBACK_TYP,
    response: { transactionID: 'txn_0001', price: { amount: '0.99', currency: 'USD' }, reason },
    ...overrides,
  });
}

/** Signs claims as a Paydesk provider would: HS256 with the app secret's UTF-8 bytes. */
export function signHS256(claims: Record<string, unknown>, key: Uint8Array = secretKey(secret)): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

export function signEdDSA(claims: Record<string, unknown>, privateKey: CryptoKey, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
}

/** An unsigned token: the "alg: none" attack. */
export function unsigned(claims: Record<string, unknown>): string {
  const part = (v: unknown): string => base64url.encode(JSON.stringify(v));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

export interface Delivery {
  readonly status: number;
  readonly body: string;
}

/** POSTs `notice=<JWT>` the way Paydesk delivers it, with optional Standard Webhooks headers. */
export async function deliver(url: string, body: string, headers: Readonly<Record<string, string>> = {}): Promise<Delivery> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    redirect: 'manual',
  });
  return { status: res.status, body: await res.text() };
}
