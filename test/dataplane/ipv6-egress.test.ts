// IPv6 egress with real traffic: frame outputs (mcr writes Ethernet + IPv6 + UDP) and
// socket outputs (AF_INET6) delivering to a plain kernel UDP socket, which drops a
// datagram whose checksum is wrong, and over IPv6 one whose checksum is 0; and address
// family translation both ways, payloads compared byte for byte. The relay's out0 has
// checksum offload off, so that its kernel finishes each checksum mcr left to the device
// (a veth would otherwise hand the receiver a checksum still to be finished, which it
// trusts unseen).
import t, { type Test } from 'tap';
import { addressOf } from '../../src/net/address.js';
import { chain, Lab, rootSkipReason, type Chain, type Netns } from '../helpers/netns.js';
import { startRelay, type RuleStatusReply } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { linkLocal, udpCsumErrors } from '../helpers/ipv6.js';
import { sendDigested, startWitness, witnessSkipReason } from '../helpers/witness.js';

const skip = rootSkipReason() || witnessSkipReason();
const SENDER_PORT = 40_000;

const settled = (status: RuleStatusReply[]) => status.every((r) => r.state === 'active' && r.outputs.every((o) => o.state === 'active'));

/** The chain with IPv6, checksums finished in software on the relay's way out. */
async function ipv6Chain(t: Test, lab: Lab): Promise<Chain> {
  const net = await chain(lab, { ipv6: true });
  const offload = await net.relay.run('ethtool', ['-K', 'out0', 'tx', 'off']);
  t.equal(offload.exitCode, 0, `checksum offload off on out0: ${offload.stderr}`);
  return net;
}

/** Sum of 16-bit big-endian words, not yet folded. */
function wordSum(bytes: Uint8Array | readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) + (bytes[i + 1] ?? 0);
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * A payload of `size` bytes (even, at least 2) whose UDP datagram from source:port to
 * destination:port sums to 0xffff, so that its checksum computes to 0, which UDP must
 * send as 0xffff (0 means "no checksum", which IPv6 forbids): its last two bytes make
 * up the difference.
 */
function zeroSumPayload(source: string, destination: string, port: number, size: number): Buffer {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size - 2; i++) payload[i] = (i * 7 + 3) & 0xff;
  const length = 8 + size;
  const pseudo = wordSum(addressOf(source).bytes) + wordSum(addressOf(destination).bytes) + length + 17;
  const header = port + port + length; // source port = destination port for these outputs
  const rest = fold(pseudo + header + wordSum(payload));
  payload.writeUInt16BE(0xffff - rest, size - 2);
  return payload;
}

