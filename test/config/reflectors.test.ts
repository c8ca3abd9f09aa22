// A [[reflector]] as the flows it becomes: one per interface of `from` and family, out
// of every other interface of `to`; its defaults (preserve, the service's TTL, a loop
// window); its policy; and the reload plans it makes (adding an interface disturbs no
// running output, a policy change keeps every output).
import t from 'tap';
import { describeInput } from '../../src/config/endpoints.js';
import { outputKey } from '../../src/config/ruleset.js';
import { formatPlan } from '../../src/cli/format-plan.js';
import { diff } from '../../src/diff.js';
import { ruleSetOf } from '../helpers/ruleset.js';

const flowsOf = (...lines: string[]) =>
  ruleSetOf(...lines).rules.map((rule) => ({
    name: rule.name,
    input: describeInput(rule.input),
    outputs: rule.outputs.map((output) => `${output.interface} ${output.directed ? 'broadcast' : output.group.text}:${output.port} ttl ${output.ttl} ${output.sourceAddress === 'preserve' ? 'preserve' : 'interface'}`),
  }));

t.test('an mDNS reflector over three segments is one flow per interface and family, never sent back where it came from', async (t) => {
  t.same(flowsOf('[[reflector]]', 'service = "mdns"', 'interfaces = ["lan", "iot", "guest"]'), [
    { name: 'mdns: lan 224.0.0.251:5353', input: 'lan 224.0.0.251:5353', outputs: ['iot 224.0.0.251:5353 ttl 255 preserve', 'guest 224.0.0.251:5353 ttl 255 preserve'] },
    { name: 'mdns: lan [ff02::fb]:5353', input: 'lan [ff02::fb]:5353', outputs: ['iot ff02::fb:5353 ttl 255 preserve', 'guest ff02::fb:5353 ttl 255 preserve'] },
    { name: 'mdns: iot 224.0.0.251:5353', input: 'iot 224.0.0.251:5353', outputs: ['lan 224.0.0.251:5353 ttl 255 preserve', 'guest 224.0.0.251:5353 ttl 255 preserve'] },
    { name: 'mdns: iot [ff02::fb]:5353', input: 'iot [ff02::fb]:5353', outputs: ['lan ff02::fb:5353 ttl 255 preserve', 'guest ff02::fb:5353 ttl 255 preserve'] },
    { name: 'mdns: guest 224.0.0.251:5353', input: 'guest 224.0.0.251:5353', outputs: ['lan 224.0.0.251:5353 ttl 255 preserve', 'iot 224.0.0.251:5353 ttl 255 preserve'] },
    { name: 'mdns: guest [ff02::fb]:5353', input: 'guest [ff02::fb]:5353', outputs: ['lan ff02::fb:5353 ttl 255 preserve', 'iot ff02::fb:5353 ttl 255 preserve'] },
  ]);
});

t.test('from, to, family, source, ttl and group = "broadcast" shape the flows', async (t) => {
  t.same(flowsOf('[[reflector]]', 'name = "iot to lan"', 'service = "ssdp"', 'family = "ipv4"', 'interfaces = ["lan", "iot", "guest"]', 'from = ["iot"]', 'to = ["lan"]', 'source = "interface"'), [
    { name: 'iot to lan: iot 239.255.255.250:1900', input: 'iot 239.255.255.250:1900', outputs: ['lan 239.255.255.250:1900 ttl 2 interface'] },
  ]);
  t.same(flowsOf('[[reflector]]', 'group = "broadcast"', 'port = 9', 'ttl = 3', 'interfaces = ["a0", "b0"]'), [
    { name: 'broadcast:9: a0 255.255.255.255:9', input: 'a0 255.255.255.255:9', outputs: ['b0 broadcast:9 ttl 3 preserve'] },
    { name: 'broadcast:9: b0 255.255.255.255:9', input: 'b0 255.255.255.255:9', outputs: ['a0 broadcast:9 ttl 3 preserve'] },
  ]);
});

