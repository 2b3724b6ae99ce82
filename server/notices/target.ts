// Where a notice may go: the one guard for every notice address, whichever way
// it was written (an app's registered URLs, a payment request's postbackURL or
// chargebackURL, a test notice, a redelivery or resend) and again at send time.
//
// Merchants develop on localhost, so loopback is allowed, but never on the
// provider's own ports: a notice URL pointing back at Paydesk would let a
// merchant page make Paydesk call its own console API (or loop forever), a
// server-side request forgery. Addresses that are never a merchant's server
// (link-local, cloud metadata, unspecified, multicast, broadcast) are refused
// on every port. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10)
// are allowed: a local tool's merchants may well run on their LAN or a VPN.
//
// An address is judged by its bytes, never by its spelling: the URL parser has
// already turned 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 into 127.0.0.1, and an
// IPv6 address that carries an IPv4 one (mapped, compatible, translated, NAT64)
// is judged by that IPv4 address too, since that is where the packets can end up.
//
// Literal addresses are judged when the URL is written, so a URL that can never
// work is refused at once with a code; names are resolved and judged at send
// time, and the connection then uses exactly the addresses that were checked,
// so a DNS answer cannot change between the check and the connect.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { PaydeskError } from '../../contract/errors.ts';

export interface ResolvedTarget {
  readonly url: URL;
  readonly port: number;
  /** Addresses the host resolved to, in the resolver's order. */
  readonly addresses: readonly { readonly address: string; readonly family: 4 | 6 }[];
}

export type TargetCheck =
  | { readonly ok: true; readonly target: ResolvedTarget }
  | { readonly ok: false; readonly verdict: 'forbidden_target' | 'dns_failed'; readonly reason: string };

/** What a name resolves to; `lookup(host, {all: true, verbatim: true})` unless a test injects another. */
export type Resolver = (host: string) => Promise<readonly { readonly address: string; readonly family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** How an address is treated as a notice target, with a phrase that says what it is. */
export interface AddressClass {
  /** loopback: allowed except on Paydesk's own ports. */
  readonly kind: 'allowed' | 'loopback' | 'forbidden';
  readonly reason: string;
}

function blockList(subnets: readonly string[]): BlockList {
  const list = new BlockList();
  for (const s of subnets) {
    const [net, bits] = s.split('/') as [string, string];
    list.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/**
 * Refused on every port, first match wins (so 169.254.169.254 says "metadata").
 * Metadata services: 169.254.169.254 (AWS, GCP, Azure, OpenStack, DigitalOcean,
 * Oracle) and 169.254.170.2 (AWS ECS) are link-local anyway; fd00:ec2::254 (AWS
 * over IPv6) would pass as private, 100.100.100.200 (Alibaba Cloud) as shared
 * address space, 168.63.129.16 (Azure WireServer) as public and 192.0.0.192
 * (Oracle Cloud Classic) as special-purpose, so each is named here.
 */
const FORBIDDEN: readonly { readonly what: string; readonly list: BlockList }[] = [
  { what: 'a cloud metadata service address', list: blockList(['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32', '168.63.129.16/32', '192.0.0.192/32', 'fd00:ec2::254/128']) },
  { what: 'a link-local address', list: blockList(['169.254.0.0/16', 'fe80::/10']) },
  { what: 'the unspecified address ("this host")', list: blockList(['0.0.0.0/8', '::/128']) },
  { what: 'a multicast address', list: blockList(['224.0.0.0/4', 'ff00::/8']) },
  { what: 'the broadcast address', list: blockList(['255.255.255.255/32']) },
  { what: 'a reserved address (240.0.0.0/4)', list: blockList(['240.0.0.0/4']) },
];

const LOOPBACK = blockList(['127.0.0.0/8', '::1/128']);

/** The 16 bytes of a valid IPv6 address (zone id already removed), dotted IPv4 tail included. */
function ipv6Bytes(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    bytes.set(dotted.slice(1).map(Number), 12);
    text = `${text.slice(0, dotted.index)}0:0`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    if (dotted && i >= 6) return;
    const v = parseInt(g, 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  });
  return bytes;
}

/**
 * RFC 6052 section 2.2: where the IPv4 address sits in a NAT64 address for
 * prefix lengths 48, 56, 64 and 96 (byte 8 is the reserved u octet). The local-use
 * prefix 64:ff9b:1::/48 (RFC 8215) may be cut at any of them, so each layout
 * whose other bits are zero is a candidate; the well-known 64:ff9b::/96 has one.
 */
const NAT64_LAYOUTS: readonly (readonly number[])[] = [[6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12], [12, 13, 14, 15]];

/** The IPv4 addresses an IPv6 address carries, where packets to it may end up. */
function embeddedIPv4(b: Uint8Array): string[] {
  const zero = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const at = (idx: readonly number[]) => idx.map((i) => b[i]).join('.');
  const last = at([12, 13, 14, 15]);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return [last]; // ::ffff:0:0/96, IPv4-mapped
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return [last]; // ::ffff:0:0:0/96, IPv4-translated (RFC 2765)
  if (zero(0, 12)) return [last]; // ::/96, IPv4-compatible (deprecated, judged as what it names)
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b;
  if (nat64 && zero(4, 12)) return [last]; // 64:ff9b::/96
  if (nat64 && b[4] === 0 && b[5] === 1) { // 64:ff9b:1::/48
    const readings = NAT64_LAYOUTS.filter((idx, n) => n === NAT64_LAYOUTS.length - 1 || (b[8] === 0 && zero(idx[3]! + 1, 16))).map(at);
    // One layout's zero padding reads as 0.x.x.x in another; a translator sends
    // nothing there, so such a reading counts only when it is the only one.
    const meaningful = readings.filter((a) => !a.startsWith('0.'));
    return meaningful.length > 0 ? meaningful : readings;
  }
  return [];
}

const severity = { allowed: 0, loopback: 1, forbidden: 2 } as const;

/** What the address itself is, by the tables above; the phrase completes "<address> is …". */
function judge(address: string, family: 'ipv4' | 'ipv6'): { readonly kind: AddressClass['kind']; readonly what: string } {
  for (const rule of FORBIDDEN) if (rule.list.check(address, family)) return { kind: 'forbidden', what: rule.what };
  if (LOOPBACK.check(address, family)) return { kind: 'loopback', what: 'a loopback address (this machine)' };
  return { kind: 'allowed', what: 'a public or private address' };
}

/** The notice guard's judgement of one IP address (IPv4, or IPv6 with or without brackets and zone id). */
export function classifyAddress(raw: string): AddressClass {
  let address = raw.toLowerCase();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  address = address.replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 0) return { kind: 'forbidden', reason: `${raw} is not an IP address` };
  const own = judge(address, family === 4 ? 'ipv4' : 'ipv6');
  let worst: AddressClass = { kind: own.kind, reason: `${address} is ${own.what}` };
  if (family === 4 || own.kind !== 'allowed') return worst;
  for (const v4 of embeddedIPv4(ipv6Bytes(address))) {
    const c = judge(v4, 'ipv4');
    if (severity[c.kind] > severity[worst.kind]) worst = { kind: c.kind, reason: `${address} carries the IPv4 address ${v4}, ${c.what}` };
  }
  return worst;
}

/** Why this address may not receive a notice on this port, or undefined when it may. */
function refusal(address: string, port: number, ownPorts: ReadonlySet<number>): string | undefined {
  const c = classifyAddress(address);
  if (c.kind === 'forbidden') return c.reason;
  if (c.kind === 'loopback' && ownPorts.has(port)) return `${c.reason}, and port ${port} there is Paydesk itself; notices are never sent to the provider's own ports`;
  return undefined;
}

function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

type Parsed =
  | { readonly ok: true; readonly url: URL; readonly port: number; readonly host: string; readonly family: 0 | 4 | 6 }
  | { readonly ok: false; readonly problem: 'invalid' | 'forbidden'; readonly reason: string };

const MAX_URL = 2048;

/** Everything that can be known without DNS: the URL's form, and its host when that is an address. */
function parseTarget(raw: string, ownPorts: ReadonlySet<number>): Parsed {
  let url: URL;
  try {
    if (raw.length > MAX_URL) throw new Error('too long');
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'invalid', reason: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: 'invalid', reason: `only http and https URLs receive notices, not ${url.protocol}` };
  }
  // Credentials in a notice URL would be shown in every attempt record and curl command.
  if (url.username || url.password) return { ok: false, problem: 'invalid', reason: 'a notice URL may not carry a user name or password' };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') return { ok: false, problem: 'invalid', reason: 'the URL has no host' };
  const port = effectivePort(url);
  const family = isIP(host) as 0 | 4 | 6;
  if (family !== 0) {
    const why = refusal(host, port, ownPorts);
    if (why) return { ok: false, problem: 'forbidden', reason: why };
  }
  return { ok: true, url, port, host, family };
}

