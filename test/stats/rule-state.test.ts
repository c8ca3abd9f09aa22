// The rule state machine's table: every combination of facts that matters, and the
// memory RuleStates keeps between samples (a rule that ran is paused, not pending).
import t from 'tap';
import { outputState, RuleStates, ruleState, type OutputFacts, type RuleFacts } from '../../src/stats/rule-state.js';
import type { RuleStatus } from '../../src/dataplane.js';
import type { OutputState, RuleState } from '../../src/stats/types.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

const facts = (fields: Partial<RuleFacts>): RuleFacts => ({ enabled: true, plane: 'active', wasActive: false, inputDown: false, ...fields });

t.test('a rule is in the first state whose facts hold', async (t) => {
  const cases: [string, Partial<RuleFacts>, RuleState][] = [
    ['running on a link that is up', {}, 'active'],
    ['running, and it ran before', { wasActive: true }, 'active'],
    ['disabled in the file, whatever the data plane says', { enabled: false, plane: 'error' }, 'disabled'],
    ['disabled and unknown to the data plane', { enabled: false, plane: undefined }, 'disabled'],
    ['unknown to the data plane', { plane: undefined }, 'error'],
    ['refused by the data plane', { plane: 'error', wasActive: true }, 'error'],
    ['waiting for an interface it never had', { plane: 'pending' }, 'pending'],
    ['waiting for an interface it had before', { plane: 'pending', wasActive: true }, 'paused'],
    ['waiting for an interface it never had, whatever its link says', { plane: 'pending', inputDown: true }, 'pending'],
    ['open on an input link that is down', { inputDown: true }, 'paused'],
  ];
  for (const [what, given, expected] of cases) t.equal(ruleState(facts(given)), expected, what);
});

t.test('an output is active, pending, down, resolving or in error', async (t) => {
  const cases: [string, OutputFacts, OutputState][] = [
    ['open on a link that is up', { enabled: true, plane: 'active', down: false }, 'active'],
    ['open on a link that is down', { enabled: true, plane: 'active', down: true }, 'down'],
    ['waiting for its interface', { enabled: true, plane: 'pending', down: false }, 'pending'],
    ['waiting, on a link named down', { enabled: true, plane: 'pending', down: true }, 'pending'],
    ['refused by the data plane', { enabled: true, plane: 'error', down: false }, 'error'],
    ['unknown to the data plane', { enabled: true, plane: undefined, down: false }, 'error'],
    ['of a disabled rule', { enabled: false, plane: undefined, down: false }, 'pending'],
    ['waiting for its next hop\'s MAC', { enabled: true, plane: 'resolving', down: false }, 'resolving'],
    ['waiting for a next hop behind a link that is down', { enabled: true, plane: 'resolving', down: true }, 'down'],
    ['resolving, in a disabled rule', { enabled: false, plane: 'resolving', down: false }, 'pending'],
  ];
  for (const [what, given, expected] of cases) t.equal(outputState(given), expected, what);
});

t.test('a rule that has been active is paused, not pending, when its interface goes away', async (t) => {
  const ruleSet = ruleSetOf(
    rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.2:5000'),
    '[[rule]]\nname = "off"\nenabled = false\ninput = { interface = "in1", group = "239.1.1.2", port = 5000 }\noutputs = [ { interface = "out0", group = "239.2.2.3", port = 5000 } ]',
  );
  const key = 'in0|239.1.1.1|5000|*';
  const status = (state: RuleStatus['state'], error = ''): RuleStatus[] => [
    {
      key,
      state,
      error,
      ifindex: state === 'active' ? 7 : 0,
      outputs: [
        { key: 'out0|239.2.2.1|5000|1|-', state: 'active', error: '', egress: 'frame' },
        { key: 'out1|239.2.2.2|5000|1|-', state: 'error', error: 'no such device', egress: '' },
      ],
    },
  ];
  const states = new RuleStates();
  const none = () => false;
  t.equal(states.observe(ruleSet, status('pending'), none).get(key)?.state, 'pending', 'never active yet');
  const active = states.observe(ruleSet, status('active'), (name) => name === 'out0');
  t.equal(active.get(key)?.state, 'active');
  t.same([...(active.get(key)?.outputs ?? [])], [
    ['out0|239.2.2.1|5000|1|-', { state: 'down', error: '', egress: 'frame' }],
    ['out1|239.2.2.2|5000|1|-', { state: 'error', error: 'no such device', egress: '' }],
  ]);
  t.equal(states.observe(ruleSet, status('pending'), none).get(key)?.state, 'paused', 'remembered as having run');
  t.same(states.observe(ruleSet, status('error', 'bad'), none).get(key), {
    state: 'error',
    error: 'bad',
    outputs: new Map([
      ['out0|239.2.2.1|5000|1|-', { state: 'active', error: '', egress: 'frame' }],
      ['out1|239.2.2.2|5000|1|-', { state: 'error', error: 'no such device', egress: '' }],
    ]),
  });
  const disabled = states.observe(ruleSet, status('active'), none).get('in1|239.1.1.2|5000|*');
  t.same(disabled, { state: 'disabled', error: '', outputs: new Map([['out0|239.2.2.3|5000|1|-', { state: 'pending', error: '', egress: '' }]]) });
});
