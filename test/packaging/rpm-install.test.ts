// The .rpm's scriptlets on a real system: rpm (Debian's) installs it into a throwaway
// root (see helpers/throwaway-root.ts) with --nodeps, since that rpm database knows no
// nodejs or libc. %pre makes the user mcr, %post makes /run/mcr and applies the
// presets (Debian's enable everything), an upgrade keeps an edited /etc/mcr.toml, and
// erasing disables the unit, removes /run/mcr and saves the edited file as .rpmsave;
// the user stays, as RPM distributions' guidelines ask.
import t from 'tap';
import { copyFileSync, existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { buildPackages, toolsSkipReason } from './helpers/build.js';
import { ThrowawayRoot } from './helpers/throwaway-root.js';

const skip = toolsSkipReason(['dpkg-deb', 'dpkg-shlibdeps', 'rpmbuild', 'rpm', 'strip', 'unshare', 'nsenter']);
const WANTS = '/etc/systemd/system/multi-user.target.wants/mcrd.service';

t.test('the .rpm installs, upgrades keeping an edited /etc/mcr.toml, and erases', { skip }, async (t) => {
  const dir = await tempDir(t);
  const old = await buildPackages(dir, '0.1.0');
  const next = await buildPackages(dir, '0.1.1');
  const root = await ThrowawayRoot.create(t);
  const rpm = async (...args: string[]) => {
    const file = args.at(-1) ?? '';
    if (file.endsWith('.rpm')) copyFileSync(file, root.path(`/tmp/${basename(file)}`));
    const inside = args.map((arg) => (arg.endsWith('.rpm') ? `/tmp/${basename(arg)}` : arg));
    const result = await root.run('rpm', ['--nodeps', ...inside], { timeoutMs: 120_000 });
    t.equal(result.exitCode, 0, `rpm ${args.map((arg) => basename(arg)).join(' ')}`, { stderr: result.stderr });
    return result;
  };

  await rpm('-i', old.rpm);
  const entry = readFileSync(root.path('/etc/passwd'), 'utf8').split('\n').find((line) => line.startsWith('mcr:'));
  t.match(entry, /^mcr:x:\d+:\d+:[^:]*:\/nonexistent:/, '%pre made the system user mcr');
  const uid = Number(entry?.split(':')[2]);
  t.equal(statSync(root.path('/run/mcr')).uid, uid, '%post made /run/mcr, owned by mcr');
  // lstat: the link is absolute, meant for the root, not for this host.
  t.ok(lstatSync(root.path(WANTS)).isSymbolicLink(), '%post applied the presets (Debian\'s: enabled)');
  t.equal((await root.run('/usr/bin/mcr', ['check', '/etc/mcr.toml'])).exitCode, 0, 'mcr check passes the shipped file');

  const shipped = readFileSync(root.path('/etc/mcr.toml'), 'utf8');
  const edited = shipped.replace('# log_level = "info"', 'log_level = "debug"');
  writeFileSync(root.path('/etc/mcr.toml'), edited);
  await rpm('-U', next.rpm);
  t.match((await root.run('rpm', ['-q', 'mcr'])).stdout, /^mcr-0\.1\.1-1\./, 'upgraded to 0.1.1');
  t.equal((await root.run('/usr/bin/mcr', ['version'])).stdout, 'mcr 0.1.1', 'which runs');
  t.equal(readFileSync(root.path('/etc/mcr.toml'), 'utf8'), edited, '%config(noreplace) kept the edited /etc/mcr.toml');
  t.notOk(existsSync(root.path('/etc/mcr.toml.rpmnew')), 'with no .rpmnew (the shipped file did not change)');
  t.ok(lstatSync(root.path(WANTS)).isSymbolicLink(), 'still enabled');

  await rpm('-e', 'mcr');
  t.notOk(existsSync(root.path('/usr/lib/mcr')), 'the files are gone');
  t.throws(() => lstatSync(root.path(WANTS)), '%preun disabled the unit');
  t.notOk(existsSync(root.path('/run/mcr')), '%postun removed /run/mcr');
  t.equal(readFileSync(root.path('/etc/mcr.toml.rpmsave'), 'utf8'), edited, 'the edited file is saved as .rpmsave');
  t.ok(readFileSync(root.path('/etc/passwd'), 'utf8').includes('\nmcr:'), 'the user stays');
});
