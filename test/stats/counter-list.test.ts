// The counter list (src/counter-list.js) is complete: every counter of every family has a
// name, a Prometheus family with HELP and TYPE in what formatPrometheus writes, and its
// row in docs/stats.md. test/native/addon.test.ts checks that the addon's counters are
// exactly these; the compiler checks the C++ side (native/dataplane/counters.cc, worker.cc).
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, TOTALS, WORKER_COUNTERS, WORKER_FAMILIES, workerFamilyOf, type CounterType, type TotalsGroup, type TrafficCounterSpec } from '../../src/counter-specs.js';
import { combineWorkers } from '../../src/counters.js';
import { formatPrometheus } from '../../src/stats/prometheus.js';
import type { OutputStats, PathStats, RuleStats } from '../../src/stats/types.js';
import { output, rule, statsFile } from './fixtures.js';
import { parseExposition, valueOf } from './prometheus-format.js';

const DOCS = readFileSync(new URL('../../docs/stats.md', import.meta.url), 'utf8');
const NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

interface DocTable {
  heading: string;
  columns: string[];
  rows: string[][];
}

/** Every table of a markdown text, with the `###` heading it sits under. */
function tablesOf(markdown: string): DocTable[] {
  const tables: DocTable[] = [];
  let heading = '';
  let current: DocTable | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    if (!line.startsWith('|')) {
      current = undefined;
      continue;
    }
    const cells = line.trim().slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim());
    if (!current) {
      current = { heading, columns: cells, rows: [] };
      tables.push(current);
    } else if (!cells.every((cell) => /^-+$/.test(cell))) current.rows.push(cells);
  }
  return tables;
}

const TABLES = tablesOf(DOCS);

function table(heading: string, columns: string[]): DocTable {
  const found = TABLES.find((candidate) => candidate.heading === heading && candidate.columns.join('|') === columns.join('|'));
  if (!found) throw new Error(`docs/stats.md has no table | ${columns.join(' | ')} | under "### ${heading}"`);
  return found;
}

const WORKER_TABLE = table('`totals` and `workers`', ['counter', 'meaning', 'metric', '`mcr stats`']);
const RULE_TABLE = table('`rules[]`', ['field', 'rate', 'meaning', 'metric']);
const OUTPUT_TABLE = table('`rules[].outputs[]`', ['field', 'rate', 'meaning', 'metric']);
const PATH_TABLE = table('`rules[].paths[]`', ['field', 'rate', 'meaning', 'metric']);

/** The one row of a table about this counter, or a failure saying there is none, or two. */
function rowOf(t: Test, docs: DocTable, name: string, what: string): string[] | undefined {
  const rows = docs.rows.filter((row) => row[0] === `\`${name}\``);
  t.equal(rows.length, 1, `${what} ${name} has ${rows.length === 0 ? 'no' : 'more than one'} row in docs/stats.md ("### ${docs.heading}")`);
  return rows[0];
}

/** "rx {} frames" is "rx frames" in the docs. */
function totalsLabel(group: TotalsGroup): string {
  return TOTALS[group].text.replace('{}', '').replace(/\s+/g, ' ').trim();
}

