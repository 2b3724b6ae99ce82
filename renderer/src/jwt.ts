// The Request lab signs a payment request in the browser as a merchant server
// would: HS256 with WebCrypto, the key being the UTF-8 bytes of the app secret
// string (as the server and the SDK use it). Nothing here stores a secret, and
// nothing here judges a token: the server's dry run does (POST /api/requests/verify).

const enc = new TextEncoder();

function base64urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Signs claims as an HS256 compact JWS with header {alg: HS256, typ: JWT}. */
export async function signHS256(claims: Readonly<Record<string, unknown>>, secret: string): Promise<string> {
  const header = base64urlEncode(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = base64urlEncode(enc.encode(JSON.stringify(claims)));
  const input = `${header}.${payload}`;
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(input)));
  return `${input}.${base64urlEncode(sig)}`;
}
