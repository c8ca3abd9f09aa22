// Ready-made topologies on a Lab, for the tests, the bench and `mcr demo`:
//   chain       src —— relay —— rx                       (the one-hop path)
//   fanout      src —— relay —— rx0 … rxN-1, one namespace each
//   dualBridge  src —[br-a]— relay —[br-b]— rx            (two bridges with no path between)
//   series      src —— r1 —— r2 … —— rx                   (a relay per hop)
//   fan         src —— relay ═══ rx, N veths into ONE receiver namespace
//   direct      src —— rx                                 (no relay: the tools' ceiling)
//   demoNetwork the `mcr demo` network (see there)
// Addresses: the relay is .1 on every subnet, the far end .2 (series keeps the bench's
// own numbering, see there). Endpoints route multicast out of their one link and the
// rest through the relay; the relay gets no routes: it must say which interface it
// sends on. With `ipv6`, every endpoint also gets the twin of its address (endpoints.ts)
// and the IPv6 routes to match. Only builds: the namespaces' life is the Lab's.
import { dualStack, hostRoutes, link, type Endpoint, type LinkOptions } from './endpoints.js';
import type { Lab } from './lab.js';
import type { Netns } from './namespace.js';

export interface TopologyOptions extends LinkOptions {
  /** Every endpoint also gets an IPv6 address (fd00:…, the twin of its IPv4 one). */
  ipv6?: boolean;
}

export interface Chain {
  src: Endpoint;
  relay: Netns;
  /** The relay's leg toward src (10.1.0.1/24) and toward rx (10.2.0.1/24). */
  in0: Endpoint;
  out0: Endpoint;
  rx: Endpoint;
}

export interface Fanout {
  src: Endpoint;
  relay: Netns;
  in0: Endpoint;
  /** outs[i] is the relay's leg outI; rxs[i] the receiver behind it. */
  outs: Endpoint[];
  rxs: Endpoint[];
}

export interface DualBridge {
  src: Endpoint;
  relay: Netns;
  /** The relay's leg on bridge A (10.3.0.1/24) and on bridge B (10.4.0.1/24). */
  in0: Endpoint;
  out0: Endpoint;
  rx: Endpoint;
  /** The namespace holding both bridges, br-a and br-b, and nothing else. */
  switch: Netns;
}

/** src —veth— relay —veth— rx. */
export async function chain(lab: Lab, options: TopologyOptions = {}): Promise<Chain> {
  const [srcNs, relay, rxNs] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  const end = (ns: Netns, iface: string, address: string) => dualStack({ ns, iface, address }, options.ipv6);
  const src = end(srcNs, 'eth0', '10.1.0.2');
  const in0 = end(relay, 'in0', '10.1.0.1');
  const out0 = end(relay, 'out0', '10.2.0.1');
  const rx = end(rxNs, 'eth0', '10.2.0.2');
  await lab.wire({
    veths: [link(in0, src, options), link(out0, rx, options)],
    routes: [...hostRoutes(src, in0), ...hostRoutes(rx, out0)],
  });
  return { src, relay, in0, out0, rx };
}

/** The subnet of fan-out leg i: 10.128.0.0/24, 10.128.1.0/24, ... 10.129.0.0/24 ... */
function legSubnet(i: number): string {
  return `10.${128 + Math.floor(i / 256)}.${i % 256}`;
}

