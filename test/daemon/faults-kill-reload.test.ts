// Fault: mcrd is killed (SIGKILL) in the middle of a reload, while the data plane is
// joining the groups of a large new rules file, then started again. It comes back with
// the rules of the file as it is on disk, relays, and nothing of the killed process
// remains: not its group memberships or packet sockets (the kernel's view of the
// namespace), not a temporary stats file (a kill in the middle of a stats write leaves
// one; the new mcrd removes it).
import t from 'tap';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { groupsJoined, packetSockets, receivingPacketSockets } from '../helpers/proc.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import type { StatsFile } from '../../src/stats/types.js';

const skip = rootSkipReason();
const BULK = 1_000; // applying this many new rules takes a second or more
const COUNT = 5_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const bulkGroup = (i: number, first: number) => `239.${first}.${Math.floor(i / 250)}.${(i % 250) + 1}`;

t.test('SIGKILL in the middle of a reload, then a restart: the file on disk runs, nothing stale remains', { skip }, async (t) => {
  const dir = await tempDir(t);
  const runDir = join(dir, 'run');
  await mkdir(runDir);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const daemon = daemonSection(dir, [`stats_file = "${join(runDir, 'stats.json')}"`]);
  const main = rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000');
  await writeConfig(file, [...daemon, main]);
  const first = await startMcrd(net.relay, dir);
  t.equal(groupsJoined(first.pid, 'in0'), 2, 'before: 224.0.0.1 and the group of the one rule joined on in0');

  // The large file replaces the small one the way an editor saves.
  const bulk = Array.from({ length: BULK }, (_, i) => rule(`bulk-${i}`, `in0 ${bulkGroup(i, 10)}:5000`, `out0 ${bulkGroup(i, 20)}:5000`));
  await writeConfig(`${file}.tmp`, [...daemon, main, ...bulk]);
  await rename(`${file}.tmp`, file);
  // Kill once the kernel shows the reload half done: some of the new groups joined.
  let joinedAtKill = 0;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await delay(2)) {
    joinedAtKill = groupsJoined(first.pid, 'in0');
    if (joinedAtKill >= 2 + BULK / 10) break;
  }
  first.signal('SIGKILL');
  await first.exited;
  t.ok(joinedAtKill > 2 && joinedAtKill < 2 + BULK, `killed with ${joinedAtKill - 2} of ${BULK} new groups joined`);
  t.notOk(first.logs().some((line) => /applied|generation 2/.test(line.message)), 'the reload never finished');
  const readStats = async () => JSON.parse(await readFile(join(runDir, 'stats.json'), 'utf8')) as StatsFile;
  const lastWords = await readStats();
  t.equal(lastWords.config.generation, 1, 'the stats file the killed mcrd left still says generation 1');
  const leftByKill = (await readdir(runDir)).filter((name) => name.endsWith('.tmp'));
  // A kill during a stats write leaves its temporary file, named as src/stats/write.ts
  // names it; this one stands for it whether or not this kill happened to land there.
  await writeFile(join(runDir, `.stats.json.${first.pid}.7.tmp`), '{"half": ');

  const second = await startMcrd(net.relay, dir);
  // The helper's stats() reads the default place; this test keeps its stats in run/.
  let stats = await readStats();
  for (let tries = 0; stats.daemon.pid !== second.pid && tries < 100; tries += 1) {
    await delay(50);
    stats = await readStats();
  }
  t.equal(stats.rules.length, BULK + 1, 'the rules of the file on disk');
  t.ok(stats.rules.every((r) => r.state === 'active'), 'all active');
  t.match(stats.config, { generation: 1, lastReload: { trigger: 'start', ok: true }, reloads: { ok: 0, failed: 0 } }, 'a fresh start');
  t.equal(stats.daemon.state, 'running');
  t.equal(groupsJoined(second.pid, 'in0'), 2 + BULK, 'the kernel has exactly the groups of the file joined on in0');
  t.equal(receivingPacketSockets(second.pid), 1, 'one receiving packet socket in the namespace: the new ring, none of the killed one');
  t.equal(packetSockets(second.pid), 2, 'and the frame outputs\' send-only one on out0');
  t.same(await readdir(runDir), ['stats.json'], 'no temporary file left in the stats directory');
  const removal = second.logs().find((line) => line.message.startsWith('removed '))?.message ?? '';
  for (const name of [...leftByKill, `.stats.json.${first.pid}.7.tmp`]) t.match(removal, name, `the removal of ${name} is logged`);

  const sink = await startSink(net.rx.ns, { group: ['239.2.2.1', bulkGroup(500, 20)], port: 5000, expect: 2 * COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  await Promise.all([
    runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 }),
    runGen(net.src.ns, { group: bulkGroup(500, 10), port: 5000, count: COUNT, rate: 10_000, size: 256, firstStream: 1 }),
  ]);
  const report = await sink.report;
  t.match(report.streams[0], perfect(COUNT), 'the old rule relays');
  t.match(report.streams[1], perfect(COUNT), 'and so does one of the new rules in the file');
  t.comment(`killed with ${joinedAtKill - 2}/${BULK} new groups joined; temporary files the kill itself left: ${leftByKill.length}`);
  second.signal('SIGTERM');
  t.equal(await second.exited, 0);
});
