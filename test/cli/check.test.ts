import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rule } from '../helpers/ruleset.js';
import { MCR, run, tempDir, writeLines } from '../helpers/cli.js';
import { runCheck } from '../../src/cli/check.js';
import type { InterfaceFacts } from '../../src/config/host-checks.js';
import { addressOf } from '../../src/net/address.js';

const GOOD = [
  rule('cam1', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 10.0.2.9:6000'),
  '[[rule]]',
  'name = "spare"',
  'enabled = false',
  'input = { interface = "eth0", group = "239.1.1.2", port = 5000 }',
  'outputs = [ { interface = "eth1", group = "239.2.2.2", port = 5000 } ]',
];

t.test('a good file: exit 0 and a one-line summary on stdout', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'good.toml'), GOOD);
  const result = await run(MCR, ['check', file]);
  t.equal(result.code, 0);
  t.equal(result.stdout, `${file}: OK: 2 rules (1 disabled), 3 outputs, 3 interfaces (eth0, eth1, eth2)`);
  t.equal(result.stderr, '');
});

t.test('a bad file: exit 78 and every error, positioned, on stderr', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'bad.toml'), [
    '[daemon]',
    'wokers = 2',
    rule('cam1', 'eth0 239.1.1.1:0', 'eth0 239.1.1.1:0'),
  ]);
  const result = await run(MCR, ['check', file]);
  t.equal(result.code, 78);
  t.equal(result.stdout, '');
  t.same(result.stderr.split('\n'), [
    `${file}:2:1: unknown key "wokers" in [daemon]; did you mean "workers"?`,
    `${file}:5:59: port 0 cannot be received on; use a port from 1 to 65535`,
    `${file}:6:13: output sends to the rule's own input (eth0 239.1.1.1:0): that is a loop`,
    `${file}:6:63: port 0 cannot be sent to; use a port from 1 to 65535`,
    `${file}: 4 errors`,
  ]);
});

t.test('a missing file: exit 66 and the reason', async (t) => {
  const dir = await tempDir(t);
  const result = await run(MCR, ['check', join(dir, 'nope.toml')]);
  t.equal(result.code, 66);
  t.equal(result.stderr, `mcr: cannot read ${join(dir, 'nope.toml')}: no such file`);
});

t.test('a directory instead of a file: exit 66', async (t) => {
  const dir = await tempDir(t);
  const result = await run(MCR, ['check', dir]);
  t.equal(result.code, 66);
  t.equal(result.stderr, `mcr: cannot read ${dir}: it is a directory`);
});

t.test('without a file, mcr check reads /etc/mcr.toml', { skip: existsSync('/etc/mcr.toml') && '/etc/mcr.toml exists on this machine' }, async (t) => {
  const result = await run(MCR, ['check']);
  t.equal(result.code, 66);
  t.equal(result.stderr, 'mcr: cannot read /etc/mcr.toml: no such file');
});

t.test('--diff prints the plan a reload would apply', async (t) => {
  const dir = await tempDir(t);
  const before = await writeLines(join(dir, 'old.toml'), GOOD);
  const after = await writeLines(join(dir, 'new.toml'), [
    '[daemon]',
    'workers = 2',
    'log_level = "debug"',
    rule('camera-1', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth3 239.3.3.3:5000'),
    rule('cam4', 'eth0 239.1.1.4:5000', 'eth1 239.2.2.4:5000'),
  ]);
  const result = await run(MCR, ['check', '--diff', before, after]);
  t.equal(result.code, 0, result.stderr);
  t.same(result.stdout.split('\n'), [
    `reload plan ${before} -> ${after}:`,
    '  add      cam4  [eth0 239.1.1.4:5000] -> 1 output',
    '  change   camera-1  [eth0 239.1.1.1:5000]: 1 added, 1 removed, 1 kept',
    '             + eth3 239.3.3.3:5000 ttl 1',
    '             - eth2 10.0.2.9:6000 ttl 64',
    '  rename   "cam1" -> "camera-1"',
    '  setting  workers: "auto" -> 2 (needs a data plane restart)',
    '  setting  log_level: "info" -> "debug"',
    '1 added, 0 removed, 1 changed, 0 unchanged, 1 renamed, 2 settings changed',
  ]);
});

t.test('--diff of a file with itself: no changes', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'same.toml'), GOOD);
  const result = await run(MCR, ['check', '--diff', file, file]);
  t.equal(result.code, 0);
  t.same(result.stdout.split('\n'), [
    `reload plan ${file} -> ${file}:`,
    'no changes (0 added, 0 removed, 0 changed, 1 unchanged, 0 renamed, 0 settings changed)',
  ]);
});

