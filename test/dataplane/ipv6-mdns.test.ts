// IPv6 mDNS (ff02::fb, port 5353) between two segments that share no path, relayed both
// ways by two rules that mirror each other, as examples/ipv6-mdns.toml has it. The
// hosts send from their link-local addresses, the relay from its own on each segment;
// each datagram must reach the other segment once and never come back to its own
// (mcr does not hear what it sends, so the two rules do not loop). IPv4 mDNS
// (224.0.0.251) runs beside it on the same relay, as examples/discovery-bridge.toml has
// it: the loop this guards against was the same for both families.
import t from 'tap';
import { dualBridge, Lab, rootSkipReason } from '../helpers/netns.js';
import { linkLocal } from '../helpers/ipv6.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { sendDigested, startWitness, witnessSkipReason } from '../helpers/witness.js';

const skip = rootSkipReason() || witnessSkipReason();
const MDNS = 'ff02::fb';
const MDNS4 = '224.0.0.251';

t.test('ff02::fb on 5353 between two segments, both ways at once, link-local sources: every datagram arrives once on the other segment and none comes back; 224.0.0.251 beside it likewise', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await dualBridge(lab, { ipv6: true });
  const [srcLinkLocal, rxLinkLocal, relayA, relayB] = await Promise.all([
    linkLocal(net.src.ns, 'eth0'),
    linkLocal(net.rx.ns, 'eth0'),
    linkLocal(net.relay, 'in0'),
    linkLocal(net.relay, 'out0'),
  ]);
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(
    rule('a-to-b', `in0 [${MDNS}]:5353`, `out0 [${MDNS}]:5353`),
    rule('b-to-a', `out0 [${MDNS}]:5353`, `in0 [${MDNS}]:5353`),
    rule('a-to-b-v4', `in0 ${MDNS4}:5353`, `out0 ${MDNS4}:5353`),
    rule('b-to-a-v4', `out0 ${MDNS4}:5353`, `in0 ${MDNS4}:5353`),
  );
  const FROM_A = 200;
  const FROM_B = 150;
  // One more than should come, so that each witness waits out its idle time and would
  // count a datagram that came back or came twice.
  const options = { ports: [5353], groups: [MDNS], interface: 'eth0', ipv6: true, idle: 1.5 };
  const options4 = { ...options, groups: [MDNS4], ipv6: false };
  const [onA, onB, onA4, onB4] = await Promise.all([
    startWitness(net.src.ns, { ...options, expect: FROM_B + 1 }),
    startWitness(net.rx.ns, { ...options, expect: FROM_A + 1 }),
    startWitness(net.src.ns, { ...options4, expect: FROM_B + 1 }),
    startWitness(net.rx.ns, { ...options4, expect: FROM_A + 1 }),
  ]);
  const query = { group: MDNS, port: 5353, sourcePort: 5353, interface: 'eth0', ttl: 255, sizes: [40, 300, 1200] };
  const query4 = { ...query, group: MDNS4 };
  const [sentA, sentB, sentA4, sentB4] = await Promise.all([
    sendDigested(net.src.ns, { ...query, count: FROM_A }),
    sendDigested(net.rx.ns, { ...query, count: FROM_B, gapMs: 0.7 }),
    sendDigested(net.src.ns, { ...query4, count: FROM_A }),
    sendDigested(net.rx.ns, { ...query4, count: FROM_B, gapMs: 0.7 }),
  ]);
  const [a, b, a4, b4] = await Promise.all([onA.report, onB.report, onA4.report, onB4.report]);

  t.equal(b.ports['5353']?.count, FROM_A, `segment B got the ${FROM_A} datagrams sent on A, once each`);
  t.equal(b.digests['5353'], sentA.digest, 'byte for byte, in order');
  t.same(b.ports['5353']?.sources, { [`[${relayB}]:5353`]: FROM_A }, "from the relay's link-local address on B");
  t.equal(a.ports['5353']?.count, FROM_B, `segment A got the ${FROM_B} datagrams sent on B, and none of its own back`);
  t.equal(a.digests['5353'], sentB.digest, 'byte for byte, in order');
  t.same(a.ports['5353']?.sources, { [`[${relayA}]:5353`]: FROM_B }, "from the relay's link-local address on A");
  t.same(a.ports['5353']?.ttl, { '1': FROM_B }, 'hop limit 1: they stop at the segment');

  t.equal(b4.ports['5353']?.count, FROM_A, `IPv4: segment B got the ${FROM_A} sent on A, once each`);
  t.equal(b4.digests['5353'], sentA4.digest, 'IPv4: byte for byte, in order');
  t.equal(a4.ports['5353']?.count, FROM_B, `IPv4: segment A got the ${FROM_B} sent on B, and none of its own back`);
  t.equal(a4.digests['5353'], sentB4.digest, 'IPv4: byte for byte, in order');
  t.same(a4.ports['5353']?.sources, { [`${net.in0.address}:5353`]: FROM_B }, "IPv4: from the relay's address on A");

  const rules = (await relay.counters()).rules;
  t.match(rules[`in0|${MDNS}|5353|*`], { packets: FROM_A }, `a-to-b took the ${FROM_A} from ${srcLinkLocal}, nothing else`);
  t.match(rules[`out0|${MDNS}|5353|*`], { packets: FROM_B }, `b-to-a took the ${FROM_B} from ${rxLinkLocal}, nothing else`);
  t.match(rules[`in0|${MDNS4}|5353|*`], { packets: FROM_A }, `a-to-b-v4 took the ${FROM_A}, nothing else`);
  t.match(rules[`out0|${MDNS4}|5353|*`], { packets: FROM_B }, `b-to-a-v4 took the ${FROM_B}, nothing else`);
  await relay.close();
});
