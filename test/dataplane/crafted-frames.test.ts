// Crafted frames on the relay's input, interleaved with valid ones: the valid ones are
// relayed, none of the others is, and each kind lands in its own counter.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { ethernet, ipv4, macFromText, multicastMac, udp, udpFrame } from '../helpers/frames.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { inject, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const ROUNDS = 50;

t.test('unknown groups and ports, non-UDP, fragments and truncated frames are counted by kind and never relayed', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const relay = await startRelay(net.relay);
  await relay.apply(rule('crafted', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000'));
  const mac = macFromText(await net.src.ns.mac('eth0'));
  const src = net.src.address;
  const payload = Buffer.from('payload of a valid frame');
  const valid = udpFrame(mac, src, '239.1.1.1', 5000, payload);
  const bad: Record<string, Buffer[]> = {
    no_match: [
      udpFrame(mac, src, '239.9.9.9', 5000, payload), // a group no rule wants
      udpFrame(mac, src, '239.1.1.1', 5999, payload), // the rule's group, another port
    ],
    not_udp: [ethernet(multicastMac('239.1.1.1'), mac, 0x0800, ipv4({ src, dst: '239.1.1.1', protocol: 6 }, Buffer.alloc(20)))],
    fragment: [
      udpFrame(mac, src, '239.1.1.1', 5000, payload, { flagsFragment: 0x2000 }), // first: more fragments
      udpFrame(mac, src, '239.1.1.1', 5000, payload, { flagsFragment: 0x2010 }), // middle
      ethernet(multicastMac('239.1.1.1'), mac, 0x0800, ipv4({ src, dst: '239.1.1.1', flagsFragment: 0x0020 }, payload)), // last
    ],
    truncated: [
      valid.subarray(0, 20), // ends inside the IPv4 header
      valid.subarray(0, 14), // an Ethernet header saying IPv4, and nothing after it
    ],
    bad_udp_length: [ethernet(multicastMac('239.1.1.1'), mac, 0x0800, ipv4({ src, dst: '239.1.1.1' }, udp(40000, 5000, payload, 4)))],
    bad_ip_checksum: [udpFrame(mac, src, '239.1.1.1', 5000, payload, { checksum: 0xbeef })],
  };
  const frames: Buffer[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const list of Object.values(bad)) for (const frame of list) frames.push(valid, frame);
  }
  const validSent = frames.filter((frame) => frame === valid).length;
  const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 5000, expect: validSent, idleTimeout: 2 });
  const injected = await inject(net.src.ns, 'eth0', frames);
  t.equal(injected.sent, frames.length, 'all frames injected');
  const report = await sink.report;
  t.equal(report.datagrams, validSent, 'every valid frame was relayed, and nothing else');
  t.equal(report.bytes, validSent * payload.length, 'with its payload intact');
  const counters = await relay.counters();
  t.equal(counters.worker.matched, validSent, 'matched');
  for (const [kind, list] of Object.entries(bad)) t.equal(counters.worker[kind], list.length * ROUNDS, kind);
  t.equal(counters.rules['in0|239.1.1.1|5000|*']?.packets, validSent, 'rule packets');
  await relay.close();
});
