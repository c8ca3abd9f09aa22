// Frame egress with real traffic: mcr writes the Ethernet frames itself, and a plain
// kernel UDP socket at the far end (which drops bad checksums) must get every datagram
// with the TTL, DSCP and source the rules file asks for (test/helpers/udp-witness.py
// reads them per datagram with IP_RECVTTL and IP_RECVTOS, and the frames' MACs with an
// AF_PACKET tap beside it).
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay, type Relay, type RuleStatusReply } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { sendFrom, startWitness, witnessSkipReason } from '../helpers/witness.js';

const skip = rootSkipReason() || witnessSkipReason();
const INPUT = 'in0|239.1.1.1|5000|*';
const SENDER_PORT = 40_000;

const settled = (status: RuleStatusReply[]) => status.every((r) => r.state === 'active' && r.outputs.every((o) => o.state === 'active'));

async function outputsOf(relay: Relay): Promise<Record<string, Record<string, number>>> {
  return (await relay.counters()).rules[INPUT]?.outputs ?? {};
}

t.test('frame outputs deliver to a plain UDP socket: multicast and unicast, TTL and DSCP as configured, source from the interface, explicit and preserved', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(
    rule(
      'frames',
      'in0 239.1.1.1:5000',
      'out0 239.2.2.2:6000 ttl 5 dscp 46',
      'out0 10.2.0.2:6001 ttl 9 from 10.2.0.77 dscp 10',
      'out0 10.2.0.2:6002 from preserve',
      'out0 239.2.2.3:6003 from preserve dscp 63',
    ),
  );
  // The unicast outputs resolve 10.2.0.2 first (a neighbour event replaces them).
  const status = await relay.waitForStatus(settled);
  t.same(status[0]?.outputs.map((o) => [o.state, o.egress]), Array(4).fill(['active', 'frame']), 'every output is an active frame output');
  const COUNT = 200;
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6000, 6001, 6002, 6003], groups: ['239.2.2.2', '239.2.2.3'], expect: 4 * COUNT });
  t.equal(await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', sizes: [100, 1, 1472, 0, 700] }), COUNT);
  const report = await witness.report;
  const sizes = { '100': 40, '1': 40, '1472': 40, '0': 40, '700': 40 };
  t.same(report.ports['6000'], { count: COUNT, sources: { '10.2.0.1:6000': COUNT }, ttl: { '5': COUNT }, tos: { [46 << 2]: COUNT }, sizes }, 'multicast, the interface address, from the destination port');
  t.same(report.ports['6001'], { count: COUNT, sources: { '10.2.0.77:6001': COUNT }, ttl: { '9': COUNT }, tos: { [10 << 2]: COUNT }, sizes }, 'unicast, an explicit source');
  t.same(report.ports['6002'], { count: COUNT, sources: { [`10.1.0.2:${SENDER_PORT}`]: COUNT }, ttl: { '64': COUNT }, tos: { '0': COUNT }, sizes }, 'unicast, the sender preserved');
  t.same(report.ports['6003'], { count: COUNT, sources: { [`10.1.0.2:${SENDER_PORT}`]: COUNT }, ttl: { '1': COUNT }, tos: { [63 << 2]: COUNT }, sizes }, 'multicast, the sender preserved');
  const relayMac = await net.relay.mac('out0');
  const rxMac = await net.rx.ns.mac('eth0');
  t.same(report.frames['6000'], { src_mac: { [relayMac]: COUNT }, dst_mac: { '01:00:5e:02:02:02': COUNT } }, "the group's multicast MAC");
  t.same(report.frames['6001']?.dst_mac, { [rxMac]: COUNT }, "the next hop's MAC");
  for (const [key, counters] of Object.entries(await outputsOf(relay))) {
    t.match(counters, { packets: COUNT, errors: 0, drops: 0, too_big: 0, neighbour_wait: 0 }, key);
  }
  await relay.close();
});
