// The [limits] table: its defaults and maximums in code are the schema's, a file exactly
// at each limit is valid (the limit is inclusive), and one more is refused.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../src/config/load.js';
import { LIMIT_DEFAULTS, LIMIT_MAXIMUMS } from '../../src/config/limits.js';
import { SCHEMA_URL } from '../../src/config/schema.js';

type LimitSchema = Record<string, { default: number; maximum: number }>;

t.test('the limits in code are the schema\'s defaults and maximums', async (t) => {
  const schema = JSON.parse(await readFile(SCHEMA_URL, 'utf8')) as { $defs: { limits: { properties: LimitSchema } } };
  const properties = schema.$defs.limits.properties;
  t.same(Object.keys(LIMIT_DEFAULTS).sort(), Object.keys(properties).sort());
  for (const [key, spec] of Object.entries(properties)) {
    t.equal(LIMIT_DEFAULTS[key as keyof typeof LIMIT_DEFAULTS], spec.default, `${key} default`);
    t.equal(LIMIT_MAXIMUMS[key as keyof typeof LIMIT_MAXIMUMS], spec.maximum, `${key} maximum`);
  }
});

/** n rules, each on its own group and interface (eth0...), with `outputs` outputs each. */
function rules(n: number, outputs: number): string[] {
  return Array.from({ length: n }, (_, i) => [
    '[[rule]]',
    `input = { interface = "in${i}", group = "239.1.${Math.floor(i / 250)}.${(i % 250) + 1}", port = 5000 }`,
    'outputs = [',
    ...Array.from({ length: outputs }, (_, j) => `  { interface = "out0", group = "239.2.${i % 250}.${j + 1}", port = 5000 },`),
    ']',
  ]).flat();
}

function check(lines: string[]) {
  const result = parseConfig(lines.join('\n') + '\n', 'mcr.toml');
  return result.ok ? [] : result.errors.map((error) => error.code).sort();
}

t.test('a file exactly at every limit is valid; one more of each is refused', async (t) => {
  const limits = ['[limits]', 'max_rules = 3', 'max_outputs = 6', 'max_outputs_per_rule = 2', 'max_groups = 3', 'max_input_interfaces = 3'];
  t.same(check([...limits, ...rules(3, 2)]), [], 'at the limits');
  t.same(check([...limits, ...rules(4, 1)]), ['too-many-groups', 'too-many-interfaces', 'too-many-rules'], 'one rule more');
  t.same(check([...limits, ...rules(3, 3)]), Array(4).fill('too-many-outputs'), 'one output more in each rule: three rules over, and the file over once');
});

t.test('the defaults admit a large deployment: 1,024 groups on 32 interfaces, 4 outputs each', async (t) => {
  const lines = rules(1024, 4).map((line) => line.replace(/interface = "in(\d+)"/, (_, i: string) => `interface = "in${Number(i) % 32}"`));
  t.same(check(lines), []);
  const extra = rules(1, 1).map((line) => line.replace('239.1.0.1', '239.9.9.9'));
  t.same(check([...lines, ...extra]), ['too-many-groups'], 'one group more');
});
