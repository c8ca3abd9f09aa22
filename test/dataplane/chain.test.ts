// gen -> relay -> sink through real kernels in network namespaces, counted exactly.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { egressSection, rule } from '../helpers/ruleset.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const INPUT = 'in0|239.1.1.1|5000|*';

// Both backends with the default egress (frame outputs on these veths), and socket
// egress once: what holds for one kind of output holds for the other.
for (const [backend, egress] of [['io_uring', 'auto'], ['syscalls', 'auto'], ['io_uring', 'socket']] as const) {
  const kind = egress === 'auto' ? 'frame' : 'socket';
  t.test(`routed chain on ${backend}, ${kind} egress: 100,000 datagrams of 1,024 B at 50,000 pps all arrive, and the relay counts exactly what the sink got`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await chain(lab);
    const relay = await startRelay(net.relay, { backend, workers: 1 });
    t.equal(relay.info.backend, backend);
    const status = await relay.apply(egressSection(egress), rule('chain', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:6000'));
    t.same(status.map((s) => [s.key, s.state, s.outputs.map((o) => [o.state, o.egress])]), [[INPUT, 'active', [['active', kind]]]]);
    const OUTPUT = egress === 'auto' ? 'out0|239.2.2.2|6000|1|-' : 'out0|239.2.2.2|6000|1|-|egress=socket';
    const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 6000, interface: 'eth0', expect: 100_000, expectPerStream: 100_000, idleTimeout: 3 });
    const gen = await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, interface: 'eth0', count: 100_000, rate: 50_000, size: 1024 });
    const report = await sink.report;
    t.equal(gen.sent, 100_000, 'sent');
    t.match(report, { received: 100_000, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 }, 'at the sink');
    const counters = await relay.counters();
    const ruleCounters = counters.rules[INPUT];
    t.equal(ruleCounters?.packets, report.received, 'relay rule packets = sink received');
    t.equal(ruleCounters?.bytes, report.received * 1024, 'relay rule bytes = payload bytes');
    t.match(ruleCounters?.outputs[OUTPUT], { packets: report.received, bytes: report.received * 1024, errors: 0, drops: 0 });
    t.match(counters.worker, { matched: 100_000, no_match: 0, ring_drops: 0, egress_full: 0, egress_errors: 0 });
    await relay.close();
  });
}