/**
 * For every place a notice URL is written or reused before it is sent: throws
 * request_url_invalid (not an absolute http(s) URL without credentials) or
 * notice_target_forbidden (an address that can never receive one). A host name
 * passes; it is resolved and judged when the notice is sent. Answers the URL as
 * parsed, the form the send-time check will see.
 */
export function acceptNoticeURL(raw: unknown, field: string, ownPorts: ReadonlySet<number>): string {
  if (typeof raw !== 'string') throw new PaydeskError('request_url_invalid', { field });
  const p = parseTarget(raw, ownPorts);
  if (!p.ok) throw new PaydeskError(p.problem === 'invalid' ? 'request_url_invalid' : 'notice_target_forbidden', { field, reason: p.reason });
  return p.url.toString();
}

/** At send time: resolves the URL's host and refuses what must never be called. */
export async function checkTarget(rawURL: string, ownPorts: ReadonlySet<number>, resolve: Resolver = systemResolver): Promise<TargetCheck> {
  const p = parseTarget(rawURL, ownPorts);
  if (!p.ok) return { ok: false, verdict: 'forbidden_target', reason: p.reason };
  const { url, port, host, family } = p;
  if (family !== 0) return { ok: true, target: { url, port, addresses: [{ address: host, family }] } };
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    addresses = (await resolve(host)).map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
  } catch (e) {
    return { ok: false, verdict: 'dns_failed', reason: `could not resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? 'lookup failed'}` };
  }
  if (addresses.length === 0) return { ok: false, verdict: 'dns_failed', reason: `${host} resolved to no address` };
  // Any one refused address refuses the name: the connection may use any of them.
  for (const a of addresses) {
    const why = refusal(a.address, port, ownPorts);
    if (why) return { ok: false, verdict: 'forbidden_target', reason: `${host} resolves to ${a.address}: ${why}` };
  }
  return { ok: true, target: { url, port, addresses } };
}

/**
 * The guard as the running server uses it: Paydesk's own ports, known once it
 * listens, shared by the apps, the payment requests, the notice inspector and
 * the dispatcher, so all of them refuse the same addresses.
 */
export class NoticeTargets {
  private readonly own = new Set<number>();

  setOwnPorts(ports: readonly number[]): void {
    for (const p of ports) this.own.add(p);
  }

  get ownPorts(): ReadonlySet<number> {
    return this.own;
  }

  accept(raw: unknown, field: string): string {
    return acceptNoticeURL(raw, field, this.own);
  }

  check(rawURL: string): Promise<TargetCheck> {
    return checkTarget(rawURL, this.own);
  }
}
