/**
 * Which webhook URLs the platform will call (SSRF defence). Checked twice: the URL when an endpoint is
 * registered, and every resolved address when a connection is made (a custom `lookup` on the HTTP
 * agents), because a name that resolved to a public address at registration can later resolve to
 * 127.0.0.1 or the cloud metadata service (DNS rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { AddressRefusedError, EndpointUrlRefusedError } from './errors.ts';

export interface UrlPolicy {
  /** Plain http allowed (local mode only): otherwise https is required. */
  allowHttp: boolean;
  /**
   * Loopback, private (RFC 1918), link-local, unique-local and shared (CGNAT) addresses allowed: the
   * explicit local-mode allowance, so a developer's receiver on 127.0.0.1 can be registered.
   * Unspecified, multicast and reserved addresses stay refused even then: no receiver lives there.
   */
  allowPrivateNetworks: boolean;
}

/** Production: https to public addresses only. */
export const STRICT_URL_POLICY: UrlPolicy = { allowHttp: false, allowPrivateNetworks: false };
/** Local mode: http and the developer's own networks allowed. */
export const LOCAL_URL_POLICY: UrlPolicy = { allowHttp: true, allowPrivateNetworks: true };

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'shared'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

const PRIVATE_NETWORK_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local', 'unique-local', 'shared']);

const MAX_URL_LENGTH = 2048;

type Range = readonly [prefix: readonly number[], bits: number, addressClass: AddressClass];

// Most specific first; the first match wins. Sources: IANA IPv4/IPv6 special-purpose registries.
const IPV4_RANGES: readonly Range[] = [
  [[255, 255, 255, 255], 32, 'reserved'], // limited broadcast
  [[0], 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  [[127], 8, 'loopback'],
  [[10], 8, 'private'],
  [[172, 16], 12, 'private'],
  [[192, 168], 16, 'private'],
  [[100, 64], 10, 'shared'], // CGNAT, RFC 6598
  [[169, 254], 16, 'link-local'], // includes the cloud metadata service 169.254.169.254
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2], 24, 'reserved'], // documentation
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[198, 18], 15, 'reserved'], // benchmarking
  [[192, 88, 99], 24, 'reserved'], // deprecated 6to4 relay anycast
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
];

