// mcrd never writes its stats through someone else's hands: a symbolic link planted at
// a stats path is replaced, not followed (the file it pointed at is untouched), and a
// stats directory owned by another user is refused, said once in the log, counted,
// while relaying goes on; once the directory is fixed, writing resumes.
import t from 'tap';
import { chown, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { parseExposition, valueOf } from '../stats/prometheus-format.js';
import type { StatsFile } from '../../src/stats/types.js';

const skip = rootSkipReason();
const OTHER_UID = 4242;
const COUNT = 10_000;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test('a link planted at the stats path is replaced, not followed; another user\'s stats directory is refused once while relaying goes on', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  // Another user's file, and a link to it where the Prometheus file goes.
  const theirs = join(dir, 'theirs');
  await mkdir(theirs, { mode: 0o755 });
  const victim = join(theirs, 'victim');
  await writeFile(victim, 'precious\n');
  await chown(victim, OTHER_UID, OTHER_UID);
  await chown(theirs, OTHER_UID, OTHER_UID);
  const prometheus = join(dir, 'mcr.prom');
  await symlink(victim, prometheus);
  // The stats file goes into a directory another user owns.
  const bad = join(dir, 'bad');
  await mkdir(bad, { mode: 0o755 });
  await chown(bad, OTHER_UID, OTHER_UID);
  const statsFile = join(bad, 'stats.json');
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir, [`stats_file = "${statsFile}"`, `prometheus_file = "${prometheus}"`]),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);

  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  t.equal((await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 500 })).sent, COUNT);
  t.match(await sink.report, perfect(COUNT), 'relaying went on: every datagram arrived');

  const counted = await waitFor('the Prometheus file to count every datagram', async () => {
    const text = await readFile(prometheus, 'utf8');
    return valueOf(parseExposition(text), 'mcr_output_packets_total', { rule: 'main', output_interface: 'out0', output_group: '239.2.2.1', output_port: '5000' }) === COUNT ? text : undefined;
  });
  t.ok(counted.length > 0, 'the Prometheus file has the counts');
  t.ok((await lstat(prometheus)).isFile(), 'the planted link was replaced by a regular file');
  t.equal(await readFile(victim, 'utf8'), 'precious\n', 'the file the link pointed at is untouched');
  t.equal((await lstat(prometheus)).uid, 0, 'owned by mcrd\'s user');

  const refusal =
    `refusing to write ${statsFile}: directory ${bad} is owned by uid ${OTHER_UID}, not by root; fix: chown root ${bad}; ` +
    'relaying goes on, and this is logged once (see docs/security.md)';
  const errors = mcrd.logs().filter((line) => line.level === 'error').map((line) => line.message);
  t.same(errors, [refusal], 'one clear line for many refused writes');
  t.same(await readdir(bad), [], 'nothing was written in the other user\'s directory');

  const before = mcrd.logs().length;
  mcrd.signal('SIGUSR1');
  const counted2 = await mcrd.waitForLog(/refused so far/, 10_000, before);
  t.match(counted2.message, new RegExp(`^${statsFile}: \\d+ writes refused so far \\(not a safe place to write\\)$`), 'SIGUSR1 shows the count');
  t.equal(counted2.level, 'warn');

  await chown(bad, 0, 0);
  const resumed = await mcrd.waitForLog(/is written again, after \d+ refused writes$/, 10_000);
  t.ok(Number(/after (\d+) refused/.exec(resumed.message)?.[1]) >= 2, resumed.message);
  const stats = await waitFor('the stats file', async () => {
    const parsed = JSON.parse(await readFile(statsFile, 'utf8')) as StatsFile;
    return parsed.rules[0]?.packets === COUNT ? parsed : undefined;
  });
  t.equal(stats.rules[0]?.outputs[0]?.packets, COUNT, 'the stats file resumes with every count');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