t.test('IPv6 frame and socket outputs deliver to a plain UDP socket: hop limit, traffic class, link-local source for a link-scope group, the next hop found over NDP, 33:33 MACs, and no checksum of 0 even where the sum is zero', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await ipv6Chain(t, lab);
  const relayLinkLocal = await linkLocal(net.relay, 'out0');
  await linkLocal(net.rx.ns, 'eth0');
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(
    rule(
      'v6',
      'in0 [ff0e::1:1]:5000',
      'out0 [ff0e::2:2]:6000 ttl 5 dscp 46',
      'out0 [ff02::4242]:6001',
      'out0 [fd00:2::2]:6002 dscp 10',
      'out0 [ff0e::2:3]:6003 ttl 7 dscp 12 egress socket',
      'out0 [ff0e::2:4]:6004 from preserve',
    ),
  );
  // The unicast output resolves fd00:2::2 over NDP first (a neighbour event replaces it).
  const status = await relay.waitForStatus(settled);
  t.same(
    status[0]?.outputs.map((o) => o.egress),
    ['frame', 'frame', 'frame', 'socket', 'frame'],
    'four frame outputs and a socket one, all active',
  );
  const zero = zeroSumPayload('fd00:2::1', 'ff0e::2:2', 6000, 64);
  // Runs of the zero-sum payload (which the relay sends as one segmentation-offload
  // frame when they reach it together: the kernel then cuts it and finishes each
  // segment's checksum, offload being off) and single ones between other sizes.
  const filler = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i + seed) & 0xff));
  const cycle = [zero, zero, zero, zero, filler(100, 1), zero, filler(1, 2), filler(1452, 3), filler(1452, 4), filler(0, 0)];
  const COUNT = 200;
  const ports = [6000, 6001, 6002, 6003, 6004];
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports, groups: ['ff0e::2:2', 'ff02::4242', 'ff0e::2:3', 'ff0e::2:4'], expect: ports.length * COUNT, ipv6: true });
  const sent = await sendDigested(net.src.ns, { group: 'ff0e::1:1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', payloads: cycle, gapMs: 0.2 });
  t.equal(sent.sent, COUNT);
  const report = await witness.report;
  const sizes = { '64': 100, '100': 20, '1': 20, '1452': 40, '0': 20 };
  const expected = (source: string, hops: number, tclass: number) => ({ count: COUNT, sources: { [source]: COUNT }, ttl: { [hops]: COUNT }, tos: { [tclass]: COUNT }, sizes });
  t.same(report.ports['6000'], expected('[fd00:2::1]:6000', 5, 46 << 2), 'global group: the interface address, hop limit 5, traffic class EF');
  t.same(report.ports['6001'], expected(`[${relayLinkLocal}]:6001`, 1, 0), 'link-scope group: from the link-local address, hop limit 1');
  t.same(report.ports['6002'], expected('[fd00:2::1]:6002', 64, 10 << 2), 'unicast: hop limit 64, traffic class AF11');
  t.match(report.ports['6003'], { count: COUNT, ttl: { '7': COUNT }, tos: { [12 << 2]: COUNT }, sizes }, 'socket output: hop limit 7, traffic class AF12');
  t.same(Object.keys(report.ports['6003']?.sources ?? {}).map((s) => s.replace(/:\d+$/, '')), ['[fd00:2::1]'], 'socket output: from the interface address');
  t.same(report.ports['6004'], expected(`[fd00:1::2]:${SENDER_PORT}`, 1, 0), 'preserved: the sender\'s address and port');
  for (const port of ports) t.equal(report.digests[String(port)], sent.digest, `port ${port}: every payload byte for byte, in order`);
  const relayMac = await net.relay.mac('out0');
  const rxMac = await net.rx.ns.mac('eth0');
  t.same(report.frames['6000']?.dst_mac, { '33:33:00:02:00:02': COUNT }, "the global group's MAC");
  t.same(report.frames['6001']?.dst_mac, { '33:33:00:00:42:42': COUNT }, "the link-scope group's MAC");
  t.same(report.frames['6002']?.dst_mac, { [rxMac]: COUNT }, "the next hop's MAC, from the neighbour table");
  t.same(report.frames['6000']?.src_mac, { [relayMac]: COUNT });
  for (const port of ports) t.equal(report.frames[String(port)]?.zero_checksum, 0, `port ${port}: no datagram left with checksum 0`);
  t.equal(report.frames['6000']?.ffff_checksum, 100, 'the 100 zero-sum datagrams carried 0xffff');
  const outputs = (await relay.counters()).rules['in0|ff0e::1:1|5000|*']?.outputs ?? {};
  t.same(Object.keys(outputs).sort(), [
    'out0|fd00:2::2|6002|64|-|dscp=10',
    'out0|ff02::4242|6001|1|-',
    'out0|ff0e::2:2|6000|5|-|dscp=46',
    'out0|ff0e::2:3|6003|7|-|egress=socket|dscp=12',
    'out0|ff0e::2:4|6004|1|preserve',
  ]);
  for (const [key, counters] of Object.entries(outputs)) t.match(counters, { packets: COUNT, errors: 0, drops: 0, too_big: 0, neighbour_wait: 0 }, key);
  t.equal(await udpCsumErrors(net.rx.ns), 0, 'the receiver verified every checksum and found none bad');
  await relay.close();
});