t.test('--diff with an invalid new file: exit 78, errors, no plan', async (t) => {
  const dir = await tempDir(t);
  const before = await writeLines(join(dir, 'old.toml'), GOOD);
  const after = await writeLines(join(dir, 'new.toml'), ['[daemon]', 'workers = 0']);
  const result = await run(MCR, ['check', '--diff', before, after]);
  t.equal(result.code, 78);
  t.equal(result.stdout, '');
  t.same(result.stderr.split('\n'), [
    `${after}:2:11: workers must be "auto" or an integer from 1 to 256 (got 0)`,
    `${after}: 1 error`,
  ]);
});

t.test('usage errors exit 64 and say what is wrong', async (t) => {
  const cases: [string[], string][] = [
    [['check', 'a.toml', 'b.toml'], 'mcr check takes one file (got 2)'],
    [['check', '--diff', 'a.toml'], 'mcr check --diff needs two files, OLD and NEW'],
    [['check', '--frobnicate'], "mcr check: Unknown option '--frobnicate'"],
    [['frobnicate'], 'mcr: unknown command "frobnicate"'],
    [[], 'usage: mcr <command> [options]'],
  ];
  for (const [args, message] of cases) {
    const result = await run(MCR, args);
    t.equal(result.code, 64, `mcr ${args.join(' ')}`);
    t.match(result.stderr, message, `mcr ${args.join(' ')}`);
  }
});

t.test('mcr --version and mcr check --help', async (t) => {
  const version = await run(MCR, ['--version']);
  t.equal(version.code, 0);
  t.match(version.stdout, /^mcr \d+\.\d+\.\d+$/);
  const help = await run(MCR, ['check', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, 'usage: mcr check [FILE]');
});

t.test("a good file that this host's interfaces would make lose datagrams: the warnings on stderr, exit 0", async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'warned.toml'), [rule('cam1', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out0 239.2.2.2:5000 from 10.0.0.9', 'later0 239.2.2.3:5000')]);
  const host: Record<string, InterfaceFacts> = {
    in0: { mtu: 9000, ethernet: true, addresses: [addressOf('10.1.0.1')] },
    out0: { mtu: 1500, ethernet: true, addresses: [] },
  };
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCheck([file], { out: (line) => out.push(line), err: (line) => err.push(line) }, () => (name) => host[name] ?? null);
  t.equal(code, 0);
  t.same(err, [
    `${file}:4:27: warning: input interface in0 has MTU 9000, output interface out0 has MTU 1500: datagrams with more than 1472 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)`,
    `${file}:4:13: warning: interface out0 has no IPv4 address for this frame output to send from, so it will fail; set source_address to an IPv4 address, or to "preserve" (the sender's)`,
    `${file}:4:85: warning: input interface in0 has MTU 9000, output interface out0 has MTU 1500: datagrams with more than 1472 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)`,
  ]);
  t.same(out, [`${file}: OK: 1 rule, 3 outputs, 3 interfaces (in0, later0, out0), 3 warnings`], 'later0 does not exist yet: nothing said of it');
});

t.test('mcr check --diff shows egress, DSCP and a preserved source of the outputs it adds and removes', async (t) => {
  const dir = await tempDir(t);
  const before = await writeLines(join(dir, 'before.toml'), [rule('cam1', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 239.2.2.2:5000')]);
  const after = await writeLines(join(dir, 'after.toml'), [
    '[daemon]',
    'egress = "socket"',
    rule('cam1', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000 egress auto', 'eth2 239.2.2.2:5000 from preserve dscp 46 egress frame'),
  ]);
  const result = await run(MCR, ['check', '--diff', before, after]);
  t.equal(result.code, 0, result.stderr);
  t.same(result.stdout.split('\n'), [
    `reload plan ${before} -> ${after}:`,
    '  change   cam1  [eth0 239.1.1.1:5000]: 1 added, 1 removed, 1 kept',
    '             + eth2 239.2.2.2:5000 ttl 1 from the sender dscp 46 egress frame',
    '             - eth2 239.2.2.2:5000 ttl 1',
    '  setting  egress: "auto" -> "socket"',
    '0 added, 0 removed, 1 changed, 0 unchanged, 0 renamed, 1 setting changed',
  ]);
});
