// The stats cadence on real files: a sample every interval, its summary to systemd each
// time and to the log once a minute; a file that cannot be written, or may not be,
// logged once and again when it is written, never stopping the samples.
import t from 'tap';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/daemon/log.js';
import { StatsLoop } from '../../src/daemon/stats-loop.js';
import type { StatsFile } from '../../src/stats/types.js';
import { tempDir } from '../helpers/cli.js';
import { rootSkipReason } from '../helpers/netns.js';
import { statsFile } from '../stats/fixtures.js';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ format: 'journal', stream }), lines };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

t.test('every interval a sample is written and summarised; the log hears the summary once a minute', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'stats.json');
  const { logger, lines } = capture();
  let now = 0;
  let samples = 0;
  const previous: (StatsFile | null)[] = [];
  const summaries: string[] = [];
  const loop = new StatsLoop(
    {
      sample(before) {
        previous.push(before);
        samples += 1;
        return statsFile({ config: { generation: samples } });
      },
      settings: () => ({ statsFile: file, prometheusFile: join(dir, 'mcr.prom'), statsInterval: 0.02 }),
    },
    logger,
    (summary) => summaries.push(summary),
    () => now,
  );
  t.teardown(() => loop.stop());
  await loop.sampleAndWrite();
  t.equal(previous[0], null, 'the first sample has no previous one');
  loop.schedule();
  await delay(150);
  t.ok(samples >= 3, `sampled on the timer (${samples} samples)`);
  t.equal(previous[1]?.config.generation, 1, 'each sample is given the one before it');
  t.match(summaries[0], /^0\/0 rules active, 0 pps in, generation \d+$/);
  t.same(lines, [], 'within the minute the log is quiet');
  now = 60_000;
  await delay(100);
  t.equal(lines.filter((line) => /^<6>0\/0 rules active/.test(line)).length, 1, 'a minute later: one summary line');
  loop.stop();
  await delay(50);
  const written = JSON.parse(await readFile(file, 'utf8')) as StatsFile;
  t.equal(written.config.generation, samples, 'the file ends with the newest sample');
  t.match(await readFile(join(dir, 'mcr.prom'), 'utf8'), /^# HELP /m, 'and so does the Prometheus file');
  await loop.rewrite(written, 'stopped');
  t.equal((JSON.parse(await readFile(file, 'utf8')) as StatsFile).daemon.state, 'stopped', 'a rewrite changes only the state');
});

t.test('a stats file that cannot be written is logged when it starts and when it ends', async (t) => {
  const dir = await tempDir(t);
  const blocker = join(dir, 'blocker');
  await writeFile(blocker, 'a file where a directory should be\n');
  const { logger, lines } = capture();
  const file = join(blocker, 'stats.json');
  const loop = new StatsLoop({ sample: () => statsFile(), settings: () => ({ statsFile: file, prometheusFile: null, statsInterval: 1 }) }, logger, () => {});
  for (let i = 0; i < 3; i += 1) await loop.sampleAndWrite();
  t.equal(lines.length, 1);
  t.match(lines[0], new RegExp(`^<3>cannot write the stats file ${file}: EEXIST: file already exists, mkdir .*; forwarding goes on$`));
  await rm(blocker);
  await mkdir(blocker, { mode: 0o755 });
  await loop.sampleAndWrite();
  t.equal(lines[1], `<6>the stats file ${file} is written again, after 3 failed attempts`);
});

t.test('a stats directory others may write is refused, counted for snapshots, and said once', { skip: rootSkipReason() }, async (t) => {
  const dir = await tempDir(t);
  const open = join(dir, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  const { logger, lines } = capture();
  const file = join(open, 'stats.json');
  const loop = new StatsLoop({ sample: () => statsFile(), settings: () => ({ statsFile: file, prometheusFile: null, statsInterval: 1 }) }, logger, () => {});
  await loop.sampleAndWrite();
  await loop.sampleAndWrite();
  t.same(lines, [
    `<3>refusing to write ${file}: directory ${open} is writable by its group and by others (mode 0777); fix: chmod go-w ${open}; relaying goes on, and this is logged once (see docs/security.md)`,
  ]);
  t.same(loop.refusalLines(), [`${file}: 2 writes refused so far (not a safe place to write)`]);
  await chmod(open, 0o755);
  await loop.sampleAndWrite();
  t.equal(lines[1], `<6>${file} is written again, after 2 refused writes`);
  t.same(loop.refusalLines(), []);
});
