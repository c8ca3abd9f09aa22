// Fault: a rule's input interface is deleted under load and created again (a new
// ifindex, addressed again). That rule goes paused and back to active by itself and
// relays again; a rule on another input interface, flowing the whole time, loses
// nothing.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import type { StatsFile } from '../../src/stats/types.js';

const skip = rootSkipReason();
const STEADY_RATE = 20_000;
const STEADY_COUNT = 160_000; // 8 s: outlasts the delete and the re-creation
const FLAPPY_COUNT = 5_000;

t.test('an input interface deleted and recreated under load: paused, active again, other flows lose nothing', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const [src, src2, relay, rx] = (await lab.namespaces('src', 'src2', 'relay', 'rx')) as [Netns, Netns, Netns, Netns];
  await lab.wire({
    veths: [
      [{ ns: relay, name: 'in0', address: '10.1.0.1/24' }, { ns: src, name: 'eth0', address: '10.1.0.2/24' }],
      [{ ns: relay, name: 'out0', address: '10.2.0.1/24' }, { ns: rx, name: 'eth0', address: '10.2.0.2/24' }],
    ],
    routes: [
      { ns: src, to: '224.0.0.0/4', dev: 'eth0' },
      { ns: rx, to: '224.0.0.0/4', dev: 'eth0' },
    ],
  });
  // The flappy input: deleting in1 deletes its peer too; re-creating wires both again.
  const createIn1 = () =>
    lab.wire({
      veths: [[{ ns: relay, name: 'in1', address: '10.5.0.1/24' }, { ns: src2, name: 'eth0', address: '10.5.0.2/24' }]],
      routes: [{ ns: src2, to: '224.0.0.0/4', dev: 'eth0' }],
    });
  await createIn1();
  const ifindex = async () => (JSON.parse(await relay.ip('-j', 'link', 'show', 'in1')) as { ifindex: number }[])[0]?.ifindex;
  const firstIfindex = await ifindex();
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir),
    rule('steady', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
    rule('flappy', 'in1 239.1.1.2:5000', 'out0 239.2.2.2:5000'),
  ]);
  const mcrd = await startMcrd(relay, dir);
  const stateOf = (stats: StatsFile, name: string) => stats.rules.find((r) => r.name === name)?.state;
  const flappyDelivers = async () => {
    const sink = await startSink(rx, { group: '239.2.2.2', port: 5000, expect: FLAPPY_COUNT, expectPerStream: FLAPPY_COUNT, idleTimeout: 3 });
    t.equal((await runGen(src2, { group: '239.1.1.2', port: 5000, count: FLAPPY_COUNT, rate: 10_000, size: 256 })).sent, FLAPPY_COUNT);
    return sink.report;
  };

  const steadySink = await startSink(rx, { group: '239.2.2.1', port: 5000, expect: STEADY_COUNT, expectPerStream: STEADY_COUNT, idleTimeout: 4 });
  const steadyGen = runGen(src, { group: '239.1.1.1', port: 5000, count: STEADY_COUNT, rate: STEADY_RATE, size: 256 });
  let steadyDone = false;
  void steadyGen.then(() => (steadyDone = true));
  t.match(await flappyDelivers(), perfect(FLAPPY_COUNT), 'the flappy rule relays before the fault');

  const logged = mcrd.logs().length;
  await relay.ip('link', 'del', 'in1');
  await mcrd.waitForStats((stats) => stateOf(stats, 'flappy') === 'paused', 5_000);
  t.pass('paused once in1 is deleted');
  await mcrd.waitForLog(/^interface in1 removed$/, 5_000, logged);

  await createIn1();
  const back = await mcrd.waitForStats((stats) => stateOf(stats, 'flappy') === 'active', 5_000);
  t.not(await ifindex(), firstIfindex, `in1 came back under a new ifindex (${firstIfindex} -> ${await ifindex()})`);
  t.equal(back.config.generation, 1, 'by itself: no reload');
  t.match(await flappyDelivers(), perfect(FLAPPY_COUNT), 'and relays again under the new ifindex');
  t.notOk(steadyDone, 'the steady flow was still sending through all of it');

  t.equal((await steadyGen).sent, STEADY_COUNT);
  const steady = await steadySink.report;
  t.match(steady, perfect(STEADY_COUNT), 'the rule on in0 lost nothing through the delete and re-creation');
  const stats = await mcrd.waitForStats((s) => s.rules.every((r) => r.pps === 0) && s.rules[0]?.packets === STEADY_COUNT);
  const byName = (name: string) => stats.rules.find((r) => r.name === name);
  t.match(byName('steady'), { state: 'active', packets: STEADY_COUNT }, 'steady: active throughout, every datagram');
  t.match(byName('flappy'), { state: 'active', packets: 2 * FLAPPY_COUNT }, 'flappy: active, counting across both lives of in1');
  t.match(byName('flappy')?.outputs[0], { packets: 2 * FLAPPY_COUNT, errors: 0, drops: 0 });
  t.same(mcrd.logs().filter((line) => line.level === 'error'), [], 'nothing logged as an error');
  t.comment(`in1 deleted and recreated (ifindex ${firstIfindex} -> ${await ifindex()}); in0's flow: ${steady.received} received, ${steady.lost} lost`);
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
