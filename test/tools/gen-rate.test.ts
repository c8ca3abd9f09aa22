// mcr-gen's pacing and limits: it holds the asked rate (a correctness check of the
// clock-driven pacing, loosely bounded: this is not a benchmark), stops at its duration
// limit, and counts send errors instead of hiding them.
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const GROUP = '239.3.3.3';
const PORT = 7000;

for (const rate of [20_000, 100_000]) {
  t.test(`at ${rate.toLocaleString('en')}/s for 1 s, gen sends within 10% of the rate, and all arrive`, { skip }, async (t) => {
    const topo = await chain(Lab.create(t));
    const sink = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', expect: rate, idleTimeout: 3, rcvbuf: 64 << 20 });
    const started = performance.now();
    const gen = await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: rate, rate, size: 64 });
    const wall = (performance.now() - started) / 1000;
    t.comment(`asked ${rate}/s: gen reports ${gen.rate.toFixed(0)}/s over ${gen.seconds.toFixed(3)} s (${wall.toFixed(2)} s with process start)`);
    t.equal(gen.sent, rate);
    t.ok(Math.abs(gen.rate - rate) / rate < 0.1, `rate ${gen.rate.toFixed(0)} within 10% of ${rate}`);
    t.ok(gen.seconds > 0.9 && gen.seconds < 1.1, `took ${gen.seconds.toFixed(3)} s, about 1 s`);
    const report = await sink.report;
    t.equal(report.received, rate);
    t.equal(report.lost + report.duplicated + report.reordered + report.corrupted, 0);
  });
}

t.test('--duration-limit stops a long run: stopped "duration", exit 1, a report still printed', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const gen = await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 1_000_000, rate: 1000, size: 64, durationLimit: 0.5 });
  t.equal(gen.stopped, 'duration');
  t.equal(gen.exitCode, 1);
  t.match(gen.stderr, /stopped by --duration-limit after \d+ of 1000000 datagrams/);
  t.ok(gen.sent >= 450 && gen.sent <= 550, `about 500 sent at 1000/s in 0.5 s (${gen.sent})`);
});

t.test('--count 0 sends until the duration limit and that is success', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const gen = await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 0, rate: 2000, size: 64, durationLimit: 0.3 });
  t.equal(gen.stopped, 'duration');
  t.equal(gen.exitCode, 0);
  t.ok(gen.sent > 0);
});

t.test('send errors are counted and reported, with exit 1', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  // A unicast address with no route in the src namespace: every send fails.
  await topo.src.ns.ip('route', 'del', 'default');
  const gen = await runGen(topo.src.ns, { group: '10.99.0.1', port: PORT, count: 5, rate: 0, size: 64 });
  t.equal(gen.sent, 0);
  t.equal(gen.errors, 5);
  t.equal(gen.exitCode, 1);
  t.match(gen.stderr, /5 send errors, the last: Network is unreachable/);
});
