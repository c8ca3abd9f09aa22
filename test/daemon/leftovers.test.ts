// Temporary stats files a killed mcrd left are removed at start: only those named as
// src/stats/write.ts names them, only those of processes that no longer run, and a
// symlink is removed itself, never what it points to.
import t from 'tap';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeLeftovers, removeLeftoverTemporaries } from '../../src/daemon/leftovers.js';
import { tempDir } from '../helpers/cli.js';

const DEAD = 4_194_305; // above the kernel's largest pid_max: never a live process

t.test("a dead writer's temporary files go; live writers', unrelated files and symlink targets stay", async (t) => {
  const dir = await tempDir(t);
  const run = join(dir, 'run');
  await mkdir(run);
  const stats = join(run, 'stats.json');
  await writeFile(stats, '{}\n');
  const outside = join(dir, 'precious');
  await writeFile(outside, 'keep me');
  const names = [
    `.stats.json.${DEAD}.1.tmp`,
    `.stats.json.${DEAD}.22.tmp`,
    `.stats.json.${process.pid}.3.tmp`, // ours: a write in flight
    '.stats.json.1.4.tmp', // pid 1 runs
    `.mcr.prom.${DEAD}.1.tmp`, // another file's
    `.stats.json.${DEAD}.tmp`, // not the pattern
    'stats.json.bak',
  ];
  for (const name of names) await writeFile(join(run, name), 'x');
  await symlink(outside, join(run, `.stats.json.${DEAD}.5.tmp`));

  const removed = await removeLeftoverTemporaries(stats);
  t.same(removed.sort(), [`.stats.json.${DEAD}.1.tmp`, `.stats.json.${DEAD}.22.tmp`, `.stats.json.${DEAD}.5.tmp`].sort());
  t.same((await readdir(run)).sort(), [...names.slice(2), 'stats.json'].sort(), 'the rest stays');
  t.equal(await readFile(outside, 'utf8'), 'keep me', 'a symlink goes, not its target');
  t.same(await removeLeftoverTemporaries(join(dir, 'missing', 'stats.json')), [], 'no directory: nothing to do');
});

t.test('removeLeftovers covers each configured file and says what it removed', async (t) => {
  const dir = await tempDir(t);
  const stats = join(dir, 'stats.json');
  const prometheus = join(dir, 'mcr.prom');
  await writeFile(join(dir, `.mcr.prom.${DEAD}.9.tmp`), 'x');
  const logged: string[] = [];
  await removeLeftovers([stats, null, prometheus], (message) => logged.push(message));
  t.same(logged, [`removed .mcr.prom.${DEAD}.9.tmp next to ${prometheus}: left by a mcrd that did not stop cleanly`]);
  t.same(await readdir(dir), []);
});
