// Fault: the stats file's directory becomes unwritable under load. mcrd runs as root,
// so permissions would not stop it: the directory is a tmpfs remounted read-only (the
// superblock, so mcrd's own mount namespace sees it too). mcrd says so once in the log
// (not once per interval), forwarding goes on without a loss, and once the directory
// is writable again the stats file is written again, and the log says that too.
import t from 'tap';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import type { StatsFile } from '../../src/stats/types.js';

const skip = rootSkipReason();
const RATE = 20_000;
const COUNT = 100_000; // 5 s
const READ_ONLY_MS = 2_000; // ten stats intervals

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function mount(...args: string[]): Promise<void> {
  // A write in flight keeps the file system busy for a moment: try again.
  for (let attempt = 1; ; attempt += 1) {
    const result = await execa('mount', args, { reject: false, timeout: 10_000 });
    if (result.exitCode === 0) return;
    if (attempt === 20) throw new Error(`mount ${args.join(' ')}: ${result.stderr}`);
    await delay(50);
  }
}

/** A directory on its own small tmpfs, unmounted and removed when the test ends. */
async function tmpfsDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcr-stats-'));
  await mount('-t', 'tmpfs', '-o', 'size=4m,mode=755', 'tmpfs', dir);
  t.teardown(async () => {
    await execa('umount', ['-l', dir], { reject: false });
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

t.test('a read-only stats directory is logged once, forwarding loses nothing, and the file is written again after', { skip }, async (t) => {
  const dir = await tempDir(t);
  const statsDir = await tmpfsDir(t);
  const statsFile = join(statsDir, 'stats.json');
  const prometheusFile = join(statsDir, 'mcr.prom');
  const lab = Lab.create(t);
  const net = await chain(lab);
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir, [`stats_file = "${statsFile}"`, `prometheus_file = "${prometheusFile}"`]),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 4 });
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: RATE, size: 256 });
  let genDone = false;
  void gen.then(() => (genDone = true));

  await delay(1_000);
  const logged = mcrd.logs().length;
  await mount('-o', 'remount,ro', statsDir);
  const frozenAt = (await stat(statsFile)).mtimeMs;
  await delay(READ_ONLY_MS);
  t.equal((await stat(statsFile)).mtimeMs, frozenAt, 'the stats file stayed as it was while read-only');
  await mount('-o', 'remount,rw', statsDir);
  const writableAt = Date.now();
  await mcrd.waitForLog(/^the stats file .* is written again, after \d+ failed attempts$/, 5_000, logged);
  await mcrd.waitForLog(/^the Prometheus file .* is written again/, 5_000, logged);
  t.notOk(genDone, 'the traffic outlasted the read-only spell');

  const lines = mcrd.logs().slice(logged);
  const errors = lines.filter((line) => line.level === 'error').map((line) => line.message);
  t.equal(errors.length, 2, 'one error line per file, not one per interval');
  t.comment(errors.join('\n'));
  t.match(errors.find((m) => m.includes('stats file')), `cannot write the stats file ${statsFile}: EROFS: read-only file system`);
  t.match(errors.find((m) => m.includes('Prometheus')), `cannot write the Prometheus file ${prometheusFile}: EROFS`);
  const failedAttempts = Number(/after (\d+) failed attempts/.exec(lines.find((l) => l.message.startsWith('the stats file'))!.message)?.[1]);
  t.ok(failedAttempts >= 5, `${failedAttempts} writes failed in the ${READ_ONLY_MS / 1000} s`);

  t.equal((await gen).sent, COUNT);
  const report = await sink.report;
  t.match(report, perfect(COUNT), 'forwarding lost nothing');
  const read = async () => JSON.parse(await readFile(statsFile, 'utf8')) as StatsFile;
  let stats = await read();
  for (let tries = 0; !(stats.rules[0]?.packets === COUNT && stats.rules[0].pps === 0) && tries < 100; tries += 1) {
    await delay(50);
    stats = await read();
  }
  t.ok(Date.parse(stats.time) >= writableAt - 1_000, 'the stats file is fresh again');
  t.match(stats.rules[0], { state: 'active', packets: COUNT }, 'and counts every datagram');
  t.equal(stats.daemon.pid, mcrd.pid, 'the same mcrd');
  t.same((await readdir(statsDir)).sort(), ['mcr.prom', 'stats.json'], 'no temporary file left behind');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
