// The .deb on a real system: installed with dpkg into a throwaway root (an overlay of
// this machine's own root, see helpers/throwaway-root.ts, so the host never changes),
// it makes the user mcr and /run/mcr, its unit passes systemd-analyze verify, `mcr
// check` passes the shipped rules file, and /usr/bin/mcrd, run as mcr with only the
// unit's capability, starts with that file, reloads on SIGHUP, relays real traffic
// between namespaces and stops; a purge then leaves nothing behind. An upgrade keeps
// a locally edited /etc/mcr.toml, and the administrator's disabling of the service.
import t, { type Test } from 'tap';
import { copyFileSync, existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { chain, Lab } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { buildPackages, toolsSkipReason, type Built } from './helpers/build.js';
import { readStats, startDaemon, waitForStats } from './helpers/daemon.js';
import { ThrowawayRoot } from './helpers/throwaway-root.js';

const skip = toolsSkipReason(['dpkg-deb', 'dpkg-shlibdeps', 'rpmbuild', 'strip', 'unshare', 'nsenter', 'setpriv', 'ip', 'systemd-analyze']);
const CAP_NET_RAW = 1n << 13n;

// Both versions are built once, by the first test that needs them, into a directory
// removed when the whole file ends.
const file = t;
let builds: Promise<{ old: Built; new: Built }> | undefined;
function packages(): Promise<{ old: Built; new: Built }> {
  builds ??= (async () => {
    const dir = await tempDir(file);
    return { old: await buildPackages(dir, '0.1.0'), new: await buildPackages(dir, '0.1.1') };
  })();
  return builds;
}

async function dpkg(t: Test, root: ThrowawayRoot, ...args: string[]): Promise<void> {
  const result = await root.run('dpkg', args, { timeoutMs: 120_000 });
  t.equal(result.exitCode, 0, `dpkg ${args.join(' ')}`, { stdout: result.stdout, stderr: result.stderr });
}

/** Copies a package into the root's /tmp and installs it. */
async function install(t: Test, root: ThrowawayRoot, file: string): Promise<void> {
  copyFileSync(file, root.path(`/tmp/${basename(file)}`));
  await dpkg(t, root, '-i', `/tmp/${basename(file)}`);
}

/** Purges mcr and checks that nothing it made is left: files, links, state, user. */
async function purgeAndCheck(t: Test, root: ThrowawayRoot): Promise<void> {
  await dpkg(t, root, '--purge', 'mcr');
  // /var/cache/man holds man-db's formatted pages, made when systemd-analyze verify
  // looked up Documentation=: man-db's cache, not the package's files.
  const left = root.changedPaths().filter((path) => /mcr/.test(path) && !/^\/(tmp|var\/cache\/man)\//.test(path));
  t.same(left, [], 'no file, link or state named after mcr is left in the root');
  for (const file of ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow']) {
    t.equal(readFileSync(root.path(file), 'utf8'), readFileSync(file, 'utf8'), `${file} is as before: the user and group are gone`);
  }
  t.notOk(existsSync(root.path('/run/mcr')), '/run/mcr is gone');
  const status = await root.run('dpkg-query', ['-W', '-f=${db:Status-Status}', 'mcr']);
  t.not(status.stdout, 'installed', 'dpkg no longer knows mcr as installed');
}

t.test('the .deb installs, runs as mcr with CAP_NET_RAW only, relays, reloads on SIGHUP, stops and purges clean', { skip }, async (t) => {
  const built = await packages();
  const root = await ThrowawayRoot.create(t);
  await install(t, root, built.old.deb);

  const passwd = readFileSync(root.path('/etc/passwd'), 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('mcr:'));
  t.match(entry, /^mcr:x:\d+:\d+:[^:]*:\/nonexistent:\/usr\/sbin\/nologin$/, 'a system user mcr with no home and no shell');
  const uid = Number(entry?.split(':')[2]);
  t.ok(uid > 0 && uid < 1000, `uid ${uid} is a system uid`);
  const run = statSync(root.path('/run/mcr'));
  t.equal(run.uid, uid, '/run/mcr belongs to mcr (tmpfiles.d)');
  // lstat, not stat: the link is absolute, meant for the root, not for this host.
  t.ok(lstatSync(root.path('/etc/systemd/system/multi-user.target.wants/mcrd.service')).isSymbolicLink(), 'mcrd.service is enabled');

  const verify = await root.run('systemd-analyze', ['verify', '/lib/systemd/system/mcrd.service']);
  t.equal(verify.exitCode, 0, 'systemd-analyze verify passes');
  t.equal(verify.stderr, '', 'and has nothing to say (binaries and man pages found)');

  const check = await root.run('setpriv', ['--reuid=mcr', '--regid=mcr', '--init-groups', '--inh-caps=-all', '--bounding-set=-all', '/usr/bin/mcr', 'check', '/etc/mcr.toml']);
  t.equal(check.exitCode, 0, 'mcr check passes the shipped /etc/mcr.toml, run as mcr');
  t.match(check.stdout, /OK: 0 rules/, 'which has no rule: a fresh install forwards nothing');

  const lab = Lab.create(t);
  const net = await chain(lab);
  const mcrd = await startDaemon(root, net.relay, 'mcr', ['net_raw'], ['/usr/bin/mcrd', '--config', '/etc/mcr.toml', '--log-format', 'json']);
  t.match(await mcrd.waitForLog(/^mcrd ready/), /0\/0 rules active/, 'mcrd starts cleanly with the shipped file');
  const status = mcrd.status();
  t.equal(status.Uid?.split('\t')[0], String(uid), 'runs as mcr');
  t.equal(BigInt(`0x${status.CapEff}`), CAP_NET_RAW, 'effective capabilities: CAP_NET_RAW alone');
  t.equal(BigInt(`0x${status.CapBnd}`), CAP_NET_RAW, 'bounding set: CAP_NET_RAW alone');
  t.equal(status.NoNewPrivs, '1', 'no_new_privs set');

  // The edit is saved, then SIGHUP sent at once: the signal's reload runs first (the
  // file watcher waits 150 ms for a burst of writes to end).
  const config = ['[daemon]', 'workers = 1', 'stats_interval = 0.2', rule('camera', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];
  writeFileSync(root.path('/etc/mcr.toml'), config.join('\n') + '\n');
  mcrd.signal('SIGHUP');
  t.match(await mcrd.waitForLog(/^reload \(sighup\)/), /^reload \(sighup\) applied, generation 2: 1 added/, 'SIGHUP reloads the edited file');

  const stats = root.path('/run/mcr/stats.json');
  await waitForStats(stats, (s) => s.rules[0]?.state === 'active');
  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: 2000, idleTimeout: 3 });
  const gen = await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: 2000, rate: 4000, size: 1316 });
  t.equal(gen.sent, 2000);
  const report = await sink.report;
  t.equal(report.received, 2000, 'every datagram crossed the relay');
  t.equal(report.lost + report.duplicated + report.reordered + report.corrupted, 0, 'none lost, duplicated, reordered or corrupted');
  await waitForStats(stats, (s) => s.rules[0]?.packets === 2000);
  t.equal(statSync(stats).uid, uid, 'the stats file in /run/mcr is written by mcr');

  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'SIGTERM stops it with exit 0');
  t.equal((await readStats(stats)).daemon.state, 'stopped', 'and the stats file says stopped');

  await purgeAndCheck(t, root);
});

