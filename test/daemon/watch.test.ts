// The rules-file watcher notices every way the file gets rewritten, once per burst.
import t from 'tap';
import { mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigWatcher } from '../../src/daemon/watch.js';
import { tempDir } from '../helpers/cli.js';

function changes(watcher: { count: number }): Promise<void> {
  const before = watcher.count;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (watcher.count > before) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 5_000) {
        clearInterval(poll);
        reject(new Error('no change noticed in 5 s'));
      }
    }, 20);
  });
}

t.test('in-place writes, rename-over, delete-and-recreate and symlink swaps each trigger one reload', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'targets'));
  const file = join(dir, 'mcr.toml');
  await writeFile(file, '# 0\n');
  const seen = { count: 0 };
  const watcher = new ConfigWatcher(file, () => (seen.count += 1));
  t.teardown(() => watcher.close());
  await watcher.ready;

  let change = changes(seen);
  await writeFile(file, '# 1\n');
  await change;
  t.pass('write in place');

  change = changes(seen);
  await writeFile(`${file}.tmp`, '# 2\n');
  await rename(`${file}.tmp`, file);
  await change;
  t.pass('rename over');

  change = changes(seen);
  await unlink(file);
  await writeFile(file, '# 3\n');
  await change;
  t.pass('delete and recreate');

  change = changes(seen);
  await writeFile(join(dir, 'targets', 'v4.toml'), '# 4\n');
  await symlink(join(dir, 'targets', 'v4.toml'), `${file}.new`);
  await rename(`${file}.new`, file);
  await change;
  t.pass('swapped for a symlink');

  change = changes(seen);
  await writeFile(join(dir, 'targets', 'v4.toml'), '# 5\n');
  await change;
  t.pass('the symlink target edited in place, in another directory');

  const before = seen.count;
  for (let i = 0; i < 10; i += 1) await writeFile(file, `# burst ${i}\n`);
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.equal(seen.count - before, 1, 'a burst of ten writes is one reload');

  const unrelated = seen.count;
  await writeFile(join(dir, 'other.toml'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal(seen.count, unrelated, 'another file in the directory is ignored');
});
