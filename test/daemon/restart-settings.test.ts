// Settings the data plane is built from (workers, cpus, backend, ring_ms) are applied by
// restarting it, loudly; live settings (log level) are applied without one.
import { readFile } from 'node:fs/promises';
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

/** Sizes in MiB of the process's socket mappings: its receive rings. */
async function ringMappings(pid: number): Promise<number[]> {
  const maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  return maps
    .split('\n')
    .filter((line) => /socket:\[\d+\]/.test(line))
    .map((line) => {
      const [low, high] = (line.split(' ')[0] ?? '').split('-').map((hex) => parseInt(hex, 16));
      return ((high ?? 0) - (low ?? 0)) / 2 ** 20;
    });
}

t.test('changing workers, backend or ring_ms restarts the data plane and says so; the rules run again', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const rules = [rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];
  await writeConfig(file, [...daemonSection(dir), ...rules]);
  const mcrd = await startMcrd(net.relay, dir);
  t.equal((await mcrd.stats()).daemon.workers, 1);
  t.same(await ringMappings(mcrd.pid), [75], 'one ring of 300 blocks of 256 KiB (the default ring_ms)');

  let seen = mcrd.logs().length;
  await writeConfig(file, [...daemonSection(dir, ['workers = 2', 'backend = "syscalls"', 'ring_ms = 40']), ...rules]);
  const warning = await mcrd.waitForLog(/^restarting the data plane/, 10_000, seen);
  t.equal(warning.level, 'warn');
  t.equal(warning.message, 'restarting the data plane for workers 1 -> 2, backend "auto" -> "syscalls", ring_ms 300 -> 40: every flow pauses briefly');
  const stats = await mcrd.waitForStats((s) => s.config.generation === 2);
  t.match(stats.daemon, { workers: 2, backend: 'syscalls' });
  t.match(stats.config.lastReload, { ok: true, restarted: true });
  t.same(await ringMappings(mcrd.pid), [10, 10], 'a ring per worker, of 40 blocks each');

  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
  t.match(await sink.report, perfect(COUNT), 'the rules run on the new data plane');

  seen = mcrd.logs().length;
  await writeConfig(file, [...daemonSection(dir, ['workers = 2', 'backend = "syscalls"', 'ring_ms = 40', 'log_level = "debug"']), ...rules]);
  await mcrd.waitForStats((s) => s.config.generation === 3);
  t.notOk(mcrd.logs().slice(seen).some((line) => /restarting/.test(line.message)), 'a log level change needs no restart');
  t.match((await mcrd.stats()).config.lastReload, { ok: true, restarted: false });
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