t.test('translation: an IPv4 input relayed to IPv6 outputs and an IPv6 input to IPv4 ones, frame and socket, payloads byte for byte, checksums verified by the receiver; an IPv6 unicast input (an address of the relay) republished to an IPv4 group', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await ipv6Chain(t, lab);
  await linkLocal(net.rx.ns, 'eth0');
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(
    rule('four-to-six', 'in0 239.1.1.1:5000', 'out0 [ff0e::2:2]:6010', 'out0 [fd00:2::2]:6011', 'out0 [ff0e::2:3]:6012 egress socket'),
    rule('six-to-four', 'in0 [ff0e::1:1]:5002', 'out0 239.2.2.2:6020', 'out0 10.2.0.2:6021', 'out0 239.2.2.3:6022 egress socket'),
    rule('unicast-six', 'in0 [fd00:1::1]:5004', 'out0 239.2.2.4:6023'),
  );
  await relay.waitForStatus(settled);
  const COUNT = 100;
  // Up to 1,452 B: the largest an IPv4 datagram can carry and still fit 1,500 B as IPv6.
  const sizes = [0, 1, 100, 100, 100, 700, 1452, 1452, 1452, 53];
  const to6 = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6010, 6011, 6012], groups: ['ff0e::2:2', 'ff0e::2:3'], expect: 3 * COUNT, ipv6: true });
  const to4 = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6020, 6021, 6022, 6023], groups: ['239.2.2.2', '239.2.2.3', '239.2.2.4'], expect: 4 * COUNT });
  const [from4, from6, fromUnicast] = await Promise.all([
    sendDigested(net.src.ns, { group: '239.1.1.1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', sizes }),
    sendDigested(net.src.ns, { group: 'ff0e::1:1', port: 5002, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', sizes }),
    sendDigested(net.src.ns, { group: 'fd00:1::1', port: 5004, sourcePort: SENDER_PORT + 1, count: COUNT, interface: 'eth0', sizes }),
  ]);
  const [six, four] = await Promise.all([to6.report, to4.report]);
  for (const port of ['6010', '6011', '6012']) {
    t.equal(six.ports[port]?.count, COUNT, `IPv4 -> IPv6, port ${port}: all ${COUNT}`);
    t.equal(six.digests[port], from4.digest, `IPv4 -> IPv6, port ${port}: payloads byte for byte`);
    t.equal(six.frames[port]?.zero_checksum, 0);
  }
  for (const port of ['6020', '6021', '6022']) {
    t.equal(four.ports[port]?.count, COUNT, `IPv6 -> IPv4, port ${port}: all ${COUNT}`);
    t.equal(four.digests[port], from6.digest, `IPv6 -> IPv4, port ${port}: payloads byte for byte`);
  }
  t.equal(four.ports['6023']?.count, COUNT, `IPv6 unicast -> IPv4 group: all ${COUNT}`);
  t.equal(four.digests['6023'], fromUnicast.digest, 'IPv6 unicast -> IPv4 group: payloads byte for byte');
  const snmp6 = (await net.relay.run('cat', ['/proc/net/snmp6'])).stdout;
  t.match(snmp6, /^Icmp6OutDestUnreachs\s+0$/m, 'the relay answered none of the unicast datagrams with port unreachable');
  t.same(six.ports['6010']?.sources, { '[fd00:2::1]:6010': COUNT }, 'IPv4 -> IPv6: from the interface\'s IPv6 address');
  t.same(four.ports['6020']?.sources, { '10.2.0.1:6020': COUNT }, 'IPv6 -> IPv4: from the interface\'s IPv4 address');
  t.same(six.ports['6010']?.ttl, { '1': COUNT }, 'hop limit 1 for the IPv6 group');
  t.same(six.ports['6011']?.ttl, { '64': COUNT }, 'and 64 for the IPv6 unicast destination');
  const counters = (await relay.counters()).rules;
  for (const [key, packets] of [['in0|239.1.1.1|5000|*', COUNT], ['in0|ff0e::1:1|5002|*', COUNT], ['in0|fd00:1::1|5004|*', COUNT]] as const) {
    t.match(counters[key], { packets }, key);
    for (const [output, c] of Object.entries(counters[key]?.outputs ?? {})) t.match(c, { packets: COUNT, errors: 0, drops: 0, too_big: 0 }, output);
  }
  t.equal(await udpCsumErrors(net.rx.ns), 0, 'the receiver verified every checksum and found none bad');
  await relay.close();
});

