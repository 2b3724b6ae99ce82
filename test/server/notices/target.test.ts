// The notice address guard (server/notices/target.ts) on its own: every way
// to write an address, judged by its bytes, and the URL-level check a notice
// goes through when it is written and again when it is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptNoticeURL, checkTarget, classifyAddress, type Resolver } from '../../../server/notices/target.ts';
import { isPaydeskError } from '../../../contract/errors.ts';

const OWN = new Set([7402]);

test('the classifier: loopback in every IPv4 and IPv6 form, including the IPv4 an IPv6 address carries', () => {
  for (const a of [
    '127.0.0.1', '127.255.1.2', '::1', '0:0:0:0:0:0:0:1', '[::1]',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '[::FFFF:7F00:1]', // IPv4-mapped, dotted and hex, any case
    '::127.0.0.1', '::7f00:1', // IPv4-compatible
    '::ffff:0:127.0.0.1', // IPv4-translated (SIIT)
    '64:ff9b::127.0.0.1', '64:ff9b::7f00:1', // NAT64 well-known prefix
    '64:ff9b:1::7f00:1', '64:ff9b:1:7f00:0:100::', // NAT64 local-use prefix, /96 and /48 layouts
  ]) assert.equal(classifyAddress(a).kind, 'loopback', a);
});

test('the classifier: link-local, metadata, unspecified, multicast, broadcast and reserved are forbidden, with the reason', () => {
  const forbidden: [string, RegExp][] = [
    ['169.254.169.254', /cloud metadata/], ['169.254.170.2', /cloud metadata/], ['fd00:ec2::254', /cloud metadata/],
    ['100.100.100.200', /cloud metadata/], ['168.63.129.16', /cloud metadata/], ['192.0.0.192', /cloud metadata/],
    ['169.254.1.1', /link-local/], ['fe80::1', /link-local/], ['fe80::1%eth0', /link-local/], ['[FE80::AB:1]', /link-local/], ['febf::1', /link-local/],
    ['0.0.0.0', /unspecified/], ['0.1.2.3', /unspecified/], ['::', /unspecified/],
    ['224.0.0.1', /multicast/], ['239.255.255.250', /multicast/], ['ff02::1', /multicast/], ['ff05::1:3', /multicast/],
    ['255.255.255.255', /broadcast/], ['240.0.0.1', /reserved/],
    // The same, carried inside IPv6 addresses.
    ['::ffff:169.254.169.254', /cloud metadata/], ['::ffff:a9fe:a9fe', /cloud metadata/],
    ['::a9fe:a9fe', /carries the IPv4 address 169\.254\.169\.254, a cloud metadata/], ['64:ff9b::169.254.169.254', /cloud metadata/], ['64:ff9b:1::a9fe:101', /link-local/],
    ['::ffff:0.0.0.0', /unspecified/], ['::2', /unspecified/], ['::ffff:224.0.0.1', /multicast/], ['64:ff9b::ffff:ffff', /broadcast/],
    ['not-an-address', /not an IP address/],
  ];
  for (const [a, reason] of forbidden) {
    const c = classifyAddress(a);
    assert.equal(c.kind, 'forbidden', a);
    assert.match(c.reason, reason, a);
  }
});

test('the classifier: public and private (LAN, VPN) addresses are allowed', () => {
  for (const a of [
    '10.0.0.1', '172.16.5.4', '172.31.255.1', '192.168.1.1', '100.64.0.1', '128.0.0.1', '93.184.215.14',
    'fc00::1', 'fd12:3456::1', 'fd00:ec2::253', '2001:db8::1', '2606:4700::1111', 'fec0::1',
    '::ffff:10.0.0.1', '::ffff:192.168.0.9', '64:ff9b::93.184.215.14', '64:ff9b:1::a01:203',
  ]) assert.equal(classifyAddress(a).kind, 'allowed', a);
});

/** Stands in for DNS: a few names, as systemd-resolved would answer them, and NXDOMAIN for the rest. */
const fakeDNS: Resolver = async (host) => {
  const answers: Record<string, { address: string; family: number }[]> = {
    'localhost': [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }],
    'localhost.': [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
    'mixed.test': [{ address: '93.184.215.14', family: 4 }, { address: 'fe80::1%eth0', family: 6 }],
    'merchant.test': [{ address: '192.168.1.20', family: 4 }],
  };
  const a = answers[host];
  if (!a) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return a;
};

