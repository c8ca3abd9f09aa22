// Interfaces that come and go under a running mcrd: a rule on a missing interface is
// pending, becomes active within 2 s of the interface appearing, is paused when it is
// deleted, and active again (under a new ifindex) when it is recreated.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 5_000;

t.test('pending -> active -> paused -> active as the input veth is created, deleted and recreated', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const [src, relay, rx] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  await lab.wire({
    veths: [[{ ns: relay, name: 'out0', address: '10.2.0.1/24' }, { ns: rx, name: 'eth0', address: '10.2.0.2/24' }]],
    routes: [{ ns: rx, to: '224.0.0.0/4', dev: 'eth0' }],
  });
  const createInput = () =>
    lab.wire({
      veths: [[{ ns: relay, name: 'in0', address: '10.1.0.1/24' }, { ns: src, name: 'eth0', address: '10.1.0.2/24' }]],
      routes: [{ ns: src, to: '224.0.0.0/4', dev: 'eth0' }],
    });
  const deliver = async () => {
    const sink = await startSink(rx, { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
    await runGen(src, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
    return sink.report;
  };
  await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir), rule('late', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')]);
  const mcrd = await startMcrd(relay, dir);
  const state = (stats: { rules: { state: string }[] }) => stats.rules[0]?.state;
  t.equal(state(await mcrd.stats()), 'pending', 'pending: in0 does not exist');

  let began = Date.now();
  await createInput();
  await mcrd.waitForStats((stats) => state(stats) === 'active', 2_000);
  t.ok(Date.now() - began <= 2_000, `active ${Date.now() - began} ms after in0 appeared`);
  t.match(await deliver(), perfect(COUNT), 'and relays');

  await relay.ip('link', 'del', 'in0');
  await mcrd.waitForStats((stats) => state(stats) === 'paused', 2_000);
  t.pass('paused: in0 was deleted');

  began = Date.now();
  await createInput();
  const stats = await mcrd.waitForStats((s) => state(s) === 'active', 2_000);
  t.ok(Date.now() - began <= 2_000, `active again ${Date.now() - began} ms after in0 came back`);
  t.match(await deliver(), perfect(COUNT), 'and relays again, under the new ifindex');
  t.equal(stats.config.generation, 1, 'no reload was needed');
  t.ok(mcrd.logs().some((line) => line.message === 'interface in0 removed'), 'the removal was logged');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});

t.test('an input interface already down when mcrd starts shows as paused, and active once it is up', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const [src, relay, rx] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  await lab.wire({
    veths: [
      [{ ns: relay, name: 'in0', address: '10.1.0.1/24' }, { ns: src, name: 'eth0', address: '10.1.0.2/24' }],
      [{ ns: relay, name: 'out0', address: '10.2.0.1/24' }, { ns: rx, name: 'eth0', address: '10.2.0.2/24' }],
    ],
  });
  await relay.ip('link', 'set', 'in0', 'down');
  await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir), rule('quiet', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')]);
  const mcrd = await startMcrd(relay, dir);
  t.equal((await mcrd.stats()).rules[0]?.state, 'paused', 'paused from the start');
  await relay.ip('link', 'set', 'in0', 'up');
  await mcrd.waitForStats((stats) => stats.rules[0]?.state === 'active', 3_000);
  t.pass('active once in0 is up');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