/** src —veth— relay, and one veth from the relay (outI) to each of n receivers (rxI). */
export async function fanout(lab: Lab, n: number, options: TopologyOptions = {}): Promise<Fanout> {
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`fanout needs 1 to 4096 receivers, got ${n}`);
  const receivers = Array.from({ length: n }, (_, i) => `rx${i}`);
  const [srcNs, relay, ...rxNs] = await lab.namespaces('src', 'relay', ...receivers);
  if (!srcNs || !relay) throw new Error('namespaces missing');
  const end = (ns: Netns, iface: string, address: string) => dualStack({ ns, iface, address }, options.ipv6);
  const src = end(srcNs, 'eth0', '10.1.0.2');
  const in0 = end(relay, 'in0', '10.1.0.1');
  const outs = rxNs.map((_, i) => end(relay, `out${i}`, `${legSubnet(i)}.1`));
  const rxs = rxNs.map((ns, i) => end(ns, 'eth0', `${legSubnet(i)}.2`));
  await lab.wire({
    veths: [link(in0, src, options), ...outs.map((out, i) => link(out, rxs[i] as Endpoint, options))],
    routes: [...hostRoutes(src, in0), ...rxs.flatMap((rx, i) => hostRoutes(rx, outs[i]))],
  });
  return { src, relay, in0, outs, rxs };
}

/**
 * Two bridges that share no path (br-a, br-b, in their own namespace, no addresses),
 * the relay with one leg on each, src behind bridge A and rx behind bridge B.
 */
export async function dualBridge(lab: Lab, options: TopologyOptions & { snooping?: boolean } = {}): Promise<DualBridge> {
  const [srcNs, relay, rxNs, sw] = (await lab.namespaces('src', 'relay', 'rx', 'switch')) as [Netns, Netns, Netns, Netns];
  const end = (ns: Netns, iface: string, address: string) => dualStack({ ns, iface, address }, options.ipv6);
  const src = end(srcNs, 'eth0', '10.3.0.2');
  const in0 = end(relay, 'in0', '10.3.0.1');
  const out0 = end(relay, 'out0', '10.4.0.1');
  const rx = end(rxNs, 'eth0', '10.4.0.2');
  const port = (iface: string, master: string) => ({ ns: sw, iface, master });
  const snooping = options.snooping === undefined ? {} : { snooping: options.snooping };
  await lab.wire({
    bridges: [
      { ns: sw, name: 'br-a', ...snooping },
      { ns: sw, name: 'br-b', ...snooping },
    ],
    veths: [
      link(src, port('a-src', 'br-a'), options),
      link(in0, port('a-relay', 'br-a'), options),
      link(out0, port('b-relay', 'br-b'), options),
      link(rx, port('b-rx', 'br-b'), options),
    ],
    routes: [...hostRoutes(src, in0), ...hostRoutes(rx, out0)],
  });
  return { src, relay, in0, out0, rx, switch: sw };
}

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

/**
 * src —veth— r1 —veth— r2 … —veth— rx, each relay in its own namespace. Link i is
 * 10.(20+i).0.0/24, its left end .2 and its right end .1 (the bench's numbering).
 */
export async function series(lab: Lab, relays: number, options: TopologyOptions = {}): Promise<Series> {
  if (!Number.isInteger(relays) || relays < 1 || relays > 200) throw new Error(`series needs 1 to 200 relays, got ${relays}`);
  const labels = Array.from({ length: relays }, (_, i) => `r${i + 1}`);
  const [srcNs, ...rest] = await lab.namespaces('src', ...labels, 'rx');
  const rxNs = rest.pop() as Netns;
  const end = (ns: Netns, iface: string, address: string) => dualStack({ ns, iface, address }, options.ipv6);
  const net = (i: number) => `10.${20 + i}.0`;
  const src = end(srcNs as Netns, 'eth0', `${net(0)}.2`);
  const hops = rest.map((ns, i) => ({ ns, in0: end(ns, 'in0', `${net(i)}.1`), out0: end(ns, 'out0', `${net(i + 1)}.2`) }));
  const rx = end(rxNs, 'eth0', `${net(relays)}.1`);
  // Link i joins the previous hop's out0 (or src) to hop i's in0 (or rx).
  const lefts: Endpoint[] = [src, ...hops.map((h) => h.out0)];
  const rights: Endpoint[] = [...hops.map((h) => h.in0), rx];
  await lab.wire({
    veths: lefts.map((left, i) => link(left, rights[i] as Endpoint, options)),
    routes: [...hostRoutes(src, (hops[0] as Hop).in0), ...hostRoutes(rx, (hops.at(-1) as Hop).out0)],
  });
  return { src, hops, rx };
}

