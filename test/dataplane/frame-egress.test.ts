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
import { MCR, tempDir, writeLines } from '../helpers/cli.js';
import { join } from 'node:path';

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
  // Without this, veth hands the receiver each frame with its UDP checksum still to be
  // finished (the kernel trusts a checksum the sending side will complete): turning off
  // the relay side's checksum offload makes the kernel finish it in software on the way
  // out, so the receiver verifies every byte and drops a datagram whose checksum is bad.
  const offload = await net.relay.run('ethtool', ['-K', 'out0', 'tx', 'off']);
  t.equal(offload.exitCode, 0, `checksum offload off on out0: ${offload.stderr}`);
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
  // Runs of equal sizes, which the relay sends as segmentation-offload frames.
  const cycle = [100, 100, 100, 1472, 1472, 1472, 0, 700, 700, 1];
  t.equal(await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', sizes: cycle }), COUNT);
  const report = await witness.report;
  const sizes = { '100': 60, '1472': 60, '0': 20, '700': 40, '1': 20 };
  t.same(report.ports['6000'], { count: COUNT, sources: { '10.2.0.1:6000': COUNT }, ttl: { '5': COUNT }, tos: { [46 << 2]: COUNT }, sizes }, 'multicast, the interface address, from the destination port');
  t.same(report.ports['6001'], { count: COUNT, sources: { '10.2.0.77:6001': COUNT }, ttl: { '9': COUNT }, tos: { [10 << 2]: COUNT }, sizes }, 'unicast, an explicit source');
  t.same(report.ports['6002'], { count: COUNT, sources: { [`10.1.0.2:${SENDER_PORT}`]: COUNT }, ttl: { '64': COUNT }, tos: { '0': COUNT }, sizes }, 'unicast, the sender preserved');
  t.same(report.ports['6003'], { count: COUNT, sources: { [`10.1.0.2:${SENDER_PORT}`]: COUNT }, ttl: { '1': COUNT }, tos: { [63 << 2]: COUNT }, sizes }, 'multicast, the sender preserved');
  const relayMac = await net.relay.mac('out0');
  const rxMac = await net.rx.ns.mac('eth0');
  t.match(report.frames['6000'], { src_mac: { [relayMac]: COUNT }, dst_mac: { '01:00:5e:02:02:02': COUNT } }, "the group's multicast MAC");
  t.comment(`datagrams that came in segmentation-offload frames, per port: ${Object.entries(report.frames).map(([port, f]) => `${port}: ${f.segmented}`).join(', ')}`);
  t.same(report.frames['6001']?.dst_mac, { [rxMac]: COUNT }, "the next hop's MAC");
  for (const [key, counters] of Object.entries(await outputsOf(relay))) {
    t.match(counters, { packets: COUNT, errors: 0, drops: 0, too_big: 0, neighbour_wait: 0 }, key);
  }
  const snmp = (await net.rx.ns.run('cat', ['/proc/net/snmp'])).stdout;
  const [names, values] = snmp.split('\n').filter((line) => line.startsWith('Udp:'));
  const udp = Object.fromEntries((names ?? '').split(/\s+/).slice(1).map((name, i) => [name, Number((values ?? '').split(/\s+/)[i + 1])]));
  t.equal(udp.InCsumErrors, 0, 'the receiver verified every checksum and found none bad');
  await relay.close();
});

