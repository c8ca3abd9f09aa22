// The dual-bridge topology with every endpoint in one namespace, as the reference relay
// measured it: bridges br-a and br-b, and the sender's, the relay's and the receiver's
// interfaces all in the same namespace, each on its bridge through a veth pair. The
// addresses match src/netns/topologies.ts dualBridge(), so results compare directly.
// In one namespace every endpoint's address is local to every other: a datagram that
// arrives from the sender or from the relay has a local source, which the kernel's IP
// input drops unless net.ipv4.conf.*.accept_local is set.
import type { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import type { VethEnd } from '../../src/netns/wiring.js';

export interface OneNamespace {
  ns: Netns;
  src: { iface: string; address: string };
  in0: { iface: string; address: string };
  out0: { iface: string; address: string };
  rx: { iface: string; address: string };
}

export async function oneNamespaceDualBridge(lab: Lab): Promise<OneNamespace> {
  const [ns] = (await lab.namespaces('host')) as [Netns];
  const src = { iface: 'src0', address: '10.3.0.2' };
  const in0 = { iface: 'in0', address: '10.3.0.1' };
  const out0 = { iface: 'out0', address: '10.4.0.1' };
  const rx = { iface: 'rx0', address: '10.4.0.2' };
  const leg = (end: { iface: string; address: string }, port: string, master: string): [VethEnd, VethEnd] => [
    { ns, name: end.iface, address: `${end.address}/24` },
    { ns, name: port, master },
  ];
  await lab.wire({
    bridges: [
      { ns, name: 'br-a' },
      { ns, name: 'br-b' },
    ],
    veths: [leg(src, 'a-src', 'br-a'), leg(in0, 'a-relay', 'br-a'), leg(out0, 'b-relay', 'br-b'), leg(rx, 'b-rx', 'br-b')],
  });
  return { ns, src, in0, out0, rx };
}
