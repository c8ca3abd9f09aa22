// The StrictModes-like walk, on real files with real owners and modes: what it accepts
// (root's files, the daemon user's, entries in a sticky world-writable directory) and
// what it reports, following links one hop at a time; reading the rules file through
// it (warnings with the lab override, read errors kept, the size bound); the
// descriptor estimate; and which refused stats writes are logged.
import t from 'tap';
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join, relative } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { rootSkipReason } from '../helpers/netns.js';
import { ruleSetOf, rule } from '../helpers/ruleset.js';
import { checkPathTrust, describeTrustProblem } from '../../src/security/path-trust.js';
import { descriptorLimit, descriptorShortfall, estimateDescriptors } from '../../src/security/descriptors.js';
import { WriteRefusals } from '../../src/daemon/write-log.js';
import { ConfigReadError } from '../../src/config/load.js';
import { readRulesSource, RulesFileRefused } from '../../src/security/rules-file.js';

const skip = rootSkipReason();
const OTHER = 4242;
const DAEMON = 4343;

function said(path: string, expect: 'file' | 'directory', uids = [0]): string[] {
  return checkPathTrust(path, expect, uids).problems.map((problem) => describeTrustProblem(problem, uids));
}

t.test('root\'s own file is trusted; so is the daemon user\'s, and an entry of a sticky world-writable directory', { skip }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'mcr.toml');
  await writeFile(file, '');
  t.same(said(file, 'file'), []);
  t.same(said(relative(process.cwd(), file), 'file'), [], 'a relative path starts at the working directory');
  t.same(said(join(dir, 'sub', 'mcr.toml'), 'file'), [`${dir}/sub: no such directory`], 'a missing directory on the way');
  await chown(file, DAEMON, DAEMON);
  t.same(said(file, 'file', [0, DAEMON]), [], 'the daemon user\'s file');
  t.same(said(file, 'file'), [`file ${file} is owned by uid ${DAEMON}, not by root; fix: chown root ${file}`]);
  const sticky = join(dir, 'sticky');
  await mkdir(sticky);
  await chmod(sticky, 0o1777);
  await writeFile(join(sticky, 'a.toml'), '');
  t.same(said(join(sticky, 'a.toml'), 'file'), [], 'sticky: others cannot replace what they do not own');
  await chmod(sticky, 0o777);
  t.same(said(join(sticky, 'a.toml'), 'file'), [`directory ${sticky} is writable by its group and by others (mode 0777); fix: chmod go-w ${sticky}`]);
});

t.test('links are followed hop by hop: each link and each directory met is checked, and a loop ends the walk', { skip }, async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'real'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'real', 'mcr.toml'), '');
  await symlink('../real/mcr.toml', join(dir, 'sub', 'rel.toml'));
  const report = checkPathTrust(join(dir, 'sub', 'rel.toml'), 'file', [0]);
  t.equal(report.resolved, join(dir, 'real', 'mcr.toml'), 'a relative link resolves from its own directory, .. included');
  t.same(report.problems, []);
  await symlink(join(dir, 'sub', 'rel.toml'), join(dir, 'theirs.toml'));
  await execa('chown', ['-h', String(OTHER), join(dir, 'theirs.toml')]);
  t.same(said(join(dir, 'theirs.toml'), 'file'), [
    `symbolic link ${dir}/theirs.toml is owned by uid ${OTHER}, not by root; fix: chown -h root ${dir}/theirs.toml`,
  ]);
  await symlink('loop-b', join(dir, 'loop-a'));
  await symlink('loop-a', join(dir, 'loop-b'));
  t.same(said(join(dir, 'loop-a'), 'file'), [`${dir}/loop-a: more than 40 symbolic links on the way (a loop?)`]);
  await execa('mkfifo', [join(dir, 'fifo')]);
  t.same(said(join(dir, 'fifo'), 'file'), [`${dir}/fifo is a special file, not a regular file`]);
  t.same(said(join(dir, 'real', 'mcr.toml'), 'directory'), [`${dir}/real/mcr.toml is not a directory`]);
});

t.test('file descriptors: the estimate counts outputs, rings per worker, joins, and refuses what RLIMIT_NOFILE cannot hold', async (t) => {
  const ruleSet = ruleSetOf(
    rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.2:5000'),
    rule('b', 'in0 239.1.1.1:5001', 'out0 239.2.2.3:5000'),
    rule('c', 'in1 10.0.0.1:6000', 'out0 239.2.2.4:5000'),
    '[[rule]]\nenabled = false\ninput = { interface = "in2", group = "239.9.9.9", port = 1 }\noutputs = [ { interface = "out0", group = "239.9.9.9", port = 2 } ]',
  );
  const needs = estimateDescriptors(ruleSet, 2);
  t.same(needs, { outputs: 4, rings: 4, memberships: 2, plane: 5, total: 15 }, 'a disabled rule opens nothing');
  t.equal(descriptorShortfall(needs, null, 20, 67), null, '20 open + 15 + 32 margin = 67 fits in 67');
  t.equal(
    descriptorShortfall(needs, null, 20, 66),
    'the rules need 67 file descriptors (4 output sockets, 4 input rings, 2 group memberships, 5 for the workers, 52 for mcrd itself) ' +
      'but mcrd may open 66 (RLIMIT_NOFILE); raise LimitNOFILE= in mcrd.service (or ulimit -n), or relay to fewer outputs',
  );
  t.equal(descriptorShortfall(needs, needs, 35, 67), null, 'what runs now is not counted twice');
  t.equal(descriptorLimit('Max open files            1024                 4096                 files\n'), 1024);
  t.equal(descriptorLimit('Max open files            unlimited            unlimited            files\n'), Number.POSITIVE_INFINITY);
});

t.test('a refused stats write is logged the first time and when its reason changes, and counted until it works again', async (t) => {
  const refusals = new WriteRefusals();
  t.equal(refusals.refuse('/s', 'refusing to write /s: A'), 'refusing to write /s: A; relaying goes on, and this is logged once (see docs/security.md)');
  t.equal(refusals.refuse('/s', 'refusing to write /s: A'), null);
  t.equal(refusals.refuse('/p', 'refusing to write /p: A'), 'refusing to write /p: A; relaying goes on, and this is logged once (see docs/security.md)');
  t.ok(refusals.refuse('/s', 'refusing to write /s: B'), 'a new reason is said');
  t.same(refusals.counts(), { '/s': 3, '/p': 1 });
  t.equal(refusals.wrote('/s'), '/s is written again, after 3 refused writes');
  t.equal(refusals.wrote('/s'), null);
  t.equal(refusals.wrote('/p'), '/p is written again, after 1 refused write');
});


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
