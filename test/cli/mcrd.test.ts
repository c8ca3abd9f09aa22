import t from 'tap';
import { execa } from 'execa';
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

t.test('mcrd without CAP_NET_RAW says which capability it needs and how to grant it (exit 77)', { skip: process.getuid?.() !== 0 && 'needs root to drop a capability' }, async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'good.toml'), [rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')]);
  // As root, but with CAP_NET_RAW gone from the bounding set: the effective set lacks it.
  const result = await execa('setpriv', ['--bounding-set', '-net_raw', '--inh-caps', '-net_raw', 'node', MCRD, '-c', file], { reject: false });
  t.equal(result.exitCode, 77);
  t.equal(
    result.stderr,
    'mcrd: mcrd needs CAP_NET_RAW to read frames with AF_PACKET: run it as root, or grant the capability ' +
      '(systemd: AmbientCapabilities=CAP_NET_RAW; by hand: setpriv --inh-caps +net_raw --ambient-caps +net_raw)',
  );
});

t.test('mcrd usage errors exit 64; --help and --version exit 0', async (t) => {
  const bad = await run(MCRD, ['--log-format', 'xml']);
  t.equal(bad.code, 64);
  t.match(bad.stderr, 'mcrd: --log-format must be one of auto, text, json, journal');
  const help = await run(MCRD, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, 'usage: mcrd [--config FILE]');
  const version = await run(MCRD, ['--version']);
  t.match(version.stdout, /^mcrd \d+\.\d+\.\d+$/);
});