test('URLs: every spelling of Paydesk\'s own address and port is refused; the same loopback on another port is fine', async () => {
  const own = [
    'http://127.0.0.1:7402/api/apps', 'http://[::ffff:127.0.0.1]:7402/api/apps', 'http://[::ffff:7f00:1]:7402/',
    'http://[::127.0.0.1]:7402/', 'http://[64:ff9b::127.0.0.1]:7402/', 'http://[64:ff9b:1::7f00:1]:7402/',
    'http://2130706433:7402/', 'http://0x7f.1:7402/', 'http://0x7f000001:7402/', 'http://0177.0.0.1:7402/', 'http://127.1:7402/',
    'http://127.1.2.3:7402/', 'http://[::1]:7402/', 'http://[0:0:0:0:0:0:0:1]:7402/', 'HTTP://LOCALHOST:7402/', 'http://localhost.:7402/',
    'http://mapped.test:7402/', 'https://127.0.0.1:7402/',
  ];
  for (const url of own) {
    const r = await checkTarget(url, OWN, fakeDNS);
    assert.ok(!r.ok && r.verdict === 'forbidden_target', url);
    assert.match(r.reason, /Paydesk itself/, url);
  }
  for (const url of ['http://127.0.0.1:7403/', 'http://[::1]:7403/', 'http://2130706433:7403/', 'http://0x7f.1:7403/', 'http://localhost:7403/', 'http://[::ffff:7f00:1]:7403/']) {
    const r = await checkTarget(url, OWN, fakeDNS);
    assert.ok(r.ok, `${url}: ${r.ok ? '' : r.reason}`);
  }
  const https = await checkTarget('https://127.0.0.1/postback', OWN, fakeDNS);
  assert.ok(https.ok && https.target.port === 443);
});

test('URLs: link-local, metadata, unspecified, multicast and broadcast are refused on any port, and so is a name that resolves to one', async () => {
  const refused: [string, RegExp][] = [
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/], ['http://[fd00:ec2::254]/latest/', /cloud metadata/],
    ['http://[::ffff:169.254.169.254]/', /cloud metadata/], ['http://2852039166/', /cloud metadata/], ['http://[fe80::1]:8080/', /link-local/],
    ['http://0.0.0.0:8080/', /unspecified/], ['http://0/', /unspecified/], ['http://[::]:8080/', /unspecified/],
    ['http://224.0.0.1/', /multicast/], ['http://[ff02::1]/', /multicast/], ['http://255.255.255.255/', /broadcast/],
    ['http://metadata.test/', /metadata\.test resolves to 169\.254\.169\.254: .*cloud metadata/],
    ['http://mixed.test:8080/', /mixed\.test resolves to fe80::1%eth0: .*link-local/],
    // Not addresses at all.
    ['http://[fe80::1%25eth0]/', /not a valid URL/], ['ftp://127.0.0.1/x', /only http and https/], ['file:///etc/passwd', /only http and https/],
    ['not a url', /not a valid URL/], ['http://user:pw@127.0.0.1:8080/', /user name or password/], [`http://a.test/${'x'.repeat(2048)}`, /not a valid URL/],
  ];
  for (const [url, reason] of refused) {
    const r = await checkTarget(url, OWN, fakeDNS);
    assert.ok(!r.ok && r.verdict === 'forbidden_target', url);
    assert.match(r.reason, reason, url);
  }
  for (const url of ['http://10.0.0.5:8080/', 'http://192.168.1.20/', 'http://[fd12::1]/', 'http://[::ffff:10.0.0.1]/', 'http://merchant.test:7402/']) {
    assert.ok((await checkTarget(url, OWN, fakeDNS)).ok, url);
  }
  const unknown = await checkTarget('http://no-such-host.test/', OWN, fakeDNS);
  assert.ok(!unknown.ok && unknown.verdict === 'dns_failed' && /ENOTFOUND/.test(unknown.reason));
});

test('send time on the real resolver: localhost on Paydesk\'s port is refused, connecting to exactly the addresses checked elsewhere', async () => {
  const own = await checkTarget('http://localhost:7402/', OWN);
  assert.ok(!own.ok && own.verdict === 'forbidden_target');
  assert.match(own.reason, /^localhost resolves to (127\.\d+\.\d+\.\d+|::1): .*Paydesk itself/);
  const other = await checkTarget('http://localhost:7403/p', OWN);
  assert.ok(other.ok);
  assert.ok(other.target.addresses.length > 0 && other.target.addresses.every((a) => classifyAddress(a.address).kind === 'loopback'));
  const missing = await checkTarget('http://no-such-host.invalid/', OWN);
  assert.ok(!missing.ok && missing.verdict === 'dns_failed');
});

test('written URLs: a literal address that can never receive a notice is refused at once; names wait for send time', () => {
  const code = (url: unknown): string => {
    try {
      acceptNoticeURL(url, 'postbackURL', OWN);
      return 'accepted';
    } catch (e) {
      assert.ok(isPaydeskError(e));
      assert.equal(e.details.field, 'postbackURL');
      return e.code;
    }
  };
  for (const url of ['http://[::ffff:127.0.0.1]:7402/api/apps', 'http://0x7f.1:7402/', 'http://169.254.169.254/', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/', 'http://0.0.0.0:8080/']) {
    assert.equal(code(url), 'notice_target_forbidden', url);
  }
  for (const url of ['ftp://127.0.0.1/', 'http://user:pw@127.0.0.1/', 'nope', 42, 'http://[fe80::1%25eth0]/']) assert.equal(code(url), 'request_url_invalid', String(url));
  for (const url of ['http://localhost:7402/', 'http://metadata.test/', 'http://127.0.0.1:7403/', 'http://[::1]:3000/']) assert.equal(code(url), 'accepted', url);
  // Stored as parsed: what the send-time check and the connection will see.
  assert.equal(acceptNoticeURL('http://2130706433:7403/p', 'postbackURL', OWN), 'http://127.0.0.1:7403/p');
});
