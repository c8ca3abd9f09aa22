// Fault: one output's interface goes down under load, then up again. The other output
// of the same rule loses nothing; the downed output's failed sends are counted, once
// per datagram (no retry loop), without a crash; and it delivers again once it is up.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { fanout, Lab, rootSkipReason } from '../helpers/netns.js';
import { cpuSeconds } from '../helpers/proc.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const RATE = 20_000;
const COUNT = 120_000; // 6 s: the down window sits in the middle
const DOWN_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

t.test('an output interface down then up under load: the other output loses nothing, the failures are counted', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await fanout(lab, 2);
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir),
    rule('feed', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sinkOptions = { group: '239.2.2.1', port: 5000, expectPerStream: COUNT, idleTimeout: 4, durationLimit: 60 };
  const steady = await startSink(net.rxs[0]!.ns, { ...sinkOptions, expect: COUNT });
  const flapped = await startSink(net.rxs[1]!.ns, sinkOptions);
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: RATE, size: 256 });
  let genDone = false;
  void gen.then(() => (genDone = true));

  await delay(1_500);
  const before = cpuSeconds(mcrd.pid);
  await net.relay.ip('link', 'set', 'out1', 'down');
  await mcrd.waitForLog(/^interface out1 down$/, 5_000);
  await delay(DOWN_MS);
  const used = cpuSeconds(mcrd.pid) - before;
  const during = await mcrd.stats();
  await net.relay.ip('link', 'set', 'out1', 'up');
  await net.relay.waitForwarding(['out1']);
  await mcrd.waitForLog(/^interface out1 up$/, 5_000);
  t.notOk(genDone, 'the traffic outlasted the down window');

  t.equal((await gen).sent, COUNT);
  t.match(await steady.report, perfect(COUNT), 'the output whose link stayed up lost nothing');
  const report = await flapped.report;
  const stream = report.streams[0]!;
  t.ok(stream.lost > 0, `the downed output missed ${stream.lost} datagrams`);
  t.equal(stream.received + stream.lost, COUNT, 'and got the rest');
  t.equal(stream.last_seq, COUNT - 1, 'it delivers again after the link is up, to the last datagram');
  t.match(stream, { duplicated: 0, reordered: 0, corrupted: 0 });

  const stats = await mcrd.waitForStats((s) => s.rules[0]?.pps === 0 && s.rules[0].packets === COUNT);
  const [out0, out1] = stats.rules[0]!.outputs;
  t.match(stats.rules[0], { state: 'active', packets: COUNT }, 'the rule stayed active and took every datagram');
  t.match(out0, { interface: 'out0', packets: COUNT, errors: 0, drops: 0 }, 'out0: every datagram, no error');
  t.equal(out1!.packets, stream.received, "out1's packets are what its receiver got");
  t.ok(out1!.errors + out1!.drops > 0, `out1 counted ${out1!.errors} errors and ${out1!.drops} drops while down`);
  t.equal(out1!.packets + out1!.errors + out1!.drops, COUNT, 'one outcome per datagram: sent, error or drop, never a retry');
  t.ok(during.rules[0]!.outputs[1]!.errors + during.rules[0]!.outputs[1]!.drops > 0, 'the failures showed in the stats file while the link was down');
  t.equal(stats.totals.egress_errors! + stats.totals.egress_full!, out1!.errors + out1!.drops, 'worker totals agree');
  // 20,000 pps to two outputs takes a fraction of a CPU; a worker spinning on a failing
  // socket would take a whole one for the two seconds.
  t.ok(used < 1.5, `mcrd used ${used.toFixed(2)} CPU seconds in the ${DOWN_MS / 1000} s the link was down`);
  t.comment(`out1 down ${DOWN_MS} ms: receiver lost ${stream.lost}, out1 errors ${out1!.errors}, drops ${out1!.drops}, mcrd CPU ${used.toFixed(2)} s`);
  t.same(mcrd.logs().filter((line) => line.level === 'error'), [], 'nothing logged as an error');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
