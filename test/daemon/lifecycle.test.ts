// The daemon's lifecycle in-process, over a stand-in for the native class (the data
// plane takes its binding as a parameter for this): start-up, each outcome of the
// reload transaction, a data plane restart, link changes, a snapshot and stop, read
// from the real log lines and the real stats file. The real data plane under the same
// lifecycle is tested in namespaces (stop, refused-edits, restart-settings, interfaces).
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/daemon/log.js';
import { DataPlane } from '../../src/dataplane.js';
import type { LinkEvent, NativeBinding, NativeOptions, NativeOutput, NativeRule } from '../../src/native/binding-types.js';
import type { StatsFile } from '../../src/stats/types.js';
import { tempDir, writeLines } from '../helpers/cli.js';
import { rule } from '../helpers/ruleset.js';

const MAX_RULES = 8;
const MAX_OUTPUTS = 16;

/** A native class that keeps what it was told, refuses the keys in `refuse`, and reports every rule active. */
function standIn() {
  const planes: { options: NativeOptions; rules: Map<string, string[]>; closed: boolean; emit: (event: LinkEvent) => void }[] = [];
  const refuse = new Set<string>();
  const binding = {
    version: () => ({ addon: '4', napi: 8, cplusplus: 201703 }),
    notify: () => undefined,
    DataPlane: class {
      private readonly plane;
      constructor(options: NativeOptions, onLink: (event: LinkEvent) => void) {
        this.plane = { options, rules: new Map<string, string[]>(), closed: false, emit: onLink };
        planes.push(this.plane);
      }
      addRule(r: NativeRule) {
        if (refuse.has(r.key)) throw new Error('no room for it');
        this.plane.rules.set(r.key, r.outputs.map((o) => o.key));
      }
      replaceOutputs(key: string, outputs: NativeOutput[]) {
        this.plane.rules.set(key, outputs.map((o) => o.key));
      }
      removeRule(key: string) {
        this.plane.rules.delete(key);
      }
      beginBatch() {}
      endBatch() {}
      refresh() {}
      describe() {
        let slot = 0;
        return [...this.plane.rules].map(([key, outputs], index) => ({
          key,
          slot: index,
          state: 'active',
          error: '',
          ifindex: 1,
          outputs: outputs.map((output) => ({ key: output, slot: slot++, state: 'active', error: '' })),
        }));
      }
      counters() {
        return new ArrayBuffer(8 * this.plane.options.workers * (1 + MAX_RULES * 2 + MAX_OUTPUTS * 4));
      }
      info() {
        const blockWords = 1 + MAX_RULES * 2 + MAX_OUTPUTS * 4;
        return { backend: 'syscalls', fallbackReason: '', workers: this.plane.options.workers, blockWords, maxRules: MAX_RULES, workerCounters: ['rx_frames'], ruleCounters: ['packets', 'bytes'], outputCounters: ['packets', 'bytes', 'errors', 'drops'] };
      }
      close() {
        this.plane.closed = true;
      }
    },
  } as unknown as NativeBinding;
  return { binding, planes, refuse };
}

async function started(t: { teardown(fn: () => unknown): void }) {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  const statsFile = join(dir, 'stats.json');
  const daemonLines = (extra: string[] = []) => ['[daemon]', `stats_file = "${statsFile}"`, 'stats_interval = 3600', 'workers = 1', ...extra];
  const first = rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000');
  await writeLines(file, [...daemonLines(), first]);
  const fake = standIn();
  const stream = new PassThrough();
  const log: string[] = [];
  stream.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  const logger = createLogger({ format: 'journal', stream });
  const daemon = await Daemon.start({
    configFile: file,
    logger,
    allowInsecureRulesFile: true,
    openPlane: (settings) => DataPlane.open(settings, fake.binding, [0, 1]),
    notify: () => undefined,
  });
  t.teardown(() => daemon.stop());
  const stats = async () => JSON.parse(await readFile(statsFile, 'utf8')) as StatsFile;
  return { daemon, file, fake, log, stats, daemonLines, first };
}

t.test('start-up applies the file, writes the stats and says when it is ready', async (t) => {
  const { daemon, file, log, stats, fake } = await started(t);
  t.same(fake.planes.map((plane) => [...plane.rules.keys()]), [['in0|239.1.1.1|5000|*']]);
  await daemon.announceReady();
  t.ok(log.includes('<6>data plane: 1 worker(s), syscalls backend'));
  t.ok(log.includes(`<6>mcrd ready: ${file}, 1/1 rules active, 0 pps in, generation 1`));
  const written = await stats();
  t.match(written.daemon, { state: 'running', workers: 1, backend: 'syscalls', configFile: file });
  t.match(written.config, { generation: 1, lastReload: { trigger: 'start', ok: true, added: 1 }, reloads: { ok: 0, failed: 0 } });
  t.same(written.rules.map((r) => [r.name, r.state, r.input, r.outputs.map((o) => [o.group, o.state])]), [
    ['a', 'active', { interface: 'in0', group: '239.1.1.1', port: 5000, source: null }, [['239.2.2.1', 'active']]],
  ]);
});

