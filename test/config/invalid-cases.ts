// Invalid rules files and the exact errors `mcr check` must report for each.
// Shared by the table test and the catalog test (every problem code has a case).
import type { ProblemCode } from '../../src/config/problems.js';
import { REFLECTOR_CASES } from './invalid-reflector-cases.js';

export interface InvalidCase {
  readonly name: string;
  readonly lines: readonly string[];
  /** "LINE:COL: message", in the order reported. */
  readonly errors: readonly string[];
  readonly codes: readonly ProblemCode[];
}

const INPUT = 'input = { interface = "eth0", group = "239.1.1.1", port = 5000 }';
const OUTPUT = 'outputs = [ { interface = "eth1", group = "239.2.2.2", port = 5000 } ]';
const INPUT_A = '{ interface = "eth0", group = "239.1.1.1", port = 5000 }';
const INPUT_B = '{ interface = "eth2", group = "239.1.1.1", port = 5000 }';

/** A [[rule]] whose output table is the given inline-table body. */
function ruleWithOutput(body: string): string[] {
  return ['[[rule]]', INPUT, `outputs = [ { ${body} } ]`];
}

/** A [[rule]] whose input table is the given inline-table body. */
function ruleWithInput(body: string): string[] {
  return ['[[rule]]', `input = { ${body} }`, OUTPUT];
}

