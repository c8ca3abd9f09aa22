// The vocabulary the ready-made topologies (topologies.ts) are written in, and that a
// test writes its own in: an Endpoint (an interface with its address, in a namespace),
// the IPv6 twin of an IPv4 lab address, the veth pair of one link, and an end host's
// routes. Pure: it describes wiring for wiring.ts and runs nothing.
import type { Netns } from './namespace.js';
import type { RouteSpec, VethEnd } from './wiring.js';

/** One interface of a topology: where it is, its name, its address (no prefix). */
export interface Endpoint {
  ns: Netns;
  iface: string;
  address: string;
  /** Its IPv6 address (no prefix), when the topology was built with IPv6. */
  address6?: string;
}

/** One side of a link: an Endpoint, or a bare bridge port (no address, a master). */
export interface Side {
  ns: Netns;
  iface: string;
  address?: string;
  address6?: string;
  master?: string;
  mac?: string;
}

export interface LinkOptions {
  /** MTU of both ends (default the kernel's, 1500). */
  mtu?: number;
}

/**
 * The IPv6 address that mirrors a 10.A.B.H lab address: fd00:A:B::H in a /64, the
 * digits kept as written so that each family's address reads as the other's
 * (10.1.0.2 is fd00:1::2, 10.128.49.1 is fd00:128:49::1). Canonical (RFC 5952), as
 * `ip` prints it.
 */
export function ipv6Twin(address: string): string {
  const match = /^10\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  const octets = match?.slice(1).map(Number) ?? [];
  if (!match || octets.some((o) => o > 255)) throw new Error(`no IPv6 twin for "${address}": only 10.0.0.0/8 addresses have one`);
  const [a, b, host] = octets.map(String) as [string, string, string];
  // Groups 4 to 7 are always zero: the "::" run, which grows left over zero groups.
  const head = ['fd00', a, b];
  while (head.at(-1) === '0') head.pop();
  return `${head.join(':')}::${host === '0' ? '' : host}`;
}

/** The endpoint with its IPv6 twin added when ipv6 is on, unchanged otherwise. */
export function dualStack<T extends Endpoint>(end: T, ipv6: boolean | undefined): T {
  return ipv6 ? { ...end, address6: ipv6Twin(end.address) } : end;
}

/** The veth pair of one link: IPv4 addresses in a /24, IPv6 ones in a /64. */
export function link(a: Side, b: Side, options: LinkOptions = {}): [VethEnd, VethEnd] {
  const end = (side: Side): VethEnd => {
    const addresses = [...(side.address ? [`${side.address}/24`] : []), ...(side.address6 ? [`${side.address6}/64`] : [])];
    return {
      ns: side.ns,
      name: side.iface,
      ...(addresses.length > 0 ? { address: addresses } : {}),
      ...(options.mtu ? { mtu: options.mtu } : {}),
      ...(side.mac ? { mac: side.mac } : {}),
      ...(side.master ? { master: side.master } : {}),
    };
  };
  return [end(a), end(b)];
}

/**
 * An end host's routes: multicast (224.0.0.0/4, and ff00::/8 with IPv6) out of its one
 * link, so a sink's join and a sender without --interface find it; and, given a
 * gateway, the default route (and ::/0) through it.
 */
export function hostRoutes(end: Endpoint, gateway?: Endpoint): RouteSpec[] {
  const routes: RouteSpec[] = [{ ns: end.ns, to: '224.0.0.0/4', dev: end.iface }];
  if (gateway) routes.push({ ns: end.ns, to: 'default', via: gateway.address });
  if (end.address6) {
    routes.push({ ns: end.ns, to: 'ff00::/8', dev: end.iface });
    if (gateway?.address6) routes.push({ ns: end.ns, to: '::/0', via: gateway.address6 });
  }
  return routes;
}
