// Fault: one output's link goes down under load and comes back, twice: first the relay's
// interface is set down (sends fail: mcrd counts an error per datagram, no retry, no
// spinning), then the far end goes away (no carrier: the kernel accepts most sends and
// drops them itself, counted as the interface's TX dropped, not as mcrd's errors). The
// other output of the same rule loses nothing, and the flapped one delivers again.
import t from 'tap';
import { join } from 'node:path';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { fanout, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { cpuSeconds } from '../helpers/proc.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import type { StatsFile } from '../../src/stats/types.js';

const skip = rootSkipReason();
const RATE = 20_000;
const COUNT = 160_000; // 8 s: both down windows sit inside it
const DOWN_MS = 2_000;
const NO_CARRIER_MS = 1_500;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Frames the kernel dropped on the way out of iface (`ip -s link`: TX dropped). */
async function txDropped(ns: Netns, iface: string): Promise<number> {
  const [link] = JSON.parse(await ns.ip('-j', '-s', 'link', 'show', iface)) as { stats64: { tx: { dropped: number } } }[];
  return link!.stats64.tx.dropped;
}

t.test('an output link down then up, twice, under load: the other output loses nothing, every loss is counted', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await fanout(lab, 2);
  const farEnd = net.rxs[1]!.ns;
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir),
    rule('feed', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sinkOptions = { group: '239.2.2.1', port: 5000, expectPerStream: COUNT, idleTimeout: 4, durationLimit: 60 };
  const steady = await startSink(net.rxs[0]!.ns, { ...sinkOptions, expect: COUNT });
  const flapped = await startSink(farEnd, sinkOptions);
  const droppedBefore = await txDropped(net.relay, 'out1');
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: RATE, size: 256 });
  let genDone = false;
  void gen.then(() => (genDone = true));

  await delay(1_500);
  let logged = mcrd.logs().length;
  const before = cpuSeconds(mcrd.pid);
  await net.relay.ip('link', 'set', 'out1', 'down');
  await mcrd.waitForLog(/^interface out1 down$/, 5_000, logged);
  await delay(DOWN_MS);
  const used = cpuSeconds(mcrd.pid) - before;
  const during = await mcrd.stats();
  await net.relay.ip('link', 'set', 'out1', 'up');
  await net.relay.waitForwarding(['out1']);
  await mcrd.waitForLog(/^interface out1 up$/, 5_000, logged);
  const errorsWhileSetDown = (await mcrd.stats()).rules[0]!.outputs[1]!.errors;

  logged = mcrd.logs().length;
  await farEnd.ip('link', 'set', 'eth0', 'down');
  await mcrd.waitForLog(/^interface out1 down$/, 5_000, logged);
  await delay(NO_CARRIER_MS);
  const withoutCarrier = await mcrd.stats();
  await farEnd.ip('link', 'set', 'eth0', 'up');
  await net.relay.waitForwarding(['out1']);
  await mcrd.waitForLog(/^interface out1 up$/, 5_000, logged);
  t.notOk(genDone, 'the traffic outlasted both down windows');

  t.equal((await gen).sent, COUNT);
  t.match(await steady.report, perfect(COUNT), 'the output whose link stayed up lost nothing');
  const report = await flapped.report;
  const stream = report.streams[0]!;
  t.ok(stream.lost > 0, `the flapped output missed ${stream.lost} datagrams`);
  t.equal(stream.received + stream.lost, COUNT, 'and got the rest');
  t.equal(stream.last_seq, COUNT - 1, 'it delivers again after the link is back, to the last datagram');
  t.match(stream, { duplicated: 0, reordered: 0, corrupted: 0 });

  const stats = await mcrd.waitForStats((s) => s.rules[0]?.pps === 0 && s.rules[0].packets === COUNT);
  const [out0, out1] = stats.rules[0]!.outputs;
  const kernelDropped = (await txDropped(net.relay, 'out1')) - droppedBefore;
  t.match(stats.rules[0], { state: 'active', packets: COUNT }, 'the rule stayed active and took every datagram');
  t.match(out0, { interface: 'out0', packets: COUNT, errors: 0, drops: 0 }, 'out0: every datagram, no error');
  t.ok(out1!.errors > 0, `out1 counted ${out1!.errors} errors while its interface was down`);
  t.equal(out1!.packets + out1!.errors + out1!.drops, COUNT, 'one outcome per datagram: sent, error or drop, never a retry');
  // Without carrier the kernel takes most sends and drops them itself: they count as
  // sent here, and the loss shows as the interface's TX dropped.
  t.ok(kernelDropped > 0, `the kernel dropped ${kernelDropped} on out1 while the far end was gone`);
  t.ok(during.rules[0]!.outputs[1]!.errors > 0, 'the errors showed in the stats file while the link was down');
  const states = (sample: StatsFile) => sample.rules[0]!.outputs.map((o) => o.state);
  t.same(states(during), ['active', 'down'], 'the stats file showed out1 down while it was set down');
  t.same(states(withoutCarrier), ['active', 'down'], 'and while it had no carrier (sends the kernel drops)');
  t.same(states(stats), ['active', 'active'], 'and active again once it came back');
  t.equal(stats.totals.egress_errors! + stats.totals.egress_full!, out1!.errors + out1!.drops, 'worker totals agree');
  const json = await run(MCR, ['stats', '--json', '--file', mcrd.statsFile]);
  const shown = (JSON.parse(json.stdout) as StatsFile).rules[0]?.outputs.map((o) => [o.interface, o.errors > 0]);
  t.same(shown, [['out0', false], ['out1', true]], 'mcr stats --json shows errors on out1 alone');
  // 20,000 pps to two outputs takes a fraction of a CPU; a worker spinning on a failing
  // socket would take a whole one for the two seconds.
  t.ok(used < 1.5, `mcrd used ${used.toFixed(2)} CPU seconds in the ${DOWN_MS / 1000} s the link was down`);
  t.comment(
    `out1 set down ${DOWN_MS} ms, then no carrier ${NO_CARRIER_MS} ms: receiver lost ${stream.lost}; ` +
      `mcrd counted ${out1!.errors} errors (${errorsWhileSetDown} while set down), ${out1!.drops} drops; ` +
      `kernel TX dropped on out1 ${kernelDropped} frames; mcrd CPU ${used.toFixed(2)} s while down; out0 lost 0`,
  );
  t.same(mcrd.logs().filter((line) => line.level === 'error'), [], 'nothing logged as an error');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
