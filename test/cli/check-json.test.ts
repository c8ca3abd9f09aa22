// `mcr check --format json`: one line of JSON on stdout, with each error's file, line,
// column, code and message, and the same exit codes as the text form (0, 78, 66, 64).
import t from 'tap';
import { join } from 'node:path';
import { formatCheckJson } from '../../src/cli/check-json.js';
import { parseConfig } from '../../src/config/load.js';
import { rule } from '../helpers/ruleset.js';
import { MCR, run, tempDir, writeLines } from '../helpers/cli.js';

const GOOD = [
  rule('cam1', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 10.0.2.9:6000'),
  '[[rule]]',
  'name = "spare"',
  'enabled = false',
  'input = { interface = "eth0", group = "239.1.1.2", port = 5000 }',
  'outputs = [ { interface = "eth1", group = "239.2.2.2", port = 5000 } ]',
];
const BAD = ['[daemon]', 'wokers = 2', rule('cam1', 'eth0 239.1.1.1:0', 'eth0 239.1.1.1:0')];

t.test('a good file: exit 0 and its counts, nothing on stderr', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'good.toml'), GOOD);
  const result = await run(MCR, ['check', '--format', 'json', file]);
  t.equal(result.code, 0);
  t.equal(result.stdout, `{"file":"${file}","valid":true,"errors":[],"warnings":[],"rules":2,"disabled":1,"outputs":3,"interfaces":["eth0","eth1","eth2"]}`);
  t.equal(result.stderr, '');
});

t.test('a bad file: exit 78 and every error with file, line, column, code and message, in file order', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'bad.toml'), BAD);
  const result = await run(MCR, ['check', '--format=json', file]);
  t.equal(result.code, 78);
  t.equal(result.stderr, '');
  const error = (line: number, column: number, code: string, message: string) => ({ file, line, column, code, message });
  t.strictSame(JSON.parse(result.stdout), {
    file,
    valid: false,
    errors: [
      error(2, 1, 'unknown-key', 'unknown key "wokers" in [daemon]; did you mean "workers"?'),
      error(5, 59, 'port-zero', 'port 0 cannot be received on; use a port from 1 to 65535'),
      error(6, 13, 'output-loop', "output sends to the rule's own input (eth0 239.1.1.1:0): that is a loop"),
      error(6, 63, 'port-zero', 'port 0 cannot be sent to; use a port from 1 to 65535'),
    ],
    warnings: [],
  });
  t.equal(result.stdout.split('\n').length, 1, 'on one line');
});

t.test('a TOML syntax error: exit 78 and the one error the parser can give', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'syntax.toml'), ['[daemon', 'workers = 1']);
  const result = await run(MCR, ['check', '--format', 'json', file]);
  t.equal(result.code, 78);
  const report = JSON.parse(result.stdout) as { errors: { code: string; line: number; column: number }[] };
  t.match(report.errors, [{ code: 'toml-syntax', line: 1 }]);
  t.equal(report.errors.length, 1);
});

t.test('an unreadable file: exit 66 and an error with code "unreadable" and no position', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'nope.toml');
  const result = await run(MCR, ['check', '--format', 'json', file]);
  t.equal(result.code, 66);
  t.equal(
    result.stdout,
    `{"file":"${file}","valid":false,"errors":[{"file":"${file}","line":null,"column":null,"code":"unreadable","message":"cannot read ${file}: no such file"}],"warnings":[]}`,
  );
  t.equal(result.stderr, '');
});

t.test('--format text is the default output; a wrong --format or json with --diff is a usage error', async (t) => {
  const dir = await tempDir(t);
  const file = await writeLines(join(dir, 'good.toml'), GOOD);
  const text = await run(MCR, ['check', '--format', 'text', file]);
  t.equal(text.code, 0);
  t.equal(text.stdout, `${file}: OK: 2 rules (1 disabled), 3 outputs, 3 interfaces (eth0, eth1, eth2)`);
  const cases: [string[], string][] = [
    [['check', '--format', 'yaml', file], 'mcr check: --format must be text or json (got "yaml")'],
    [['check', '--format', 'json', '--diff', file, file], 'mcr check: --format json checks one file; it does not go with --diff'],
    [['check', '--format', 'json', file, file], 'mcr check takes one file (got 2)'],
  ];
  for (const [args, message] of cases) {
    const result = await run(MCR, args);
    t.equal(result.code, 64, `mcr ${args.join(' ')}`);
    t.equal(result.stdout, '', 'nothing on stdout');
    t.equal(result.stderr.split('\n')[0], message);
  }
});

t.test('formatCheckJson escapes what JSON must and keeps a fixed key order', (t) => {
  const file = 'dir/with "quote".toml';
  const parsed = parseConfig('[[rule]]\ninput = { interface = "eth0", group = "239.1.1.1", port = 1 }\noutputs = []\n', file);
  if (parsed.ok) throw new Error('expected errors');
  t.equal(
    formatCheckJson(file, { kind: 'invalid', errors: parsed.errors }),
    '{"file":"dir/with \\"quote\\".toml","valid":false,"errors":[{"file":"dir/with \\"quote\\".toml","line":3,"column":11,' +
      '"code":"no-outputs","message":"outputs is empty; a rule needs at least one output"}],"warnings":[]}',
  );
  t.end();
});

t.test("a good file's warnings are in their own array, with the fields of an error", (t) => {
  const parsed = parseConfig('[[rule]]\ninput = { interface = "in0", group = "239.1.1.1", port = 1 }\noutputs = [ { interface = "out0", group = "239.2.2.2", port = 1 } ]\n', 'f.toml');
  if (!parsed.ok) throw new Error('expected a good file');
  const warning = { code: 'mtu-mismatch', file: 'f.toml', line: 3, column: 27, message: 'input interface in0 has MTU 9000, ...' };
  t.equal(
    formatCheckJson('f.toml', { kind: 'valid', ruleSet: parsed.ruleSet, warnings: [warning] }),
    '{"file":"f.toml","valid":true,"errors":[],"warnings":[{"file":"f.toml","line":3,"column":27,"code":"mtu-mismatch",' +
      '"message":"input interface in0 has MTU 9000, ..."}],"rules":1,"disabled":0,"outputs":1,"interfaces":["in0","out0"]}',
  );
  t.end();
});
