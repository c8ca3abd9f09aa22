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
