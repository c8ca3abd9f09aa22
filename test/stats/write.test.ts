// writeAtomically on real files: it replaces a link planted at the target instead of
// following it, refuses a directory another user owns or may write (with the fix in
// the message), and never leaves a temporary file behind.
import t from 'tap';
import { chmod, chown, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { rootSkipReason } from '../helpers/netns.js';
import { UnsafeStatsPath, writeAtomically } from '../../src/stats/write.js';

const skip = rootSkipReason();
const OTHER = 4242;

t.test('a link at the target is replaced by the new file; what it pointed at is untouched', { skip }, async (t) => {
  const dir = await tempDir(t);
  const victim = join(dir, 'victim');
  await writeFile(victim, 'precious\n');
  await symlink(victim, join(dir, 'stats.json'));
  await writeAtomically(join(dir, 'stats.json'), '{}\n');
  t.ok((await lstat(join(dir, 'stats.json'))).isFile());
  t.equal(await readFile(join(dir, 'stats.json'), 'utf8'), '{}\n');
  t.equal(await readFile(victim, 'utf8'), 'precious\n');
  t.same((await readdir(dir)).sort(), ['stats.json', 'victim'], 'no temporary file left');
});

t.test('a directory another user owns, or others may write, is refused with the reason and the fix', { skip }, async (t) => {
  const dir = await tempDir(t);
  const theirs = join(dir, 'theirs');
  await mkdir(theirs);
  await chown(theirs, OTHER, OTHER);
  const error = await writeAtomically(join(theirs, 'stats.json'), '{}\n').catch((e: unknown) => e);
  t.ok(error instanceof UnsafeStatsPath);
  t.equal((error as Error).message, `refusing to write ${theirs}/stats.json: directory ${theirs} is owned by uid ${OTHER}, not by root; fix: chown root ${theirs}`);
  await chown(theirs, 0, 0);
  await chmod(theirs, 0o777);
  const open = await writeAtomically(join(theirs, 'stats.json'), '{}\n').catch((e: unknown) => e);
  t.equal((open as Error).message, `refusing to write ${theirs}/stats.json: directory ${theirs} is writable by its group and by others (mode 0777); fix: chmod go-w ${theirs}`);
  t.same(await readdir(theirs), [], 'nothing written there');
  // A link to another user's directory, in a directory of ours: the link is followed and its target judged.
  await chmod(theirs, 0o755);
  await chown(theirs, OTHER, OTHER);
  await symlink(theirs, join(dir, 'via'));
  const via = await writeAtomically(join(dir, 'via', 'stats.json'), '{}\n').catch((e: unknown) => e);
  t.match((via as Error).message, `directory ${theirs} is owned by uid ${OTHER}`);
});

t.test('a directory writable by mcrd\'s own group is accepted (root:mcr 0775), by another group refused', { skip }, async (t) => {
  const dir = await tempDir(t);
  const shared = join(dir, 'textfile');
  await mkdir(shared);
  await chmod(shared, 0o775);
  await chown(shared, 0, process.getegid?.() ?? 0);
  await writeAtomically(join(shared, 'mcr.prom'), 'x\n');
  t.equal(await readFile(join(shared, 'mcr.prom'), 'utf8'), 'x\n', 'mcrd\'s group may write there too');
  await chown(shared, 0, OTHER);
  const error = await writeAtomically(join(shared, 'mcr.prom'), 'y\n').catch((e: unknown) => e);
  t.equal((error as Error).message, `refusing to write ${shared}/mcr.prom: directory ${shared} is writable by its group (mode 0775); fix: chmod g-w ${shared}`);
});

t.test('a missing directory is created, as before', { skip }, async (t) => {
  const dir = await tempDir(t);
  await writeAtomically(join(dir, 'a', 'b', 'stats.json'), 'x');
  t.equal(await readFile(join(dir, 'a', 'b', 'stats.json'), 'utf8'), 'x');
});
