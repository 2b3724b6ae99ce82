// Where a notice may go. Merchants develop on localhost, so loopback is allowed,
// but never the provider's own ports: a notice URL pointing back at Paydesk
// would let a merchant page make Paydesk call its own console API (or loop
// forever), a server-side request forgery. The check runs at send time on the
// addresses the name resolves to, and the connection then uses exactly those
// addresses, so a DNS answer cannot change between the check and the connect.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ResolvedTarget {
  readonly url: URL;
  readonly port: number;
  /** Addresses the host resolved to, in the resolver's order. */
  readonly addresses: readonly { readonly address: string; readonly family: 4 | 6 }[];
}

export type TargetCheck =
  | { readonly ok: true; readonly target: ResolvedTarget }
  | { readonly ok: false; readonly verdict: 'forbidden_target' | 'dns_failed'; readonly reason: string };

/** 127.0.0.0/8, ::1, 0.0.0.0/8, :: and their IPv4-mapped forms: all reach this machine. */
export function isLocalAddress(address: string): boolean {
  let a = address.toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) a = mapped[1]!;
  if (isIP(a) === 4) {
    const first = Number(a.split('.')[0]);
    return first === 127 || first === 0;
  }
  if (isIP(a) === 6) {
    // Expand enough to compare: only :: and ::1 (any zero padding) are local.
    const groups = a.split('::');
    const head = groups[0] ? groups[0].split(':') : [];
    const tail = groups.length > 1 && groups[1] ? groups[1].split(':') : [];
    const missing = 8 - head.length - tail.length;
    const all = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail].map((g) => parseInt(g || '0', 16));
    return all.slice(0, 7).every((g) => g === 0) && (all[7] === 0 || all[7] === 1);
  }
  return false;
}

export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Resolves the URL's host and refuses what must never be called. */
export async function checkTarget(rawURL: string, ownPorts: ReadonlySet<number>): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(rawURL);
  } catch {
    return { ok: false, verdict: 'forbidden_target', reason: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, verdict: 'forbidden_target', reason: `only http and https URLs receive notices, not ${url.protocol}` };
  }
  const port = effectivePort(url);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    addresses = isIP(host) !== 0
      ? [{ address: host, family: isIP(host) as 4 | 6 }]
      : (await lookup(host, { all: true, verbatim: true })).map((r) => ({ address: r.address, family: r.family as 4 | 6 }));
  } catch (e) {
    return { ok: false, verdict: 'dns_failed', reason: `could not resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? 'lookup failed'}` };
  }
  if (addresses.length === 0) return { ok: false, verdict: 'dns_failed', reason: `${host} resolved to no address` };
  if (ownPorts.has(port) && addresses.some((a) => isLocalAddress(a.address))) {
    return { ok: false, verdict: 'forbidden_target', reason: `${host}:${port} is Paydesk itself; notices are never sent to the provider's own ports` };
  }
  return { ok: true, target: { url, port, addresses } };
}