export interface Fan {
  src: Endpoint;
  relay: Netns;
  in0: Endpoint;
  outs: Endpoint[];
  /** rxs[i] is the receiver's end of outs[i] (interface rxI); all in one namespace. */
  rxs: Endpoint[];
}

/** src —veth— relay, and n veths from the relay (outI) into one receiver namespace (rxI). */
export async function fan(lab: Lab, n: number, options: TopologyOptions = {}): Promise<Fan> {
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`fan needs 1 to 4096 legs, got ${n}`);
  const [srcNs, relay, rxNs] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  const end = (ns: Netns, iface: string, address: string) => dualStack({ ns, iface, address }, options.ipv6);
  const src = end(srcNs, 'eth0', '10.1.0.2');
  const in0 = end(relay, 'in0', '10.1.0.1');
  const outs = Array.from({ length: n }, (_, i) => end(relay, `out${i}`, `${legSubnet(i)}.1`));
  const rxs = Array.from({ length: n }, (_, i) => end(rxNs, `rx${i}`, `${legSubnet(i)}.2`));
  await lab.wire({
    veths: [link(in0, src, options), ...outs.map((out, i) => link(out, rxs[i] as Endpoint, options))],
    // Each sink joins on its own interface; the default route is only there so that the
    // receiver has a path back to any source (reverse-path checks on kernel-routed traffic).
    routes: [...hostRoutes(src, in0), { ns: rxNs, to: 'default', via: (outs[0] as Endpoint).address }],
  });
  return { src, relay, in0, outs, rxs };
}

export interface Direct {
  src: Endpoint;
  rx: Endpoint;
}

/** src —veth— rx, one pair (namespaces dsrc and drx): gen and sink with nothing between. */
export async function direct(lab: Lab, options: TopologyOptions = {}): Promise<Direct> {
  const [srcNs, rxNs] = (await lab.namespaces('dsrc', 'drx')) as [Netns, Netns];
  const src = dualStack({ ns: srcNs, iface: 'eth0', address: '10.9.0.2' }, options.ipv6);
  const rx = dualStack({ ns: rxNs, iface: 'eth0', address: '10.9.0.3' }, options.ipv6);
  await lab.wire({ veths: [link(src, rx, options)], routes: [...hostRoutes(src), ...hostRoutes(rx)] });
  return { src, rx };
}

export interface DemoNetwork {
  src: Netns;
  relay: Netns;
  receivers: [Netns, Netns];
  /** The sender's address: outside every subnet the relay knows. */
  senderAddress: string;
}

/**
 * `mcr demo`'s network: a sender at 198.51.100.7, an address the relay has no route to,
 * behind the relay's in0 (10.10.0.1/24), with strict reverse-path filtering on the
 * relay so that its kernel drops the sender's multicast; two receivers behind out1
 * (10.20.1.1/24) and out2 (10.20.2.1/24). Namespaces src, relay, rx1, rx2.
 */
export async function demoNetwork(lab: Lab): Promise<DemoNetwork> {
  const [src, relay, rx1, rx2] = (await lab.namespaces('src', 'relay', 'rx1', 'rx2')) as [Netns, Netns, Netns, Netns];
  const senderAddress = '198.51.100.7';
  const sender = { ns: src, iface: 'eth0', address: senderAddress };
  const receivers = [rx1, rx2].map((ns, i) => ({ ns, iface: 'eth0', address: `10.20.${i + 1}.2` }));
  await lab.wire({
    veths: [
      link({ ns: relay, iface: 'in0', address: '10.10.0.1' }, sender),
      ...receivers.map((rx, i) => link({ ns: relay, iface: `out${i + 1}`, address: `10.20.${i + 1}.1` }, rx)),
    ],
    routes: [...hostRoutes(sender), ...receivers.flatMap((rx) => hostRoutes(rx))],
  });
  await relay.sysctl({ 'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.in0.rp_filter': 1 });
  return { src, relay, receivers: [rx1, rx2], senderAddress };
}