// A file where every counter of every family has a value of its own.
const workerValues = Object.fromEntries(WORKER_COUNTERS.map((spec, i) => [spec.name, 100 + i]));
const ruleValues = Object.fromEntries(RULE_COUNTERS.map((spec, i) => [spec.name, 200 + i]));
const outputValues = Object.fromEntries(OUTPUT_COUNTERS.map((spec, i) => [spec.name, 300 + i]));
const pathValues = Object.fromEntries(PATH_COUNTERS.map((spec, i) => [spec.name, 400 + i]));
const paths = ['eth0 239.1.1.1:5000', 'eth2 239.1.1.1:5000'].map((at) => {
  const [name = '', group = ''] = at.split(' ');
  return { interface: name, group: group.split(':')[0] ?? '', port: 5000, source: null, timeoutMs: 200, ...pathValues } as PathStats;
});
// A rule with every setting a counter may belong to, so that every family has its sample.
const everySetting: Partial<RuleStats> = { ...ruleValues, health: { payload: 'rtp-mpegts', redundancy: 'failover', timeoutMs: 200 }, paths };
const STATS = statsFile({
  workers: [workerValues],
  rules: [rule('r', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000', outputValues as Partial<OutputStats>)], everySetting)],
});
const EXPOSITION = parseExposition(formatPrometheus(STATS));
const RULE_LABELS = { rule: 'r', interface: 'eth0', group: '239.1.1.1', port: '5000', source: '' };
const OUTPUT_LABELS = { rule: 'r', output_interface: 'eth1', output_group: '239.2.1.1', output_port: '5000' };
const PATH_LABELS = { rule: 'r', path: '1', interface: 'eth2', group: '239.1.1.1', port: '5000', source: '' };

function checkFamily(t: Test, what: string, metric: string, type: string, labels: Record<string, string>, value: number): void {
  const family = EXPOSITION.families.get(metric);
  t.ok(family?.help, `${what}: ${metric} has a HELP line`);
  t.equal(family?.type, type, `${what}: ${metric} has TYPE ${type}`);
  t.equal(valueOf(EXPOSITION, metric, labels), value, `${what}: its value is in ${metric}`);
}

t.test('the Prometheus text of a file with every counter is valid', async (t) => {
  t.same(EXPOSITION.problems, []);
});

t.test('every worker counter has a name, a Prometheus family with HELP and TYPE, and a row in docs/stats.md', async (t) => {
  t.ok(WORKER_COUNTERS.length > 0);
  for (const spec of WORKER_COUNTERS) {
    t.match(spec.name, NAME, `worker counter ${JSON.stringify(spec.name)} has a snake_case name`);
    const family = workerFamilyOf(spec);
    checkFamily(t, `worker counter ${spec.name}`, family.metric, family.type, { worker: '0', ...family.labels }, workerValues[spec.name] ?? NaN);
    const row = rowOf(t, WORKER_TABLE, spec.name, 'worker counter');
    if (!row) continue;
    const labels = Object.entries(family.labels).map(([key, value]) => `${key}="${value}"`);
    t.equal(row[2], `\`${family.metric}${labels.length > 0 ? `{${labels.join(',')}}` : ''}\``, `worker counter ${spec.name}: docs name its metric`);
    t.equal(row[3], spec.total ? totalsLabel(spec.total) : '', `worker counter ${spec.name}: docs name its mcr stats total`);
    t.ok(row[1], `worker counter ${spec.name}: docs say what it counts`);
  }
});

function checkTraffic(t: Test, what: string, specs: readonly TrafficCounterSpec[], docs: DocTable, labels: Record<string, string>, values: Record<string, number>): void {
  t.ok(specs.length > 0);
  for (const spec of specs) {
    t.match(spec.name, NAME, `${what} ${JSON.stringify(spec.name)} has a snake_case name`);
    checkFamily(t, `${what} ${spec.name}`, spec.metric, spec.type, labels, (values[spec.name] ?? NaN) * (spec.scale ?? 1));
    const row = rowOf(t, docs, spec.name, what);
    if (!row) continue;
    t.equal(row[1]?.split(' ')[0] ?? '', spec.rate ? `\`${spec.rate.field}\`` : '', `${what} ${spec.name}: docs name its rate`);
    t.ok(row[2], `${what} ${spec.name}: docs say what it counts`);
    t.equal(row[3], `\`${spec.metric}\``, `${what} ${spec.name}: docs name its metric`);
  }
}

t.test('every rule counter has a name, a Prometheus family with HELP and TYPE, and a row in docs/stats.md', async (t) => {
  checkTraffic(t, 'rule counter', RULE_COUNTERS, RULE_TABLE, RULE_LABELS, ruleValues);
});

t.test('every output counter has a name, a Prometheus family with HELP and TYPE, and a row in docs/stats.md', async (t) => {
  checkTraffic(t, 'output counter', OUTPUT_COUNTERS, OUTPUT_TABLE, OUTPUT_LABELS, outputValues);
});

t.test('every path counter has a name, a Prometheus family with HELP and TYPE, and a row in docs/stats.md', async (t) => {
  checkTraffic(t, 'path counter', PATH_COUNTERS, PATH_TABLE, PATH_LABELS, pathValues);
});

t.test('a rule without the setting a counter belongs to has no sample of it in Prometheus', async (t) => {
  const plain = parseExposition(formatPrometheus(statsFile({ rules: [rule('p', 'eth0 239.1.1.9:5000', [], ruleValues as Partial<RuleStats>)] })));
  for (const spec of RULE_COUNTERS) {
    const labels = { rule: 'p', interface: 'eth0', group: '239.1.1.9', port: '5000', source: '' };
    t.equal(valueOf(plain, spec.metric, labels) === undefined, spec.applies !== undefined, `${spec.metric}`);
  }
});

t.test('docs/stats.md describes no counter the list does not have', async (t) => {
  const cases: [DocTable, readonly { name: string }[]][] = [
    [WORKER_TABLE, WORKER_COUNTERS],
    [RULE_TABLE, RULE_COUNTERS],
    [OUTPUT_TABLE, OUTPUT_COUNTERS],
    [PATH_TABLE, PATH_COUNTERS],
  ];
  for (const [docs, specs] of cases) {
    const names = new Set(specs.map((spec) => `\`${spec.name}\``));
    t.same(docs.rows.map((row) => row[0]).filter((cell) => !names.has(cell ?? '')), [], `"### ${docs.heading}"`);
  }
});

t.test('the list holds together: distinct names and metrics, Prometheus conventions, a total for every drop', async (t) => {
  const metrics = new Map<string, string>();
  const claim = (metric: string, owner: string): void => {
    t.notOk(metrics.has(metric) && metrics.get(metric) !== owner, `${metric} belongs to ${metrics.get(metric)} and ${owner}`);
    metrics.set(metric, owner);
  };
  const families: [string, readonly { name: string }[]][] = [
    ['worker', WORKER_COUNTERS],
    ['rule', RULE_COUNTERS],
    ['output', OUTPUT_COUNTERS],
    ['path', PATH_COUNTERS],
  ];
  for (const [what, specs] of families) {
    const names = specs.map((spec) => spec.name);
    t.same(names.filter((name, i) => names.indexOf(name) !== i), [], `no ${what} counter twice`);
  }
  for (const spec of WORKER_COUNTERS) {
    const family = workerFamilyOf(spec);
    claim(family.metric, spec.family ?? `worker ${spec.name}`);
    t.equal(family.metric.endsWith('_total'), family.type === 'counter', `${family.metric}: _total exactly when it is a counter`);
    if (spec.family) t.ok(spec.total, `${spec.name} is a drop (${family.metric}), so mcr stats shows it in a total`);
  }
  for (const [what, specs] of [['rule', RULE_COUNTERS], ['output', OUTPUT_COUNTERS], ['path', PATH_COUNTERS]] as const) {
    for (const spec of specs) {
      claim(spec.metric, `${what} ${spec.name}`);
      t.equal(spec.metric.endsWith('_total'), spec.type === 'counter', `${spec.metric}: _total exactly when it is a counter`);
      t.ok(spec.help.length > 0, `${spec.metric} has a help text`);
      if (spec.rate) t.equal(spec.type, 'counter', `${what} ${spec.name}: only a counter has a rate`);
    }
  }
  for (const family of Object.values(WORKER_FAMILIES)) t.ok(family.help.length > 0, `${family.metric} has a help text`);
  for (const group of Object.keys(TOTALS) as TotalsGroup[]) {
    t.ok(WORKER_COUNTERS.some((spec) => spec.total === group), `the mcr stats total "${totalsLabel(group)}" has a counter`);
  }
});

t.test('over the workers, a counter is the sum and a gauge the largest value', async (t) => {
  const cases: [string, bigint[], CounterType, bigint][] = [
    ['no worker', [], 'counter', 0n],
    ['no worker', [], 'gauge', 0n],
    ['one worker', [7n], 'counter', 7n],
    ['one worker', [7n], 'gauge', 7n],
    ['three workers', [3n, 0n, 5n], 'counter', 8n],
    ['three workers, the flow on the last', [0n, 0n, 5n], 'gauge', 5n],
    ['beyond 2^53', [2n ** 60n, 1n], 'counter', 2n ** 60n + 1n],
  ];
  for (const [name, values, type, want] of cases) t.equal(combineWorkers(values, type), want, `${name}: ${type}`);
});
