import t from 'tap';
import { renderTable } from '../../src/stats/table.js';
import { before, counters, output, reload, rule, statsFile, TIME_MS } from './fixtures.js';

/** Every kind of rule: active with three outputs, a fast one, pending, paused, disabled,
 * error (rule and output), and a trickle. */
const FULL = statsFile({
  workers: [
    counters({ rx_frames: 1_234_567, matched: 1_230_000, no_match: 4000, truncated: 3, bad_ip_checksum: 2, fragment: 7, ring_drops: 12, egress_full: 5, egress_errors: 1 }),
    counters(),
  ],
  rules: [
    rule('camera-1', 'eth0 239.1.1.1:5000', [
      output('eth1 239.2.1.1:5000', { pps: 12_345.6, drops: 5 }),
      output('eth2 239.3.1.1:5000', { pps: 12_345.6, ttl: 8, errors: 1 }),
      output('wg0 10.8.0.2:5000', { pps: 12_345.6 }),
    ], { pps: 12_345.6 }),
    rule('market-data', 'eth3 239.9.9.9:31000', [output('eth4 239.9.9.10:31000', { pps: 1_500_000 })], { pps: 1_500_000 }),
    rule('lab-feed', 'veth7 239.5.5.5:6000', [output('eth1 239.6.6.6:6000', { state: 'pending' })], { state: 'pending' }),
    rule('studio-b', 'eth5 239.7.7.7:5004', [output('eth1 239.8.8.8:5004')], { state: 'paused' }),
    rule('spare', 'eth0 239.1.1.9:5000', [output('eth1 239.2.1.9:5000', { state: 'pending' })], { state: 'disabled' }),
    rule('broken', 'eth0 239.1.1.8:5000', [output('eth9 239.2.1.8:5000', { state: 'error', error: 'No such device' })], {
      state: 'error',
      error: 'cannot join 239.1.1.8 on eth0: No buffer space available',
    }),
    rule('quiet', 'eth0 239.1.1.7:5000', [output('eth1 239.2.1.7:5000', { pps: 0.4 })], { pps: 0.4 }),
  ],
});

t.test('every rule state, multi-output rules, errors and totals, at the default width', async (t) => {
  t.same(renderTable(FULL, { now: TIME_MS + 800 }), [
    'mcrd running, pid 4242, up 2h 3m, backend io_uring, 2 workers',
    'config generation 3, last reload ok 4m 10s ago (sighup: 1 added, 0 removed, 2 changed)',
    '',
    'RULE                        STATE     IN pps  OUT pps  DROPS',
    'camera-1                    active     12.3k               6',
    '  -> eth1 239.2.1.1:5000    active              12.3k      5',
    '  -> eth2 239.3.1.1:5000    active              12.3k      1',
    '  -> wg0 10.8.0.2:5000      active              12.3k      0',
    'market-data                 active      1.5M               0',
    '  -> eth4 239.9.9.10:31000  active               1.5M      0',
    'lab-feed                    pending        -               0',
    '  -> eth1 239.6.6.6:6000    pending                 -      0',
    'studio-b                    paused         -               0',
    '  -> eth1 239.8.8.8:5004    active                  -      0',
    'spare                       disabled       -               0',
    '  -> eth1 239.2.1.9:5000    pending                 -      0',
    'broken                      error          -               0',
    '  error: cannot join 239.1.1.8 on eth0: No buffer space available',
    '  -> eth9 239.2.1.8:5000    error                   -      0',
    '     error: No such device',
    'quiet                       active       0.4               0',
    '  -> eth1 239.2.1.7:5000    active                0.4      0',
    '',
    'totals: rx 1.2M frames, matched 1.2M, no match 4.0k, malformed 5, unsupported 7, ring drops 12',
    '  egress full 5, egress errors 1, not sent 0',
  ]);
});

t.test('long names are cut with an ellipsis to keep every line within the width', async (t) => {
  const stats = statsFile({
    rules: [rule('a-rule-name-far-too-long-for-the-column', 'eth0 239.1.1.1:5000', [output('a-very-long-interface-name 239.255.255.250:1900', { pps: 2_000 })], { pps: 2_000 })],
  });
  const lines = renderTable(stats, { now: TIME_MS, width: 50 });
  t.same(lines, [
    'mcrd running, pid 4242, up 2h 3m, backend io_uring',
    '  2 workers',
    'config generation 3',
    '  last reload ok 4m 10s ago (sighup: 1 added, 0 r…',
    '',
    'RULE                STATE   IN pps  OUT pps  DROPS',
    'a-rule-name-far-t…  active    2.0k               0',
    '  -> a-very-long-…  active             2.0k      0',
    '',
    'totals: rx 0 frames, matched 0, no match 0',
    '  malformed 0, unsupported 0, ring drops 0',
    '  egress full 0, egress errors 0, not sent 0',
  ]);
  for (const width of [60, 80, 100, 132]) {
    const wide = renderTable(FULL, { now: TIME_MS, width });
    t.same(wide.filter((line) => [...line].length > width), [], `nothing wider than ${width}`);
  }
});

t.test('a file from a stopped daemon says so first', async (t) => {
  const lines = renderTable(statsFile({ daemon: { state: 'stopped' } }), { now: TIME_MS + 42_000 });
  t.same(lines.slice(0, 2), ['mcrd is stopped: these are its final counters, written 42 s ago', 'mcrd stopped, pid 4242, up 2h 3m, backend io_uring, 2 workers']);
});