const IPV6_RANGES: readonly Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfc], 7, 'unique-local'],
  [[0xff], 8, 'multicast'],
  [[0xfe, 0xc0], 10, 'reserved'], // deprecated site-local: still routed inside some networks
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0x20, 0x01, 0, 0], 32, 'reserved'], // Teredo: tunnels to an IPv4 address of anyone's choosing
  [[0x20, 0x02], 16, 'reserved'], // 6to4: same
  [[0x01, 0, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only
];

const matches = (bytes: readonly number[], [prefix, bits]: Range): boolean => {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
};

const ipv4Bytes = (text: string): number[] => text.split('.').map(Number);

/** The 16 bytes of a textual IPv6 address (already known valid by isIP), zone id dropped. */
const ipv6Bytes = (text: string): number[] => {
  let address = text.split('%')[0]!;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    tail.push(...ipv4Bytes(dotted[1]!));
    address = address.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = address.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
};

const classifyIpv4 = (bytes: readonly number[]): AddressClass => IPV4_RANGES.find((range) => matches(bytes, range))?.[2] ?? 'public';

/** The class of an IP address (v4 or v6 text). IPv4 embedded in IPv6 (mapped, NAT64) is judged as the IPv4 it reaches. */
export const classifyAddress = (address: string): AddressClass => {
  const version = isIP(address.split('%')[0]!);
  if (version === 4) return classifyIpv4(ipv4Bytes(address));
  if (version !== 6) throw new RangeError(`'${address}' is not an IP address; expected IPv4 or IPv6 text`);
  const bytes = ipv6Bytes(address);
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  // 64:ff9b::/96 is what DNS64 hands out for IPv4-only hosts: legitimate, and only as safe as its IPv4.
  const isNat64 = matches(bytes, [[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96, 'public']);
  if (isMapped || isNat64) return classifyIpv4(bytes.slice(12));
  const special = IPV6_RANGES.find((range) => matches(bytes, range))?.[2];
  if (special) return special;
  // Only global unicast (2000::/3) is public; the rest of the space is unassigned or special.
  return (bytes[0]! & 0xe0) === 0x20 ? 'public' : 'reserved';
};

/** Whether the policy lets the platform connect to this address. */
export const isAddressAllowed = (address: string, policy: UrlPolicy): boolean => {
  const addressClass = classifyAddress(address);
  return addressClass === 'public' || (policy.allowPrivateNetworks && PRIVATE_NETWORK_CLASSES.has(addressClass));
};

/** Throws AddressRefusedError unless the policy allows connecting to `address` (for `hostname`). */
export const checkAddress = (address: string, policy: UrlPolicy, hostname = address): void => {
  if (!isAddressAllowed(address, policy)) {
    throw new AddressRefusedError(
      `${hostname} resolves to ${address} (${classifyAddress(address)}); expected a public address${policy.allowPrivateNetworks ? ' or a private-network one' : ''}`,
    );
  }
};

/** The URL host without IPv6 brackets. */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

const isLocalName = (host: string): boolean => {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
};

/**
 * Checks a webhook URL at registration and returns it parsed. IP literals are judged by class (the
 * URL parser has already normalised `0x7f.1`, `2130706433` and `[::ffff:127.0.0.1]`); names are
 * judged again at connect time, since only then is their address known.
 */
export const checkEndpointUrl = (text: string, policy: UrlPolicy): URL => {
  if (text.length > MAX_URL_LENGTH) throw new EndpointUrlRefusedError(`webhook URL is ${text.length} characters long; expected at most ${MAX_URL_LENGTH}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EndpointUrlRefusedError(`webhook URL '${text}' is not an absolute URL; expected e.g. https://agency.example/webhooks`);
  }
  const allowed = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    throw new EndpointUrlRefusedError(`webhook URL scheme is '${url.protocol.replace(/:$/, '')}'; expected ${allowed.map((p) => p.replace(/:$/, '')).join(' or ')}`);
  }
  // Credentials in a URL end up in logs and listings; the signature is the authentication.
  if (url.username !== '' || url.password !== '') throw new EndpointUrlRefusedError('webhook URL carries user info; expected none (the signature authenticates)');
  const host = bareHost(url);
  if (isIP(host)) {
    if (!isAddressAllowed(host, policy)) {
      throw new EndpointUrlRefusedError(`webhook URL host ${host} is a ${classifyAddress(host)} address; expected a public address${policy.allowPrivateNetworks ? ' or a private-network one' : ''}`);
    }
  } else if (isLocalName(host) && !policy.allowPrivateNetworks) {
    throw new EndpointUrlRefusedError(`webhook URL host '${host}' names this machine; expected a public host`);
  }
  return url;
};

/** Resolves a name to all its addresses (node:dns lookup by default; injectable for tests). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for net/http/https that resolves the name and refuses the connection when any of its
 * addresses is outside the policy — checked on the address actually connected to, so DNS rebinding
 * between registration and delivery gains nothing. (Node skips `lookup` for IP literals: callers
 * must check those themselves, see checkAddress.)
 */
export const guardedLookup = (policy: UrlPolicy, resolve: Resolver = systemResolver): LookupFunction =>
  ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
        const addresses = family === 4 || family === 6 ? resolved.filter((a) => a.family === family) : resolved;
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        // One refused address refuses the name: a name that points into a private network is not a receiver.
        const refused = addresses.find((a) => !isAddressAllowed(a.address, policy));
        if (refused) {
          try {
            checkAddress(refused.address, policy, hostname);
          } catch (error) {
            return callback(error);
          }
        }
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error),
    );
  }) as LookupFunction;
