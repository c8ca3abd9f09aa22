// The topology of the redundant-input tests: one sender with two links to the relay (two
// paths of one stream, as SMPTE ST 2022-7 sends it), and a receiver behind the relay.
//   src eth0 (10.1.0.2) —— relay in0 (10.1.0.1)   path 0, the primary
//   src eth1 (10.5.0.2) —— relay in1 (10.5.0.1)   path 1, the backup
//   relay out0 (10.2.0.1) —— rx eth0 (10.2.0.2)
import { hostRoutes, link, type Endpoint, type Lab, type Netns } from './netns.js';

export interface TwoPaths {
  src: Netns;
  relay: Netns;
  rx: Netns;
  paths: [Endpoint, Endpoint];
}

export async function twoPaths(lab: Lab): Promise<TwoPaths> {
  const [src, relay, rx] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  const eth0 = { ns: src, iface: 'eth0', address: '10.1.0.2' };
  const eth1 = { ns: src, iface: 'eth1', address: '10.5.0.2' };
  const in0 = { ns: relay, iface: 'in0', address: '10.1.0.1' };
  const in1 = { ns: relay, iface: 'in1', address: '10.5.0.1' };
  const out0 = { ns: relay, iface: 'out0', address: '10.2.0.1' };
  const rxEnd = { ns: rx, iface: 'eth0', address: '10.2.0.2' };
  await lab.wire({
    veths: [link(in0, eth0), link(in1, eth1), link(out0, rxEnd)],
    routes: [...hostRoutes(eth0), ...hostRoutes(rxEnd, out0)],
  });
  return { src, relay, rx, paths: [in0, in1] };
}

/** The rule of both tests: the same group and port on in0 (primary) and in1. */
export function redundantRule(redundancy: string, timeoutMs: number, ...extra: string[]): string[] {
  return [
    '[[rule]]',
    'name = "protected"',
    'inputs = [',
    `  { interface = "in0", group = "239.1.1.1", port = 5000, timeout_ms = ${timeoutMs} },`,
    `  { interface = "in1", group = "239.1.1.1", port = 5000, timeout_ms = ${timeoutMs} },`,
    ']',
    `redundancy = "${redundancy}"`,
    'payload = "rtp"',
    'clock_rate = 90000',
    ...extra,
    'outputs = [ { interface = "out0", group = "239.2.2.2", port = 5000 } ]',
  ];
}

export const REDUNDANT_KEY = 'in0|239.1.1.1|5000|* + in1|239.1.1.1|5000|*';