t.test('an IPv6 unicast output whose next hop does not answer neighbour solicitations counts its wait, and delivers once NDP resolves it', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab, { ipv6: true });
  // The receiver ignores neighbour solicitations for now: the relay's kernel cannot
  // resolve fd00:2::2.
  const nft = (script: string) => net.rx.ns.run('nft', ['-f', '-'], { input: script });
  const blocked = await nft('table ip6 mute {\n chain in {\n type filter hook input priority 0;\n icmpv6 type nd-neighbor-solicit drop\n }\n}\n');
  t.equal(blocked.exitCode, 0, `neighbour solicitations dropped at the receiver: ${blocked.stderr}`);
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(rule('unicast', 'in0 [ff0e::1:1]:5000', 'out0 [fd00:2::2]:6002', 'out0 [ff0e::2:2]:6000'));
  t.same(
    (await relay.status())[0]?.outputs.map((o) => [o.state, o.egress]),
    [
      ['resolving', 'frame'],
      ['active', 'frame'],
    ],
    'resolving while the next hop is unknown',
  );
  const WAIT = 50;
  const beside = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6000], groups: ['ff0e::2:2'], expect: WAIT, ipv6: true });
  t.equal((await sendDigested(net.src.ns, { group: 'ff0e::1:1', port: 5000, sourcePort: SENDER_PORT, count: WAIT, interface: 'eth0' })).sent, WAIT);
  t.equal((await beside.report).ports['6000']?.count, WAIT, 'the multicast output beside it delivered all the while');
  const output = 'out0|fd00:2::2|6002|64|-';
  const outputs = async () => (await relay.counters()).rules['in0|ff0e::1:1|5000|*']?.outputs[output];
  t.match(await outputs(), { packets: 0, neighbour_wait: WAIT }, 'every datagram of the wait is counted, none sent');
  const solicited = await net.relay.ip('-6', 'neigh', 'show', 'fd00:2::2', 'dev', 'out0');
  t.match(solicited, /INCOMPLETE|FAILED/, `the relay asked the kernel to resolve it: ${solicited.trim()}`);

  t.equal((await net.rx.ns.run('nft', ['delete', 'table', 'ip6', 'mute'])).exitCode, 0);
  const started = Date.now();
  await relay.waitForStatus(settled, 8_000);
  t.pass(`resolved ${Date.now() - started} ms after the receiver answered again`);
  const COUNT = 100;
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6002], expect: COUNT, ipv6: true });
  const sent = await sendDigested(net.src.ns, { group: 'ff0e::1:1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0' });
  const report = await witness.report;
  t.equal(report.ports['6002']?.count, COUNT, `all ${COUNT} delivered once resolved`);
  t.equal(report.digests['6002'], sent.digest);
  t.same(report.frames['6002']?.dst_mac, { [await net.rx.ns.mac('eth0')]: COUNT }, "to the receiver's MAC");
  t.match(await outputs(), { packets: COUNT, neighbour_wait: WAIT, errors: 0, drops: 0 });
  await relay.close();
});

t.test('with checksum offload on, what an IPv6 frame output hands the device never carries a checksum of 0, segmentation-offload frames and single ones alike', { skip }, async (t) => {
  const lab = Lab.create(t);
  // Offload on (the veth default): the frames reach the receiver's tap as mcr wrote
  // them, runs of equal sizes still as one segmentation-offload frame, the checksum
  // field holding the pseudo-header sum the device is to finish.
  const net = await chain(lab, { ipv6: true });
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(rule('v6', 'in0 [ff0e::1:1]:5000', 'out0 [ff0e::2:2]:6000'));
  const zero = zeroSumPayload('fd00:2::1', 'ff0e::2:2', 6000, 64);
  const COUNT = 400;
  const witness = await startWitness(net.rx.ns, { interface: 'eth0', ports: [6000], groups: ['ff0e::2:2'], expect: COUNT, ipv6: true });
  const sent = await sendDigested(net.src.ns, { group: 'ff0e::1:1', port: 5000, sourcePort: SENDER_PORT, count: COUNT, interface: 'eth0', payloads: [zero, zero, zero, zero, zero, zero, zero, Buffer.alloc(10, 1)], gapMs: 0 });
  const report = await witness.report;
  t.equal(report.ports['6000']?.count, COUNT, `all ${COUNT} delivered`);
  t.equal(report.digests['6000'], sent.digest);
  const frames = report.frames['6000'];
  t.equal(frames?.zero_checksum, 0, 'no frame handed over with a checksum field of 0');
  t.comment(`${frames?.segmented} of ${COUNT} datagrams came in segmentation-offload frames`);
  await relay.close();
});
