// Fan-out: one input republished to many outputs, each to its own group, with every
// receiver getting every datagram. Beyond 32 outputs the kernel's own multicast
// routing could not do this at all (MAXVIFS).
import t from 'tap';
import { fanout, Lab, rootSkipReason } from '../helpers/netns.js';
import { egressSection, rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';

const skip = rootSkipReason();

// The default egress (frame outputs on these veths) at both widths, and socket egress
// at the wide one: what holds for one kind of output holds for the other.
for (const [width, count, rate, egress] of [
  [3, 10_000, 10_000, 'auto'],
  [50, 4_000, 2_000, 'auto'],
  [50, 4_000, 2_000, 'socket'],
] as const) {
  const kind = egress === 'auto' ? 'frame' : 'socket';
  t.test(`fan-out 1:${width}, ${kind} egress: each of ${width} receivers on its own group gets all ${count} datagrams`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await fanout(lab, width);
    const group = (i: number) => `239.3.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const outcome = await runScenario({
      relay: net.relay,
      rules: [egressSection(egress), rule('fan', 'in0 239.1.1.1:5000', ...net.outs.map((out, i) => `${out.iface} ${group(i)}:5000`))],
      sinks: net.rxs.map((rx, i) => ({
        ns: rx.ns,
        // Each sink stops at `expect`; the idle timeout only ends one that misses some.
        // Starting 50 sinks can take seconds on a loaded machine, and the first ones
        // ready must still be listening when the generator starts after the last.
        options: { group: group(i), port: 5000, expect: count, expectPerStream: count, idleTimeout: 10 },
      })),
      gen: { ns: net.src.ns, options: { group: '239.1.1.1', port: 5000, count, rate, size: 1024 } },
    });
    outcome.sinks.forEach((report, i) => t.match(report, perfect(count), `receiver ${i} (${group(i)})`));
    const counters = outcome.counters.rules['in0|239.1.1.1|5000|*'];
    t.equal(counters?.packets, count);
    t.equal(Object.keys(counters?.outputs ?? {}).length, width);
    for (const [key, output] of Object.entries(counters?.outputs ?? {})) {
      t.match(output, { packets: count, errors: 0, drops: 0 }, key);
    }
    const kinds = new Set((await outcome.relay.status())[0]?.outputs.map((o) => o.egress));
    t.same([...kinds], [kind], `every output is a ${kind} output`);
    await outcome.relay.close();
  });
}
