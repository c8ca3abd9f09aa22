// Settings the data plane is built from (workers, cpus, backend) are applied by
// restarting it, loudly; live settings (log level) are applied without one.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 5_000;

t.test('changing workers or backend restarts the data plane and says so; the rules run again', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const rules = [rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];
  await writeConfig(file, [...daemonSection(dir), ...rules]);
  const mcrd = await startMcrd(net.relay, dir);
  t.equal((await mcrd.stats()).daemon.workers, 1);

  let seen = mcrd.logs().length;
  await writeConfig(file, [...daemonSection(dir, ['workers = 2', 'backend = "syscalls"']), ...rules]);
  const warning = await mcrd.waitForLog(/^restarting the data plane/, 10_000, seen);
  t.equal(warning.level, 'warn');
  t.equal(warning.message, 'restarting the data plane for workers 1 -> 2, backend "auto" -> "syscalls": every flow pauses briefly');
  const stats = await mcrd.waitForStats((s) => s.config.generation === 2);
  t.match(stats.daemon, { workers: 2, backend: 'syscalls' });
  t.match(stats.config.lastReload, { ok: true, restarted: true });

  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
  t.match(await sink.report, perfect(COUNT), 'the rules run on the new data plane');

  seen = mcrd.logs().length;
  await writeConfig(file, [...daemonSection(dir, ['workers = 2', 'backend = "syscalls"', 'log_level = "debug"']), ...rules]);
  await mcrd.waitForStats((s) => s.config.generation === 3);
  t.notOk(mcrd.logs().slice(seen).some((line) => /restarting/.test(line.message)), 'a log level change needs no restart');
  t.match((await mcrd.stats()).config.lastReload, { ok: true, restarted: false });
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
