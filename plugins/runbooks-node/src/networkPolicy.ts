import { InputError, NotAllowedError } from '@backstage/errors';
import { lookup as dnsLookup } from 'dns/promises';
import { isIP, LookupFunction } from 'net';
import { domainToASCII } from 'url';

/**
 * What kind of network an IP address belongs to. Everything but `public` is
 * refused by a {@link NetworkPolicy} unless its allow-list names the address
 * or a range containing it.
 * @public
 */
export type AddressCategory =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'shared'
  | 'multicast'
  | 'documentation'
  | 'reserved';

interface Ip {
  version: 4 | 6;
  value: bigint;
}

interface Range extends Ip {
  prefix: number;
}

const bitsOf = (version: 4 | 6) => (version === 4 ? 32 : 128);

function parseIpv4(text: string): bigint {
  return text.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n);
}

function parseIpv6(text: string): bigint {
  let s = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = parseIpv4(v4[1]);
    s = `${s.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(
      n & 0xffffn
    ).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? h
      : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const MAPPED = { version: 6, value: 0xffffn << 32n, prefix: 96 } as const;

function inRange(range: Range, ip: Ip): boolean {
  if (range.version !== ip.version) return false;
  const shift = BigInt(bitsOf(range.version) - range.prefix);
  return ip.value >> shift === range.value >> shift;
}

/**
 * Parses an IPv4 or IPv6 address (brackets allowed, zone ids not); an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) becomes the IPv4 address it
 * reaches, so that it is classified and matched as that address.
 */
function parseIp(text: string): Ip | undefined {
  const t = text.replace(/^\[(.*)\]$/, '$1');
  if (t.includes('%')) return undefined;
  const kind = isIP(t);
  if (kind === 4) return { version: 4, value: parseIpv4(t) };
  if (kind !== 6) return undefined;
  const ip: Ip = { version: 6, value: parseIpv6(t) };
  return inRange(MAPPED, ip)
    ? { version: 4, value: ip.value & 0xffffffffn }
    : ip;
}

function parseRange(text: string): Range {
  const [address, prefixText, ...rest] = text.split('/');
  const ip = parseIp(address);
  if (!ip || rest.length) throw new Error('not an address or CIDR range');
  const wasMapped =
    ip.version === 4 && isIP(address.replace(/^\[|\]$/g, '')) === 6;
  const bits = wasMapped ? 128 : bitsOf(ip.version);
  if (prefixText === undefined) return { ...ip, prefix: bitsOf(ip.version) };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    throw new Error(`prefix length must be 0 to ${bits}`);
  }
  let prefix = Number(prefixText);
  if (wasMapped) {
    if (prefix < 96)
      throw new Error('an IPv4-mapped range needs a prefix of at least 96');
    prefix -= 96;
  }
  const host = (1n << BigInt(bitsOf(ip.version) - prefix)) - 1n;
  if (ip.value & host) {
    throw new Error('has bits set after the prefix length');
  }
  return { ...ip, prefix };
}

const SPECIAL: [string, AddressCategory][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // IPv4-compatible addresses (deprecated)
  ['::/96', 'reserved'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  // IETF protocol assignments, among them Teredo tunnels (2001::/32)
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'private'],
  ['fec0::/10', 'private'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];
const SPECIAL_RANGES = SPECIAL.map(
  ([cidr, category]) => [parseRange(cidr), category] as const,
);
// Prefixes that carry an IPv4 address, which is where the packets end up.
const NAT64 = parseRange('64:ff9b::/96');
const SIX_TO_FOUR = parseRange('2002::/16');

function categoryOf(ip: Ip): AddressCategory {
  if (inRange(NAT64, ip)) {
    return categoryOf({ version: 4, value: ip.value & 0xffffffffn });
  }
  if (inRange(SIX_TO_FOUR, ip)) {
    return categoryOf({ version: 4, value: (ip.value >> 80n) & 0xffffffffn });
  }
  return SPECIAL_RANGES.find(([range]) => inRange(range, ip))?.[1] ?? 'public';
}

/**
 * Classifies an IP address: loopback (127/8, ::1), link-local (169.254/16
 * with the cloud metadata address, fe80::/10), private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), unspecified (0.0.0.0/8, ::), shared (CGNAT,
 * 100.64/10), multicast, documentation, other reserved ranges, or public.
 * IPv4-mapped, NAT64 and 6to4 IPv6 addresses are classified by the IPv4
 * address they carry. Throws InputError for anything but an IP address.
 * @public
 */
export function classifyAddress(address: string): AddressCategory {
  const ip = parseIp(address);
  if (!ip)
    throw new InputError(`${JSON.stringify(address)} is not an IP address`);
  return categoryOf(ip);
}

type Entry =
  | { kind: 'name'; name: string }
  | { kind: 'suffix'; suffix: string }
  | { kind: 'range'; range: Range };

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Lower-case ASCII (punycode) form of a host name, without a trailing dot. */
function normalizeName(host: string): string | undefined {
  const ascii = domainToASCII(host.replace(/\.$/, '')).toLowerCase();
  return HOST_NAME.test(ascii) ? ascii : undefined;
}

function parseEntry(entry: string): Entry {
  const text = entry.trim();
  if (/^[\d.]+(\/\d+)?$/.test(text) || text.includes(':')) {
    if (text.includes('://') || /^[^:[\]]+:\d+$/.test(text)) {
      throw new Error('name a host or address without scheme or port');
    }
    return { kind: 'range', range: parseRange(text) };
  }
  const wildcard = text.startsWith('*.');
  const name = normalizeName(wildcard ? text.slice(2) : text);
  if (!name) {
    throw new Error(
      'expected a host name, *.suffix, an IP address or a CIDR range',
    );
  }
  return wildcard
    ? { kind: 'suffix', suffix: `.${name}` }
    : { kind: 'name', name };
}

/** Options of a {@link NetworkPolicy}. @public */
export interface NetworkPolicyOptions {
  /** The config key of the allow-list, named in every refusal, e.g. `runbooks.http.allowedHosts`. */
  setting: string;
  /**
   * Host names (exact, or `*.suffix` for subdomains), IP addresses and CIDR
   * ranges (IPv4 and IPv6). Absent or empty: no host may be reached.
   */
  allowedHosts?: string[];
  /** Resolves a host name to all its addresses; `dns.lookup` with `all: true` by default. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

/** A host that passed a {@link NetworkPolicy}, with the addresses it was checked at. @public */
export interface PinnedHost {
  /** The host name or address as it is connected to (no brackets). */
  host: string;
  /** Every address the host resolved to; all of them passed the policy. */
  addresses: { address: string; family: 4 | 6 }[];
  /**
   * A `lookup` for `net`, `tls`, `http` and `https` options that answers
   * with these addresses only, so that the connection goes where the check
   * went (no second DNS answer between check and connect).
   */
  lookup: LookupFunction;
}

/**
 * Where an executor may connect. A host is reachable only if the allow-list
 * names it (exact name, `*.suffix`, or for a literal address the address or a
 * range containing it); then every address it resolves to must be public, or
 * be named by the allow-list as an address or range. Naming `localhost`
 * therefore does not allow 127.0.0.1: that needs `127.0.0.1` or
 * `127.0.0.0/8` too.
 * @public
 */
export class NetworkPolicy {
  private readonly entries: Entry[];
  private readonly setting: string;
  private readonly resolver: NonNullable<NetworkPolicyOptions['resolve']>;

  /** Throws InputError naming the setting for an entry it cannot read. */
  constructor(options: NetworkPolicyOptions) {
    this.setting = options.setting;
    this.resolver = options.resolve ?? (host => dnsLookup(host, { all: true }));
    this.entries = (options.allowedHosts ?? []).map(entry => {
      try {
        return parseEntry(String(entry));
      } catch (e) {
        throw new InputError(
          `Invalid entry ${JSON.stringify(entry)} in ${options.setting}: ${
            (e as Error).message
          }`,
        );
      }
    });
  }

  /** Whether the allow-list names this host (before any resolution). */
  allowsHost(host: string): boolean {
    const ip = parseIp(host);
    if (ip) return this.namesAddress(ip);
    const name = normalizeName(host);
    if (!name) return false;
    return this.entries.some(e =>
      e.kind === 'name'
        ? e.name === name
        : e.kind === 'suffix' && name.endsWith(e.suffix),
    );
  }

  /** Whether a connection to this resolved address may be made. */
  allowsAddress(address: string): boolean {
    const ip = parseIp(address);
    if (!ip) return false;
    return categoryOf(ip) === 'public' || this.namesAddress(ip);
  }

  private namesAddress(ip: Ip): boolean {
    return this.entries.some(e => e.kind === 'range' && inRange(e.range, ip));
  }

  /**
   * Checks a host against the allow-list, resolves it and checks every
   * address. Throws NotAllowedError naming the setting when refused, and an
   * Error when the name does not resolve.
   */
  async resolve(
    hostOrAddress: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<PinnedHost> {
    const host = hostOrAddress.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const literal = parseIp(host) !== undefined;
    if (this.entries.length === 0) {
      throw new NotAllowedError(
        `${this.setting} is empty or not set, so no host may be reached (refused ${host}); list the host names, addresses or CIDR ranges to allow`,
      );
    }
    if (!this.allowsHost(host)) {
      throw new NotAllowedError(
        `${literal ? 'Address' : 'Host'} ${host} is not in ${this.setting}`,
      );
    }
    const addresses = literal
      ? [{ address: host, family: isIP(host) as 4 | 6 }]
      : await this.lookupAll(host, options.signal);
    const refused = addresses
      .filter(a => !this.allowsAddress(a.address))
      .map(a => {
        const ip = parseIp(a.address);
        return `${a.address} (${ip ? categoryOf(ip) : 'not an IP address'})`;
      });
    if (refused.length) {
      throw new NotAllowedError(
        `Host ${host} resolves to ${refused.join(', ')}, which ${
          this.setting
        } does not name; add the address or a CIDR range containing it to allow it`,
      );
    }
    return { host, addresses, lookup: pinnedLookup(host, addresses) };
  }

  private async lookupAll(host: string, signal?: AbortSignal) {
    signal?.throwIfAborted();
    let found: { address: string; family: number }[];
    try {
      found = await new Promise((resolve, reject) => {
        const onAbort = () => reject(signal!.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.resolver(host)
          .then(resolve, reject)
          .finally(() => signal?.removeEventListener('abort', onAbort));
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new Error(`Could not resolve ${host}: ${code}`);
    }
    if (found.length === 0)
      throw new Error(`Could not resolve ${host}: no addresses`);
    return found.map(a => ({
      address: a.address,
      family: (a.family === 6 ? 6 : 4) as 4 | 6,
    }));
  }
}

function pinnedLookup(
  host: string,
  addresses: PinnedHost['addresses'],
): LookupFunction {
  return (hostname, options, callback) => {
    let family = 0;
    if (options.family === 4 || options.family === 'IPv4') family = 4;
    if (options.family === 6 || options.family === 'IPv6') family = 6;
    const list = addresses.filter(a => !family || a.family === family);
    if (hostname.toLowerCase() !== host || list.length === 0) {
      const error: NodeJS.ErrnoException = new Error(
        `${hostname} was not checked by the network policy`,
      );
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
    } else if (options.all) {
      callback(null, list);
    } else {
      callback(null, list[0].address, list[0].family);
    }
  };
}