t.test("a reflector's flows carry its policy, with the defaults filled in", async (t) => {
  const [flow] = ruleSetOf('[[reflector]]', 'name = "r"', 'group = "239.1.2.3"', 'port = 7', 'interfaces = ["a0", "b0"]', 'allow_sources = ["10.0.0.0/8", "fd00::/8"]', 'deny_sources = ["10.9.9.9"]', 'rate_limit = { pps = 200 }').rules;
  t.same(
    { ...flow!.policy, allowSources: flow!.policy!.allowSources.map((p) => p.text), denySources: flow!.policy!.denySources.map((p) => p.text) },
    { group: 'r', allowSources: ['10.0.0.0/8', 'fd00::/8'], denySources: ['10.9.9.9/32'], rateLimit: { pps: 200, burst: 200 }, loopWindowMs: 200 },
  );
  t.same(flow!.reflector, { name: 'r', service: '239.1.2.3:7', interfaces: ['a0', 'b0'], index: 0 });
  t.equal(ruleSetOf('[[rule]]', 'input = { interface = "a0", group = "239.1.1.1", port = 5 }', 'outputs = [ { interface = "b0", group = "239.1.1.1", port = 5 } ]').rules[0]!.policy, undefined, 'ordinary rules have none');
});

t.test('adding an interface to a reflector adds its flow and one output to each other flow, keeping every running output', async (t) => {
  const before = ruleSetOf('[[reflector]]', 'service = "mdns"', 'family = "ipv4"', 'interfaces = ["lan", "iot"]');
  const after = ruleSetOf('[[reflector]]', 'service = "mdns"', 'family = "ipv4"', 'interfaces = ["lan", "iot", "guest"]');
  const plan = diff(before, after);
  t.same(plan.added.map((rule) => rule.name), ['mdns: guest 224.0.0.251:5353']);
  t.same(plan.removed, []);
  t.same(plan.changed.map((change) => [change.after.name, change.outputs.added.map(outputKey), change.outputs.removed.length, change.outputs.kept.length]), [
    ['mdns: lan 224.0.0.251:5353', ['guest|224.0.0.251|5353|255|preserve'], 0, 1],
    ['mdns: iot 224.0.0.251:5353', ['guest|224.0.0.251|5353|255|preserve'], 0, 1],
  ]);
});

t.test('a policy change alone changes the flows and keeps their outputs; mcr check --diff shows it', async (t) => {
  const lines = ['[[reflector]]', 'name = "home"', 'service = "mdns"', 'family = "ipv4"', 'interfaces = ["lan", "iot"]'];
  const plan = diff(ruleSetOf(...lines), ruleSetOf(...lines, 'rate_limit = { pps = 100, burst = 300 }'));
  t.same(plan.changed.map((change) => [change.after.name, change.outputs.added.length, change.outputs.removed.length, change.outputs.kept.length]), [
    ['home: lan 224.0.0.251:5353', 0, 0, 1],
    ['home: iot 224.0.0.251:5353', 0, 0, 1],
  ]);
  t.same(formatPlan(plan), [
    '  change   home: lan 224.0.0.251:5353  [lan 224.0.0.251:5353]: 0 added, 0 removed, 1 kept',
    '             policy allow -, deny -, rate none, loop 200 ms -> allow -, deny -, rate 100/300, loop 200 ms',
    '  change   home: iot 224.0.0.251:5353  [iot 224.0.0.251:5353]: 0 added, 0 removed, 1 kept',
    '             policy allow -, deny -, rate none, loop 200 ms -> allow -, deny -, rate 100/300, loop 200 ms',
    '0 added, 0 removed, 2 changed, 0 unchanged, 0 renamed, 0 settings changed',
  ]);
  t.same(diff(ruleSetOf(...lines), ruleSetOf(...lines)).unchanged.length, 2, 'the same file changes nothing');
});