t.test('a unicast output whose next hop does not answer yet counts its wait, delivers once resolved, and follows the next hop to a new MAC', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  // The receiver answers no ARP at first: the relay's kernel cannot resolve 10.2.0.2.
  await net.rx.ns.ip('link', 'set', 'eth0', 'arp', 'off');
  // Two ARP probes 200 ms apart, so the relay's kernel gives up in under a second.
  await net.relay.sysctl({ 'net.ipv4.neigh.out0.mcast_solicit': 2, 'net.ipv4.neigh.out0.retrans_time_ms': 200 });
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(rule('unicast', 'in0 239.1.1.1:5000', 'out0 10.2.0.2:6001'));
  const waiting = await relay.status();
  t.same(waiting[0]?.outputs.map((o) => [o.state, o.egress]), [['resolving', 'frame']], 'resolving while the next hop is unknown');
  const WAIT = 100;
  t.equal(await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: WAIT, interface: 'eth0' }), WAIT);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const output = 'out0|10.2.0.2|6001|64|-';
  t.match((await outputsOf(relay))[output], { packets: 0, neighbour_wait: WAIT }, 'every datagram of the wait is counted, none sent');
  t.match((await relay.counters()).worker, { neighbour_wait: WAIT, matched: WAIT });

  // The kernel gives up (FAILED, after its probes). When the receiver answers
  // again, nothing would tell the relay: it asks the kernel again every second while
  // the output is resolving.
  const failedBy = Date.now() + 8_000;
  while (!(await net.relay.ip('neigh', 'show', '10.2.0.2', 'dev', 'out0')).includes('FAILED')) {
    if (Date.now() > failedBy) throw new Error('the neighbour entry never failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal((await relay.status())[0]?.outputs[0]?.state, 'resolving', 'still resolving once the kernel gave up');
  await net.rx.ns.ip('link', 'set', 'eth0', 'arp', 'on');
  const started = Date.now();
  await relay.waitForStatus(settled, 6_000);
  t.pass(`resolved ${Date.now() - started} ms after the receiver answered ARP again`);
  const COUNT = 100;
  let witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6001], expect: COUNT });
  await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0' });
  let report = await witness.report;
  const oldMac = await net.rx.ns.mac('eth0');
  t.same(report.frames['6001']?.dst_mac, { [oldMac]: COUNT }, `all ${COUNT} delivered to ${oldMac}`);

  // The receiver's MAC changes; with arp_notify it says so (a gratuitous ARP), the
  // relay's kernel updates its neighbour entry, and the output follows.
  await net.rx.ns.sysctl({ 'net.ipv4.conf.eth0.arp_notify': 1 });
  const newMac = '02:00:00:00:99:02';
  await net.rx.ns.ip('link', 'set', 'dev', 'eth0', 'address', newMac);
  const deadline = Date.now() + 5_000;
  while (!(await net.relay.ip('neigh', 'show', '10.2.0.2', 'dev', 'out0')).includes(newMac)) {
    if (Date.now() > deadline) throw new Error("the relay's kernel never learned the new MAC");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The neighbour event's refresh runs 20 ms after it; give it a little more.
  await new Promise((resolve) => setTimeout(resolve, 200));
  witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6001], expect: COUNT });
  await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0' });
  report = await witness.report;
  t.equal(report.ports['6001']?.count, COUNT, `all ${COUNT} delivered after the MAC changed`);
  t.same(report.frames['6001']?.dst_mac, { [newMac]: COUNT }, 'to the new MAC');
  t.match((await outputsOf(relay))[output], { packets: 2 * COUNT, neighbour_wait: WAIT, errors: 0, drops: 0 }, 'one output all along: its counters carried on');
  await relay.close();
});

