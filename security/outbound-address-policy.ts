/**
 * Which addresses the worker may call on a playbook author's behalf (status-update webhooks).
 *
 * A playbook names any URL it likes, and the worker runs inside our network: without this policy a playbook could point
 * a webhook at 127.0.0.1, the cloud metadata service (169.254.169.254) or an internal admin port and have the worker
 * call it (server-side request forgery). So an outbound call reaches public unicast addresses only, unless the operator
 * opens a host name, an address or a range with OUTBOUND_ALLOWED_HOSTS.
 *
 * The check is made on the address the socket connects to, never on the URL's text alone:
 * - a host name is resolved once, by the connection's own `lookup` (`guardedLookup`), and the socket is handed only the
 *   addresses that passed; a name that resolves to a public address when looked at and to 127.0.0.1 a moment later,
 *   when connecting (DNS rebinding), gets nowhere, because there is no "a moment later";
 * - an IP literal never goes through `lookup` (Node connects to it directly), so `checkOutboundHost` judges it before
 *   the request is made.
 *
 * IPv4 spellings such as 2130706433, 0x7f.1, 0177.0.0.1 or 127.1 need nothing of their own: the WHATWG URL parser turns
 * them into dotted decimal before any host reaches this module, and DNS answers are dotted decimal. IPv6 forms that
 * carry an IPv4 address (::ffff:127.0.0.1, ::ffff:7f00:1, 64:ff9b::7f00:1, 2002:7f00:1::) are judged by the IPv4 address
 * inside them.
 */
import { BlockList, isIP, isIPv4, isIPv6, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/** The environment variable that opens hosts and ranges; named in every refusal so an operator knows what to set. */
export const OUTBOUND_ALLOWED_HOSTS = 'OUTBOUND_ALLOWED_HOSTS';

// ---------------------------------------------------------------------------------------------------------------------
// What is not public
// ---------------------------------------------------------------------------------------------------------------------

/**
 * IPv4 ranges that are not public unicast (IANA's special-purpose registry, plus multicast and the reserved class E),
 * each with the words a refusal uses. Grouped by reason so the refusal says which kind of address it was.
 */
const IPV4_SPECIAL: ReadonlyArray<readonly [network: string, prefix: number, reason: string]> = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a reserved (IETF protocol) address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a reserved (6to4 relay) address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a reserved (benchmarking) address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  // Class E, with the limited broadcast address 255.255.255.255 at its end.
  ['240.0.0.0', 4, 'a reserved address'],
];

/**
 * IPv6 ranges that are not public, checked after the forms that carry an IPv4 address are unwrapped. Anything outside
 * 2000::/3 (global unicast) is refused as well, so this list only needs what 2000::/3 holds that is not public, plus the
 * kinds worth naming in a refusal.
 */
