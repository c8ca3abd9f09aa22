import t from 'tap';
import { describeOutput } from '../src/cli/format-plan.js';
import { changesFlows, diff, type Plan } from '../src/diff.js';
import { rule, ruleSetOf } from './helpers/ruleset.js';

/** The plan in a compact form that reads well in a table. */
function summary(plan: Plan) {
  return {
    added: plan.added.map((r) => r.name),
    removed: plan.removed.map((r) => r.name),
    changed: plan.changed.map((c) => ({
      name: c.after.name,
      added: c.outputs.added.map(describeOutput),
      removed: c.outputs.removed.map(describeOutput),
      kept: c.outputs.kept.map(describeOutput),
    })),
    unchanged: plan.unchanged.map((r) => r.name),
    renamed: plan.renamed.map((r) => [r.from, r.to]),
    daemon: plan.daemon.map((d) => [d.setting, d.before, d.after, d.needsRestart]),
    flowChange: changesFlows(plan),
  };
}

const NONE = { added: [], removed: [], changed: [], unchanged: [], renamed: [], daemon: [], flowChange: false };

const A = rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 239.3.3.1:5000');
const B = rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000');
const C = rule('c', 'eth0 239.1.1.3:5000', 'eth1 239.2.2.3:5000');

const CASES: { name: string; before: string[]; after: string[]; expect: Partial<ReturnType<typeof summary>> }[] = [
  { name: 'the same file', before: [A, B], after: [A, B], expect: { unchanged: ['a', 'b'] } },
  { name: 'an empty file to an empty file', before: [], after: [], expect: {} },
  { name: 'a rule is added', before: [A], after: [A, B], expect: { added: ['b'], unchanged: ['a'], flowChange: true } },
  { name: 'a rule is removed', before: [A, B], after: [A], expect: { removed: ['b'], unchanged: ['a'], flowChange: true } },
  { name: 'every rule is removed', before: [A, B], after: [], expect: { removed: ['a', 'b'], flowChange: true } },
  {
    name: 'a rule is renamed: a label change, not a flow change',
    before: [A, B],
    after: [A, rule('b-renamed', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000')],
    expect: { unchanged: ['a', 'b-renamed'], renamed: [['b', 'b-renamed']] },
  },
  { name: 'rules are reordered', before: [A, B, C], after: [C, A, B], expect: { unchanged: ['c', 'a', 'b'] } },
  {
    name: "a rule's outputs are reordered",
    before: [A],
    after: [rule('a', 'eth0 239.1.1.1:5000', 'eth2 239.3.3.1:5000', 'eth1 239.2.2.1:5000')],
    expect: { unchanged: ['a'] },
  },
  {
    name: 'the file is reformatted (tables instead of inline tables, comments, hex port)',
    before: [B],
    after: [
      '# reformatted',
      '[[rule]]',
      'name = "b"',
      '  [rule.input]',
      '  port = 0x1388',
      '  group = "239.1.1.2"',
      '  interface = "eth0"',
      '  [[rule.outputs]]',
      '  interface = "eth1"',
      '  group = "239.2.2.2"',
      '  port = 5000',
      '  ttl = 1 # the default, written out',
    ],
    expect: { unchanged: ['b'] },
  },
  {
    name: 'an output is added: the others are kept',
    before: [A],
    after: [rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 239.3.3.1:5000', 'eth3 239.4.4.1:5000')],
    expect: {
      changed: [
        { name: 'a', added: ['eth3 239.4.4.1:5000 ttl 1'], removed: [], kept: ['eth1 239.2.2.1:5000 ttl 1', 'eth2 239.3.3.1:5000 ttl 1'] },
      ],
      flowChange: true,
    },
  },
  {
    name: 'an output is removed: the others are kept',
    before: [A],
    after: [rule('a', 'eth0 239.1.1.1:5000', 'eth2 239.3.3.1:5000')],
    expect: { changed: [{ name: 'a', added: [], removed: ['eth1 239.2.2.1:5000 ttl 1'], kept: ['eth2 239.3.3.1:5000 ttl 1'] }], flowChange: true },
  },
  {
    name: 'one output is replaced by another, and the rule is renamed in the same edit',
    before: [A],
    after: [rule('a2', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth5 10.0.5.5:6000')],
    expect: {
      changed: [{ name: 'a2', added: ['eth5 10.0.5.5:6000 ttl 64'], removed: ['eth2 239.3.3.1:5000 ttl 1'], kept: ['eth1 239.2.2.1:5000 ttl 1'] }],
      renamed: [['a', 'a2']],
      flowChange: true,
    },
  },
  {
    name: "an output's TTL changes: it is a different output",
    before: [B],
    after: [rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000 ttl 8')],
    expect: { changed: [{ name: 'b', added: ['eth1 239.2.2.2:5000 ttl 8'], removed: ['eth1 239.2.2.2:5000 ttl 1'], kept: [] }], flowChange: true },
  },
  {
    name: "an output's egress kind changes: a changed output, and its rule's other outputs are kept",
    before: [A],
    after: [rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000 egress socket', 'eth2 239.3.3.1:5000')],
    expect: {
      changed: [{ name: 'a', added: ['eth1 239.2.2.1:5000 ttl 1 egress socket'], removed: ['eth1 239.2.2.1:5000 ttl 1'], kept: ['eth2 239.3.3.1:5000 ttl 1'] }],
      flowChange: true,
    },
  },
  {
    name: "an output's DSCP or source policy changes: a changed output",
    before: [B],
    after: [rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000 from preserve dscp 46')],
    expect: { changed: [{ name: 'b', added: ['eth1 239.2.2.2:5000 ttl 1 from the sender dscp 46'], removed: ['eth1 239.2.2.2:5000 ttl 1'], kept: [] }], flowChange: true },
  },
  {
    name: 'explicit defaults (egress auto, DSCP 0) change nothing',
    before: [B],
    after: [rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000 dscp 0 egress auto')],
    expect: { unchanged: ['b'] },
  },
  {
    name: '[daemon] egress changes: a live setting, and the outputs that take it change; outputs with their own are kept',
    before: [B, C],
    after: ['[daemon]', 'egress = "socket"', B, rule('c', 'eth0 239.1.1.3:5000', 'eth1 239.2.2.3:5000 egress auto')],
    expect: {
      changed: [{ name: 'b', added: ['eth1 239.2.2.2:5000 ttl 1 egress socket'], removed: ['eth1 239.2.2.2:5000 ttl 1'], kept: [] }],
      unchanged: ['c'],
      daemon: [['egress', 'auto', 'socket', false]],
      flowChange: true,
    },
  },
  {
    name: "a rule's input group changes: the old flow is removed and a new one added",
    before: [B],
    after: [rule('b', 'eth0 239.1.1.99:5000', 'eth1 239.2.2.2:5000')],
    expect: { added: ['b'], removed: ['b'], flowChange: true },
  },
  {
    name: "a rule's input interface changes: remove and add",
    before: [B],
    after: [rule('b', 'eth9 239.1.1.2:5000', 'eth1 239.2.2.2:5000')],
    expect: { added: ['b'], removed: ['b'], flowChange: true },
  },
  {
    name: 'a source filter is added to an input: remove and add',
    before: [B],
    after: [rule('b', 'eth0 239.1.1.2:5000 from 10.0.0.9', 'eth1 239.2.2.2:5000')],
    expect: { added: ['b'], removed: ['b'], flowChange: true },
  },
  {
    name: 'a rule is disabled: its flow is removed',
    before: [A, B],
    after: [A, B.replace('[[rule]]', '[[rule]]\nenabled = false')],
    expect: { removed: ['b'], unchanged: ['a'], flowChange: true },
  },
  {
    name: 'a disabled rule is enabled: its flow is added',
    before: [A, B.replace('[[rule]]', '[[rule]]\nenabled = false')],
    after: [A, B],
    expect: { added: ['b'], unchanged: ['a'], flowChange: true },
  },
  {
    name: 'a disabled rule is edited: nothing runs, nothing changes',
    before: [B.replace('[[rule]]', '[[rule]]\nenabled = false')],
    after: [rule('b', 'eth0 239.1.1.2:5000', 'eth7 239.7.7.7:5000').replace('[[rule]]', '[[rule]]\nenabled = false')],
    expect: {},
  },
  {
    name: 'a live daemon setting changes',
    before: ['[daemon]', 'log_level = "info"', A],
    after: ['[daemon]', 'log_level = "debug"', 'stats_interval = 5', A],
    expect: {
      unchanged: ['a'],
      daemon: [
        ['statsInterval', 1, 5, false],
        ['logLevel', 'info', 'debug', false],
      ],
    },
  },
  {
    name: 'the worker count changes: the data plane needs a restart',
    before: [A],
    after: ['[daemon]', 'workers = 2', 'cpus = [0, 1]', A],
    expect: {
      unchanged: ['a'],
      daemon: [
        ['workers', 'auto', 2, true],
        ['cpus', null, [0, 1], true],
      ],
    },
  },
  {
    name: 'writing a default explicitly is not a change',
    before: [A],
    after: ['[daemon]', 'workers = "auto"', 'stats_interval = 1', 'stats_file = "/run/mcr/stats.json"', 'log_level = "info"', A],
    expect: { unchanged: ['a'] },
  },
];

for (const testCase of CASES) {
  t.test(`diff: ${testCase.name}`, async (t) => {
    const plan = diff(ruleSetOf(...testCase.before), ruleSetOf(...testCase.after));
    t.same(summary(plan), { ...NONE, ...testCase.expect });
  });
}

t.test('diff lists the disabled rules of the next file', async (t) => {
  const plan = diff(ruleSetOf(A), ruleSetOf(A, B.replace('[[rule]]', '[[rule]]\nenabled = false')));
  t.same(
    plan.disabled.map((r) => r.name),
    ['b'],
  );
});

t.test('a changed rule carries both versions, for the data plane to swap outputs', async (t) => {
  const plan = diff(ruleSetOf(A), ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')));
  const change = plan.changed[0];
  t.equal(change?.before.outputs.length, 2);
  t.equal(change?.after.outputs.length, 1);
  t.equal(change?.before.key, change?.after.key);
});
