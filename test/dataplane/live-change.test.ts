// Rules change while traffic flows: one rule's outputs are replaced ten times and other
// rules come and go, and neither the untouched rule nor the output kept across every
// change loses a single datagram.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { egressSection, rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const PER_STREAM = 50_000;
const CHANGES = 10;

function rules(step: number, egress: string): string[] {
  return [
    egressSection(egress),
    rule('untouched', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
    // The kept output stays; the second output is a different one at every step.
    rule('changing', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000', `out0 239.2.9.${step + 1}:5000`),
    // A rule that exists only for this step, and one more on every even step.
    rule(`extra-${step}`, `in0 239.1.1.${20 + step}:5000`, `out0 239.2.3.${step + 1}:5000`),
    ...(step % 2 === 0 ? [rule(`even-${step}`, `in0 239.1.1.${40 + step}:5000`, `out0 239.2.4.${step + 1}:5000`)] : []),
  ];
}

// Both backends with the default egress (frame outputs on these veths), and socket
// egress once: what holds for one kind of output holds for the other.
for (const [backend, egress] of [['io_uring', 'auto'], ['syscalls', 'auto'], ['io_uring', 'socket']] as const) {
  const kind = egress === 'auto' ? 'frame' : 'socket';
  const suffix = egress === 'auto' ? '' : '|egress=socket';
  t.test(`on ${backend}, ${kind} egress: ${CHANGES} live changes at 20,000 pps lose nothing on the untouched rule or the kept output`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await chain(lab);
    const relay = await startRelay(net.relay, { backend, workers: 2 });
    const first = await relay.apply(...rules(0, egress));
    t.same([...new Set(first.flatMap((r) => r.outputs.map((o) => o.egress)))], [kind], `${kind} outputs`);
    const sink = await startSink(net.rx.ns, {
      group: '239.2.2.1',
      streams: 2,
      port: 5000,
      expect: 2 * PER_STREAM,
      expectPerStream: PER_STREAM,
      idleTimeout: 3,
    });
    const gen = runGen(net.src.ns, { group: '239.1.1.1', streams: 2, port: 5000, count: 2 * PER_STREAM, rate: 20_000, size: 512 });
    const applied: string[] = [];
    for (let step = 1; step <= CHANGES; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const status = await relay.apply(...rules(step, egress));
      applied.push(status.map((rule) => `${rule.state}:${rule.outputs.length}`).join(','));
    }
    t.equal((await gen).sent, 2 * PER_STREAM, 'sent');
    const report = await sink.report;
    const counters = await relay.counters();
    t.equal(applied.length, CHANGES, 'all changes were applied during the traffic');
    t.ok(report.seconds > 3, `the traffic outlasted the changes (${report.seconds.toFixed(1)} s)`);
    t.match(report.streams[0], perfect(PER_STREAM), 'the untouched rule');
    t.match(report.streams[1], perfect(PER_STREAM), 'the output kept across every change');
    const changing = counters.rules['in0|239.1.1.2|5000|*'];
    t.match(changing?.outputs[`out0|239.2.2.2|5000|1|-${suffix}`], { packets: PER_STREAM, drops: 0, errors: 0 }, 'its counters survived the changes');
    t.equal(Object.keys(changing?.outputs ?? {}).length, 2, 'the replaced outputs are gone');
    t.equal(Object.keys(counters.rules).length, 3 + (CHANGES % 2 === 0 ? 1 : 0), 'removed rules are gone');
    await relay.close();
  });
}
