// Hitless reload: one flow at 50,000 pps while 30 reloads add, remove and change other
// rules, through every way a rules file gets rewritten and through SIGHUP. The flow
// loses nothing, and neither does the output a changed rule keeps.
import t from 'tap';
import { mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const RELOADS = 30;
const MAIN_RATE = 50_000;
const MAIN_COUNT = 600_000; // 12 s: longer than the reloads take
const CHANGED_RATE = 2_000;
const CHANGED_COUNT = 24_000;

/** The rules of reload step i: the main flow never changes; everything else does. */
function rules(dir: string, step: number): string[] {
  return [
    ...daemonSection(dir),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
    rule('changing', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000', `out0 239.2.8.${(step % 200) + 1}:5000`),
    rule(`extra-${step}`, `in0 239.1.2.${(step % 200) + 1}:5000`, `out0 239.2.9.${(step % 200) + 1}:5000`),
  ];
}

type Write = (file: string, lines: string[], dir: string, step: number) => Promise<void>;

const WRITES: [string, Write][] = [
  ['write in place', (file, lines) => writeConfig(file, lines)],
  [
    'rename over (editors)',
    async (file, lines) => {
      await writeConfig(`${file}.swp`, lines);
      await rename(`${file}.swp`, file);
    },
  ],
  [
    'delete and recreate',
    async (file, lines) => {
      await unlink(file);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await writeConfig(file, lines);
    },
  ],
  [
    'symlink swapped (config management)',
    async (file, lines, dir, step) => {
      const target = join(dir, 'versions', `v${step}.toml`);
      await writeConfig(target, lines);
      await symlink(target, `${file}.new`);
      await rename(`${file}.new`, file);
    },
  ],
];

t.test(`${RELOADS} reloads through every kind of file write and SIGHUP lose nothing on a 50,000 pps flow`, { skip }, async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'versions'));
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  await writeConfig(file, rules(dir, 0));
  const mcrd = await startMcrd(net.relay, dir);
  const sink = await startSink(net.rx.ns, {
    group: '239.2.2.1',
    streams: 2,
    port: 5000,
    expect: MAIN_COUNT + CHANGED_COUNT,
    idleTimeout: 3,
    durationLimit: 60,
  });
  const main = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: MAIN_COUNT, rate: MAIN_RATE, size: 256 });
  const changed = runGen(net.src.ns, { group: '239.1.1.2', port: 5000, count: CHANGED_COUNT, rate: CHANGED_RATE, size: 256, firstStream: 1 });
  const kinds = new Map<string, number>();
  for (let step = 1; step <= RELOADS; step += 1) {
    const [kind, write] = step % 5 === 0 ? ['SIGHUP', null] : (WRITES[step % 5 - 1] ?? WRITES[0]!);
    if (write) {
      await write(file, rules(dir, step), dir, step);
    } else {
      await WRITES[0]![1](file, rules(dir, step), dir, step);
      mcrd.signal('SIGHUP');
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    await mcrd.waitForStats((stats) => stats.rules.some((r) => r.name === `extra-${step}`) && stats.daemon.state === 'running', 10_000);
  }
  t.same([...kinds.keys()].sort(), ['SIGHUP', 'delete and recreate', 'rename over (editors)', 'symlink swapped (config management)', 'write in place']);
  const stats = await mcrd.stats();
  t.ok(stats.config.generation >= RELOADS + 1, `generation ${stats.config.generation} after ${RELOADS} reloads`);
  t.equal((await main).sent, MAIN_COUNT);
  t.equal((await changed).sent, CHANGED_COUNT);
  const report = await sink.report;
  t.ok(report.seconds > 5, `the traffic lasted ${report.seconds.toFixed(1)} s, through every reload`);
  t.match(report.streams[0], perfect(MAIN_COUNT), 'the untouched 50,000 pps flow lost nothing');
  t.match(report.streams[1], perfect(CHANGED_COUNT), "the changed rule's kept output lost nothing");
  const failed = mcrd.logs().filter((line) => line.level === 'error');
  t.same(failed, [], 'no reload failed');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
