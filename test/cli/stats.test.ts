import t from 'tap';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLEAR_SCREEN, runStats } from '../../src/cli/stats.js';
import { DEFAULT_STATS_FILE } from '../../src/product.js';
import type { StatsFile } from '../../src/stats/types.js';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { counters, output, reload, rule, statsFile } from '../stats/fixtures.js';

/** A sample written just now (so it is not stale), its reload 250 s before. */
function fresh(): StatsFile {
  const now = Date.now();
  return statsFile({
    time: new Date(now).toISOString(),
    // Long, so a slow machine cannot make the file stale between writing and reading.
    interval: 60,
    daemon: { started: new Date(now - 7_384_000).toISOString() },
    config: { lastReload: reload({ at: new Date(now - 250_000).toISOString() }) },
    workers: [counters({ rx_frames: 2_000_000, matched: 1_999_000, no_match: 1000 }), counters()],
    rules: [
      rule('cam1', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000', { pps: 12_345, drops: 2 }), output('wg0 10.8.0.2:5000', { pps: 12_345 })], { pps: 12_345 }),
      rule('spare', 'eth0 239.1.1.2:5000', [output('eth1 239.2.1.2:5000', { state: 'pending' })], { state: 'disabled' }),
    ],
  });
}

const TABLE = [
  'mcrd running, pid 4242, up 2h 3m, backend io_uring, 2 workers',
  'config generation 3, last reload ok 4m 10s ago (sighup: 1 added, 0 removed, 2 changed)',
  '',
  'RULE                      STATE     IN pps  OUT pps  DROPS',
  'cam1                      active     12.3k               2',
  '  -> eth1 239.2.1.1:5000  active              12.3k      2',
  '  -> wg0 10.8.0.2:5000    active              12.3k      0',
  'spare                     disabled       -               0',
  '  -> eth1 239.2.1.2:5000  pending                 -      0',
  '',
  'totals: rx 2.0M frames, matched 2.0M, no match 1.0k, malformed 0, unsupported 0, ring drops 0',
  '  egress full 0, egress errors 0, not sent 0',
];

async function statsIn(t: Parameters<typeof tempDir>[0], content: string | object = fresh()): Promise<string> {
  const file = join(await tempDir(t), 'stats.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

t.test('mcr stats prints the table', async (t) => {
  const result = await run(MCR, ['stats', '--file', await statsIn(t)]);
  t.equal(result.code, 0, result.stderr);
  t.same(result.stdout.split('\n'), TABLE);
  t.equal(result.stderr, '');
});

t.test('--json prints the file as valid JSON, equal to what was written', async (t) => {
  const stats = fresh();
  const result = await run(MCR, ['stats', '--json', '-f', await statsIn(t, stats)]);
  t.equal(result.code, 0, result.stderr);
  t.same(JSON.parse(result.stdout), stats);
});

t.test('--watch --count 2 prints two frames, a blank line between, no escape codes into a pipe', async (t) => {
  const result = await run(MCR, ['stats', '--file', await statsIn(t), '--watch', '--count', '2', '--interval', '0.1']);
  t.equal(result.code, 0, result.stderr);
  t.same(result.stdout.split('\n'), [...TABLE, '', ...TABLE]);
});

t.test('--json with --count prints one JSON line per sample', async (t) => {
  const stats = fresh();
  const result = await run(MCR, ['stats', '--file', await statsIn(t, stats), '--json', '-n', '3', '-i', '0.1']);
  t.equal(result.code, 0, result.stderr);
  t.same(result.stdout.split('\n').map((line) => JSON.parse(line)), [stats, stats, stats]);
});

t.test('--watch ends with exit 0 on Ctrl-C (SIGINT)', async (t) => {
  const child = execa('node', [MCR, 'stats', '--file', await statsIn(t), '--watch'], { reject: false, timeout: 30_000 });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  child.kill('SIGINT');
  const result = await child;
  t.equal(result.exitCode, 0, result.stderr);
  t.same(result.stdout.split('\n'), TABLE);
});

t.test('a missing file: exit 66, and where to look', async (t) => {
  const file = join(await tempDir(t), 'stats.json');
  const result = await run(MCR, ['stats', '--file', file]);
  t.equal(result.code, 66);
  t.equal(result.stdout, '');
  t.equal(result.stderr, `mcr stats: cannot read ${file}: no such file (is mcrd running? its stats_file setting says where it writes)`);
});

t.test('a directory: exit 66', async (t) => {
  const dir = await tempDir(t);
  const result = await run(MCR, ['stats', '--file', dir]);
  t.equal(result.code, 66);
  t.equal(result.stderr, `mcr stats: cannot read ${dir}: it is a directory`);
});

t.test(`without --file, mcr stats reads ${DEFAULT_STATS_FILE}`, { skip: existsSync(DEFAULT_STATS_FILE) && `${DEFAULT_STATS_FILE} exists on this machine` }, async (t) => {
  const result = await run(MCR, ['stats']);
  t.equal(result.code, 66);
  t.match(result.stderr, `mcr stats: cannot read ${DEFAULT_STATS_FILE}: no such file`);
});

t.test('a corrupt file: exit 1, with or without --json', async (t) => {
  const file = await statsIn(t, '{"version": 1, "time": ');
  for (const args of [[], ['--json']]) {
    const result = await run(MCR, ['stats', '--file', file, ...args]);
    t.equal(result.code, 1);
    t.equal(result.stdout, '');
    t.match(result.stderr, new RegExp(`^mcr stats: ${file}: not valid JSON: `));
  }
});

t.test('a file of another version: exit 1, and why', async (t) => {
  const file = await statsIn(t, { ...fresh(), version: 2 });
  const result = await run(MCR, ['stats', '--json', '--file', file]);
  t.equal(result.code, 1);
  t.equal(result.stderr, `mcr stats: ${file}: stats version 2, but this mcr reads version 1; use the mcr that came with the running mcrd`);
});

t.test('a wrong command line: exit 64 with the usage', async (t) => {
  const cases: [string[], string][] = [
    [['--interval', '0'], 'mcr stats: --interval takes seconds from 0.1 to 3600 (got "0")'],
    [['--interval', 'soon'], 'mcr stats: --interval takes seconds from 0.1 to 3600 (got "soon")'],
    [['--count', '1.5'], 'mcr stats: --count takes a whole number, 1 or more (got "1.5")'],
    [['--count', '0'], 'mcr stats: --count takes a whole number, 1 or more (got "0")'],
    [['extra'], 'mcr stats: '],
    [['--loud'], 'mcr stats: '],
  ];
  for (const [args, first] of cases) {
    const result = await run(MCR, ['stats', ...args]);
    t.equal(result.code, 64, args.join(' '));
    t.ok(result.stderr.startsWith(first), `${args.join(' ')}: ${result.stderr.split('\n')[0]}`);
    t.match(result.stderr, '\nusage: mcr stats ');
  }
  const help = await run(MCR, ['stats', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: mcr stats /);
});

t.test('on a terminal, --watch clears the screen before each frame and fits its width', async (t) => {
  const { out, err, io } = capture();
  const code = await runStats(['--file', await statsIn(t), '--count', '2', '--interval', '0.1'], io, { isTTY: true, columns: 50 });
  t.equal(code, 0, err.join('\n'));
  const frames = out.filter((line) => line.startsWith(CLEAR_SCREEN));
  t.equal(frames.length, 2);
  t.equal(out.length % 2, 0);
  t.same(out.slice(0, out.length / 2).map((line) => line.replace(CLEAR_SCREEN, '')), out.slice(out.length / 2).map((line) => line.replace(CLEAR_SCREEN, '')));
  t.same(out.filter((line) => [...line.replace(CLEAR_SCREEN, '')].length > 50), []);
});

t.test('--watch keeps going when the file goes away, and says so', async (t) => {
  const file = await statsIn(t);
  const { out, err, io } = capture();
  const watching = runStats(['--file', file, '--count', '3', '--interval', '0.5'], io, { isTTY: false });
  while (out.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await rm(file);
  t.equal(await watching, 66, 'the last read failed');
  t.same(out, TABLE);
  t.same(err, [
    `mcr stats: cannot read ${file}: no such file (is mcrd running? its stats_file setting says where it writes)`,
    `mcr stats: cannot read ${file}: no such file (is mcrd running? its stats_file setting says where it writes)`,
  ]);
});