t.test('an output interface with no IPv4 address delivers with an explicit or preserved source, says what to set otherwise, and follows its own new MAC', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  await net.relay.ip('-4', 'addr', 'flush', 'dev', 'out0');
  const relay = await startRelay(net.relay, { workers: 1 });
  const status = await relay.apply(rule('bare', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:6000 from 10.2.0.77', 'out0 239.2.2.3:6001 from preserve', 'out0 239.2.2.4:6002'));
  t.same(status[0]?.outputs.map((o) => [o.state, o.egress, o.error]), [
    ['active', 'frame', ''],
    ['active', 'frame', ''],
    ['error', '', 'interface out0 has no IPv4 address to send from; set source_address, or source_address = "preserve"'],
  ]);
  const COUNT = 100;
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6000, 6001], groups: ['239.2.2.2', '239.2.2.3'], expect: 4 * COUNT });
  await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0' });
  // The interface's MAC changes while the rule runs: a link event, and the outputs are
  // rebuilt with the new source MAC (same outputs, same counters).
  const oldMac = await net.relay.mac('out0');
  const newMac = '02:00:00:00:aa:01';
  await new Promise((resolve) => setTimeout(resolve, 200));
  await net.relay.ip('link', 'set', 'dev', 'out0', 'address', newMac);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0' });
  const report = await witness.report;
  t.same(report.ports['6000']?.sources, { '10.2.0.77:6000': 2 * COUNT }, 'the explicit source');
  t.same(report.ports['6001']?.sources, { [`10.1.0.2:${SENDER_PORT}`]: 2 * COUNT }, 'the preserved source');
  for (const port of ['6000', '6001']) {
    t.same(report.frames[port]?.src_mac, { [oldMac]: COUNT, [newMac]: COUNT }, `port ${port}: the old MAC, then the new one`);
  }
  const outputs = await outputsOf(relay);
  t.match(outputs['out0|239.2.2.2|6000|1|10.2.0.77'], { packets: 2 * COUNT, errors: 0 });
  t.match(outputs['out0|239.2.2.3|6001|1|preserve'], { packets: 2 * COUNT, errors: 0 });
  t.match(outputs['out0|239.2.2.4|6002|1|-'], { packets: 0 }, 'the output without a source sent nothing');
  await relay.close();
});

t.test('datagrams too big for a frame output are counted and not sent, a socket output has them fragmented, and mcr check warns of the MTUs', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  await net.relay.ip('link', 'set', 'dev', 'out0', 'mtu', '1000');
  await net.rx.ns.ip('link', 'set', 'dev', 'eth0', 'mtu', '1000');
  const relay = await startRelay(net.relay, { workers: 1 });
  const rules = rule('mtu', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:6000', 'out0 239.2.2.3:6001 egress socket');
  // mcr check, run where the relay runs, sees the two MTUs and says what will happen.
  const file = await writeLines(join(await tempDir(t), 'mtu.toml'), [rules, rule('later', 'in0 239.1.1.9:5000', 'gone0 239.2.2.9:6000')]);
  const check = await net.relay.run('node', [MCR, 'check', file]);
  t.equal(check.exitCode, 0, 'a warning is not an error');
  t.same(check.stderr.trim().split('\n'), [
    `${file}:4:27: warning: input interface in0 has MTU 1500, output interface out0 has MTU 1000: datagrams with more than 972 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)`,
    `${file}:4:85: warning: input interface in0 has MTU 1500, output interface out0 has MTU 1000: datagrams with more than 972 bytes of payload are fragmented by the kernel on this output`,
  ], 'nothing about gone0, which does not exist');
  t.equal(check.stdout.trim(), `${file}: OK: 2 rules, 3 outputs, 3 interfaces (gone0, in0, out0), 2 warnings`);
  await relay.apply(rules);
  await relay.waitForStatus(settled);
  // 972 bytes of payload fill a 1000-byte IPv4 packet exactly; 973 do not.
  const sizes = [500, 972, 973, 1400];
  const COUNT = 200;
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6000, 6001], groups: ['239.2.2.2', '239.2.2.3'], expect: COUNT / 2 + COUNT });
  await sendFrom(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', sizes });
  const report = await witness.report;
  t.same(report.ports['6000']?.sizes, { '500': COUNT / 4, '972': COUNT / 4 }, 'the frame output sent what fits');
  t.same(report.ports['6001']?.sizes, { '500': COUNT / 4, '972': COUNT / 4, '973': COUNT / 4, '1400': COUNT / 4 }, 'the socket output: every datagram, the big ones in fragments');
  const outputs = await outputsOf(relay);
  t.match(outputs['out0|239.2.2.2|6000|1|-'], { packets: COUNT / 2, too_big: COUNT / 2, errors: 0, drops: 0 });
  t.match(outputs['out0|239.2.2.3|6001|1|-|egress=socket'], { packets: COUNT, too_big: 0 });
  t.match((await relay.counters()).worker, { too_big: COUNT / 2, matched: COUNT });
  await relay.close();
});
