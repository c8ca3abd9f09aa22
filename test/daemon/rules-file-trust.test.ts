// mcrd runs only rules that nobody but root or its own user can change (as sshd's
// StrictModes): a rules file, or a directory on the way to it, that another user owns
// or may write is refused at start (exit 78, the path, its owner or mode, and the fix)
// and on reload (the running rules keep forwarding, the refusal is logged and in the
// stats file); --allow-insecure-rules-file turns the refusal into a warning. Real
// files, real owners and modes (a test uid), mcrd run as that uid with CAP_NET_RAW.
import t from 'tap';
import { execa } from 'execa';
import { chmod, chown, mkdir, symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { MCRD, tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { letOthersReachMcrd, spawnMcrd, startMcrdAs } from '../helpers/mcrd-as.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const OTHER_UID = 4242;
const MCRD_UID = 4343;
const ADVICE =
  'mcrd: mcrd reads rules only from a file that nobody but root can change, reached through directories nobody else can ' +
  'change either (see docs/security.md); in a lab, --allow-insecure-rules-file makes this a warning';

/** Runs mcrd (as root) to its exit: these all stop before any socket is opened. */
async function startFails(args: string[], prefix: string[] = []) {
  const [command = 'node', ...rest] = [...prefix, 'node', MCRD, ...args];
  const result = await execa(command, rest, { reject: false, timeout: 30_000 });
  return { code: result.exitCode, stderr: result.stderr, stdout: result.stdout };
}

t.test('at start, a rules file others can change is refused with exit 78, the path, the owner or mode, and the fix', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  const cases: { name: string; prepare: () => Promise<string>; expected: (file: string) => string }[] = [
    {
      name: 'writable by group and others',
      prepare: async () => (await chmod(file, 0o666), file),
      expected: (f) => `mcrd: unsafe rules file ${f}: file ${f} is writable by its group and by others (mode 0666); fix: chmod go-w ${f}`,
    },
    {
      name: 'writable by its group',
      prepare: async () => (await chmod(file, 0o664), file),
      expected: (f) => `mcrd: unsafe rules file ${f}: file ${f} is writable by its group (mode 0664); fix: chmod g-w ${f}`,
    },
    {
      name: 'owned by another user',
      prepare: async () => (await chown(file, OTHER_UID, OTHER_UID), file),
      expected: (f) => `mcrd: unsafe rules file ${f}: file ${f} is owned by uid ${OTHER_UID}, not by root; fix: chown root ${f}`,
    },
    {
      name: 'in a directory anyone can write (not sticky)',
      prepare: async () => (await chmod(dir, 0o777), file),
      expected: (f) => `mcrd: unsafe rules file ${f}: directory ${dir} is writable by its group and by others (mode 0777); fix: chmod go-w ${dir}`,
    },
    {
      name: 'reached through a symbolic link into another user\'s directory',
      prepare: async () => {
        const theirs = join(dir, 'theirs');
        await mkdir(theirs, { mode: 0o755 });
        await writeConfig(join(theirs, 'real.toml'), daemonSection(dir));
        await chown(theirs, OTHER_UID, OTHER_UID);
        await symlink(join(theirs, 'real.toml'), join(dir, 'link.toml'));
        return join(dir, 'link.toml');
      },
      expected: (f) => `mcrd: unsafe rules file ${f}: directory ${dir}/theirs is owned by uid ${OTHER_UID}, not by root; fix: chown root ${dir}/theirs`,
    },
  ];
  for (const testCase of cases) {
    await execa('rm', ['-rf', join(dir, 'theirs'), join(dir, 'link.toml')]);
    await chmod(dir, 0o700);
    await writeConfig(file, daemonSection(dir));
    await chmod(file, 0o644);
    await chown(file, 0, 0);
    const path = await testCase.prepare();
    const result = await startFails(['-c', path]);
    t.equal(result.code, 78, `${testCase.name}: exit 78`);
    t.equal(result.stderr, `${testCase.expected(path)}\n${ADVICE}`, `${testCase.name}: the message`);
  }
});

t.test('at start, a rules file larger than 16 MiB is refused before it is parsed', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  await writeConfig(file, daemonSection(dir));
  await truncate(file, 16 * 1024 * 1024 + 1);
  const result = await startFails(['-c', file]);
  t.equal(result.code, 78);
  t.equal(result.stderr, `${file} is larger than 16777216 bytes, the most mcrd reads (it bounds the memory a rules file can take)`);
});

t.test('at start, rules needing more file descriptors than RLIMIT_NOFILE allows are refused whole, with exit 78', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  const outputs = Array.from({ length: 100 }, (_, i) => `out0 239.2.2.${i + 1}:5000`);
  await writeConfig(file, [...daemonSection(dir), rule('wide', 'in0 239.1.1.1:5000', ...outputs)]);
  const result = await startFails(['-c', file], ['prlimit', '--nofile=64:64']);
  t.equal(result.code, 78);
  const match = /^mcrd: the rules need (\d+) file descriptors \(100 output sockets, 1 input rings, 1 group memberships, 3 for the workers, (\d+) for mcrd itself\) but mcrd may open 64 \(RLIMIT_NOFILE\); raise LimitNOFILE= in mcrd.service \(or ulimit -n\), or relay to fewer outputs$/.exec(result.stderr);
  t.ok(match, result.stderr);
  t.equal(Number(match?.[1]), 100 + 1 + 1 + 3 + Number(match?.[2]), 'the total adds up');
});

