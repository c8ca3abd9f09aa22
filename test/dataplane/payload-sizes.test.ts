// Payloads are republished byte for byte, from empty to jumbo.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';

const skip = rootSkipReason();
const COUNT = 2_000;

for (const [size, mtu] of [
  [0, 1500],
  [1, 1500],
  [1472, 1500],
  [8972, 9000],
] as const) {
  t.test(`${size}-byte payloads on an MTU ${mtu} chain arrive intact`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await chain(lab, { mtu });
    const outcome = await runScenario({
      relay: net.relay,
      rules: [rule('sizes', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')],
      sinks: [{ ns: net.rx.ns, options: { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
      gen: { ns: net.src.ns, options: { group: '239.1.1.1', port: 5000, count: COUNT, rate: 5_000, size } },
    });
    const report = outcome.sinks[0];
    t.equal(report?.datagrams, COUNT, 'datagrams received');
    t.equal(report?.bytes, COUNT * size, 'payload bytes received');
    // Payloads shorter than the tools' header cannot carry a sequence number; the sink
    // counts them as short, and their content is the header's first bytes.
    if (size >= 24) t.match(report, perfect(COUNT), 'every payload verified byte for byte');
    else t.equal(report?.short, COUNT, 'short payloads counted');
    t.match(outcome.counters.rules['in0|239.1.1.1|5000|*'], { packets: COUNT, bytes: COUNT * size });
    await outcome.relay.close();
  });
}
