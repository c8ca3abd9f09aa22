// Two workers share an input through a PACKET_FANOUT hash group: each flow stays on
// one worker, so nothing is duplicated or reordered, and both workers do work.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';

const skip = rootSkipReason();
const STREAMS = 16;
const PER_STREAM = 2_000;

t.test('two workers on one input: 16 streams, no duplicates, no reordering, both workers busy', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const rules = Array.from({ length: STREAMS }, (_, i) => rule(`s${i}`, `in0 239.1.1.${i + 1}:5000`, `out0 239.2.2.${i + 1}:5000`));
  const outcome = await runScenario({
    relay: net.relay,
    relayOptions: { workers: 2 },
    rules,
    sinks: [
      {
        ns: net.rx.ns,
        options: { group: '239.2.2.1', streams: STREAMS, port: 5000, expect: STREAMS * PER_STREAM, expectPerStream: PER_STREAM, idleTimeout: 3 },
      },
    ],
    gen: { ns: net.src.ns, options: { group: '239.1.1.1', streams: STREAMS, port: 5000, count: STREAMS * PER_STREAM, rate: 32_000, size: 256 } },
  });
  t.equal(outcome.relay.info.workers, 2);
  const report = outcome.sinks[0];
  t.equal(report?.streams.length, STREAMS);
  for (const stream of report?.streams ?? []) t.match(stream, perfect(PER_STREAM), `stream ${stream.stream}`);
  const perWorker = outcome.counters.perWorker.map((worker) => worker.matched ?? 0);
  t.equal(perWorker.reduce((a, b) => a + b, 0), STREAMS * PER_STREAM, 'each datagram was taken by exactly one worker');
  t.ok(perWorker.every((matched) => matched > 0), `both workers relayed (${perWorker.join(' + ')})`);
  await outcome.relay.close();
});