t.test('a reload applies, skips or refuses, and each outcome is logged and recorded', async (t) => {
  const { daemon, file, log, stats, daemonLines, first } = await started(t);
  const second = rule('b', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000');
  await writeLines(file, [...daemonLines(), first, second]);
  await daemon.reload('sighup');
  t.ok(log.includes('<6>reload (sighup) applied, generation 2: 1 added, 0 removed, 0 changed, 1 unchanged'));
  t.match((await stats()).config, { generation: 2, reloads: { ok: 1, failed: 0 } });

  await daemon.reload('file');
  t.ok(log.includes('<6>reload (file): the rules file means what runs; nothing to apply'));
  t.match((await stats()).config, { generation: 2, lastReload: { skipped: true }, reloads: { ok: 2, failed: 0 } });

  await writeLines(file, [...daemonLines(), first, second, '[[rule]]', 'name = 3']);
  await daemon.reload('file');
  t.match(log.at(-1), /^<3>reload \(file\) refused; generation 2 keeps running$/);
  t.ok(log.some((line) => line.startsWith(`<3>${file}:`)), 'the errors are logged as FILE:LINE:COL');
  const refused = await stats();
  t.match(refused.config, { generation: 2, lastReload: { ok: false, trigger: 'file' }, reloads: { ok: 2, failed: 1 } });
  t.equal(refused.rules.length, 2, 'what ran keeps running');
});

t.test('asks that arrive during a reload are served by one more reload', async (t) => {
  const { daemon, file, stats, daemonLines, first } = await started(t);
  await writeLines(file, [...daemonLines(), first, rule('b', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000')]);
  const asks = [daemon.reload('sighup'), daemon.reload('file'), daemon.reload('sighup')];
  await Promise.all(asks);
  t.match((await stats()).config, { generation: 2, lastReload: { trigger: 'sighup', skipped: true }, reloads: { ok: 2, failed: 0 } });
});

t.test('a rule the data plane refuses is logged, recorded, and tried again by the next reload', async (t) => {
  const { daemon, file, log, stats, fake, daemonLines, first } = await started(t);
  fake.refuse.add('in0|239.1.1.2|5000|*');
  await writeLines(file, [...daemonLines(), first, rule('b', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000')]);
  await daemon.reload('sighup');
  t.ok(log.includes('<3>rule in0|239.1.1.2|5000|*: no room for it'));
  const written = await stats();
  t.match(written.config.lastReload, { ok: false, errors: ['in0|239.1.1.2|5000|*: no room for it'], generation: 2 });
  t.same(written.rules.map((r) => r.name), ['a'], 'the refused rule is not believed to run');
  fake.refuse.clear();
  await daemon.reload('sighup');
  t.ok(log.includes('<6>reload (sighup) applied, generation 3: 1 added, 0 removed, 0 changed, 1 unchanged'));
});

t.test('a setting the data plane is built from restarts it, and every rule runs on the new one', async (t) => {
  const { daemon, file, log, stats, fake, daemonLines, first } = await started(t);
  await writeLines(file, [...daemonLines(['log_level = "debug"']).map((line) => (line === 'workers = 1' ? 'workers = 2' : line)), first]);
  await daemon.reload('sighup');
  t.ok(log.includes('<4>restarting the data plane for workers 1 -> 2: every flow pauses briefly'));
  t.same(fake.planes.map((plane) => [plane.options.workers, plane.closed, [...plane.rules.keys()]]), [
    [1, true, ['in0|239.1.1.1|5000|*']],
    [2, false, ['in0|239.1.1.1|5000|*']],
  ]);
  t.match((await stats()).config.lastReload, { ok: true, restarted: true, unchanged: 1, generation: 2 });
  t.match((await stats()).daemon, { workers: 2 });
});

t.test('a link that goes down pauses its rule, and is logged', async (t) => {
  const { daemon, log, stats, fake } = await started(t);
  const plane = fake.planes[0];
  plane?.emit({ kind: 'link', ifindex: 3, name: 'in0', removed: false, up: true, running: false });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(log.includes('<6>interface in0 down'));
  await daemon.logSnapshot();
  t.equal((await stats()).rules[0]?.state, 'paused');
  t.ok(log.includes('<6>stats: 0/1 rules active, 0 pps in, generation 1'));
  t.ok(log.includes('<6>rule "a" paused: 0 pkts in, 0 pps -> out0 239.2.2.1:5000 0 pkts 0 lost'));
  plane?.emit({ kind: 'link', ifindex: 3, name: 'in0', removed: false, up: true, running: true });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await daemon.logSnapshot();
  t.equal((await stats()).rules[0]?.state, 'active');
});

t.test('stop closes the data plane and marks the stats file stopped; reloads after it do nothing', async (t) => {
  const { daemon, log, stats, fake, file, daemonLines } = await started(t);
  await daemon.stop();
  t.ok(log.some((line) => line.startsWith('<6>mcrd stopping: 1/1 rules active')));
  t.equal(fake.planes[0]?.closed, true);
  t.equal((await stats()).daemon.state, 'stopped');
  await writeLines(file, [...daemonLines()]);
  await daemon.reload('sighup');
  t.equal((await stats()).config.generation, 1);
  await daemon.stop();
});