export const INVALID_CASES: readonly InvalidCase[] = [
  ...REFLECTOR_CASES,
  // TOML syntax: the parser stops at the first one.
  {
    name: 'an unterminated string',
    lines: ['[daemon]', 'stats_file = "/run/mcr/stats.json'],
    errors: ['2:34: TOML syntax error: control characters are not allowed in strings'],
    codes: ['toml-syntax'],
  },
  {
    name: 'a key with no value',
    lines: ['[daemon]', 'workers ='],
    errors: ['2:10: TOML syntax error: invalid value'],
    codes: ['toml-syntax'],
  },
  {
    name: 'a key given twice in one table',
    lines: ['[daemon]', 'workers = 1', 'workers = 2'],
    errors: ['3:1: TOML syntax error: trying to redefine an already defined table or value'],
    codes: ['toml-syntax'],
  },
  {
    name: 'an address written without quotes',
    lines: ['[[rule]]', 'input = { interface = "eth0", group = 239.1.1.1, port = 5000 }'],
    errors: ['2:44: TOML syntax error: illegal character in numeric literal'],
    codes: ['toml-syntax'],
  },
  {
    name: 'a table header without its closing brackets',
    lines: ['[[rule]', 'name = "a"'],
    errors: ['1:8: TOML syntax error: expected end of table array declaration'],
    codes: ['toml-syntax'],
  },
  {
    name: 'the [daemon] table defined twice',
    lines: ['[daemon]', 'workers = 1', '[daemon]'],
    errors: ['3:2: TOML syntax error: trying to redefine an already defined table or value'],
    codes: ['toml-syntax'],
  },

  // Schema: keys.
  {
    name: 'an unknown top-level key close to a known one',
    lines: ['rules = []'],
    errors: ['1:1: unknown key "rules" at the top level; did you mean "rule"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'a misspelt [daemon] table',
    lines: ['[deamon]', 'workers = 2'],
    errors: ['1:1: unknown key "deamon" at the top level; did you mean "daemon"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'a misspelt daemon setting',
    lines: ['[daemon]', 'stats_intervall = 5'],
    errors: ['2:1: unknown key "stats_intervall" in [daemon]; did you mean "stats_interval"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'a daemon setting written with dashes',
    lines: ['[daemon]', 'log-level = "debug"'],
    errors: ['2:1: unknown key "log-level" in [daemon]; did you mean "log_level"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'an unknown daemon setting with nothing close',
    lines: ['[daemon]', 'colour = "blue"'],
    errors: [
      '2:1: unknown key "colour" in [daemon]; expected one of: workers, cpus, stats_interval, stats_file, prometheus_file, backend, ring_ms, egress, input_timeout_ms, log_level',
    ],
    codes: ['unknown-key'],
  },
  {
    name: 'two letters swapped in a rule key',
    lines: ['[[rule]]', 'nmae = "cam1"', INPUT, OUTPUT],
    errors: ['2:1: unknown key "nmae" in [[rule]]; did you mean "name"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'a misspelt input key',
    lines: ruleWithInput('intreface = "eth0", group = "239.1.1.1", port = 5000'),
    errors: [
      '2:9: [rule.input] is missing required key "interface"',
      '2:11: unknown key "intreface" in [rule.input]; did you mean "interface"?',
    ],
    codes: ['missing-key', 'unknown-key'],
  },
  {
    name: 'a misspelt output key',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, tll = 4'),
    errors: ['3:69: unknown key "tll" in [[rule.outputs]]; did you mean "ttl"?'],
    codes: ['unknown-key'],
  },
  {
    name: 'a rule without an input',
    lines: ['[[rule]]', 'name = "a"', OUTPUT],
    errors: ['1:1: [[rule]] is missing required key "input"'],
    codes: ['missing-key'],
  },
  {
    name: 'a rule without outputs',
    lines: ['[[rule]]', 'name = "a"', INPUT],
    errors: ['1:1: [[rule]] is missing required key "outputs"'],
    codes: ['missing-key'],
  },
  {
    name: 'an input without a port, written as a table',
    lines: ['[[rule]]', OUTPUT, '[rule.input]', 'interface = "eth0"', 'group = "239.1.1.1"'],
    errors: ['3:1: [rule.input] is missing required key "port"'],
    codes: ['missing-key'],
  },
  {
    name: 'an output without a group, written as an array of tables',
    lines: ['[[rule]]', INPUT, '[[rule.outputs]]', 'interface = "eth1"', 'port = 5000'],
    errors: ['3:1: [[rule.outputs]] is missing required key "group"'],
    codes: ['missing-key'],
  },

  // Schema: types and ranges.
  {
    name: 'zero workers',
    lines: ['[daemon]', 'workers = 0'],
    errors: ['2:11: workers must be "auto" or an integer from 1 to 256 (got 0)'],
    codes: ['bad-value'],
  },
  {
    name: 'workers given as a word other than auto',
    lines: ['[daemon]', 'workers = "many"'],
    errors: ['2:11: workers must be "auto" or an integer from 1 to 256 (got "many")'],
    codes: ['bad-value'],
  },
  {
    name: 'a fractional worker count',
    lines: ['[daemon]', 'workers = 1.5'],
    errors: ['2:11: workers must be "auto" or an integer from 1 to 256 (got 1.5)'],
    codes: ['bad-value'],
  },
  {
    name: 'an empty CPU list',
    lines: ['[daemon]', 'cpus = []'],
    errors: ['2:8: cpus must list at least 1 item'],
    codes: ['bad-value'],
  },
  {
    name: 'a CPU listed twice',
    lines: ['[daemon]', 'cpus = [0, 1, 0]'],
    errors: ['2:8: cpus lists 0 more than once'],
    codes: ['bad-value'],
  },
  {
    name: 'a negative CPU number',
    lines: ['[daemon]', 'cpus = [1, -1]'],
    errors: ['2:12: cpus[1] must be at least 0 (got -1)'],
    codes: ['out-of-range'],
  },
  {
    name: 'a zero stats interval',
    lines: ['[daemon]', 'stats_interval = 0'],
    errors: ['2:18: stats_interval must be at least 0.1 (got 0)'],
    codes: ['out-of-range'],
  },
  {
    name: 'a stats interval with a unit',
    lines: ['[daemon]', 'stats_interval = "5s"'],
    errors: ['2:18: stats_interval must be a number (got string "5s")'],
    codes: ['wrong-type'],
  },
  {
    name: 'an empty stats file path',
    lines: ['[daemon]', 'stats_file = ""'],
    errors: ['2:14: stats_file must not be empty'],
    codes: ['bad-value'],
  },
  {
    name: 'a TOML date where a path belongs',
    lines: ['[daemon]', 'prometheus_file = 2024-05-27'],
    errors: ['2:19: prometheus_file must be a string (got date 2024-05-27)'],
    codes: ['wrong-type'],
  },
  {
    name: 'an unknown log level',
    lines: ['[daemon]', 'log_level = "verbose"'],
    errors: ['2:13: log_level must be one of "error", "warn", "info", "debug" (got "verbose")'],
    codes: ['bad-value'],
  },
  {
    name: 'rule written as a single table instead of [[rule]]',
    lines: ['[rule]', 'name = "a"'],
    errors: ['1:1: rule must be an array (got table)'],
    codes: ['wrong-type'],
  },
  {
    name: 'outputs written as a single table',
    lines: ['[[rule]]', INPUT, '[rule.outputs]', 'interface = "eth1"'],
    errors: ['3:1: outputs must be an array (got table)'],
    codes: ['wrong-type'],
  },
  {
    name: 'a port above 65535',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 70000'),
    errors: ['2:59: port must be at most 65535 (got 70000)'],
    codes: ['out-of-range'],
  },
  {
    name: 'a negative port',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = -1'),
    errors: ['3:63: port must be at least 0 (got -1)'],
    codes: ['out-of-range'],
  },
  {
    name: 'a port in quotes',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1.1", port = "5000"'),
    errors: ['2:59: port must be an integer (got string "5000")'],
    codes: ['wrong-type'],
  },
  {
    name: 'a group with three octets',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1", port = 5000'),
    errors: ['2:39: group must be an IPv4 address such as 239.1.1.1 (got "239.1.1")'],
    codes: ['not-an-address'],
  },
  {
    name: 'a group with a leading zero (octal in some parsers)',
    lines: ruleWithOutput('interface = "eth1", group = "239.001.2.2", port = 5000'),
    errors: ['3:43: group must be an IPv4 address such as 239.1.1.1 (got "239.001.2.2")'],
    codes: ['not-an-address'],
  },
  {
    name: 'a host name where an address belongs',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000, source = "camera.local"'),
    errors: ['2:74: source must be an IPv4 address such as 239.1.1.1 (got "camera.local")'],
    codes: ['not-an-address'],
  },
  {
    name: 'a numeric source',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000, source = 5'),
    errors: ['2:74: source must be a string (got integer 5)'],
    codes: ['wrong-type'],
  },
  {
    name: 'an empty rule name',
    lines: ['[[rule]]', 'name = ""', INPUT, OUTPUT],
    errors: ['2:8: name must not be empty'],
    codes: ['bad-value'],
  },
  {
    name: 'a rule name longer than 64 characters',
    lines: ['[[rule]]', `name = "${'x'.repeat(65)}"`, INPUT, OUTPUT],
    errors: ['2:8: name must be at most 64 characters (got 65)'],
    codes: ['bad-value'],
  },
  {
    name: 'a rule name with a tab in it',
    lines: ['[[rule]]', 'name = "cam\\t1"', INPUT, OUTPUT],
    errors: ['2:8: name must not contain control characters'],
    codes: ['bad-value'],
  },
  {
    name: 'enabled given as a string',
    lines: ['[[rule]]', 'enabled = "yes"', INPUT, OUTPUT],
    errors: ['2:11: enabled must be true or false (got string "yes")'],
    codes: ['wrong-type'],
  },
  {
    name: 'a fractional TTL',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, ttl = 1.5'),
    errors: ['3:75: ttl must be an integer (got float 1.5)'],
    codes: ['wrong-type'],
  },

  // Semantic checks.
  {
    name: 'input port 0',
    lines: ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 0'),
    errors: ['2:59: port 0 cannot be received on; use a port from 1 to 65535'],
    codes: ['port-zero'],
  },
  {
    name: 'output port 0',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 0'),
    errors: ['3:63: port 0 cannot be sent to; use a port from 1 to 65535'],
    codes: ['port-zero'],
  },
  {
    name: 'TTL 0',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, ttl = 0'),
    errors: ['3:75: ttl must be from 1 to 255 (got 0)'],
    codes: ['ttl-range'],
  },
  {
    name: 'TTL 256',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, ttl = 256'),
    errors: ['3:75: ttl must be from 1 to 255 (got 256)'],
    codes: ['ttl-range'],
  },
  {
    name: 'an output group in the reserved class E range',
    lines: ruleWithOutput('interface = "eth1", group = "240.0.0.1", port = 5000'),
    errors: [
      '3:43: group 240.0.0.1 is neither a multicast group (224.0.0.0/4) nor a unicast address: 240.0.0.0/4 is reserved',
    ],
    codes: ['bad-group'],
  },
  {
    name: 'a loopback output',
    lines: ruleWithOutput('interface = "eth1", group = "127.0.0.1", port = 5000'),
    errors: [
      '3:43: group 127.0.0.1 is neither a multicast group (224.0.0.0/4) nor a unicast address: 127.0.0.0/8 is loopback and never leaves the host',
    ],
    codes: ['bad-group'],
  },
  {
    name: 'the unspecified address as an input group',
    lines: ruleWithInput('interface = "eth0", group = "0.0.0.0", port = 5000'),
    errors: [
      '2:39: group 0.0.0.0 is neither a multicast group (224.0.0.0/4) nor a unicast address: 0.0.0.0/8 means "this network"',
    ],
    codes: ['bad-group'],
  },
  {
    name: 'a multicast group as the input source',
    lines: ruleWithInput('interface = "eth0", group = "232.1.1.1", port = 5000, source = "239.9.9.9"'),
    errors: ['2:74: source 239.9.9.9 must be a unicast address: a multicast group cannot send'],
    codes: ['bad-source'],
  },
  {
    name: 'the unspecified address as the input source',
    lines: ruleWithInput('interface = "eth0", group = "232.1.1.1", port = 5000, source = "0.0.0.0"'),
    errors: ['2:74: source 0.0.0.0 must be a unicast address: 0.0.0.0/8 means "this network"'],
    codes: ['bad-source'],
  },
  {
    name: 'a multicast source_address on an output',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, source_address = "239.9.9.9"'),
    errors: ['3:86: source_address 239.9.9.9 must be a unicast address: a multicast group cannot send'],
    codes: ['bad-source'],
  },
  {
    name: 'source_address neither an address nor "preserve"',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, source_address = "keep"'),
    errors: ['3:86: source_address must be an IPv4 address such as 239.1.1.1 (got "keep")'],
    codes: ['not-an-address'],
  },
  {
    name: 'source_address = "preserve" on an output with socket egress',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, source_address = "preserve", egress = "socket"'),
    errors: [
      '3:86: source_address = "preserve" needs frame egress (a UDP socket always sends from this host\'s address), but this output has egress = "socket"; set egress = "frame" or "auto" on it, or give source_address an address',
    ],
    codes: ['cannot-preserve'],
  },
  {
    name: 'source_address = "preserve" on an output that takes [daemon] egress = "socket"',
    lines: ['[daemon]', 'egress = "socket"', ...ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, source_address = "preserve"')],
    errors: [
      '5:86: source_address = "preserve" needs frame egress (a UDP socket always sends from this host\'s address), but [daemon] egress = "socket" applies to this output; set egress = "frame" or "auto" on it, or give source_address an address',
    ],
    codes: ['cannot-preserve'],
  },
  {
    name: 'DSCP 64',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, dscp = 64'),
    errors: ['3:76: dscp must be at most 63 (got 64)'],
    codes: ['out-of-range'],
  },
  {
    name: 'a negative DSCP',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, dscp = -1'),
    errors: ['3:76: dscp must be at least 0 (got -1)'],
    codes: ['out-of-range'],
  },
  {
    name: 'DSCP given by name',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, dscp = "EF"'),
    errors: ['3:76: dscp must be an integer (got string "EF")'],
    codes: ['wrong-type'],
  },
  {
    name: 'an unknown egress kind on an output and in [daemon]',
    lines: ['[daemon]', 'egress = "kernel"', ...ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, egress = "raw"')],
    errors: [
      '2:10: egress must be one of "auto", "frame", "socket" (got "kernel")',
      '5:78: egress must be one of "auto", "frame", "socket" (got "raw")',
    ],
    codes: ['bad-value'],
  },
  {
    name: 'an interface name longer than Linux allows',
    lines: ruleWithOutput('interface = "br-media-studio-a", group = "239.2.2.2", port = 5000'),
    errors: ['3:27: interface "br-media-studio-a" is 17 characters long; Linux allows at most 15'],
    codes: ['bad-interface'],
  },
  {
    name: 'an interface name with a space',
    lines: ruleWithInput('interface = "eth 0", group = "239.1.1.1", port = 5000'),
    errors: ['2:23: interface "eth 0" contains white space, which Linux does not allow in interface names'],
    codes: ['bad-interface'],
  },
  {
    name: 'an interface name with a slash',
    lines: ruleWithInput('interface = "eth0/1", group = "239.1.1.1", port = 5000'),
    errors: ['2:23: interface "eth0/1" contains "/", which Linux does not allow in interface names'],
    codes: ['bad-interface'],
  },
  {
    name: 'an address label used as an interface',
    lines: ruleWithOutput('interface = "eth1:0", group = "239.2.2.2", port = 5000'),
    errors: [
      '3:27: interface "eth1:0" contains ":" (an address label, not an interface), which Linux does not allow in interface names',
    ],
    codes: ['bad-interface'],
  },
  {
    name: 'an empty interface name',
    lines: ruleWithInput('interface = "", group = "239.1.1.1", port = 5000'),
    errors: ['2:23: interface must not be empty'],
    codes: ['bad-interface'],
  },
  {
    name: 'the interface name ".."',
    lines: ruleWithOutput('interface = "..", group = "239.2.2.2", port = 5000'),
    errors: ['3:27: interface ".." is not a valid interface name'],
    codes: ['bad-interface'],
  },
  {
    name: 'an empty outputs list',
    lines: ['[[rule]]', INPUT, 'outputs = []'],
    errors: ['3:11: outputs is empty; a rule needs at least one output'],
    codes: ['no-outputs'],
  },
  {
    name: 'an output that is the rule\'s own input',
    lines: ['[[rule]]', INPUT, '[[rule.outputs]]', 'interface = "eth0"', 'group = "239.1.1.1"', 'port = 5000'],
    errors: ['3:1: output sends to the rule\'s own input (eth0 239.1.1.1:5000): that is a loop'],
    codes: ['output-loop'],
  },
  {
    name: 'the same output listed twice (even with another TTL)',
    lines: [
      '[[rule]]',
      INPUT,
      'outputs = [',
      '  { interface = "eth1", group = "239.2.2.2", port = 5000 },',
      '  { interface = "eth1", group = "239.2.2.2", port = 5000, ttl = 8 },',
      ']',
    ],
    errors: ['5:3: output eth1 239.2.2.2:5000 is listed twice in this rule (first at line 4)'],
    codes: ['duplicate-output'],
  },
  {
    name: 'two rules with the same input',
    lines: ['[[rule]]', 'name = "a"', INPUT, OUTPUT, '', '[[rule]]', 'name = "b"', INPUT, OUTPUT],
    errors: [
      '8:9: input eth0 239.1.1.1:5000 is already relayed by rule "a" at line 1; each input may have one rule',
    ],
    codes: ['duplicate-input'],
  },
  {
    name: 'two rules with the same source-specific input',
    lines: [
      '[[rule]]',
      'input = { interface = "eth0", group = "232.1.1.1", port = 5000, source = "10.0.0.9" }',
      OUTPUT,
      '[[rule]]',
      'input = { interface = "eth0", group = "232.1.1.1", port = 5000, source = "10.0.0.9" }',
      'outputs = [ { interface = "eth2", group = "239.3.3.3", port = 5000 } ]',
    ],
    errors: [
      '5:9: input eth0 232.1.1.1:5000 from 10.0.0.9 is already relayed by rule "eth0 232.1.1.1:5000 from 10.0.0.9" at line 1; each input may have one rule',
    ],
    codes: ['duplicate-input'],
  },
  {
    name: 'two rules with the same name',
    lines: [
      '[[rule]]',
      'name = "cam"',
      INPUT,
      OUTPUT,
      '[[rule]]',
      'name = "cam"',
      'input = { interface = "eth0", group = "239.1.1.2", port = 5000 }',
      OUTPUT,
    ],
    errors: ['6:8: rule name "cam" is already used by the rule at line 1'],
    codes: ['duplicate-name'],
  },
  {
    name: 'an unnamed rule whose default name another rule took',
    lines: [
      '[[rule]]',
      'name = "eth0 239.1.1.1:5000"',
      'input = { interface = "eth0", group = "239.1.1.2", port = 5000 }',
      OUTPUT,
      '[[rule]]',
      INPUT,
      OUTPUT,
    ],
    errors: [
      '5:1: this rule has no name, and its default name "eth0 239.1.1.1:5000" is already used by the rule at line 1; give it a name',
    ],
    codes: ['duplicate-name'],
  },

  // [limits]: each limit is reported once, at the first thing over it.
  {
    name: 'more rules than max_rules',
    lines: ['[limits]', 'max_rules = 1', ...ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000'), ...ruleWithInput('interface = "eth0", group = "239.1.1.2", port = 5000')],
    errors: ['6:1: this is rule 2: [limits] max_rules is 1, and the file has 2 rules (it may be raised to 4096)'],
    codes: ['too-many-rules'],
  },
  {
    name: 'a rule with more outputs than max_outputs_per_rule',
    lines: [
      '[limits]',
      'max_outputs_per_rule = 1',
      '[[rule]]',
      INPUT,
      'outputs = [ { interface = "eth1", group = "239.2.2.1", port = 5000 }, { interface = "eth1", group = "239.2.2.2", port = 5000 } ]',
    ],
    errors: ['5:71: this is output 2 of this rule: [limits] max_outputs_per_rule is 1, and the rule has 2 outputs (it may be raised to 65536)'],
    codes: ['too-many-outputs'],
  },
  {
    name: 'more outputs in the whole file than max_outputs',
    lines: [
      '[limits]',
      'max_outputs = 2',
      ...ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000'),
      '[[rule]]',
      'input = { interface = "eth0", group = "239.1.1.2", port = 5000 }',
      'outputs = [ { interface = "eth1", group = "239.2.2.1", port = 5000 }, { interface = "eth1", group = "239.2.2.2", port = 5000 } ]',
    ],
    errors: ['8:71: this is output 3 of the file: [limits] max_outputs is 2, and the file has 3 outputs (it may be raised to 65536)'],
    codes: ['too-many-outputs'],
  },
  {
    name: 'more distinct input groups than max_groups (two ports of one group are one group)',
    lines: [
      '[limits]',
      'max_groups = 1',
      ...ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000'),
      ...ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5001'),
      ...ruleWithInput('interface = "eth0", group = "239.1.1.2", port = 5000'),
    ],
    errors: ['10:39: input group eth0 239.1.1.2 is distinct input group 2: [limits] max_groups is 1, and the file has 2 distinct input groups (it may be raised to 4096)'],
    codes: ['too-many-groups'],
  },
  {
    name: 'more input interfaces than max_input_interfaces',
    lines: [
      '[limits]',
      'max_input_interfaces = 1',
      ...ruleWithInput('interface = "eth0", group = "239.1.1.1", port = 5000'),
      ...ruleWithInput('interface = "eth2", group = "239.1.1.1", port = 5000'),
    ],
    errors: [
      '7:23: input interface "eth2" is input interface 2, each with a 16 MiB packet ring per worker: [limits] max_input_interfaces is 1, and the file has 2 input interfaces (it may be raised to 1024)',
    ],
    codes: ['too-many-interfaces'],
  },
  {
    name: 'a limit above what the data plane holds, and an unknown limit',
    lines: ['[limits]', 'max_rules = 5000', 'max_sockets = 10'],
    errors: ['2:13: max_rules must be at most 4096 (got 5000)', '3:1: unknown key "max_sockets" in [limits]; expected one of: max_rules, max_outputs, max_outputs_per_rule, max_groups, max_input_interfaces'],
    codes: ['out-of-range', 'unknown-key'],
  },

  // Found by the mutation fuzz test (test/config/mutation-fuzz.test.ts).
  {
    // The position-keeping parser overflowed its stack on the long string, and every
    // error fell back to 1:1.
    name: 'a rule name of 200,000 characters is pinned to its value',
    lines: ['[[rule]]', `name = "${'a'.repeat(200_000)}"`, INPUT, OUTPUT],
    errors: ['2:8: name must be at most 64 characters (got 200000)'],
    codes: ['bad-value'],
  },
  {
    name: 'a multi-line name of 150,000 characters with an escaped quote is pinned to its value',
    lines: [
      '[[rule]]',
      'name = """',
      `${'a'.repeat(150_000)} \\" quoted"""`,
      'input = { interface = "eth0", group = "239.1.1.1", port = 0 }',
      OUTPUT,
    ],
    errors: ['2:8: name must be at most 64 characters (got 150009)', '4:59: port 0 cannot be received on; use a port from 1 to 65535'],
    codes: ['bad-value', 'port-zero'],
  },
  {
    name: "a multi-line literal name of 150,000 characters on one line is pinned to its value",
    lines: ['[[rule]]', `name = '''${'b'.repeat(150_000)}'''`, 'input = { interface = "eth0", group = "239.1.1.1", port = 0 }', OUTPUT],
    errors: ['2:8: name must be at most 64 characters (got 150000)', '3:59: port 0 cannot be received on; use a port from 1 to 65535'],
    codes: ['bad-value', 'port-zero'],
  },
  {
    // Indexing every prefix of the dotted key was quadratic: minutes and gigabytes.
    name: 'a key dotted 20,000 times is reported at once, at the key',
    lines: [
      '[[rule]]',
      OUTPUT,
      'input.interface = "eth0"',
      'input.group = "239.1.1.1"',
      'input.port = 5000',
      `input.${Array(20_000).fill('deep').join('.')} = 1`,
    ],
    errors: ['6:7: unknown key "deep" in [rule.input]; expected one of: interface, group, port, source, timeout_ms'],
    codes: ['unknown-key'],
  },

  {
    // The table header wrote "rule" without the position index knowing: 1:1.
    name: 'a [rule.input] table with no [[rule]] before it is pinned to its header',
    lines: ['[daemon]', 'workers = 1', '', '[rule.input]', 'interface = "eth0"'],
    errors: ['4:1: rule must be an array (got table)'],
    codes: ['wrong-type'],
  },
  {
    // The TOML parser reads TOML 1.1, the position parser read 1.0 and gave up: 1:1.
    name: 'an inline table over several lines (TOML 1.1) is pinned like any other',
    lines: [
      '[[rule]]',
      'input = {',
      '  # TOML 1.1 allows line breaks and comments here',
      '  interface = "eth0", group = "239.1.1.1", port = 0,',
      '}',
      OUTPUT,
    ],
    errors: ['4:51: port 0 cannot be received on; use a port from 1 to 65535'],
    codes: ['port-zero'],
  },
  {
    // "Did you mean" compared it letter by letter with every allowed key: seconds.
    name: 'an unknown key of 100,000 characters is reported at once',
    lines: ['[[rule]]', OUTPUT, '[rule.input]', 'interface = "eth0"', 'group = "239.1.1.1"', 'port = 5000', `${'k'.repeat(100_000)} = 1`],
    errors: [`7:1: unknown key "${'k'.repeat(100_000)}" in [rule.input]; expected one of: interface, group, port, source, timeout_ms`],
    codes: ['unknown-key'],
  },

  {
    // The position parser was given the byte order mark(s) the TOML parser skips: 1:1.
    name: 'a file that starts with byte order marks is pinned like any other',
    lines: ['\uFEFF\uFEFF[daemon]', 'workerz = 1'],
    errors: ['2:1: unknown key "workerz" in [daemon]; did you mean "workers"?'],
    codes: ['unknown-key'],
  },

  // Redundant inputs and stream health: settings that only mean something together.
  {
    name: 'a rule with both input and inputs',
    lines: ['[[rule]]', INPUT, `inputs = [ ${INPUT_A}, ${INPUT_B} ]`, 'redundancy = "failover"', OUTPUT],
    errors: ['3:10: a rule has either input or inputs, not both; inputs lists every input, the primary first'],
    codes: ['input-and-inputs'],
  },
  {
    name: 'inputs without redundancy',
    lines: ['[[rule]]', `inputs = [ ${INPUT_A}, ${INPUT_B} ]`, OUTPUT],
    errors: [
      '2:10: inputs lists 2 inputs but the rule has no redundancy; set redundancy = "failover" (relay the primary, switch when it goes silent) or "merge" (SMPTE ST 2022-7: the first copy of each RTP datagram)',
    ],
    codes: ['needs-redundancy'],
  },
  {
    name: 'revert_after_ms on a merge rule',
    lines: ['[[rule]]', `inputs = [ ${INPUT_A}, ${INPUT_B} ]`, 'redundancy = "merge"', 'payload = "rtp"', 'revert_after_ms = 100', OUTPUT],
    errors: ['5:19: revert_after_ms applies to redundancy = "failover" only'],
    codes: ['needs-redundancy'],
  },
  {
    name: 'redundancy on a rule with one input',
    lines: ['[[rule]]', INPUT, 'redundancy = "failover"', OUTPUT],
    errors: ['3:14: redundancy = "failover" needs inputs = [ {...}, {...} ]: two or more inputs, the primary first'],
    codes: ['needs-inputs'],
  },
  {
    name: 'a merge rule whose payload is not RTP',
    lines: ['[[rule]]', `inputs = [ ${INPUT_A}, ${INPUT_B} ]`, 'redundancy = "merge"', 'payload = "mpegts"', OUTPUT],
    errors: ['4:11: redundancy = "merge" matches the copies by RTP sequence number: set payload = "rtp" or "rtp-mpegts" (got "mpegts")'],
    codes: ['needs-rtp'],
  },
  {
    name: 'a clock rate without RTP',
    lines: ['[[rule]]', INPUT, 'payload = "mpegts"', 'clock_rate = 90000', OUTPUT],
    errors: ['4:14: clock_rate is the RTP timestamp clock: it needs payload = "rtp", "rtp-mpegts" or "auto"'],
    codes: ['needs-rtp'],
  },
  {
    name: 'one input listed twice in a rule',
    lines: ['[[rule]]', `inputs = [ ${INPUT_A}, ${INPUT_A} ]`, 'redundancy = "failover"', OUTPUT],
    errors: ['2:70: input eth0 239.1.1.1:5000 is listed twice in this rule (first at line 2)'],
    codes: ['duplicate-input'],
  },
  {
    name: 'a rule with neither input nor inputs',
    lines: ['[[rule]]', OUTPUT],
    errors: ['1:1: [[rule]] is missing required key "input"'],
    codes: ['missing-key'],
  },
  // IPv6: every problem an IPv6 address can have in its place.
  {
    name: 'an IPv6 group with "::" twice',
    lines: ruleWithInput('interface = "eth0", group = "ff0e::1::1", port = 5000'),
    errors: [
      "2:39: group must be an IPv6 address such as ff0e::1:1 (got \"ff0e::1::1\"): \"::\" may appear only once in an IPv6 address",
    ],
    codes: ['not-an-address'],
  },
  {
    name: 'an IPv6 group with a five-digit group',
    lines: ruleWithOutput('interface = "eth1", group = "ff0e::1:12345", port = 5000'),
    errors: [
      "3:43: group must be an IPv6 address such as ff0e::1:1 (got \"ff0e::1:12345\"): the group \"12345\" has more than 4 hexadecimal digits",
    ],
    codes: ['not-an-address'],
  },
  {
    name: 'an IPv6 group in the reserved scope 0',
    lines: ruleWithInput('interface = "eth0", group = "ff00::1:1", port = 5000'),
    errors: [
      "2:39: group ff00::1:1 has multicast scope 0, which is reserved; use a defined scope, such as ff02:: (one link), ff05:: (site) or ff0e:: (global)",
    ],
    codes: ['bad-scope'],
  },
  {
    name: 'an IPv6 output group in the reserved scope f',
    lines: ruleWithOutput('interface = "eth1", group = "ff0f::1", port = 5000'),
    errors: [
      "3:43: group ff0f::1 has multicast scope f, which is reserved; use a defined scope, such as ff02:: (one link), ff05:: (site) or ff0e:: (global)",
    ],
    codes: ['bad-scope'],
  },
  {
    name: 'an interface-local IPv6 group on an output',
    lines: ruleWithOutput('interface = "eth1", group = "ff01::1:3", port = 5000'),
    errors: [
      "3:43: group ff01::1:3 is interface-local (ff01::/16): it never leaves the host that sends it, so there is nothing to relay; use ff02:: for one link, or a wider scope",
    ],
    codes: ['bad-scope'],
  },
  {
    name: 'an IPv4-mapped IPv6 group',
    lines: ruleWithInput('interface = "eth0", group = "::ffff:239.1.1.1", port = 5000'),
    errors: [
      "2:39: group ::ffff:239.1.1.1 is an IPv4 address written as IPv6 (::ffff:0:0/96), which never appears on an IPv6 link; write it as 239.1.1.1",
    ],
    codes: ['ipv4-mapped'],
  },
  {
    name: 'an IPv4-mapped source_address, written in hexadecimal',
    lines: ruleWithOutput('interface = "eth1", group = "239.2.2.2", port = 5000, source_address = "::ffff:a00:1"'),
    errors: [
      "3:86: source_address ::ffff:a00:1 is an IPv4 address written as IPv6 (::ffff:0:0/96), which never appears on an IPv6 link; write it as 10.0.0.1",
    ],
    codes: ['ipv4-mapped'],
  },
  {
    name: 'the IPv6 loopback address as an output',
    lines: ruleWithOutput('interface = "eth1", group = "::1", port = 5000'),
    errors: [
      "3:43: group ::1 is neither a multicast group (ff00::/8) nor a unicast address: ::1 is loopback and never leaves the host",
    ],
    codes: ['bad-group'],
  },
  {
    name: 'the IPv6 unspecified address as an input group',
    lines: ruleWithInput('interface = "eth0", group = "::", port = 5000'),
    errors: [
      "2:39: group :: is neither a multicast group (ff00::/8) nor a unicast address: :: is the unspecified address",
    ],
    codes: ['bad-group'],
  },
  {
    name: 'a deprecated site-local IPv6 output',
    lines: ruleWithOutput('interface = "eth1", group = "fec0::9", port = 5000'),
    errors: [
      "3:43: group fec0::9 is neither a multicast group (ff00::/8) nor a unicast address: fec0::/10 (site-local) is deprecated (RFC 3879)",
    ],
    codes: ['bad-group'],
  },
  {
    name: 'an IPv6 multicast group as the input source',
    lines: ruleWithInput('interface = "eth0", group = "ff3e::1", port = 5000, source = "ff0e::9"'),
    errors: [
      "2:72: source ff0e::9 must be a unicast address: a multicast group cannot send",
    ],
    codes: ['bad-source'],
  },
  {
    name: "a link-local output whose zone is another interface than the output's",
    lines: ruleWithOutput('interface = "eth1", group = "fe80::2%eth2", port = 5000'),
    errors: [
      "3:43: group fe80::2%eth2 names interface eth2, but this output sends on eth1; a link-scope address means something only on its own link: write it without the zone, or use it on eth2",
    ],
    codes: ['bad-zone'],
  },
  {
    name: "a link-scope input group whose zone is another interface than the input's",
    lines: ruleWithInput('interface = "eth0", group = "ff02::fb%eth1", port = 5353'),
    errors: [
      "2:39: group ff02::fb%eth1 names interface eth1, but this rule's input is on eth0; a link-scope address means something only on its own link: write it without the zone, or use it on eth1",
    ],
    codes: ['bad-zone'],
  },
  {
    name: 'a zone on a global IPv6 group',
    lines: ruleWithOutput('interface = "eth1", group = "ff0e::1%eth1", port = 5000'),
    errors: [
      "3:43: group ff0e::1%eth1 has a zone, but only a link-scope address (fe80::/10, ff02::/16) belongs to one link; leave out \"%eth1\"",
    ],
    codes: ['bad-zone'],
  },
  {
    name: 'a link-local source_address zoned to another interface',
    lines: ruleWithOutput('interface = "eth1", group = "ff02::fb", port = 5353, source_address = "fe80::1%eth0"'),
    errors: [
      "3:85: source_address fe80::1%eth0 names interface eth0, but this output sends on eth1; a link-scope address means something only on its own link: write it without the zone, or use it on eth0",
    ],
    codes: ['bad-zone'],
  },
  {
    name: 'an IPv4 source for an IPv6 source-specific group',
    lines: ruleWithInput('interface = "eth0", group = "ff3e::1", port = 5000, source = "10.0.0.9"'),
    errors: [
      "2:72: source 10.0.0.9 is IPv4, but the group ff3e::1 is IPv6: a source-specific rule names a sender of its group's address family",
    ],
    codes: ['family-mismatch'],
  },
  {
    name: 'an IPv6 source for an IPv4 group',
    lines: ruleWithInput('interface = "eth0", group = "232.1.1.1", port = 5000, source = "2001:db8::7"'),
    errors: [
      "2:74: source 2001:db8::7 is IPv6, but the group 232.1.1.1 is IPv4: a source-specific rule names a sender of its group's address family",
    ],
    codes: ['family-mismatch'],
  },
  {
    name: "an IPv4 source_address on an IPv6 output",
    lines: ruleWithOutput('interface = "eth1", group = "ff0e::2", port = 5000, source_address = "10.2.0.77"'),
    errors: [
      "3:84: source_address 10.2.0.77 is IPv4, but this output's group ff0e::2 is IPv6: relayed datagrams are sent from an address of their destination's family",
    ],
    codes: ['family-mismatch'],
  },
  {
    name: 'an IPv6 output listed twice in two spellings',
    lines: ['[[rule]]', INPUT, 'outputs = [ { interface = "eth1", group = "ff0e::2:2", port = 5000 }, { interface = "eth1", group = "FF0E:0::2:2", port = 5000, ttl = 3 } ]'],
    errors: [
      "3:71: output eth1 [ff0e::2:2]:5000 is listed twice in this rule (first at line 3)",
    ],
    codes: ['duplicate-output'],
  },
  {
    name: 'two rules for one IPv6 link-scope input, once with its zone',
    lines: [
      '[[rule]]',
      'input = { interface = "eth0", group = "ff02::fb", port = 5353 }',
      OUTPUT,
      '[[rule]]',
      'input = { interface = "eth0", group = "FF02::FB%eth0", port = 5353 }',
      OUTPUT,
    ],
    errors: [
      "5:9: input eth0 [ff02::fb]:5353 is already relayed by rule \"eth0 [ff02::fb]:5353\" at line 1; each input may have one rule",
    ],
    codes: ['duplicate-input'],
  },

  // Many problems at once: all are reported, in file order.
  {
    name: 'several problems in one file',
    lines: [
      '[daemon]',
      'workers = -2',
      'log_level = "trace"',
      '',
      '[[rule]]',
      'name = "cam1"',
      'input = { interface = "eth0", group = "239.1.1.1", port = 0 }',
      'outputs = [',
      '  { interface = "eth1", group = "239.2.2.2", port = 5000, ttl = 0 },',
      '  { interface = "eth0", group = "239.1.1.1", port = 0, colour = "red" },',
      ']',
    ],
    errors: [
      '2:11: workers must be "auto" or an integer from 1 to 256 (got -2)',
      '3:13: log_level must be one of "error", "warn", "info", "debug" (got "trace")',
      '7:59: port 0 cannot be received on; use a port from 1 to 65535',
      '9:65: ttl must be from 1 to 255 (got 0)',
      '10:3: output sends to the rule\'s own input (eth0 239.1.1.1:0): that is a loop',
      '10:53: port 0 cannot be sent to; use a port from 1 to 65535',
      '10:56: unknown key "colour" in [[rule.outputs]]; expected one of: interface, group, port, ttl, source_address, egress, dscp',
    ],
    codes: ['bad-value', 'port-zero', 'ttl-range', 'output-loop', 'unknown-key'],
  },
];
