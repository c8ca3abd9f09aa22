// Wiring between a Lab's namespaces: bridges, veth pairs, addresses (IPv4 and IPv6),
// MAC addresses and routes, turned into a few `ip -batch` runs per namespace whatever
// their number. planWiring is pure (what to run where, tested with tables of cases);
// applyWiring runs the plan and waits until every veth carries traffic. Veths are
// created straight into both namespaces, so no interface ever exists in the host's.
// It never creates or deletes namespaces (lab.ts does).
import type { Netns } from './namespace.js';

/** One or more addresses as CIDR, IPv4 ("10.1.0.1/24") or IPv6 ("fd00:1::1/64"). */
export type Addresses = string | readonly string[];

export interface VethEnd {
  ns: Netns;
  name: string;
  /** IPv6 ones are added `nodad`: usable at once, without duplicate address detection. */
  address?: Addresses;
  mtu?: number;
  /** e.g. "02:00:00:00:01:02"; the kernel picks a random one when absent. */
  mac?: string;
  /** A bridge in the same namespace to enslave this end to. */
  master?: string;
}

export interface BridgeSpec {
  ns: Netns;
  name: string;
  address?: Addresses;
  mac?: string;
  /** IGMP/MLD snooping; the kernel's default (on) unless false. */
  snooping?: boolean;
}

/**
 * A route in ns. The family follows `to` (or `via`): "224.0.0.0/4", "default" or
 * "ff00::/8", "::/0" (IPv6's default: a batch line cannot say `-6`).
 */
export interface RouteSpec {
  ns: Netns;
  to: string;
  dev?: string;
  via?: string;
}

export interface WireSpec {
  bridges?: BridgeSpec[];
  veths?: [VethEnd, VethEnd][];
  routes?: RouteSpec[];
}

/** The `ip -batch` lines for each namespace, in the order they must run. */
export interface WiringPlan {
  /** Links to create (first, everywhere: a veth's peer must exist before it is configured). */
  create: Map<Netns, string[]>;
  /** Masters, MACs, addresses, links up, then routes (which need their links up). */
  configure: Map<Netns, string[]>;
  /** The veth ends to wait for, per namespace, until they are up and forwarding. */
  waitFor: Map<Netns, string[]>;
}

function checkIfname(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`bad interface name "${name}" (1 to 15 characters)`);
}

/** A value spliced into a batch line: one word, or it would split the line or add one. */
function word(value: string, what: string): string {
  if (!/^[^\s]+$/.test(value)) throw new Error(`bad ${what} "${value}" (one word, no spaces)`);
  return value;
}

function checkMac(mac: string): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new Error(`bad MAC address "${mac}" (six hex pairs, e.g. 02:00:00:00:01:02)`);
  return mac;
}

function addressLines(dev: string, addresses: Addresses | undefined): string[] {
  const list: readonly string[] = typeof addresses === 'string' ? [addresses] : addresses ?? [];
  return list.map((cidr) => `addr add ${word(cidr, 'address')} dev ${dev}${cidr.includes(':') ? ' nodad' : ''}`);
}

export function planWiring(spec: WireSpec): WiringPlan {
  const plan: WiringPlan = { create: new Map(), configure: new Map(), waitFor: new Map() };
  const add = (map: Map<Netns, string[]>, ns: Netns, ...lines: string[]) => map.set(ns, [...(map.get(ns) ?? []), ...lines]);
  const macLine = (dev: string, mac: string | undefined) => (mac ? [`link set dev ${dev} address ${checkMac(mac)}`] : []);
  for (const bridge of spec.bridges ?? []) {
    checkIfname(bridge.name);
    const snooping = bridge.snooping === false ? ' mcast_snooping 0' : '';
    add(plan.create, bridge.ns, `link add ${bridge.name} type bridge${snooping}`);
    add(plan.configure, bridge.ns, ...macLine(bridge.name, bridge.mac), ...addressLines(bridge.name, bridge.address));
    add(plan.configure, bridge.ns, `link set ${bridge.name} up`);
  }
  for (const [a, b] of spec.veths ?? []) {
    checkIfname(a.name);
    checkIfname(b.name);
    const mtu = (end: VethEnd) => (end.mtu ? ` mtu ${end.mtu}` : '');
    add(plan.create, a.ns, `link add ${a.name}${mtu(a)} type veth peer name ${b.name}${mtu(b)} netns ${b.ns.name}`);
    for (const end of [a, b]) {
      if (end.master) add(plan.configure, end.ns, `link set ${end.name} master ${word(end.master, 'bridge name')}`);
      add(plan.configure, end.ns, ...macLine(end.name, end.mac), ...addressLines(end.name, end.address));
      add(plan.configure, end.ns, `link set ${end.name} up`);
      add(plan.waitFor, end.ns, end.name);
    }
  }
  for (const route of spec.routes ?? []) {
    const via = route.via ? ` via ${word(route.via, 'gateway')}` : '';
    const dev = route.dev ? ` dev ${word(route.dev, 'route device')}` : '';
    add(plan.configure, route.ns, `route add ${word(route.to, 'route destination')}${via}${dev}`);
  }
  return plan;
}

/** Runs fn over items, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  });
  await Promise.all(workers);
}

/** Creates bridges and veth pairs, then addresses them, brings them up, adds routes. */
export async function applyWiring(spec: WireSpec): Promise<void> {
  const plan = planWiring(spec);
  await inParallel([...plan.create], 8, ([ns, lines]) => ns.batch(lines));
  await inParallel([...plan.configure], 8, ([ns, lines]) => ns.batch(lines));
  await inParallel([...plan.waitFor], 8, ([ns, names]) => ns.waitForwarding(names));
}
