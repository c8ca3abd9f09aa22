// An input link that goes down and comes back: the worker must sleep while it is down
// (a packet socket keeps reporting ENETDOWN until the error is read, which would make a
// naive loop spin) and relay again when it is up.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 5_000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User plus system CPU seconds the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

for (const backend of ['io_uring', 'syscalls']) {
  t.test(`on ${backend}: a downed input link does not make the worker spin, and relaying resumes when it is up`, { skip }, async (t) => {
    const lab = Lab.create(t);
    const net = await chain(lab);
    const relay = await startRelay(net.relay, { backend, workers: 1 });
    await relay.apply(rule('flaky', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000'));
    await net.relay.ip('link', 'set', 'in0', 'down');
    const before = cpuSeconds(relay.pid);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const used = cpuSeconds(relay.pid) - before;
    // A spinning worker uses a whole CPU: about 2 s here. Idle is close to 0.
    t.ok(used < 0.4, `the relay used ${used.toFixed(2)} CPU seconds in 2 s with its input down`);
    await net.relay.ip('link', 'set', 'in0', 'up');
    await net.relay.waitForwarding(['in0']);
    const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
    await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
    t.match(await sink.report, perfect(COUNT), 'relays again once the link is up');
    await relay.close();
  });
}