const IPV6_SPECIAL: ReadonlyArray<readonly [network: string, prefix: number, reason: string]> = [
  ['fc00::', 7, 'a unique-local address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address (deprecated)'],
  ['ff00::', 8, 'a multicast address'],
  ['64:ff9b:1::', 48, 'a local-use NAT64 address'],
  ['100::', 64, 'a discard-only address'],
  // IETF protocol assignments, Teredo (2001::/32) among them: a Teredo address hides its IPv4 server and client.
  ['2001::', 23, 'a reserved (IETF protocol) address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['3fff::', 20, 'a documentation address'],
];

function blockListsByReason(ranges: typeof IPV4_SPECIAL, type: 'ipv4' | 'ipv6'): Array<[string, BlockList]> {
  const byReason = new Map<string, BlockList>();
  for (const [network, prefix, reason] of ranges) {
    let list = byReason.get(reason);
    if (!list) byReason.set(reason, (list = new BlockList()));
    list.addSubnet(network, prefix, type);
  }
  return [...byReason];
}

const ipv4Special = blockListsByReason(IPV4_SPECIAL, 'ipv4');
const ipv6Special = blockListsByReason(IPV6_SPECIAL, 'ipv6');
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');

/**
 * Why `address` is not a public unicast address ("a loopback address", "a private address", ...), or undefined when it
 * is one. Anything that is not an IP address is refused too: a check that cannot read its input must not say yes.
 */
export function nonPublicAddressReason(address: string): string | undefined {
  const bare = withoutZone(address);
  if (isIPv4(bare)) return ipv4Reason(bare);
  const groups = ipv6Groups(bare);
  if (!groups) return 'not an IP address';
  const embedded = embeddedIpv4(groups);
  if (embedded) {
    const reason = ipv4Reason(embedded.address);
    if (reason) return `${reason} (${embedded.form} ${embedded.address})`;
    // An IPv4-compatible address is deprecated and never on the wire: whatever it carries, nobody has a reason to call it.
    return embedded.form === 'IPv4-compatible' ? `an IPv4-compatible IPv6 address (deprecated)` : undefined;
  }
  if (groups.every((group) => group === 0)) return 'an unspecified address';
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return 'a loopback address';
  const canonical = groupsToText(groups);
  for (const [reason, list] of ipv6Special) if (list.check(canonical, 'ipv6')) return reason;
  if (!globalUnicast.check(canonical, 'ipv6')) return 'a reserved address';
  return undefined;
}

function ipv4Reason(address: string): string | undefined {
  for (const [reason, list] of ipv4Special) if (list.check(address, 'ipv4')) return reason;
  return undefined;
}

/**
 * The IPv4 address an IPv6 address carries, and how: IPv4-mapped (::ffff:a.b.c.d, how a dual-stack socket writes an
 * IPv4 peer), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::a.b.c.d, a
 * gateway connects to the IPv4 address) and 6to4 (2002:aabb:ccdd::, likewise). `::` and `::1` are left to the caller:
 * they fall inside ::/96 but are IPv6's own unspecified and loopback addresses.
 */
function embeddedIpv4(groups: number[]): { address: string; form: string } | undefined {
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  const tail = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const [g0, g1, g2, , g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  if (zero(0, 5) && g5 === 0xffff) return { address: tail(g6, g7), form: 'IPv4-mapped' };
  if (zero(0, 4) && g4 === 0xffff && g5 === 0) return { address: tail(g6, g7), form: 'IPv4-translated' };
  if (zero(0, 6) && !(g6 === 0 && (g7 === 0 || g7 === 1))) return { address: tail(g6, g7), form: 'IPv4-compatible' };
  if (g0 === 0x64 && g1 === 0xff9b && zero(2, 6)) return { address: tail(g6, g7), form: 'NAT64' };
  if (g0 === 0x2002) return { address: tail(g1, g2), form: '6to4' };
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address in any valid spelling (`::`, a dotted IPv4 tail); undefined if invalid. */
function ipv6Groups(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  // The URL parser writes every IPv6 address the same way (lower-case hex, a dotted tail turned into two groups, `::`
  // for the longest run of zeros), which leaves only `::` to expand here.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, rest] = canonical.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const front = parse(head);
  const back = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

function groupsToText(groups: number[]): string {
  return groups.map((group) => group.toString(16)).join(':');
}

/** A zone (`fe80::1%eth0`) names the interface, not the address; the address alone is judged. */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

// ---------------------------------------------------------------------------------------------------------------------
// The operator's allow-list
// ---------------------------------------------------------------------------------------------------------------------

/** What OUTBOUND_ALLOWED_HOSTS opens: host names (exactly, any address they resolve to) and addresses or ranges. */
export interface OutboundAllowList {
  /** Lower-case, without a trailing dot, as the URL parser writes host names. */
  readonly hosts: ReadonlySet<string>;
  /** Single addresses and CIDR ranges, IPv4 and IPv6. */
  readonly addresses: BlockList;
  /** The entries as given, for start-up logs. */
  readonly entries: readonly string[];
}

/** The default: public addresses only. */
export const PUBLIC_ADDRESSES_ONLY: OutboundAllowList = Object.freeze({ hosts: new Set<string>(), addresses: new BlockList(), entries: [] });

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Reads OUTBOUND_ALLOWED_HOSTS: comma-separated host names, IP addresses and CIDR ranges. Every unreadable entry is a
 * problem (reported together); an entry is never guessed at, since a guess would open something the operator did not
 * name.
 */
export function parseOutboundAllowList(value: string | undefined): { allowList: OutboundAllowList; problems: string[] } {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  const entries: string[] = [];
  const problems: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const problem = addEntry(entry, hosts, addresses);
    if (problem) problems.push(problem);
    else entries.push(entry);
  }
  return { allowList: { hosts, addresses, entries }, problems };
}

/** For code and tests that write the list themselves: the allow-list, or an error naming every bad entry. */
export function outboundAllowList(value: string): OutboundAllowList {
  const { allowList, problems } = parseOutboundAllowList(value);
  if (problems.length) throw new Error(`${OUTBOUND_ALLOWED_HOSTS}: ${problems.join('; ')}`);
  return allowList;
}

function addEntry(entry: string, hosts: Set<string>, addresses: BlockList): string | undefined {
  const unbracketed = entry.replace(/^\[(.*)\](\/\d+)?$/, '$1$2');
  const slash = unbracketed.indexOf('/');
  if (slash !== -1) {
    const network = unbracketed.slice(0, slash);
    const bits = unbracketed.slice(slash + 1);
    const family = isIP(network);
    const max = family === 6 ? 128 : 32;
    if (family === 0) return `"${entry}": a CIDR range starts with an IP address, like 10.1.0.0/16 or fd00::/8`;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}": the prefix length after "/" must be 0 to ${max}`;
    addresses.addSubnet(network, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    return undefined;
  }
  const family = isIP(unbracketed);
  if (family !== 0) {
    addresses.addAddress(unbracketed, family === 6 ? 'ipv6' : 'ipv4');
    return undefined;
  }
  const host = entry.toLowerCase().replace(/\.$/, '');
  // A name whose last label is a number is what the URL parser reads as an IPv4 address (127.1, 0x7f.1): it would never
  // match a host name, so it is refused rather than silently ignored.
  if (HOST_NAME.test(host) && !/^(?:0x[0-9a-f]*|\d+)$/.test(host.slice(host.lastIndexOf('.') + 1))) {
    hosts.add(host);
    return undefined;
  }
  return `"${entry}" is not a host name, an IP address (dotted decimal or IPv6) or a CIDR range like 10.1.0.0/16`;
}

function allowedAddress(address: string, allowList: OutboundAllowList): boolean {
  const bare = withoutZone(address);
  const family = isIP(bare);
  if (family === 0) return false;
  if (allowList.addresses.check(bare, family === 6 ? 'ipv6' : 'ipv4')) return true;
  // Opening 127.0.0.1 opens ::ffff:127.0.0.1 too: it is the same peer, written by a dual-stack resolver.
  const groups = family === 6 ? ipv6Groups(bare) : undefined;
  const embedded = groups ? embeddedIpv4(groups) : undefined;
  return embedded?.form === 'IPv4-mapped' && allowList.addresses.check(embedded.address, 'ipv4');
}

// ---------------------------------------------------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------------------------------------------------

/** A call the policy refused; `message` says what was refused and how an operator opens it, never more. */
export class OutboundAddressRefused extends Error {
  readonly code = 'EOUTBOUNDREFUSED';
  constructor(
    message: string,
    readonly host: string,
  ) {
    super(message);
    this.name = 'OutboundAddressRefused';
  }
}

/**
 * Whether `host` (as the URL parser wrote it: lower case, IPv6 in brackets) may be called at `address`, one of the
 * addresses it resolved to (or itself, for an IP literal). Undefined when allowed, otherwise the refusal's message.
 * A resolved address is not repeated in the message: a playbook author sees it, and must not learn from it how
 * internal names resolve.
 */
export function outboundRefusal(host: string, address: string, allowList: OutboundAllowList = PUBLIC_ADDRESSES_ONLY): string | undefined {
  const name = hostKey(host);
  if (allowList.hosts.has(name)) return undefined;
  if (allowedAddress(address, allowList)) return undefined;
  const reason = nonPublicAddressReason(address);
  if (!reason) return undefined;
  return isIP(name) !== 0
    ? `refused: ${name} is ${reason}; allow it with ${OUTBOUND_ALLOWED_HOSTS}`
    : `refused: ${name} resolves to ${reason}; allow the host with ${OUTBOUND_ALLOWED_HOSTS}`;
}

/**
 * Checks a URL's host before a request. An IP literal is judged here, since Node connects to it without a lookup; a host
 * name passes, because only its resolved addresses can be judged, and those are judged at connect time by
 * `guardedLookup`. Throws OutboundAddressRefused.
 */
export function checkOutboundHost(host: string, allowList: OutboundAllowList = PUBLIC_ADDRESSES_ONLY): void {
  const name = hostKey(host);
  if (isIP(name) === 0) return;
  const refusal = outboundRefusal(name, name, allowList);
  if (refusal) throw new OutboundAddressRefused(refusal, name);
}

/** How host names are resolved; dns.lookup unless a test gives its own. */
export type HostResolver = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

const systemResolver: HostResolver = (hostname, options) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/**
 * A `lookup` for a socket (net.connect, http.request, tls.connect) that resolves the host once and hands the socket only
 * the addresses the policy allows, so what is checked is exactly what is connected to. Addresses that are refused are
 * dropped (a dual-stack name may resolve to an allowed IPv4 and a refused IPv6 address); with none left, the connection
 * fails with OutboundAddressRefused naming the first refusal.
 */
export function guardedLookup(allowList: OutboundAllowList = PUBLIC_ADDRESSES_ONLY, resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options).then(
      (addresses) => {
        const refusals: string[] = [];
        const allowed = addresses.filter((entry) => {
          const refusal = outboundRefusal(hostname, entry.address, allowList);
          if (refusal) refusals.push(refusal);
          return refusal === undefined;
        });
        const first = allowed[0];
        if (!first) {
          callback(new OutboundAddressRefused(refusals[0] ?? `refused: ${hostKey(hostname)} has no address`, hostKey(hostname)), '', 0);
          return;
        }
        // With autoSelectFamily (Node's default) the socket asks for every address and tries them in turn.
        if (options.all) callback(null, allowed);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** Host names compare in lower case without a trailing dot; IPv6 literals without their brackets. */
function hostKey(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
