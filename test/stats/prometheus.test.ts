import t from 'tap';
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, WORKER_COUNTERS as WORKER_COUNTER_SPECS, WORKER_FAMILIES, workerFamilyOf } from '../../src/counter-specs.js';
import { escapeLabelValue, formatPrometheus, formatValue } from '../../src/stats/prometheus.js';
import { counters, output, reload, rule, statsFile, WORKER_COUNTERS } from './fixtures.js';
import { checkExposition, parseExposition, valueOf } from './prometheus-format.js';

const RULE = 'rule="cam1",interface="eth0",group="239.1.1.1",port="5000",source=""';
const OUT = 'rule="cam1",output_interface="eth1",output_group="239.2.1.1",output_port="5000"';

t.test('a small file gives exactly this text', async (t) => {
  const stats = statsFile({
    workers: [{ rx_frames: 10, rx_bytes: 1400, matched: 9, no_match: 1, egress_full: 2, softnet_dropped: 3 }],
    daemon: { cpus: [1] },
    rules: [rule('cam1', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000', { packets: 9, bytes: 1206, drops: 2 })], { packets: 9, bytes: 1206 })],
    config: { generation: 1, lastReload: reload({ trigger: 'start', generation: 1 }) },
  });
  const family = (name: string, type: string, help: string, ...samples: string[]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples];
  const expected = [
    ...family('mcr_up', 'gauge', '1 while mcrd is starting, running or reloading; 0 once it is stopping or stopped.', 'mcr_up 1'),
    ...family('mcr_daemon_state', 'gauge', 'The daemon state: 1 for the current one, 0 for the others.',
      'mcr_daemon_state{state="starting"} 0',
      'mcr_daemon_state{state="running"} 1',
      'mcr_daemon_state{state="reloading"} 0',
      'mcr_daemon_state{state="stopping"} 0',
      'mcr_daemon_state{state="stopped"} 0'),
    ...family('mcr_daemon_info', 'gauge', 'Always 1; the labels say which send backend runs and why it fell back.',
      'mcr_daemon_info{backend="io_uring",fallback_reason="",config_file="/etc/mcr.toml"} 1'),
    ...family('mcr_start_time_seconds', 'gauge', 'When mcrd started, in seconds since the Unix epoch.', 'mcr_start_time_seconds 1736935016'),
    ...family('mcr_workers', 'gauge', 'Data plane worker threads.', 'mcr_workers 1'),
    ...family('mcr_stats_timestamp_seconds', 'gauge', 'When this sample was taken, in seconds since the Unix epoch.', 'mcr_stats_timestamp_seconds 1736942400'),
    ...family('mcr_stats_interval_seconds', 'gauge', 'Seconds between two samples (stats_interval).', 'mcr_stats_interval_seconds 1'),
    ...family('mcr_config_generation', 'gauge', 'The generation of the running rules; each applied reload adds one.', 'mcr_config_generation 1'),
    ...family('mcr_last_reload_success', 'gauge', '1 if the last reload was applied, 0 if the file was refused.', 'mcr_last_reload_success 1'),
    ...family('mcr_last_reload_timestamp_seconds', 'gauge', 'When the last reload was attempted, in seconds since the Unix epoch.',
      'mcr_last_reload_timestamp_seconds 1736942150'),
    ...family('mcr_last_reload_errors', 'gauge', 'Errors that made the last reload fail (0 when it succeeded).', 'mcr_last_reload_errors 0'),
    ...family('mcr_reloads_total', 'counter', 'Reload attempts since mcrd started, by result (applied or refused).',
      'mcr_reloads_total{result="ok"} 2',
      'mcr_reloads_total{result="failed"} 1'),
    ...family('mcr_rule_state', 'gauge', 'A rule state: 1 for the current one, 0 for the others.',
      `mcr_rule_state{${RULE},state="active"} 1`,
      `mcr_rule_state{${RULE},state="pending"} 0`,
      `mcr_rule_state{${RULE},state="paused"} 0`,
      `mcr_rule_state{${RULE},state="disabled"} 0`,
      `mcr_rule_state{${RULE},state="error"} 0`,
      `mcr_rule_state{${RULE},state="stalled"} 0`),
    ...family('mcr_rule_packets_total', 'counter', 'Datagrams the rule received.', `mcr_rule_packets_total{${RULE}} 9`),
    ...family('mcr_rule_bytes_total', 'counter', 'UDP payload bytes the rule received.', `mcr_rule_bytes_total{${RULE}} 1206`),
    // A counter that belongs to a setting the rule does not have (payload, timeout,
    // redundancy) has its family but no sample.
    ...RULE_COUNTERS.filter((spec) => spec.later).flatMap((spec) => family(spec.metric, spec.type, spec.help, ...(spec.applies ? [] : [`${spec.metric}{${RULE}} 0`]))),
    ...family('mcr_output_state', 'gauge', 'An output state: 1 for the current one, 0 for the others.',
      `mcr_output_state{${OUT},state="active"} 1`,
      `mcr_output_state{${OUT},state="pending"} 0`,
      `mcr_output_state{${OUT},state="down"} 0`,
      `mcr_output_state{${OUT},state="resolving"} 0`,
      `mcr_output_state{${OUT},state="error"} 0`),
    ...family('mcr_output_info', 'gauge', 'Always 1; the egress label says how the output sends: frame, socket, or "" while it is not open.',
      `mcr_output_info{${OUT},egress="frame"} 1`),
    ...family('mcr_output_packets_total', 'counter', 'Datagrams sent to the output.', `mcr_output_packets_total{${OUT}} 9`),
    ...family('mcr_output_bytes_total', 'counter', 'UDP payload bytes sent to the output.', `mcr_output_bytes_total{${OUT}} 1206`),
    ...family('mcr_output_errors_total', 'counter', 'Sends to the output that failed (interface down, no route, ICMP errors).', `mcr_output_errors_total{${OUT}} 0`),
    ...family('mcr_output_drops_total', 'counter', "Datagrams not sent because the output's socket buffer was full.", `mcr_output_drops_total{${OUT}} 2`),
    // Counters added since these names shipped: their families as the list gives them.
    ...OUTPUT_COUNTERS.filter((spec) => spec.later).flatMap((spec) => family(spec.metric, spec.type, spec.help, `${spec.metric}{${OUT}} 0`)),
    // Paths: only rules with several inputs have them.
    ...PATH_COUNTERS.flatMap((spec) => family(spec.metric, spec.type, spec.help)),
    ...family('mcr_received_frames_total', 'counter', 'Frames read from the AF_PACKET rings.', 'mcr_received_frames_total{worker="0"} 10'),
    ...family('mcr_received_bytes_total', 'counter', 'Bytes of the frames read from the AF_PACKET rings.', 'mcr_received_bytes_total{worker="0"} 1400'),
    ...family('mcr_matched_datagrams_total', 'counter', 'Datagrams a rule took.', 'mcr_matched_datagrams_total{worker="0"} 9'),
    ...family('mcr_ring_freezes_total', 'counter', 'Times the kernel found a receive ring full and froze its queue.'),
    ...family('mcr_batches_total', 'counter', 'Ring blocks processed; received frames / batches is the batch size.'),
    ...family('mcr_dropped_frames_total', 'counter', 'Frames not relayed, by reason: the data plane drop counter (ring_drops: lost before mcr could read them).',
      'mcr_dropped_frames_total{worker="0",reason="no_match"} 1'),
    ...family('mcr_dropped_sends_total', 'counter', WORKER_FAMILIES.dropped_sends.help,
      'mcr_dropped_sends_total{worker="0",reason="egress_full"} 2'),
    ...family('mcr_softnet_dropped_total', 'counter', "Packets the kernel dropped since mcrd started because a worker CPU's input backlog was full (/proc/net/softnet_stat): loss before mcr could read them.",
      'mcr_softnet_dropped_total{cpu="1"} 3'),
  ];
  const text = formatPrometheus(stats);
  t.same(text.split('\n'), [...expected, '']);
  t.ok(text.endsWith('\n'), 'ends with a newline');
  t.same(checkExposition(text), []);
});

const FAMILIES: Record<string, string> = {
  mcr_up: 'gauge',
  mcr_daemon_state: 'gauge',
  mcr_daemon_info: 'gauge',
  mcr_start_time_seconds: 'gauge',
  mcr_workers: 'gauge',
  mcr_stats_timestamp_seconds: 'gauge',
  mcr_stats_interval_seconds: 'gauge',
  mcr_config_generation: 'gauge',
  mcr_last_reload_success: 'gauge',
  mcr_last_reload_timestamp_seconds: 'gauge',
  mcr_last_reload_errors: 'gauge',
  mcr_reloads_total: 'counter',
  mcr_rule_state: 'gauge',
  mcr_rule_packets_total: 'counter',
  mcr_rule_bytes_total: 'counter',
  mcr_output_state: 'gauge',
  mcr_output_info: 'gauge',
  mcr_output_packets_total: 'counter',
  mcr_output_bytes_total: 'counter',
  mcr_output_errors_total: 'counter',
  mcr_output_drops_total: 'counter',
  ...Object.fromEntries([...RULE_COUNTERS, ...OUTPUT_COUNTERS].filter((spec) => spec.later).map((spec) => [spec.metric, spec.type])),
  ...Object.fromEntries(PATH_COUNTERS.map((spec) => [spec.metric, spec.type])),
  mcr_received_frames_total: 'counter',
  mcr_received_bytes_total: 'counter',
  mcr_matched_datagrams_total: 'counter',
  mcr_ring_freezes_total: 'counter',
  mcr_batches_total: 'counter',
  mcr_dropped_frames_total: 'counter',
  mcr_dropped_sends_total: 'counter',
  mcr_softnet_dropped_total: 'counter',
};

t.test('every metric family is announced with its type, even with nothing to report', async (t) => {
  const cases = {
    'a full file': statsFile({ rules: [rule('a', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')])] }),
    'no rules, no workers, no reload yet': statsFile({ workers: [], config: { lastReload: null } }),
  };
  for (const [name, stats] of Object.entries(cases)) {
    const parsed = parseExposition(formatPrometheus(stats));
    t.same(parsed.problems, [], name);
    t.same(Object.fromEntries([...parsed.families.values()].map((family) => [family.name, family.type])), FAMILIES, name);
  }
});

t.test('every data plane counter of every worker is exported exactly once', async (t) => {
  // Distinct values per counter and worker, so each can be found again.
  const workers = [0, 1].map((worker) => Object.fromEntries(WORKER_COUNTERS.map((name, i) => [name, 1000 * worker + i + 1])));
  const parsed = parseExposition(formatPrometheus(statsFile({ workers })));
  t.same(parsed.problems, []);
  // The families of the counters shipped so far, spelled out here on purpose: dashboards
  // and alerts use these names, so a change in the list must show as a failure.
  const frames = 'mcr_dropped_frames_total';
  const shipped: Record<string, [string, string?]> = {
    rx_frames: ['mcr_received_frames_total'],
    rx_bytes: ['mcr_received_bytes_total'],
    matched: ['mcr_matched_datagrams_total'],
    ring_freezes: ['mcr_ring_freezes_total'],
    batches: ['mcr_batches_total'],
    egress_full: ['mcr_dropped_sends_total', 'egress_full'],
    egress_errors: ['mcr_dropped_sends_total', 'egress_errors'],
    ...Object.fromEntries(
      ['no_match', 'vlan_tagged', 'not_ipv4', 'not_udp', 'fragment', 'truncated', 'bad_ip_header', 'bad_ip_checksum', 'bad_ip_length',
        'bad_udp_length', 'too_many_vlan_tags', 'ring_drops', 'bad_udp_checksum', 'ipv6'].map((name) => [name, [frames, name]]),
    ),
  };
  for (const [counter, [metric, reason]] of Object.entries(shipped)) {
    const spec = WORKER_COUNTER_SPECS.find((candidate) => candidate.name === counter);
    t.same(spec && workerFamilyOf(spec), { type: 'counter', metric, help: spec && workerFamilyOf(spec).help, labels: reason ? { reason } : {} }, `${counter} keeps its family`);
  }
  workers.forEach((values, worker) => {
    for (const [counter, value] of Object.entries(values)) {
      const spec = WORKER_COUNTER_SPECS.find((candidate) => candidate.name === counter);
      const family = spec && workerFamilyOf(spec);
      t.equal(family && valueOf(parsed, family.metric, { worker: String(worker), ...family.labels }), value, `${counter} of worker ${worker}`);
    }
  });
  const samples = [...parsed.families.values()].filter((family) => family.name !== 'mcr_workers').flatMap((family) => family.samples.filter((s) => 'worker' in s.labels));
  t.equal(samples.length, 2 * WORKER_COUNTERS.length, 'no counter twice');
});

t.test('a counter this mcr does not know gets a family of its own', async (t) => {
  const text = formatPrometheus(statsFile({ workers: [{ ...counters(), 'new-thing': 7, new_thing: 8, 'back\\slash': 1 }] }));
  t.match(text, '# HELP mcr_worker_back_slash_total The data plane counter back\\\\slash.\n');
  const parsed = parseExposition(text);
  t.same(parsed.problems, []);
  t.equal(valueOf(parsed, 'mcr_worker_new_thing_total', { worker: '0' }), 7, 'the first of two names that clash wins');
  t.equal(parsed.families.get('mcr_worker_back_slash_total')?.help, 'The data plane counter back\\slash.', 'HELP escapes the backslash, and reads back intact');
});

t.test("the kernel's backlog drops are one series per worker CPU, counted once when workers share a CPU", async (t) => {
  const workers = [
    { ...counters(), softnet_dropped: 5 },
    { ...counters(), softnet_dropped: 7 },
    { ...counters(), softnet_dropped: 5 },
  ];
  const parsed = parseExposition(formatPrometheus(statsFile({ workers, daemon: { cpus: [3, 1, 3] } })));
  t.same(parsed.problems, []);
  t.same(parsed.families.get('mcr_softnet_dropped_total')?.samples.map((s) => [s.labels, s.value]), [
    [{ cpu: '1' }, 7],
    [{ cpu: '3' }, 5],
  ]);
  t.notOk([...parsed.families.keys()].some((name) => name.startsWith('mcr_worker_')), 'not taken for a counter this mcr does not know');
  const without = parseExposition(formatPrometheus(statsFile()));
  t.same(without.families.get('mcr_softnet_dropped_total')?.samples, [], 'announced without a sample when the file has none');
});

t.test("each output's egress is the label of its info series", async (t) => {
  const outputs = [output('eth1 239.2.1.1:5000', { egress: 'frame' }), output('tun0 10.8.0.2:5000', { egress: 'socket' }), output('eth9 239.2.1.9:5000', { egress: '', state: 'pending' })];
  const parsed = parseExposition(formatPrometheus(statsFile({ rules: [rule('cam', 'eth0 239.1.1.1:5000', outputs)] })));
  t.same(parsed.problems, []);
  t.same(parsed.families.get('mcr_output_info')?.samples.map((s) => [s.labels.output_interface, s.labels.egress, s.value]), [
    ['eth1', 'frame', 1],
    ['tun0', 'socket', 1],
    ['eth9', '', 1],
  ]);
});

t.test('label values escape backslash, double quote and newline', async (t) => {
  t.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const name = 'odd \\ "name"\nline two';
  const text = formatPrometheus(statsFile({ rules: [rule(name, 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')], { packets: 5 })] }));
  t.match(text, 'mcr_rule_packets_total{rule="odd \\\\ \\"name\\"\\nline two",');
  const parsed = parseExposition(text);
  t.same(parsed.problems, []);
  t.equal(valueOf(parsed, 'mcr_rule_packets_total', { rule: name, interface: 'eth0', group: '239.1.1.1', port: '5000', source: '' }), 5, 'read back intact');
});

t.test('each rule and output has exactly one state at 1', async (t) => {
  const outputStates = ['pending', 'resolving', 'down', 'active', 'error', 'active'] as const;
  const rules = (['active', 'pending', 'paused', 'disabled', 'error', 'stalled'] as const).map((state, i) =>
    rule(`r${i}`, `eth0 239.1.1.${i + 1}:5000`, [output('eth1 239.2.1.1:5000', { state: outputStates[i] })], { state }),
  );
  const parsed = parseExposition(formatPrometheus(statsFile({ rules })));
  t.same(parsed.problems, []);
  rules.forEach((r, i) => {
    const samples = parsed.families.get('mcr_rule_state')?.samples.filter((s) => s.labels.rule === `r${i}`) ?? [];
    t.same(samples.filter((s) => s.value === 1).map((s) => s.labels.state), [r.state], `rule r${i}`);
    t.equal(samples.length, 6);
    const outputs = parsed.families.get('mcr_output_state')?.samples.filter((s) => s.labels.rule === `r${i}`) ?? [];
    t.same(outputs.filter((s) => s.value === 1).map((s) => s.labels.state), [r.outputs[0]?.state], `output of r${i}`);
  });
});

t.test('daemon state, liveness, source and fallback reason show in labels and values', async (t) => {
  const stats = statsFile({
    daemon: { state: 'stopped', backend: 'syscalls', fallbackReason: 'io_uring is disabled (kernel.io_uring_disabled=2)' },
    config: { generation: 4, lastReload: reload({ ok: false, errors: ['a', 'b'] }) },
    rules: [rule('ssm', 'eth0 232.1.1.1:5000', [], { input: { interface: 'eth0', group: '232.1.1.1', port: 5000, source: '10.0.0.7' } })],
  });
  const parsed = parseExposition(formatPrometheus(stats));
  t.same(parsed.problems, []);
  t.equal(valueOf(parsed, 'mcr_up'), 0);
  t.equal(valueOf(parsed, 'mcr_daemon_state', { state: 'stopped' }), 1);
  t.equal(valueOf(parsed, 'mcr_daemon_info', { backend: 'syscalls', fallback_reason: 'io_uring is disabled (kernel.io_uring_disabled=2)', config_file: '/etc/mcr.toml' }), 1);
  t.equal(valueOf(parsed, 'mcr_config_generation'), 4);
  t.equal(valueOf(parsed, 'mcr_last_reload_success'), 0);
  t.equal(valueOf(parsed, 'mcr_last_reload_errors'), 2);
  t.equal(valueOf(parsed, 'mcr_rule_packets_total', { rule: 'ssm', interface: 'eth0', group: '232.1.1.1', port: '5000', source: '10.0.0.7' }), 0);
});

t.test('two rules with one name (a file no check would pass) still give no duplicate series', async (t) => {
  const rules = [rule('same', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')], { packets: 1 }), rule('same', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')], { packets: 2 })];
  const parsed = parseExposition(formatPrometheus(statsFile({ rules })));
  t.same(parsed.problems, []);
  t.equal(valueOf(parsed, 'mcr_rule_packets_total', { rule: 'same', interface: 'eth0', group: '239.1.1.1', port: '5000', source: '' }), 1, 'the first is kept');
});

t.test('values are written as Prometheus reads floats', async (t) => {
  const cases: [number, string][] = [
    [0, '0'],
    [42, '42'],
    [0.25, '0.25'],
    [2 ** 53, '9007199254740992'],
    [1e21, '1e+21'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, text] of cases) t.equal(formatValue(value), text, String(value));
});

t.test('a time that does not parse leaves its gauge without a sample, never NaN', async (t) => {
  const stats = statsFile({ time: 'soon', daemon: { started: 'earlier' }, config: { lastReload: reload({ at: 'then' }) } });
  const parsed = parseExposition(formatPrometheus(stats));
  t.same(parsed.problems, []);
  for (const name of ['mcr_stats_timestamp_seconds', 'mcr_start_time_seconds', 'mcr_last_reload_timestamp_seconds']) {
    t.same(parsed.families.get(name)?.samples, [], name);
  }
});