t.test('as a plain user with CAP_NET_RAW, its own file runs; another user\'s is refused naming both; the override warns', { skip }, async (t) => {
  const lab = Lab.create(t);
  const [relay] = await lab.namespaces('relay');
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const own = join(dir, 'own');
  await mkdir(own, { mode: 0o755 });
  const file = join(own, 'mcr.toml');
  await writeConfig(file, daemonSection(own));
  await chown(own, MCRD_UID, MCRD_UID);
  await chown(file, MCRD_UID, MCRD_UID);

  await letOthersReachMcrd(t);
  const running = await startMcrdAs(['-c', file], { uid: MCRD_UID, ns: relay });
  running.signal('SIGTERM');
  t.equal(await running.exited, 0, 'its own file in its own directory: runs, stops with 0');

  await chown(file, OTHER_UID, OTHER_UID);
  const refused = spawnMcrd(['-c', file], { uid: MCRD_UID, ns: relay });
  t.equal(await refused.exited, 78, 'another user\'s file: exit 78');
  t.equal(
    refused.stderr().trimEnd(),
    `mcrd: unsafe rules file ${file}: file ${file} is owned by uid ${OTHER_UID}, not by root or uid ${MCRD_UID} (the user mcrd runs as); fix: chown root ${file}\n` +
      `mcrd: mcrd reads rules only from a file that nobody but root or uid ${MCRD_UID} (the user mcrd runs as) can change, reached ` +
      'through directories nobody else can change either (see docs/security.md); in a lab, --allow-insecure-rules-file makes this a warning',
  );

  const lab2 = await startMcrdAs(['-c', file, '--allow-insecure-rules-file'], { uid: MCRD_UID, ns: relay });
  const warnings = lab2.messages().filter((line) => line.level === 'warn').map((line) => line.message);
  t.same(warnings, [
    "--allow-insecure-rules-file: the rules file is read even if users other than root and mcrd's own can change it; never use this outside a lab",
    `unsafe rules file ${file}: file ${file} is owned by uid ${OTHER_UID}, not by root or uid ${MCRD_UID} (the user mcrd runs as); fix: chown root ${file} (allowed by --allow-insecure-rules-file)`,
  ], 'with the override it runs, and says loudly what it overrode');
  lab2.signal('SIGTERM');
  t.equal(await lab2.exited, 0);
});

t.test('on reload, an unsafe rules file or one needing too many descriptors is refused while the old rules keep forwarding', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const good = [...daemonSection(dir), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];
  await writeConfig(file, good);
  const mcrd = await startMcrd(net.relay, dir);
  const COUNT = 20_000;
  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 8_000, size: 256 });

  // Made writable by others, then edited: refused (the mode change alone may already be).
  let seen = mcrd.logs().length;
  await chmod(file, 0o666);
  await writeConfig(file, [...good, rule('added', 'in0 239.1.1.5:5000', 'out0 239.2.2.5:5000')]);
  mcrd.signal('SIGHUP'); // the watcher would notice too; this is about the refusal, not the trigger
  await mcrd.waitForLog(/reload \((file|sighup)\) refused; generation 1 keeps running/, 10_000, seen);
  const unsafe = `unsafe rules file ${file}: file ${file} is writable by its group and by others (mode 0666); fix: chmod go-w ${file}`;
  t.ok(mcrd.logs().slice(seen).some((line) => line.level === 'error' && line.message === unsafe), 'logged with path, mode and fix');
  let stats = await mcrd.waitForStats((s) => s.config.lastReload?.ok === false && s.config.lastReload.errors.includes(unsafe));
  t.equal(stats.config.generation, 1, 'generation 1 still runs');
  t.same(stats.rules.map((r) => r.name), ['main'], 'with its one rule: the added rule was not applied');

  // Safe again: the edit applies (on SIGHUP, if the mode change did not already reload).
  seen = mcrd.logs().length;
  await chmod(file, 0o644);
  mcrd.signal('SIGHUP');
  await mcrd.waitForLog(/reload \((file|sighup)\) applied, generation 2: 1 added/, 10_000, seen);

  // Too few descriptors for the next file: refused whole, nothing half applied.
  await execa('prlimit', ['--pid', String(mcrd.pid), '--nofile=128:128']);
  seen = mcrd.logs().length;
  const wide = Array.from({ length: 200 }, (_, i) => `out0 239.3.3.${(i % 250) + 1}:${5000 + Math.floor(i / 250)}`);
  await writeConfig(file, [...good, rule('added', 'in0 239.1.1.5:5000', 'out0 239.2.2.5:5000'), rule('wide', 'in0 239.1.1.6:5000', ...wide)]);
  mcrd.signal('SIGHUP');
  await mcrd.waitForLog(/reload \((file|sighup)\) refused; generation 2 keeps running/, 10_000, seen);
  const shortfall = mcrd.logs().slice(seen).find((line) => line.message.startsWith('the rules need'))?.message ?? '';
  t.match(
    shortfall,
    /^the rules need \d+ file descriptors \(202 output sockets, 1 input rings, 3 group memberships, 3 for the workers, \d+ for mcrd itself\) but mcrd may open 128 \(RLIMIT_NOFILE\); raise LimitNOFILE= in mcrd\.service \(or ulimit -n\), or relay to fewer outputs$/,
  );
  stats = await mcrd.waitForStats((s) => s.config.lastReload?.ok === false && s.config.lastReload.errors.includes(shortfall));
  t.same(stats.rules.map((r) => r.name).sort(), ['added', 'main'], 'generation 2 still runs, none of the wide rule');
  t.ok(stats.config.reloads.failed >= 2, `every refusal counted (${stats.config.reloads.failed})`);

  t.equal((await gen).sent, COUNT);
  t.match(await sink.report, perfect(COUNT), 'the running rule lost nothing through the refused reloads');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
