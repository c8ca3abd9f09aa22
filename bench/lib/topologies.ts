// The topologies of the multi-relay scenarios, beyond the one-hop chain:
// - series: src — r1 — r2 — … — rx, each relay in its own namespace (the 3-hop chain);
// - fan: src — relay, and n veths from the relay (outI) into ONE receiver namespace
//   (rxI), so 200 receivers cost 200 veth pairs but not 200 namespaces.
// Addresses follow test/helpers/netns.ts: the relay side is .1, the far side .2.
import type { Endpoint, Lab, Netns, RouteSpec, VethEnd } from '../../test/helpers/netns.js';

export interface Hop {
  ns: Netns;
  in0: Endpoint;
  out0: Endpoint;
}

export interface Series {
  src: Endpoint;
  hops: Hop[];
  rx: Endpoint;
}

function veth(a: Endpoint, b: Endpoint): [VethEnd, VethEnd] {
  return [
    { ns: a.ns, name: a.iface, address: `${a.address}/24` },
    { ns: b.ns, name: b.iface, address: `${b.address}/24` },
  ];
}

/** An end host's routes: multicast out of its one link, the rest through the relay. */
function hostRoutes(end: Endpoint, gateway: string): RouteSpec[] {
  return [
    { ns: end.ns, to: '224.0.0.0/4', dev: end.iface },
    { ns: end.ns, to: 'default', via: gateway },
  ];
}

/** src —veth— r1 —veth— r2 … —veth— rx; link i is 10.(20+i).0.0/24. */
export async function series(lab: Lab, relays: number): Promise<Series> {
  const labels = Array.from({ length: relays }, (_, i) => `r${i + 1}`);
  const [srcNs, ...rest] = await lab.namespaces('src', ...labels, 'rx');
  const rxNs = rest.pop() as Netns;
  const net = (i: number) => `10.${20 + i}.0`;
  const src = { ns: srcNs as Netns, iface: 'eth0', address: `${net(0)}.2` };
  const hops = rest.map((ns, i) => ({
    ns,
    in0: { ns, iface: 'in0', address: `${net(i)}.1` },
    out0: { ns, iface: 'out0', address: `${net(i + 1)}.2` },
  }));
  const rx = { ns: rxNs, iface: 'eth0', address: `${net(relays)}.1` };
  // Link i joins the previous hop's out0 (or src) to hop i's in0 (or rx).
  const lefts: Endpoint[] = [src, ...hops.map((h) => h.out0)];
  const rights: Endpoint[] = [...hops.map((h) => h.in0), rx];
  await lab.wire({
    veths: lefts.map((left, i) => veth(left, rights[i] as Endpoint)),
    routes: [...hostRoutes(src, (hops[0] as Hop).in0.address), ...hostRoutes(rx, (hops.at(-1) as Hop).out0.address)],
  });
  return { src, hops, rx };
}

export interface Fan {
  src: Endpoint;
  relay: Netns;
  in0: Endpoint;
  outs: Endpoint[];
  /** rxs[i] is the receiver's end of outs[i]; all in one namespace. */
  rxs: Endpoint[];
}

/** Leg i's subnet: 10.128.0.0/24, 10.128.1.0/24, … (as test/helpers/netns.ts fanout). */
function legNet(i: number): string {
  return `10.${128 + Math.floor(i / 256)}.${i % 256}`;
}

export async function fan(lab: Lab, n: number): Promise<Fan> {
  const [srcNs, relay, rxNs] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  const src = { ns: srcNs, iface: 'eth0', address: '10.1.0.2' };
  const in0 = { ns: relay, iface: 'in0', address: '10.1.0.1' };
  const outs = Array.from({ length: n }, (_, i) => ({ ns: relay, iface: `out${i}`, address: `${legNet(i)}.1` }));
  const rxs = Array.from({ length: n }, (_, i) => ({ ns: rxNs, iface: `rx${i}`, address: `${legNet(i)}.2` }));
  await lab.wire({
    veths: [veth(in0, src), ...outs.map((out, i) => veth(out, rxs[i] as Endpoint))],
    // Each sink joins on its own interface; the default route is only there so that the
    // receiver has a path back to any source (reverse-path checks on kernel-routed traffic).
    routes: [...hostRoutes(src, in0.address), { ns: rxNs, to: 'default', via: (outs[0] as Endpoint).address }],
  });
  return { src, relay, in0, outs, rxs };
}
