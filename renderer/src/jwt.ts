// Compact JWS in the browser: decode without trust, sign and verify HS256 with
// WebCrypto (key = the UTF-8 bytes of the app secret string, as the server and
// the SDK use it). Nothing here stores a secret.

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function base64urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly parts: readonly [string, string, string];
}

export type DecodeResult =
  | { readonly ok: true; readonly jwt: DecodedJwt }
  | { readonly ok: false; readonly reason: string; readonly header?: Readonly<Record<string, unknown>> };

function decodeJson(part: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = dec.decode(base64urlDecode(part));
  } catch {
    throw new Error(`the ${what} is not base64url-encoded UTF-8`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`the ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Decodes a compact JWS without checking anything but its shape. */
export function decodeJwt(token: string): DecodeResult {
  const t = token.trim();
  const parts = t.split('.');
  if (parts.length !== 3) return { ok: false, reason: `a compact JWS has 3 dot-separated parts; this has ${parts.length}` };
  let header: Record<string, unknown>;
  try {
    header = decodeJson(parts[0]!, 'header');
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  try {
    const payload = decodeJson(parts[1]!, 'payload');
    return { ok: true, jwt: { header, payload, parts: [parts[0]!, parts[1]!, parts[2]!] } };
  } catch (e) {
    return { ok: false, reason: (e as Error).message, header };
  }
}

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** Signs claims as an HS256 compact JWS with header {alg: HS256, typ: JWT}. */
export async function signHS256(claims: Readonly<Record<string, unknown>>, secret: string): Promise<string> {
  const header = base64urlEncode(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = base64urlEncode(enc.encode(JSON.stringify(claims)));
  const input = `${header}.${payload}`;
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), enc.encode(input)));
  return `${input}.${base64urlEncode(sig)}`;
}

/** True when the token's HS256 signature was made with this secret. */
export async function verifyHS256(token: string, secret: string): Promise<boolean> {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return false;
  let sig: Uint8Array;
  try {
    sig = base64urlDecode(parts[2]!);
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), sig as Uint8Array<ArrayBuffer>, enc.encode(`${parts[0]}.${parts[1]}`));
}

export function byteLength(s: string): number {
  return enc.encode(s).length;
}
