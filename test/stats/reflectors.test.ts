// A reflector's stats per interface, made from its flows' counters: the stats file's
// `reflectors` section, its Prometheus families, its lines in `mcr stats`, and the parser
// that reads it back. Files without reflectors are unchanged (no section, no family).
import t from 'tap';
import { parseStats } from '../../src/stats/parse.js';
import { formatPrometheus } from '../../src/stats/prometheus.js';
import { reflectorStats } from '../../src/stats/reflectors.js';
import { renderTable } from '../../src/stats/table.js';
import { ruleSetOf } from '../helpers/ruleset.js';
import { output, rule, statsFile, TIME_MS } from './fixtures.js';

const RULE_SET = ruleSetOf('[[reflector]]', 'name = "home"', 'service = "mdns"', 'family = "ipv4"', 'interfaces = ["lan", "iot", "guest"]', 'from = ["lan", "iot"]');
const RULES = [
  rule('home: lan 224.0.0.251:5353', 'lan 224.0.0.251:5353', [output('iot 224.0.0.251:5353', { packets: 90 }), output('guest 224.0.0.251:5353', { packets: 90 })], { packets: 100, loop_suppressed: 4, rate_limited: 6 }),
  rule('home: iot 224.0.0.251:5353', 'iot 224.0.0.251:5353', [output('lan 224.0.0.251:5353', { packets: 40 }), output('guest 224.0.0.251:5353', { packets: 40 })], { packets: 45, source_denied: 5 }),
];

const EXPECTED = [
  {
    name: 'home',
    service: 'mdns',
    interfaces: [
      { interface: 'lan', received: 100, relayed: 40, source_denied: 0, rate_limited: 6, loop_suppressed: 4 },
      { interface: 'iot', received: 45, relayed: 90, source_denied: 5, rate_limited: 0, loop_suppressed: 0 },
      { interface: 'guest', received: 0, relayed: 130, source_denied: 0, rate_limited: 0, loop_suppressed: 0 },
    ],
  },
];

t.test("a reflector's interfaces: what arrived, what went out, what its policy stopped", async (t) => {
  t.same(reflectorStats(RULE_SET, RULES), EXPECTED);
  t.same(reflectorStats(ruleSetOf(''), []), [], 'none without reflectors');
});

t.test('the stats file carries them, the parser reads them back, and mcr stats and Prometheus show them', async (t) => {
  const stats = statsFile({ rules: RULES, reflectors: EXPECTED });
  t.same(parseStats(JSON.stringify(stats)).reflectors, EXPECTED);
  t.throws(() => parseStats(JSON.stringify({ ...stats, reflectors: [{ name: 'x', service: 'mdns', interfaces: [{ interface: 'a' }] }] })), /reflectors\[0\]\.interfaces\[0\]/);
  const table = renderTable(stats, { now: TIME_MS });
  const at = table.indexOf('reflector home (mdns)');
  t.same(table.slice(at, at + 4), [
    'reflector home (mdns)',
    '  lan: in 100, out 40, rate limited 6, loop suppressed 4',
    '  iot: in 45, out 90, source denied 5',
    '  guest: in 0, out 130',
  ]);
  const text = formatPrometheus(stats);
  const lines = text.split('\n').filter((line) => line.startsWith('mcr_reflector_') && line.includes('interface="lan"'));
  t.same(lines, [
    'mcr_reflector_received_total{reflector="home",service="mdns",interface="lan"} 100',
    'mcr_reflector_relayed_total{reflector="home",service="mdns",interface="lan"} 40',
    'mcr_reflector_dropped_total{reflector="home",service="mdns",interface="lan",reason="source_denied"} 0',
    'mcr_reflector_dropped_total{reflector="home",service="mdns",interface="lan",reason="rate_limited"} 6',
    'mcr_reflector_dropped_total{reflector="home",service="mdns",interface="lan",reason="loop_suppressed"} 4',
  ]);
  t.notMatch(formatPrometheus(statsFile({ rules: RULES })), /mcr_reflector_/, 'no reflector families without reflectors');
});
