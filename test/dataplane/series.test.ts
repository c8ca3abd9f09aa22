// Relays in series: what one mcr sends, the next one receives. Over a veth the sending
// relay's segmentation-offload frames (runs of equal-size datagrams in one frame, on
// both egress kinds) reach the next relay uncut, so its ring must cut them back into
// datagrams: a frame holding 20 of them is 20 datagrams, not one oversized one.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { series } from '../../src/netns/topologies.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 40_000;
const GROUPS = ['239.1.1.1', '239.2.2.2', '239.2.2.3'];

for (const egress of ['frame', 'socket'] as const) {
  t.test(`two relays in series, ${egress} egress: ${COUNT} datagrams at 40,000 pps all arrive once, intact and in order`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await series(lab, 2);
    const relays = await Promise.all(net.hops.map((hop) => startRelay(hop.ns)));
    await Promise.all(
      relays.map((relay, i) => relay.apply(rule(`hop${i + 1}`, `in0 ${GROUPS[i]}:5000`, `out0 ${GROUPS[i + 1]}:5000 egress ${egress}`))),
    );
    const sink = await startSink(net.rx.ns, { group: GROUPS[2] as string, port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
    await runGen(net.src.ns, { group: GROUPS[0] as string, port: 5000, count: COUNT, rate: 40_000, size: 1316 });
    t.match(await sink.report, perfect(COUNT), 'the receiver after the second relay got every datagram');
    const second = await (relays[1] as (typeof relays)[number]).counters();
    t.match(second.worker, { matched: COUNT, no_match: 0, truncated: 0, bad_ip_length: 0, too_big: 0 }, 'the second relay took each datagram once');
    t.equal(second.rules[`in0|${GROUPS[1]}|5000|*`]?.packets, COUNT);
    await Promise.all(relays.map((relay) => relay.close()));
  });
}
