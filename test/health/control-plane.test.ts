// The control plane's side of stream health, without a data plane: what a rule with
// several inputs is (its identity, its name), which changes the reload plan makes in
// place, the stalled state and its log lines, and the INPUT column of `mcr stats`.
import t from 'tap';
import { diff } from '../../src/diff.js';
import { toNativeRule } from '../../src/dataplane.js';
import { StallLog } from '../../src/daemon/stall-log.js';
import { ruleState } from '../../src/stats/rule-state.js';
import { summaryLine } from '../../src/stats/sample.js';
import { inputVerdict, renderTable } from '../../src/stats/table.js';
import { ruleSetOf } from '../helpers/ruleset.js';
import { output, rule, statsFile, TIME } from '../stats/fixtures.js';

const OUT = 'outputs = [ { interface = "out0", group = "239.2.2.2", port = 5000 } ]';
const input = (iface: string, extra = '') => `{ interface = "${iface}", group = "239.1.1.1", port = 5000${extra} }`;
const redundant = (first: string, second: string, ...extra: string[]) => ['[[rule]]', `inputs = [ ${input(first)}, ${input(second)} ]`, 'redundancy = "failover"', ...extra, OUT];

t.test('a rule with several inputs is identified by its inputs in order, and named after its primary', async (t) => {
  const [one] = ruleSetOf(...redundant('in0', 'in1')).rules;
  t.equal(one?.key, 'in0|239.1.1.1|5000|* + in1|239.1.1.1|5000|*');
  t.equal(one?.name, 'in0 239.1.1.1:5000 (+1)');
  t.same(one?.inputs.map((i) => i.timeoutMs), [200, 200], 'inputs of a redundant rule are watched with 200 ms by default');
  const [single] = ruleSetOf('[[rule]]', `input = ${input('in0')}`, OUT).rules;
  t.equal(single?.key, 'in0|239.1.1.1|5000|*', 'a rule with one input keeps the key it always had');
  t.same(single?.inputs.map((i) => i.timeoutMs), [null], 'and is not watched unless told');
  const [daemonDefault] = ruleSetOf('[daemon]', 'input_timeout_ms = 750', '[[rule]]', `input = ${input('in0')}`, OUT).rules;
  t.same(daemonDefault?.inputs.map((i) => i.timeoutMs), [750], '[daemon] input_timeout_ms is the default');
});

t.test('swapping primary and backup is another flow; a health setting or a timeout is changed in place', async (t) => {
  const before = ruleSetOf(...redundant('in0', 'in1'));
  const swapped = diff(before, ruleSetOf(...redundant('in1', 'in0')));
  t.same([swapped.added.length, swapped.removed.length, swapped.changed.length], [1, 1, 0]);
  const reverted = diff(before, ruleSetOf(...redundant('in0', 'in1', 'revert_after_ms = "never"')));
  t.same([reverted.added.length, reverted.removed.length, reverted.changed.length], [0, 0, 1]);
  t.same([reverted.changed[0]?.health, reverted.changed[0]?.outputs.added.length], [true, 0], 'health changed, outputs kept');
  const timeout = diff(before, ruleSetOf('[[rule]]', `inputs = [ ${input('in0', ', timeout_ms = 50')}, ${input('in1')} ]`, 'redundancy = "failover"', OUT));
  t.same([timeout.changed.length, timeout.changed[0]?.health], [1, true], 'a timeout is a health setting');
  const same = diff(before, ruleSetOf(...redundant('in0', 'in1')));
  t.same([same.unchanged.length, same.changed.length], [1, 0]);
});

t.test('the data plane is given every input with its timeout, and the health settings', async (t) => {
  const [one] = ruleSetOf('[[rule]]', `inputs = [ ${input('in0', ', timeout_ms = 50')}, ${input('in1')} ]`, 'redundancy = "merge"', 'payload = "rtp-mpegts"', 'merge_window_ms = 40', OUT).rules;
  if (!one) throw new Error('no rule');
  const native = toNativeRule(one);
  t.same(native.inputs, [
    { interface: 'in0', group: '239.1.1.1', port: 5000, source: null, timeoutMs: 50 },
    { interface: 'in1', group: '239.1.1.1', port: 5000, source: null, timeoutMs: 200 },
  ]);
  t.same(native.health, { payload: 'rtp-mpegts', clockRate: 0, redundancy: 'merge', revertAfterMs: null, mergeWindowMs: 40 });
});

t.test('a rule whose inputs are all silent is stalled, after the states that explain more', async (t) => {
  const facts = { enabled: true, plane: 'active' as const, wasActive: true, inputDown: false };
  t.equal(ruleState({ ...facts, stalled: true }), 'stalled');
  t.equal(ruleState({ ...facts, stalled: true, inputDown: true }), 'paused', 'a link that is down says more');
  t.equal(ruleState({ ...facts, stalled: false }), 'active');
});

t.test('a stall is logged once when it starts and once when it ends, with its length', async (t) => {
  const log = new StallLog();
  const cam = (state: 'active' | 'stalled') => rule('cam', 'eth0 239.1.1.1:5000', [], { state, health: { payload: 'rtp', redundancy: null, timeoutMs: 300 } });
  t.same(log.observe([cam('active')], 0), []);
  t.same(log.observe([cam('stalled')], 1000), [{ level: 'warn', message: 'rule "cam" stalled: no datagram on any input for 300 ms' }]);
  t.same(log.observe([cam('stalled')], 2000), [], 'not again while it lasts');
  t.same(log.observe([cam('active')], 3500), [{ level: 'info', message: 'rule "cam" no longer stalled (receiving again) after 2.5 s' }]);
  t.same(log.observe([cam('active')], 4000), []);
  const stats = statsFile({ rules: [cam('stalled'), rule('b', 'eth0 239.1.1.2:5000', [])] });
  t.equal(summaryLine(stats), '1/2 rules active, 1 stalled, 0 pps in, generation 3', 'STATUS= says how many are stalled');
});

t.test('mcr stats shows an INPUT column only when a rule looks at its stream: clean, or what was wrong', async (t) => {
  const health = { payload: 'rtp-mpegts' as const, redundancy: null, timeoutMs: null };
  t.equal(inputVerdict(rule('a', 'eth0 239.1.1.1:5000', [], { health })), 'clean');
  t.equal(inputVerdict(rule('a', 'eth0 239.1.1.1:5000', [], { health, rtp_lost: 12, ts_cc_errors: 3 })), '12 lost, 3 CC err');
  t.equal(inputVerdict(rule('a', 'eth0 239.1.1.1:5000', [])), '', 'not looked at: nothing said');
  const plain = renderTable(statsFile({ rules: [rule('a', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')])] }), { now: Date.parse(TIME) });
  t.notOk(plain.some((line) => line.includes('INPUT')), 'a table without stream checks keeps its columns');
  const looked = renderTable(statsFile({ rules: [rule('a', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')], { health, rtp_lost: 12 })] }), { now: Date.parse(TIME) });
  const heading = looked.find((line) => line.startsWith('RULE')) ?? '';
  t.match(heading, /DROPS\s+INPUT$/);
  t.ok(looked.some((line) => line.startsWith('a ') && line.endsWith('12 lost')), looked.join('\n'));
});
