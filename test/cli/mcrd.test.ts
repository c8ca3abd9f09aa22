import t from 'tap';
import { join } from 'node:path';
import { rule } from '../helpers/ruleset.js';
import { MCRD, run, tempDir, writeLines } from '../helpers/cli.js';

t.test('mcrd refuses an invalid rules file with exit 78 and positioned errors', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'bad.toml'), ['[daemon]', 'log_level = "loud"']);
  const result = await run(MCRD, ['--config', file]);
  t.equal(result.code, 78);
  t.equal(result.stderr, `${file}:2:13: log_level must be one of "error", "warn", "info", "debug" (got "loud")`);
});

t.test('mcrd with a missing rules file exits 66', async (t) => {
  const dir = await tempDir(t);
  const result = await run(MCRD, ['--config', join(dir, 'none.toml')]);
  t.equal(result.code, 66);
  t.equal(result.stderr, `mcrd: cannot read ${join(dir, 'none.toml')}: no such file`);
});

t.test('mcrd with a valid file says plainly that this build cannot forward yet (exit 69)', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'good.toml'), [rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')]);
  const result = await run(MCRD, ['-c', file]);
  t.equal(result.code, 69);
  t.equal(result.stderr, `mcrd: ${file} is valid, but this build has no forwarding data plane yet; not starting`);
});
