import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import { SCHEMA_URL } from '../../src/config/schema.js';
import { outputKey } from '../../src/config/ruleset.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

t.test('an empty file is valid, has no rules, and gets every default from the schema', async (t) => {
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
  const daemon = schema.$defs.daemon.properties;
  const ruleSet = ruleSetOf('');
  t.same(ruleSet.rules, []);
  t.same(ruleSet.daemon, {
    workers: daemon.workers.default,
    cpus: null,
    statsInterval: daemon.stats_interval.default,
    statsFile: daemon.stats_file.default,
    prometheusFile: null,
    backend: daemon.backend.default,
    ringMs: daemon.ring_ms.default,
    egress: daemon.egress.default,
    inputTimeoutMs: null,
    logLevel: daemon.log_level.default,
  });
  t.equal(ruleSet.daemon.statsFile, '/run/mcr/stats.json');
});

t.test('daemon settings are read as written', async (t) => {
  const ruleSet = ruleSetOf(
    '[daemon]',
    'workers = 2',
    'cpus = [1, 0]',
    'stats_interval = 0.5',
    'stats_file = "/tmp/s.json"',
    'prometheus_file = "/var/lib/node_exporter/mcr.prom"',
    'backend = "syscalls"',
    'ring_ms = 80',
    'egress = "socket"',
    'log_level = "debug"',
  );
  t.same(ruleSet.daemon, {
    workers: 2,
    cpus: [1, 0],
    statsInterval: 0.5,
    statsFile: '/tmp/s.json',
    prometheusFile: '/var/lib/node_exporter/mcr.prom',
    backend: 'syscalls',
    ringMs: 80,
    egress: 'socket',
    inputTimeoutMs: null,
    logLevel: 'debug',
  });
});

