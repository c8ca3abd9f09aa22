// The discovery network (reflector tests, the reflector bench): segments (one bridge each, in a switch namespace), end hosts
// on them, and relays with one leg on every segment, each leg named after its segment
// ("lan", "iot", "guest"), as a reflector's `interfaces` list names them. Segment i is
// 10.(60+i).0.0/24 (and fd00:(60+i)::/64 with ipv6): relay r is .(1+r), host h is .(10+h). Builds only; the Lab owns the
// namespaces' life.
import { dualStack, hostRoutes, link, type Endpoint } from './endpoints.js';
import type { Lab } from './lab.js';
import type { Netns } from './namespace.js';

export interface Segments {
  readonly names: readonly string[];
  /** hosts[segment][h]: an end host with one interface, eth0. */
  readonly hosts: Record<string, Endpoint[]>;
  /** relays[r][segment]: relay r's leg on that segment. */
  readonly relays: { ns: Netns; legs: Record<string, Endpoint> }[];
  readonly switch: Netns;
}

export function subnetOf(names: readonly string[], segment: string): string {
  return `10.${60 + names.indexOf(segment)}.0`;
}

/** routed: hosts route everything else through relay 0's leg, which forwards (for the
 * unicast answers a discovery reply is). ipv6: every end also gets the IPv6 twin of its
 * address (10.60.0.10 is fd00:60::10), and IPv6 multicast routes. */
export async function segments(
  lab: Lab,
  names: readonly string[],
  options: { hosts?: number; relays?: number; routed?: boolean; ipv6?: boolean } = {},
): Promise<Segments> {
  const hostCount = options.hosts ?? 1;
  const relayCount = options.relays ?? 1;
  const hostLabels = names.flatMap((name) => Array.from({ length: hostCount }, (_, h) => `${name}${h}`));
  const relayLabels = Array.from({ length: relayCount }, (_, r) => `relay${r}`);
  const all = await lab.namespaces('switch', ...relayLabels, ...hostLabels);
  const sw = all[0]!;
  const relayNs = all.slice(1, 1 + relayCount);
  const hostNs = all.slice(1 + relayCount);
  const hosts: Record<string, Endpoint[]> = {};
  const relays = relayNs.map((ns) => ({ ns, legs: {} as Record<string, Endpoint> }));
  const veths: ReturnType<typeof link>[] = [];
  names.forEach((name, i) => {
    const net = subnetOf(names, name);
    hosts[name] = Array.from({ length: hostCount }, (_, h) => {
      const end: Endpoint = dualStack({ ns: hostNs[i * hostCount + h]!, iface: 'eth0', address: `${net}.${10 + h}` }, options.ipv6);
      veths.push(link(end, { ns: sw, iface: `${name}-h${h}`, master: `br-${name}` }));
      return end;
    });
    relays.forEach((relay, r) => {
      const leg: Endpoint = dualStack({ ns: relay.ns, iface: name, address: `${net}.${1 + r}` }, options.ipv6);
      relay.legs[name] = leg;
      veths.push(link(leg, { ns: sw, iface: `${name}-r${r}`, master: `br-${name}` }));
    });
  });
  await lab.wire({
    bridges: names.map((name) => ({ ns: sw, name: `br-${name}`, snooping: false })),
    veths,
    routes: names.flatMap((name) => hosts[name]!.flatMap((end) => hostRoutes(end, options.routed ? relays[0]!.legs[name] : undefined))),
  });
  if (options.routed) await relays[0]!.ns.sysctl({ 'net.ipv4.ip_forward': '1' });
  return { names, hosts, relays, switch: sw };
}