t.test('upgrading from 0.1.0 to 0.1.1 keeps a locally edited /etc/mcr.toml and a disabled service', { skip }, async (t) => {
  const built = await packages();
  const root = await ThrowawayRoot.create(t);
  await install(t, root, built.old.deb);
  const uid = statSync(root.path('/run/mcr')).uid;
  const shipped = readFileSync(root.path('/etc/mcr.toml'), 'utf8');
  const edited = shipped.replace('# log_level = "info"', 'log_level = "debug"');
  t.not(edited, shipped, 'the edit applies');
  writeFileSync(root.path('/etc/mcr.toml'), edited);
  // The administrator's other choice, disabling the service, must survive too.
  t.equal((await root.run('systemctl', ['disable', 'mcrd.service'])).exitCode, 0, 'systemctl disable mcrd (offline, in the root)');

  await install(t, root, built.new.deb);
  const version = await root.run('dpkg-query', ['-W', '-f=${Version}', 'mcr']);
  t.equal(version.stdout, '0.1.1-1', 'the new version is installed');
  t.equal((await root.run('/usr/bin/mcr', ['version'])).stdout, 'mcr 0.1.1', 'and runs');
  t.equal(readFileSync(root.path('/etc/mcr.toml'), 'utf8'), edited, 'the edited /etc/mcr.toml is kept as it was');
  t.notOk(existsSync(root.path('/etc/mcr.toml.dpkg-dist')), 'with no .dpkg-dist beside it (the shipped file did not change)');
  t.equal((await root.run('/usr/bin/mcr', ['check'])).exitCode, 0, 'and still passes mcr check');
  t.equal(statSync(root.path('/run/mcr')).uid, uid, 'the user mcr is the same');
  t.throws(() => lstatSync(root.path('/etc/systemd/system/multi-user.target.wants/mcrd.service')), 'mcrd.service is still disabled');

  await purgeAndCheck(t, root);
  t.notOk(existsSync(root.path('/etc/mcr.toml')), 'purge removes /etc/mcr.toml');
});