t.test("an output's egress, DSCP and source: its own, or [daemon] egress, and the defaults", async (t) => {
  const outputs = (...lines: string[]) =>
    ruleSetOf(...lines).rules[0]?.outputs.map((o) => [o.egress, o.dscp, o.sourceAddress === null || o.sourceAddress === 'preserve' ? o.sourceAddress : o.sourceAddress.text]);
  const one = rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth1 239.2.2.2:5000 from preserve dscp 46 egress frame', 'eth1 10.0.0.9:5000 from 10.0.0.1 egress socket');
  t.same(outputs(one), [['auto', 0, null], ['frame', 46, 'preserve'], ['socket', 0, '10.0.0.1']], 'defaults: auto, best effort, the interface\'s address');
  t.same(outputs('[daemon]', 'egress = "socket"', rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth1 239.2.2.2:5000 egress auto')), [['socket', 0, null], ['auto', 0, null]], '[daemon] egress is the default, and an output may set auto against it');
});

t.test('egress, DSCP and the source policy are part of an output\'s identity; their defaults leave keys as they were', async (t) => {
  const keys = (...outputs: string[]) => ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', ...outputs)).rules[0]?.outputs.map(outputKey);
  t.same(keys('eth1 239.2.2.1:5000', 'eth1 239.2.2.2:5000 dscp 0 egress auto'), ['eth1|239.2.2.1|5000|1|-', 'eth1|239.2.2.2|5000|1|-']);
  t.same(keys('eth1 239.2.2.1:5000 from preserve', 'eth1 239.2.2.2:5000 from 10.0.0.1 dscp 46 egress socket', 'eth1 239.2.2.3:5000 egress frame'), [
    'eth1|239.2.2.1|5000|1|preserve',
    'eth1|239.2.2.2|5000|1|10.0.0.1|egress=socket|dscp=46',
    'eth1|239.2.2.3|5000|1|-|egress=frame',
  ]);
  const inherited = ruleSetOf('[daemon]', 'egress = "frame"', rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')).rules[0]?.outputs.map(outputKey);
  t.same(inherited, ['eth1|239.2.2.1|5000|1|-|egress=frame'], 'an inherited egress is the output\'s egress');
});

t.test('TTL defaults to 1 for multicast outputs and 64 for unicast outputs', async (t) => {
  const ruleSet = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.2:5000', 'eth2 10.9.0.7:6000', 'eth3 239.3.3.3:5000 ttl 16'));
  t.same(
    ruleSet.rules[0]?.outputs.map((output) => output.ttl),
    [1, 64, 16],
  );
});

t.test('a rule without a name is named after its input', async (t) => {
  const ruleSet = ruleSetOf(rule(null, 'eth0 232.1.1.1:5000 from 10.0.0.9', 'eth1 239.2.2.2:5000'));
  t.equal(ruleSet.rules[0]?.name, 'eth0 232.1.1.1:5000 from 10.0.0.9');
  t.equal(ruleSet.rules[0]?.key, 'eth0|232.1.1.1|5000|10.0.0.9');
});

t.test('link-local groups, TTL 1, unicast in and out, and disabled rules are all accepted', async (t) => {
  const ruleSet = ruleSetOf(
    rule('mdns', 'eth0 224.0.0.251:5353', 'eth1 224.0.0.251:5353 ttl 1'),
    rule('ssdp', 'eth0 239.255.255.250:1900', 'eth1 239.255.255.250:1900'),
    rule('to-unicast', 'eth0 239.1.1.1:5000', 'wg0 10.8.0.2:5000'),
    rule('to-multicast', 'eth0 192.168.7.1:7000', 'eth1 239.7.7.7:7000'),
    '[[rule]]',
    'name = "off"',
    'enabled = false',
    'input = { interface = "eth0", group = "239.9.9.9", port = 9 }',
    'outputs = [ { interface = "eth1", group = "239.9.9.10", port = 9 } ]',
  );
  t.same(
    ruleSet.rules.map((r) => [r.name, r.enabled]),
    [
      ['mdns', true],
      ['ssdp', true],
      ['to-unicast', true],
      ['to-multicast', true],
      ['off', false],
    ],
  );
});

t.test('a source-specific rule and an any-source rule may share a group', async (t) => {
  const ruleSet = ruleSetOf(
    rule('any', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.2:5000'),
    rule('one', 'eth0 239.1.1.1:5000 from 10.0.0.9', 'eth2 239.2.2.2:5000'),
  );
  t.same(
    ruleSet.rules.map((r) => r.key),
    ['eth0|239.1.1.1|5000|*', 'eth0|239.1.1.1|5000|10.0.0.9'],
  );
});

t.test('inline tables, tables, arrays of tables and dotted keys give the same rules', async (t) => {
  const inline = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.2:5000'));
  const tables = ruleSetOf(
    '[[rule]]',
    'name = "a"',
    '[rule.input]',
    'interface = "eth0"',
    'group = "239.1.1.1"',
    'port = 5000',
    '[[rule.outputs]]',
    'interface = "eth1"',
    "group = '239.2.2.2'",
    'port = 5_000',
  );
  const dotted = ruleSetOf(
    '\uFEFF# a comment, after a byte order mark',
    '[[rule]]',
    'name = "a"',
    'input.interface = "eth0"',
    'input.group = "239.1.1.1"',
    'input.port = 0x1388',
    'outputs = [',
    '  { interface = "eth1", group = "239.2.2.2", port = 5000 },',
    ']',
  );
  t.same(tables, inline);
  t.same(dotted, inline);
});

t.test('the RuleSet is frozen all the way down', async (t) => {
  const ruleSet = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.2:5000'));
  t.ok(Object.isFrozen(ruleSet));
  t.ok(Object.isFrozen(ruleSet.rules));
  t.ok(Object.isFrozen(ruleSet.rules[0]?.outputs[0]));
  t.throws(() => {
    (ruleSet.rules as unknown as unknown[]).push({});
  }, TypeError);
});

t.test('parseConfig reports the file name it was given', async (t) => {
  const result = parseConfig('[daemon]\nworkers = 0\n', '/etc/mcr.toml');
  t.equal(result.ok, false);
  if (!result.ok) t.equal(result.errors[0]?.file, '/etc/mcr.toml');
});

t.test('IPv6 rules: any spelling of an address is one canonical key, a zone that repeats the interface is no part of it, and hop limits default by scope', async (t) => {
  const ruleSet = ruleSetOf(
    '[[rule]]',
    'input = { interface = "eth0", group = "FF0E:0::1:1", port = 5000, source = "2001:DB8:0:0::7" }',
    'outputs = [',
    '  { interface = "eth1", group = "ff0e::2:2", port = 5000 },',
    '  { interface = "eth1", group = "FE80::2%eth1", port = 5001 },',
    '  { interface = "eth1", group = "2001:db8:1::9", port = 5002, dscp = 46 },',
    '  { interface = "eth2", group = "239.3.3.3", port = 5003 },',
    '  { interface = "eth2", group = "10.0.0.9", port = 5004 },',
    ']',
    '[[rule]]',
    'input = { interface = "eth0", group = "ff02::fb%eth0", port = 5353 }',
    'outputs = [ { interface = "eth1", group = "ff02::FB", port = 5353, source_address = "fe80::1%eth1" } ]',
    '[[rule]]',
    'input = { interface = "eth2", group = "239.1.1.1", port = 5000 }',
    'outputs = [ { interface = "eth1", group = "ff05::1", port = 5000, ttl = 5 } ]',
  );
  const [ssm, mdns, translated] = ruleSet.rules;
  t.equal(ssm?.key, 'eth0|ff0e::1:1|5000|2001:db8::7');
  t.equal(ssm?.name, 'eth0 [ff0e::1:1]:5000 from 2001:db8::7', 'the default name brackets an IPv6 address before its port');
  t.same(ssm?.outputs.map(outputKey), [
    'eth1|ff0e::2:2|5000|1|-',
    'eth1|fe80::2|5001|1|-',
    'eth1|2001:db8:1::9|5002|64|-|dscp=46',
    'eth2|239.3.3.3|5003|1|-',
    'eth2|10.0.0.9|5004|64|-',
  ], 'hop limit 1 for multicast and link-local, 64 for other unicast; IPv4 outputs of an IPv6 input as ever');
  t.equal(mdns?.key, 'eth0|ff02::fb|5353|*', "ff02::fb%eth0 on eth0 is ff02::fb");
  t.same(mdns?.outputs.map(outputKey), ['eth1|ff02::fb|5353|1|fe80::1']);
  t.same(translated?.outputs.map(outputKey), ['eth1|ff05::1|5000|5|-'], 'an IPv4 input with an IPv6 output');
});
