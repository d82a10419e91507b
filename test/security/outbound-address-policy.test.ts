/**
 * The outbound address policy on its own: which addresses are not public (IPv4, IPv6, and IPv6 forms that carry an IPv4
 * address), every spelling of loopback a URL may use, the operator's allow-list (host names, addresses, CIDR ranges)
 * and its parsing in the configuration, and the socket `lookup` that judges the addresses a host resolves to.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import {
  checkOutboundHost,
  guardedLookup,
  nonPublicAddressReason,
  OutboundAddressRefused,
  outboundAllowList,
  outboundRefusal,
  parseOutboundAllowList,
  type HostResolver,
} from '../../security/outbound-address-policy.js';
import { loadWorkerConfig } from '../../workers/worker-config.js';

describe('which addresses are not public', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['10.0.0.1', 'a private address'],
    ['10.255.255.255', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['0.0.0.0', 'an unspecified ("this network") address'],
    ['0.1.2.3', 'an unspecified ("this network") address'],
    ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
    ['100.127.255.255', 'a shared (carrier-grade NAT) address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['240.0.0.1', 'a reserved address'],
    ['255.255.255.255', 'a reserved address'],
    ['192.0.0.8', 'a reserved (IETF protocol) address'],
    ['192.0.2.10', 'a documentation address'],
    ['198.18.0.1', 'a reserved (benchmarking) address'],
  ])('IPv4 %s is %s', (address, reason) => {
    expect(nonPublicAddressReason(address)).toBe(reason);
  });

  it.each([
    ['::1', 'a loopback address'],
    ['0:0:0:0:0:0:0:1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['febf:ffff::1', 'a link-local address'],
    ['fc00::1', 'a unique-local address'],
    ['fd12:3456:789a::1', 'a unique-local address'],
    ['ff02::1', 'a multicast address'],
    ['2001:db8::1', 'a documentation address'],
    ['2001::1', 'a reserved (IETF protocol) address'],
    ['100::1', 'a discard-only address'],
    ['5f00::1', 'a reserved address'],
  ])('IPv6 %s is %s', (address, reason) => {
    expect(nonPublicAddressReason(address)).toBe(reason);
  });

  it.each([
    ['::ffff:127.0.0.1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['::ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['0:0:0:0:0:ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['::FFFF:A9FE:A9FE', 'a link-local address (IPv4-mapped 169.254.169.254)'],
    ['::ffff:10.0.0.1', 'a private address (IPv4-mapped 10.0.0.1)'],
    ['::ffff:0.0.0.0', 'an unspecified ("this network") address (IPv4-mapped 0.0.0.0)'],
    ['::127.0.0.1', 'a loopback address (IPv4-compatible 127.0.0.1)'],
    ['::7f00:1', 'a loopback address (IPv4-compatible 127.0.0.1)'],
    ['::ffff:0:7f00:1', 'a loopback address (IPv4-translated 127.0.0.1)'],
    ['64:ff9b::7f00:1', 'a loopback address (NAT64 127.0.0.1)'],
    ['64:ff9b::192.168.0.1', 'a private address (NAT64 192.168.0.1)'],
    ['2002:7f00:1::', 'a loopback address (6to4 127.0.0.1)'],
    ['2002:a9fe:a9fe::1', 'a link-local address (6to4 169.254.169.254)'],
    ['::8.8.8.8', 'an IPv4-compatible IPv6 address (deprecated)'],
  ])('%s, an IPv6 form carrying an IPv4 address, is judged by that address: %s', (address, reason) => {
    expect(nonPublicAddressReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(nonPublicAddressReason(address)).toBeUndefined();
    },
  );

  it('refuses what it cannot read rather than let it through', () => {
    expect(nonPublicAddressReason('localhost')).toBe('not an IP address');
    expect(nonPublicAddressReason('')).toBe('not an IP address');
    expect(nonPublicAddressReason('127.1')).toBe('not an IP address');
  });
});

describe('every spelling of a non-public host in a URL', () => {
  // The URL parser writes these as dotted decimal or canonical IPv6 before the policy sees the host; the test goes
  // through it the way the webhook sender does, so a parser that stopped doing so would show here.
  it.each([
    ['http://127.0.0.1/', '127.0.0.1', 'a loopback address'],
    ['http://2130706433/', '127.0.0.1', 'a loopback address'],
    ['http://0x7f.1/', '127.0.0.1', 'a loopback address'],
    ['http://0x7f000001/', '127.0.0.1', 'a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1', 'a loopback address'],
    ['http://017700000001/', '127.0.0.1', 'a loopback address'],
    ['http://127.1/', '127.0.0.1', 'a loopback address'],
    ['http://127.0.0.1./', '127.0.0.1', 'a loopback address'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1', 'a loopback address'],
    ['http://０x7f.1/', '127.0.0.1', 'a loopback address'],
    ['http://0/', '0.0.0.0', 'an unspecified ("this network") address'],
    ['http://0.0.0.0/', '0.0.0.0', 'an unspecified ("this network") address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'a link-local address'],
    ['http://0xa9fea9fe/', '169.254.169.254', 'a link-local address'],
    ['http://10.1/', '10.0.0.1', 'a private address'],
    ['http://[::1]/', '::1', 'a loopback address'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1', 'a loopback address'],
    ['http://[::]/', '::', 'an unspecified address'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['http://[::ffff:7f00:1]/', '::ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['http://[fe80::1]/', 'fe80::1', 'a link-local address'],
    ['http://[fd00::1]/', 'fd00::1', 'a unique-local address'],
  ])('%s is refused as %s', (url, address, reason) => {
    const host = new URL(url).hostname;
    expect(() => checkOutboundHost(host)).toThrow(OutboundAddressRefused);
    expect(() => checkOutboundHost(host)).toThrow(`refused: ${address} is ${reason}; allow it with OUTBOUND_ALLOWED_HOSTS`);
  });

  it('leaves a host name to the connection, where its resolved addresses are judged', () => {
    expect(() => checkOutboundHost('hooks.example.com')).not.toThrow();
    expect(() => checkOutboundHost('localhost')).not.toThrow();
    expect(() => checkOutboundHost('8.8.8.8')).not.toThrow();
  });
});

describe('the allow-list', () => {
  const allowList = outboundAllowList('127.0.0.1, hooks.internal.example.com, 10.1.0.0/16, fd00:1::/32, [::1]');

  it('opens named addresses, in IPv4-mapped form too', () => {
    expect(outboundRefusal('127.0.0.1', '127.0.0.1', allowList)).toBeUndefined();
    expect(outboundRefusal('localhost', '::ffff:127.0.0.1', allowList)).toBeUndefined();
    expect(outboundRefusal('[::1]', '::1', allowList)).toBeUndefined();
    // Only the address named: the rest of 127/8 stays closed.
    expect(outboundRefusal('127.0.0.2', '127.0.0.2', allowList)).toBe('refused: 127.0.0.2 is a loopback address; allow it with OUTBOUND_ALLOWED_HOSTS');
  });

  it('opens CIDR ranges, and nothing next to them', () => {
    expect(outboundRefusal('db.internal', '10.1.0.1', allowList)).toBeUndefined();
    expect(outboundRefusal('db.internal', '10.1.255.255', allowList)).toBeUndefined();
    expect(outboundRefusal('db.internal', '10.2.0.1', allowList)).toBe('refused: db.internal resolves to a private address; allow the host with OUTBOUND_ALLOWED_HOSTS');
    expect(outboundRefusal('v6.internal', 'fd00:1:ffff::1', allowList)).toBeUndefined();
    expect(outboundRefusal('v6.internal', 'fd00:2::1', allowList)).toBe('refused: v6.internal resolves to a unique-local address; allow the host with OUTBOUND_ALLOWED_HOSTS');
  });

  it('opens a host name for whatever it resolves to, matched exactly (case and a trailing dot aside)', () => {
    expect(outboundRefusal('hooks.internal.example.com', '10.9.9.9', allowList)).toBeUndefined();
    expect(outboundRefusal('HOOKS.internal.example.com.', '192.168.0.1', allowList)).toBeUndefined();
    expect(outboundRefusal('evil.hooks.internal.example.com', '10.9.9.9', allowList)).toMatch(/^refused: evil\.hooks\.internal\.example\.com resolves to a private address/);
    expect(outboundRefusal('hooks.internal.example.com.evil.com', '10.9.9.9', allowList)).toMatch(/^refused: /);
  });

  it('is empty by default: public addresses only', () => {
    expect(outboundRefusal('127.0.0.1', '127.0.0.1')).toBe('refused: 127.0.0.1 is a loopback address; allow it with OUTBOUND_ALLOWED_HOSTS');
    expect(outboundRefusal('hooks.example.com', '93.184.216.34')).toBeUndefined();
    expect(parseOutboundAllowList(undefined)).toMatchObject({ problems: [], allowList: { entries: [] } });
    expect(parseOutboundAllowList(' , ,')).toMatchObject({ problems: [], allowList: { entries: [] } });
  });

  it('names every entry it cannot read, and guesses at none', () => {
    const { problems, allowList: partial } = parseOutboundAllowList('127.1, 0x7f.1, foo bar, *.example.com, 10.0.0.0/33, ::1/129, 1.2.3/8, http://x.example.com, ok.example.com');
    expect(problems).toEqual([
      '"127.1" is not a host name, an IP address (dotted decimal or IPv6) or a CIDR range like 10.1.0.0/16',
      '"0x7f.1" is not a host name, an IP address (dotted decimal or IPv6) or a CIDR range like 10.1.0.0/16',
      '"foo bar" is not a host name, an IP address (dotted decimal or IPv6) or a CIDR range like 10.1.0.0/16',
      '"*.example.com" is not a host name, an IP address (dotted decimal or IPv6) or a CIDR range like 10.1.0.0/16',
      '"10.0.0.0/33": the prefix length after "/" must be 0 to 32',
      '"::1/129": the prefix length after "/" must be 0 to 128',
      '"1.2.3/8": a CIDR range starts with an IP address, like 10.1.0.0/16 or fd00::/8',
      '"http://x.example.com": a CIDR range starts with an IP address, like 10.1.0.0/16 or fd00::/8',
    ]);
    expect(partial.entries).toEqual(['ok.example.com']);
    expect(() => outboundAllowList('127.1')).toThrow(/^OUTBOUND_ALLOWED_HOSTS: "127\.1" is not a host name/);
  });

  it('is read from OUTBOUND_ALLOWED_HOSTS, and a bad entry stops the process naming the variable', () => {
    const config = loadWorkerConfig({ OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,hooks.internal.example.com,10.1.0.0/16' });
    expect(config.OUTBOUND_ALLOWED_HOSTS.entries).toEqual(['127.0.0.1', 'hooks.internal.example.com', '10.1.0.0/16']);
    expect(outboundRefusal('127.0.0.1', '127.0.0.1', config.OUTBOUND_ALLOWED_HOSTS)).toBeUndefined();
    expect(outboundRefusal('x', '10.1.2.3', config.OUTBOUND_ALLOWED_HOSTS)).toBeUndefined();
    expect(loadWorkerConfig({}).OUTBOUND_ALLOWED_HOSTS.entries).toEqual([]);

    const error = (() => {
      try {
        loadWorkerConfig({ OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,10.0.0.0/40' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['OUTBOUND_ALLOWED_HOSTS: "10.0.0.0/40": the prefix length after "/" must be 0 to 32']);
  });
});

describe('the lookup a connection uses', () => {
  /** A resolver with fixed answers, as a DNS server under an attacker's control would give. */
  const resolver = (answers: Record<string, string[]>): HostResolver & { asked: string[] } => {
    const asked: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      asked.push(hostname);
      const addresses = answers[hostname];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return Object.assign(resolve, { asked });
  };
  const lookUp = (lookup: ReturnType<typeof guardedLookup>, hostname: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) => {
      lookup(hostname, { all }, (error, address, family) => resolve({ error, address, ...(family !== undefined ? { family } : {}) }));
    });

  it('refuses a name that resolves to a non-public address, without saying which address', async () => {
    const resolve = resolver({ 'rebind.example.com': ['127.0.0.1'], 'meta.example.com': ['169.254.169.254'] });
    const lookup = guardedLookup(undefined, resolve);
    const { error } = await lookUp(lookup, 'rebind.example.com', true);
    expect(error).toBeInstanceOf(OutboundAddressRefused);
    expect(error!.message).toBe('refused: rebind.example.com resolves to a loopback address; allow the host with OUTBOUND_ALLOWED_HOSTS');
    expect((await lookUp(lookup, 'meta.example.com', false)).error!.message).toBe(
      'refused: meta.example.com resolves to a link-local address; allow the host with OUTBOUND_ALLOWED_HOSTS',
    );
    expect(resolve.asked).toEqual(['rebind.example.com', 'meta.example.com']);
  });

  it('hands the socket only the addresses that passed, in both lookup forms', async () => {
    const lookup = guardedLookup(undefined, resolver({ 'dual.example.com': ['::1', '93.184.216.34', '10.0.0.5', '2606:2800:220:1::1'] }));
    expect(await lookUp(lookup, 'dual.example.com', true)).toEqual({
      error: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
    expect(await lookUp(lookup, 'dual.example.com', false)).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it('lets the allow-list open resolved addresses and named hosts', async () => {
    const resolve = resolver({ 'hooks.internal.example.com': ['10.9.9.9'], 'loop.example.com': ['127.0.0.1'] });
    const byName = guardedLookup(outboundAllowList('hooks.internal.example.com'), resolve);
    expect(await lookUp(byName, 'hooks.internal.example.com', false)).toEqual({ error: null, address: '10.9.9.9', family: 4 });
    expect((await lookUp(byName, 'loop.example.com', false)).error).toBeInstanceOf(OutboundAddressRefused);
    const byRange = guardedLookup(outboundAllowList('127.0.0.0/8'), resolve);
    expect(await lookUp(byRange, 'loop.example.com', false)).toEqual({ error: null, address: '127.0.0.1', family: 4 });
  });

  it('passes a resolver failure through as it is', async () => {
    const { error } = await lookUp(guardedLookup(undefined, resolver({})), 'nowhere.example.com', false);
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