t.test('a file older than three intervals is called stale', async (t) => {
  const stats = statsFile({ interval: 2 });
  t.equal(renderTable(stats, { now: TIME_MS + 6_000 })[0], 'mcrd running, pid 4242, up 2h 3m, backend io_uring, 2 workers', 'three intervals old is not yet stale');
  t.equal(renderTable(stats, { now: TIME_MS + 7_000 })[0], 'stale: last written 7 s ago (mcrd writes every 2 s; is it still running?)');
});

t.test('a failed reload shows its errors under the header, at most five', async (t) => {
  const errors = Array.from({ length: 7 }, (_, i) => `/etc/mcr.toml:${i + 1}:1: problem ${i + 1}`);
  const lines = renderTable(statsFile({ config: { lastReload: reload({ ok: false, trigger: 'file', errors }) } }), { now: TIME_MS });
  t.same(lines.slice(1, 9), [
    'config generation 3, last reload FAILED 4m 10s ago (file: 7 errors)',
    '  ! /etc/mcr.toml:1:1: problem 1',
    '  ! /etc/mcr.toml:2:1: problem 2',
    '  ! /etc/mcr.toml:3:1: problem 3',
    '  ! /etc/mcr.toml:4:1: problem 4',
    '  ! /etc/mcr.toml:5:1: problem 5',
    '  ! and 2 more (mcr stats --json shows them all)',
    '',
  ]);
});

t.test('the reload line says what the last reload did', async (t) => {
  const cases: [string, Partial<Parameters<typeof statsFile>[0]>, string][] = [
    ['none yet', { config: { lastReload: null } }, 'config generation 3, no reload yet'],
    ['nothing to change', { config: { lastReload: reload({ skipped: true, trigger: 'file' }) } }, 'config generation 3, last reload ok 4m 10s ago (file: nothing changed)'],
    ['one error', { config: { lastReload: reload({ ok: false, errors: ['x'], at: before(3) }) } }, 'config generation 3, last reload FAILED 3s ago (sighup: 1 error)'],
    [
      'a restart',
      { config: { generation: 9, lastReload: reload({ restarted: true, trigger: 'start', at: before(7384) }) } },
      'config generation 9, last reload ok 2h 3m ago (start: 1 added, 0 removed, 2 changed, data plane restarted)',
    ],
  ];
  for (const [name, fields, line] of cases) t.equal(renderTable(statsFile(fields), { now: TIME_MS, width: 200 })[1], line, name);
});

t.test('the header names a backend fallback and a single worker', async (t) => {
  const stats = statsFile({ workers: [counters()], daemon: { backend: 'syscalls', fallbackReason: 'io_uring is disabled', uptime: 45 } });
  t.equal(renderTable(stats, { now: TIME_MS })[0], 'mcrd running, pid 4242, up 45s, backend syscalls (io_uring is disabled), 1 worker');
});

t.test('no rules: the table says so', async (t) => {
  const lines = renderTable(statsFile(), { now: TIME_MS });
  t.same(lines.slice(3, 5), ['RULE  STATE  IN pps  OUT pps  DROPS', '(no rules)']);
});

t.test('control characters from the file are shown escaped, never sent to the terminal', async (t) => {
  const stats = statsFile({ rules: [rule('evil\u001b[2Jname\nx', 'eth0 239.1.1.1:5000', [], { state: 'error', error: 'bad\u0007' })] });
  const lines = renderTable(stats, { now: TIME_MS });
  t.same(lines.slice(4, 6), ['evil\\x1b[2Jname\\nx  error       -               0', '  error: bad\\x07']);
});

t.test("the kernel's backlog drops on the worker CPUs get a line of their own when there are any, and not otherwise", async (t) => {
  const withDrops = (values: number[], cpus: number[]) => {
    const total = [...new Map(cpus.map((cpu, i) => [cpu, values[i] ?? 0])).values()].reduce((a, b) => a + b, 0);
    return statsFile({ workers: values.map((softnet_dropped) => ({ ...counters(), softnet_dropped })), daemon: { cpus }, totals: { ...counters(), softnet_dropped: total } });
  };
  const plain = renderTable(statsFile(), { now: TIME_MS });
  const wide = renderTable(withDrops([1234], [1]), { now: TIME_MS, width: 140 });
  t.equal(wide.at(-1), '1.2k packets were dropped by the kernel before mcr could read them (softnet backlog on CPU 1), see docs/stats.md#kernel-backlog-drops');
  t.same(renderTable(withDrops([1, 0], [0, 1]), { now: TIME_MS }).slice(-2), [
    '1 packet was dropped by the kernel before mcr could read them (softnet backlog on CPU 0)',
    '  see docs/stats.md#kernel-backlog-drops',
  ]);
  t.match(renderTable(withDrops([5, 7], [0, 1]), { now: TIME_MS }).at(-2), /^12 packets were dropped by the kernel before mcr could read them \(softnet backlog on CPUs 0, 1\)$/);
  t.same(renderTable(withDrops([0, 0], [0, 1]), { now: TIME_MS }), plain, 'no drops, no line');
});
