// readRulesSource on real files: the text of a safe file; the problems as warnings when
// the lab override is on; unreadable paths keep their own error (exit 66 in mcrd); a
// file over the size bound is refused without being read whole.
import t from 'tap';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { rootSkipReason } from '../helpers/netns.js';
import { ConfigReadError } from '../../src/config/load.js';
import { readRulesSource, RulesFileRefused } from '../../src/security/rules-file.js';

const skip = rootSkipReason();

async function failure(file: string, options = {}): Promise<Error> {
  return readRulesSource(file, options).then(
    () => new Error('no error'),
    (error: Error) => error,
  );
}

t.test('a safe file is read, through a link too; an unsafe one is refused, or read with warnings when allowed', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  await writeFile(file, '[daemon]\n');
  t.same(await readRulesSource(file), { source: '[daemon]\n', warnings: [] });
  await symlink(file, join(dir, 'link.toml'));
  t.same(await readRulesSource(join(dir, 'link.toml')), { source: '[daemon]\n', warnings: [] });
  await chmod(file, 0o646);
  const refused = await failure(file);
  t.ok(refused instanceof RulesFileRefused);
  t.equal((refused as RulesFileRefused).lines[0], `unsafe rules file ${file}: file ${file} is writable by others (mode 0646); fix: chmod o-w ${file}`);
  t.same(await readRulesSource(file, { allowInsecure: true }), {
    source: '[daemon]\n',
    warnings: [`unsafe rules file ${file}: file ${file} is writable by others (mode 0646); fix: chmod o-w ${file}`],
  });
});

t.test('what cannot be read at all stays a read error', { skip }, async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'plain'), '');
  const cases: [string, string][] = [
    [join(dir, 'none.toml'), `cannot read ${dir}/none.toml: no such file`],
    [join(dir, 'sub'), `cannot read ${dir}/sub: it is a directory`],
    [join(dir, 'plain', 'x.toml'), `cannot read ${dir}/plain/x.toml: ${dir}/plain is not a directory`],
  ];
  for (const [path, message] of cases) {
    const error = await failure(path);
    t.ok(error instanceof ConfigReadError, path);
    t.equal(error.message, message);
  }
});

t.test('a file over the size bound is refused; one at the bound is read whole', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  await writeFile(file, '#'.repeat(1000));
  t.equal((await readRulesSource(file, { maxBytes: 1000 })).source.length, 1000);
  const error = await failure(file, { maxBytes: 999 });
  t.ok(error instanceof RulesFileRefused);
  t.equal(error.message, `${file} is larger than 999 bytes, the most mcrd reads (it bounds the memory a rules file can take)`);
});
