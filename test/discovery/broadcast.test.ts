// Broadcast relaying (udp-broadcast-relay's job): a limited broadcast (255.255.255.255)
// or the segment's directed broadcast, sent on one segment, arrives on the other as that
// segment's directed broadcast, to every station (ff:ff:ff:ff:ff:ff), from the sender's
// own address; through a reflector (group = "broadcast") and through an ordinary rule.
// A reflector's deny_sources wins over its allow_sources.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { sendFrom, startWitness, witnessSkipReason } from '../helpers/witness.js';
import { flowsOf, startReflector } from '../helpers/discovery.js';

const skip = rootSkipReason() || witnessSkipReason();
const COUNT = 20;

t.test('a limited or directed broadcast on the LAN arrives on IoT as its directed broadcast, from the sender, through a reflector and a rule', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot']);
  const mcrd = await startReflector(t, net.relays[0]!.ns, [
    '[[reflector]]',
    'name = "wol"',
    'group = "broadcast"',
    'port = 9',
    'interfaces = ["lan", "iot"]',
    '[[reflector]]',
    'name = "echo"',
    'group = "broadcast"',
    'port = 7',
    'interfaces = ["lan", "iot"]',
    'allow_sources = ["10.60.0.0/24"]',
    'deny_sources = ["10.60.0.10"]',
    '[[rule]]',
    'name = "game"',
    'input = { interface = "lan", group = "broadcast", port = 27015 }',
    'outputs = [ { interface = "iot", group = "broadcast", port = 27015, source_address = "preserve" } ]',
  ]);
  await mcrd.waitForStats((stats) => stats.rules.every((rule) => rule.state === 'active'));
  const [lan, iot] = [net.hosts.lan![0]!, net.hosts.iot![0]!];
  const witness = await startWitness(iot.ns, { interface: 'eth0', ports: [7, 9, 27015], expect: 4 * COUNT, idle: 2, destinations: true });
  for (const [group, port] of [['255.255.255.255', 7], ['255.255.255.255', 9], ['10.60.0.255', 9], ['255.255.255.255', 27015], ['10.60.0.255', 27015]] as const) {
    t.equal(await sendFrom(lan.ns, { group, port, sourcePort: 40_000 + (port % 1000), count: COUNT, interface: 'eth0', gapMs: 2 }), COUNT, `sent ${COUNT} to ${group}:${port}`);
  }
  const report = await witness.report;
  for (const port of [9, 27015]) {
    t.match(report.ports[String(port)], {
      count: 2 * COUNT,
      destinations: { '10.61.0.255': 2 * COUNT },
      sources: { [`${lan.address}:${40_000 + (port % 1000)}`]: 2 * COUNT },
      ttl: { '64': 2 * COUNT },
    }, `port ${port}: both broadcasts arrived as 10.61.0.255, from the sender`);
    t.same(report.frames[String(port)]?.dst_mac, { 'ff:ff:ff:ff:ff:ff': 2 * COUNT }, `port ${port}: sent to every station`);
  }
  // The stats file is written every 0.2 s: wait for the sample that has them all.
  const stats = await mcrd.waitForStats((s) => s.rules.reduce((sum, rule) => sum + rule.packets, 0) >= 5 * COUNT).catch(() => mcrd.stats());
  t.equal(flowsOf(stats, 'wol').lan?.packets, 2 * COUNT, 'the reflector took the limited and the directed broadcast');
  t.equal(stats.rules.find((rule) => rule.name === 'game')?.packets, 2 * COUNT, 'so did the rule');
  t.equal(report.ports['7'], undefined, 'a sender in deny_sources is not reflected, though allow_sources holds it');
  t.match(flowsOf(stats, 'echo').lan, { packets: COUNT, source_denied: COUNT }, 'and each of its datagrams is counted as source_denied');
});
