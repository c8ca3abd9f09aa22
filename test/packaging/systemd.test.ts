// The .deb the way operators run it: systemd booted as PID 1 of a container made of
// this machine's root file system (helpers/booted-system.ts), the package installed
// with apt, mcrd driven with systemctl and read with journalctl, relaying a counted
// stream between two test namespaces outside the container through veth pairs into
// it. In order: install; start (Type=notify: active only once ready); reload, a broken
// reload, a restart with a broken file; the watchdog, healthy and frozen; the sandbox
// as the unit states it; upgrade, remove, purge; and nothing left on the host.
import t from 'tap';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { Lab } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { bootSkipReason, BootedSystem } from './helpers/booted-system.js';
import { buildDeb, toolsSkipReason } from './helpers/build.js';
import { plug } from './helpers/container-net.js';
import { mainPid, messages, procStatus, readStats, relayChecked, waitForJournal, waitForMessages, waitForUnit, writeRules } from './helpers/operator.js';

const skip = toolsSkipReason(['dpkg-deb', 'dpkg-shlibdeps', 'strip', 'ip']) || bootSkipReason();
const CAP_NET_RAW = 1n << 13n;
const PROM_DIR = '/var/lib/prometheus/node-exporter';
const ACCOUNTS = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'];

const daemon = ['[daemon]', 'workers = 1', 'stats_interval = 0.5'];
const camera = rule('camera', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000');
const camera2 = rule('camera-2', 'in0 239.1.1.2:5000', 'out0 239.2.2.2:5000');
const brokenOutput = 'outputs = [ { interface = "out0", group = "239.2.2.2", port = 0 } ]';
const broken = [...daemon, camera, '[[rule]]', 'name = "camera-2"', 'input = { interface = "in0", group = "239.1.1.2", port = 5000 }', brokenOutput];
// Where mcr check and mcrd place the error: the value 0 on the broken file's last line.
const brokenAt = `/etc/mcr.toml:${broken.join('\n').split('\n').length}:${brokenOutput.indexOf('port = 0') + 'port = '.length + 1}`;
const portZero = `${brokenAt}: port 0 cannot be sent to; use a port from 1 to 65535`;

t.test('under a booted systemd the .deb installs, starts, reloads, is watched, is sandboxed, upgrades and purges as the unit says', { skip }, async (t) => {
  const began = Date.now();
  const dir = await tempDir(t);
  // The newer build is the same tree packaged again with a higher version.
  const [old, next] = await Promise.all([buildDeb(dir, '0.1.0'), buildDeb(dir, '0.1.1')]);
  const built = Date.now();
  const system = await BootedSystem.boot(t);
  const booted = Date.now();
  t.comment(`packages built in ${((built - began) / 1000).toFixed(1)} s; systemd booted in ${((booted - built) / 1000).toFixed(1)} s`);
  const lab = Lab.create(t);
  const [src, rx] = await lab.namespaces('src', 'rx');
  if (!src || !rx) throw new Error('namespaces missing');
  await plug(system, src, { outside: { name: 'eth0', address: '10.1.0.2/24' }, inside: { name: 'in0', address: '10.1.0.1/24' } });
  await plug(system, rx, { outside: { name: 'eth0', address: '10.2.0.2/24' }, inside: { name: 'out0', address: '10.2.0.1/24' } });
  const ends = { src, rx };
  const accounts = Object.fromEntries(ACCOUNTS.map((file) => [file, readFileSync(system.path(file), 'utf8')]));
  const activeUnits = async () => (await system.systemctl('list-units', '--state=active', '--no-legend', '--plain')).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
  const apt = (...args: string[]) => system.run('sh', ['-c', `cd /tmp && apt ${args.join(' ')}`], { timeoutMs: 180_000 });

  await t.test('apt install makes the user, enables mcrd and starts it forwarding nothing, and nothing else', async (t) => {
    copyFileSync(old, system.path(`/tmp/${basename(old)}`));
    copyFileSync(next, system.path(`/tmp/${basename(next)}`));
    const before = await activeUnits();
    const install = await apt('install', '-y', `./${basename(old)}`);
    t.equal(install.exitCode, 0, `apt install ./${basename(old)} exits 0`, { stdout: install.stdout, stderr: install.stderr });
    t.match((await system.run('getent', ['passwd', 'mcr'])).stdout, /^mcr:x:([1-9]\d{0,2}):\d+:[^:]*:\/nonexistent:\/usr\/sbin\/nologin$/, 'a system user mcr, no home, no shell');
    t.equal((await system.systemctl('is-enabled', 'mcrd')).stdout, 'enabled', 'mcrd.service is enabled');
    const unit = await system.show('mcrd', 'ActiveState', 'StatusText');
    t.equal(unit.ActiveState, 'active', 'and started');
    t.match(unit.StatusText, /^0\/0 rules active, 0 pps in, generation 1$/, 'with the shipped file: no rule, nothing forwarded');
    const started = (await activeUnits()).filter((name) => !before.includes(name));
    t.same(started, ['mcrd.service'], 'no other unit was started');
  });

  await t.test('systemctl start: the unit is active only once mcrd is ready; status shows its STATUS; every datagram is relayed', async (t) => {
    t.equal((await system.systemctl('stop', 'mcrd')).exitCode, 0, 'systemctl stop mcrd');
    writeRules(system, [...daemon, camera]);
    let done = false;
    const start = system.systemctl('start', 'mcrd').finally(() => (done = true));
    const seen: string[] = [];
    while (!done) {
      const props = await system.show('mcrd', 'ActiveState', 'SubState', 'MainPID');
      seen.push(`${props.ActiveState}/${props.SubState}${props.MainPID === '0' ? '' : ' with a main process'}`);
    }
    t.equal((await start).exitCode, 0, 'systemctl start mcrd exits 0');
    t.ok(seen.includes('activating/start with a main process'), 'while mcrd started up, the unit was activating with its process running', { seen: [...new Set(seen)] });
    t.comment(`unit states seen during systemctl start: ${[...new Set(seen)].join(' -> ')}`);
    const pid = await mainPid(system);
    const stats = readStats(system);
    t.equal(stats.daemon.pid, pid, 'when systemctl start returned, the stats file was already this mcrd\'s');
    t.equal(stats.rules[0]?.state, 'active', 'with its rule active: READY=1 came after the rules were applied');
    const status = await system.systemctl('status', 'mcrd');
    t.match(status.stdout, /^\s+Status: "1\/1 rules active, [\d.]+k? pps in, generation 1"$/m, 'systemctl status shows mcrd\'s STATUS line');
    t.match(status.stdout, /^\s+Active: active \(running\)/m, 'and active (running)');
    await relayChecked(t, ends, 2000, 4000, 'after start');
  });

  await t.test('systemctl reload applies an edit losing nothing; a broken edit keeps the old rules and logs at err; a broken restart fails once, saying why', async (t) => {
    const pid = await mainPid(system);
    const sink = await startSink(rx, { group: '239.2.2.1', port: 5000, expect: 6000, idleTimeout: 3 });
    const gen = runGen(src, { group: '239.1.1.1', port: 5000, count: 6000, rate: 2000, size: 1316 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const editCursor = await system.cursor();
    writeRules(system, [...daemon, camera, camera2]);
    // mcrd also sees the save itself (150 ms later): whichever of the two reloads comes
    // first applies the edit, the other finds nothing left to do.
    const reload = await system.systemctl('reload', 'mcrd');
    t.equal(reload.exitCode, 0, 'systemctl reload mcrd exits 0');
    await waitForUnit(system, (p) => p.ActiveState === 'active', 10_000);
    let stats = readStats(system);
    for (const deadline = Date.now() + 5000; stats.config.generation < 2 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = readStats(system);
    }
    t.equal(stats.config.generation, 2, 'once the unit was active again, the edit was applied: generation 2 in the stats file');
    const reloads = await waitForMessages(system, editCursor, (lines) => lines.some((line) => line.startsWith('reload (sighup)')));
    t.same(
      reloads.filter((line) => /^reload \((sighup|file)\) applied/.test(line)).map((line) => line.replace(/\((sighup|file)\)/, '(...)')),
      ['reload (...) applied, generation 2: 1 added, 0 removed, 0 changed, 1 unchanged'],
      'applied once: 1 added, 1 unchanged',
      { reloads },
    );
    t.ok(reloads.some((line) => line.startsWith('reload (sighup)')), 'and systemctl reload reached mcrd as SIGHUP');
    t.equal((await gen).sent, 6000);
    const report = await sink.report;
    t.equal(report.received, 6000, 'the unchanged flow lost nothing across the reload');
    t.equal(report.lost + report.duplicated + report.reordered, 0, 'no loss, duplicate or reordering');

    const cursor = await system.cursor();
    writeRules(system, broken);
    t.equal((await system.systemctl('reload', 'mcrd')).exitCode, 0, 'a broken edit: systemctl reload (ExecReload) still returns 0');
    // systemd 252 ends the reload job when ExecReload's kill returns (253's notify-reload
    // would wait): the unit reads "reloading" from mcrd's RELOADING=1 to its READY=1.
    // It must come back to active, the same mcrd, never failed or restarted.
    const after = await waitForUnit(system, (p) => p.ActiveState !== 'reloading', 10_000);
    t.same(
      { ActiveState: after.ActiveState, MainPID: after.MainPID, NRestarts: after.NRestarts },
      { ActiveState: 'active', MainPID: String(pid), NRestarts: '0' },
      'the unit stays active, the same mcrd',
    );
    const refused = readStats(system);
    t.equal(refused.config.generation, 2, 'generation 2 keeps running');
    t.match(refused.config.lastReload, { ok: false, errors: [portZero] }, 'the stats file records the failed reload and why');
    const refusal = 'reload (sighup) refused; generation 2 keeps running';
    const errors = (
      await waitForJournal(system, cursor, ['-u', 'mcrd', '-p', 'err'], (entries) => messages(entries).includes(refusal))
    ).filter((entry) => entry.SYSLOG_IDENTIFIER === 'mcrd');
    const positioned = errors.find((entry) => entry.MESSAGE === portZero);
    t.equal(positioned?.PRIORITY, '3', `journalctl -u mcrd -p err: "${portZero}" at priority err`);
    t.ok(messages(errors).includes(refusal), `and "${refusal}"`);
    await relayChecked(t, ends, 1000, 4000, 'with the old rules');

    const restartCursor = await system.cursor();
    const restart = await system.systemctl('restart', 'mcrd');
    t.not(restart.exitCode, 0, 'systemctl restart with the broken file fails');
    const failed = await system.show('mcrd', 'ActiveState', 'Result', 'ExecMainStatus', 'NRestarts');
    t.same(failed, { ActiveState: 'failed', Result: 'exit-code', ExecMainStatus: '78', NRestarts: '0' }, 'failed with exit 78 (EX_CONFIG), and not restarted in a loop');
    const lines = messages(
      await waitForJournal(system, restartCursor, ['-u', 'mcrd', '-p', 'err'], (entries) => messages(entries).includes(portZero)),
    );
    t.ok(lines.includes(portZero), `the journal says why, at priority err: "${portZero}"`, { lines });
    t.comment(`journal of the failed restart:\n${lines.join('\n')}`);

    writeRules(system, [...daemon, camera, camera2]);
    t.equal((await system.systemctl('restart', 'mcrd')).exitCode, 0, 'fixed, systemctl restart mcrd starts it again');
  });

  await t.test('the watchdog: a healthy mcrd is never killed; a frozen one is killed and restarted, and forwarding resumes', async (t) => {
    t.equal((await system.show('mcrd', 'WatchdogUSec')).WatchdogUSec, '10s', 'the shipped unit sets WatchdogSec=10s');
    // The drop-in `systemctl edit mcrd` would write: a tighter watchdog, and the
    // directory mcrd(8) names for a Prometheus file.
    const dropIn = await system.run('sh', ['-c', `install -d /etc/systemd/system/mcrd.service.d && install -d -o root -g mcr -m 0775 ${PROM_DIR} && cat >/etc/systemd/system/mcrd.service.d/override.conf`], {
      input: `[Service]\nWatchdogSec=4s\nReadWritePaths=${PROM_DIR}\n`,
    });
    t.equal(dropIn.exitCode, 0, 'drop-in written', { stderr: dropIn.stderr });
    writeRules(system, [...daemon, `prometheus_file = "${PROM_DIR}/mcr.prom"`, camera, camera2]);
    await system.systemctl('daemon-reload');
    t.equal((await system.systemctl('restart', 'mcrd')).exitCode, 0, 'restarted with the drop-in');
    const pid = await mainPid(system);
    t.equal((await system.show('mcrd', 'WatchdogUSec')).WatchdogUSec, '4s', 'WatchdogSec=4s in force');
    const environ = (await system.run('cat', [`/proc/${pid}/environ`])).stdout.split('\0');
    t.ok(environ.includes('WATCHDOG_USEC=4000000'), 'and handed to mcrd as WATCHDOG_USEC');

    // Three watchdog periods with traffic flowing: pings keep coming, nothing restarts.
    const sink = await startSink(rx, { group: '239.2.2.1', port: 5000, expect: 24_000, idleTimeout: 3 });
    const gen = runGen(src, { group: '239.1.1.1', port: 5000, count: 24_000, rate: 2000, size: 1316 });
    const pings = new Set<string>();
    for (let second = 0; second < 12; second += 1) {
      const props = await system.show('mcrd', 'MainPID', 'NRestarts', 'WatchdogTimestampMonotonic');
      pings.add(props.WatchdogTimestampMonotonic ?? '');
      if (props.MainPID !== String(pid) || props.NRestarts !== '0') t.fail('the healthy mcrd was restarted', { props });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    t.ok(pings.size >= 4, `over 12 s (3 periods) systemd recorded ${pings.size} distinct watchdog pings`);
    t.equal((await gen).sent, 24_000);
    t.equal((await sink.report).received, 24_000, 'and every datagram was relayed meanwhile');
    t.same(await system.show('mcrd', 'MainPID', 'NRestarts'), { MainPID: String(pid), NRestarts: '0' }, 'the same mcrd, never restarted');

    const cursor = await system.cursor();
    const frozenAt = Date.now();
    t.equal((await system.run('kill', ['-STOP', String(pid)])).exitCode, 0, 'kill -STOP: mcrd\'s main loop is frozen');
    const back = await waitForUnit(system, (p) => p.NRestarts === '1' && p.ActiveState === 'active' && p.MainPID !== String(pid), 30_000);
    t.comment(`frozen mcrd replaced by a ready one after ${((Date.now() - frozenAt) / 1000).toFixed(1)} s`);
    t.pass(`systemd restarted it: NRestarts=${back.NRestarts}, new main PID ${back.MainPID}`);
    const timedOut = "mcrd.service: Failed with result 'watchdog'.";
    const log = messages(await waitForJournal(system, cursor, ['-u', 'mcrd'], (entries) => messages(entries).includes(timedOut)));
    t.ok(log.includes('mcrd.service: Watchdog timeout (limit 4s)!'), 'the journal: Watchdog timeout (limit 4s)!', { log });
    t.ok(log.includes(timedOut), "and Failed with result 'watchdog'");
    t.comment(`journal of the watchdog restart:\n${log.join('\n')}`);
    await relayChecked(t, ends, 2000, 4000, 'after the watchdog restart');
  });

  await t.test('the sandbox is what the unit says: user mcr, CAP_NET_RAW alone, no new privileges, /usr and /etc read-only; stats where the docs say', async (t) => {
    const pid = await mainPid(system);
    const status = await procStatus(system, pid);
    const uid = (await system.run('id', ['-u', 'mcr'])).stdout;
    t.equal(status.Uid?.split('\t')[0], uid, `runs as mcr (uid ${uid})`);
    for (const set of ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb']) t.equal(BigInt(`0x${status[set]}`), CAP_NET_RAW, `${set}: CAP_NET_RAW alone (${status[set]})`);
    t.equal(status.NoNewPrivs, '1', 'NoNewPrivs: 1');
    t.equal(status.Seccomp, '2', 'a seccomp filter (SystemCallFilter)');
    for (const dir of ['/usr/lib/mcr', '/etc', '/var/lib']) {
      // As root inside mcrd's own mount namespace: only a read-only mount stops root.
      const probe = await system.run('nsenter', ['-t', String(pid), '-m', '-r', 'touch', `${dir}/mcr-probe`]);
      t.match(probe.stderr, /Read-only file system/, `${dir} is read-only to mcrd`);
    }
    t.equal((await system.run('stat', ['-c', '%U', '/run/mcr/stats.json'])).stdout, 'mcr', '/run/mcr/stats.json is there, written by mcr');
    const prom = readFileSync(system.path(`${PROM_DIR}/mcr.prom`), 'utf8');
    t.match(prom, /^mcr_up 1$/m, `${PROM_DIR}/mcr.prom is there (the ReadWritePaths drop-in of mcrd(8))`);
    t.match(prom, /^mcr_rule_state\{rule="camera",[^}]*state="active"\} 1$/m, 'with the rules\' states');
  });

  await t.test('upgrading restarts mcrd once and keeps the edited file; remove stops it; purge leaves nothing the package made', async (t) => {
    const edited = readFileSync(system.path('/etc/mcr.toml'), 'utf8');
    const pid = await mainPid(system);
    const cursor = await system.cursor();
    const upgrade = await apt('install', '-y', `./${basename(next)}`);
    t.equal(upgrade.exitCode, 0, `apt install ./${basename(next)} exits 0`, { stdout: upgrade.stdout, stderr: upgrade.stderr });
    t.equal((await system.run('dpkg-query', ['-W', '-f=${Version}', 'mcr'])).stdout, '0.1.1-1', 'version 0.1.1-1 installed');
    t.equal((await system.run('mcr', ['version'])).stdout, 'mcr 0.1.1', 'and running');
    t.equal(readFileSync(system.path('/etc/mcr.toml'), 'utf8'), edited, 'the edited /etc/mcr.toml is kept');
    t.same(['dpkg-dist', 'dpkg-old', 'dpkg-new'].filter((ext) => existsSync(system.path(`/etc/mcr.toml.${ext}`))), [], 'with no .dpkg-* file beside it');
    // The journal holds the new mcrd's ready line a moment after systemd saw READY=1.
    const lines = await waitForMessages(system, cursor, (found) => found.some((m) => m.startsWith('mcrd ready: ')));
    t.equal(lines.filter((m) => m === 'SIGTERM: stopping').length, 1, 'mcrd was stopped once');
    t.equal(lines.filter((m) => m.startsWith('mcrd ready: ')).length, 1, 'and started once', { lines });
    const unit = await system.show('mcrd', 'ActiveState', 'MainPID');
    t.equal(unit.ActiveState, 'active', 'it is active');
    t.not(unit.MainPID, String(pid), 'a new process');
    await relayChecked(t, ends, 2000, 4000, 'after the upgrade');

    const files = (await system.run('dpkg', ['-L', 'mcr'])).stdout.split('\n').filter((path) => /mcr/.test(path));
    const remove = await apt('remove', '-y', 'mcr');
    t.equal(remove.exitCode, 0, 'apt remove mcr exits 0', { stderr: remove.stderr });
    t.same(await system.show('mcrd', 'ActiveState', 'LoadState'), { ActiveState: 'inactive', LoadState: 'not-found' }, 'mcrd is stopped and its unit gone');
    t.equal((await system.run('pgrep', ['-u', 'mcr'])).exitCode, 1, 'no process of user mcr runs');
    t.ok(existsSync(system.path('/etc/mcr.toml')), 'the conffile stays until purge');

    const purge = await apt('purge', '-y', 'mcr');
    t.equal(purge.exitCode, 0, 'apt purge mcr exits 0', { stderr: purge.stderr });
    for (const file of ACCOUNTS) t.equal(readFileSync(system.path(file), 'utf8'), accounts[file], `${file} is as before the install`);
    t.same(files.filter((path) => existsSync(system.path(path))), [], `none of the package's ${files.length} paths is left`);
    // What the administrator made (the drop-in, the Prometheus directory and what mcrd
    // wrote there as told) and man-db's cache are not the package's.
    const theirs = /^\/(var\/cache\/man\/|etc\/systemd\/system\/mcrd\.service\.d|var\/lib\/prometheus\/)/;
    t.same(system.changedPaths().filter((path) => /mcr/.test(path) && !theirs.test(path)), [], 'no file, link or state named after mcr is left');
    // /run and /tmp are tmpfs, outside the overlay: looked at one by one.
    t.notOk(existsSync(system.path('/run/mcr')), '/run/mcr is gone');
    t.same(readdirSync(system.path('/tmp')).filter((name) => /mcr/.test(name) && !name.endsWith('.deb')), [], 'and so is mcrd\'s PrivateTmp');
  });

  await system.destroy();
  t.notOk(system.running(), 'the container is gone: systemd and every process in it');
  t.same(system.hostMounts(), [], 'no mount of it is left in the host\'s mount table');
  t.notOk(existsSync(system.cgroup), 'nor its cgroup');
  t.comment(`systemd package test: ${((Date.now() - began) / 1000).toFixed(1)} s in all`);
});
