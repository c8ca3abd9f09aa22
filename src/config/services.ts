// The discovery services a [[reflector]] can name: for each, the groups it uses in both
// address families, its port, and the TTL (or hop limit) its datagrams carry. Facts from
// the protocols' own documents; pure data and one lookup, no I/O.
//
// TTLs: mDNS requires 255 (RFC 6762 section 11: a receiver may take anything else for a
// packet from off the link); SSDP's default is 2 (UPnP Device Architecture 1.1, 1.1.2);
// WS-Discovery and LLMNR (RFC 4795 section 2.5) send with 1.
import type { Family } from '../net/address.js';

export const SERVICE_NAMES = ['mdns', 'ssdp', 'ws-discovery', 'llmnr'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicePreset {
  /** The group of each family, as canonical text. */
  readonly groups: Readonly<Record<Family, string>>;
  readonly port: number;
  readonly ttl: number;
}

export const SERVICES: Readonly<Record<ServiceName, ServicePreset>> = {
  mdns: { groups: { ipv4: '224.0.0.251', ipv6: 'ff02::fb' }, port: 5353, ttl: 255 },
  ssdp: { groups: { ipv4: '239.255.255.250', ipv6: 'ff02::c' }, port: 1900, ttl: 2 },
  'ws-discovery': { groups: { ipv4: '239.255.255.250', ipv6: 'ff02::c' }, port: 3702, ttl: 1 },
  llmnr: { groups: { ipv4: '224.0.0.252', ipv6: 'ff02::1:3' }, port: 5355, ttl: 1 },
};

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}

/** The word a reflector's group is written as for broadcast relaying. */
export const BROADCAST = 'broadcast';
/** The IPv4 limited broadcast, which a "broadcast" input stands for (with the
 * interface's directed broadcast). */
export const LIMITED_BROADCAST = '255.255.255.255';
