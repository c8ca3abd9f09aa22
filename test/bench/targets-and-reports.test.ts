// The targets judged from numbers, and the tables that carry them (no root, no
// traffic): ratios against a bound, counts of 0-loss trials, relay-core CPU cells that
// say when a rate was not sustained, the standing sinks' per-trial verdicts, and the
// Targets table in latest.md.
import t from 'tap';
import { renderLatest, type Latest } from '../../bench/lib/latest.js';
import type { Scenario } from '../../bench/lib/scenario.js';
import { streamOutcome } from '../../bench/lib/stream-outcome.js';
import { allTrialsTarget, ratioTarget, targetsTable } from '../../bench/lib/targets.js';
import type { SinkReport } from '../../test/helpers/traffic.js';
import { cellText, cpuCell, cpuHeadline, cpuTargets } from '../../bench/scenarios/cpu-report.js';
import { fanoutTargets, type FanoutResult, type FanoutSystem } from '../../bench/scenarios/fanout-report.js';
import { forwardingTargets, type ForwardingResult } from '../../bench/scenarios/forwarding-report.js';
import { wideTargets, type WideResult } from '../../bench/scenarios/fanout-wide-report.js';
import { build, cpuResult, cpuSystem, machine, search, trial } from './bench-cases.js';

const us = (v: number) => `${v.toFixed(2)} µs`;

t.test('a ratio target: met, not met, indicative on few repetitions, not measured with why', async (t) => {
  const spec = { target: 'T', bound: 'at most' as const, factor: 1.5, format: us };
  t.same(ratioTarget({ ...spec, subject: { value: 3, n: 3 }, reference: { value: 2, n: 3 } }), { target: 'T', measured: '3.00 µs vs 2.00 µs: 1.50×', verdict: 'met' });
  t.equal(ratioTarget({ ...spec, subject: { value: 3.1, n: 3 }, reference: { value: 2, n: 3 } }).verdict, 'not met');
  t.same(ratioTarget({ ...spec, bound: 'at least', factor: 0.95, subject: { value: 90, n: 1 }, reference: { value: 100, n: 3 } }), {
    target: 'T',
    measured: '90.00 µs vs 100.00 µs: 0.90×',
    verdict: 'not met',
    note: '1 repetition, fewer than 3: indicative only',
  });
  t.same(ratioTarget({ ...spec, subject: { missing: 'mcr-frame-1w: not available in this build' }, reference: { value: 2, n: 3 } }), {
    target: 'T',
    measured: '—',
    verdict: 'not measured',
    note: 'mcr-frame-1w: not available in this build',
  });
});

t.test('an all-trials target counts 0-loss trials and says when there were too few', async (t) => {
  const pass = { pass: true };
  const fail = { pass: false };
  t.same(allTrialsTarget('T', Array(10).fill(pass), 10), { target: 'T', measured: '10 of 10 trials 0-loss', verdict: 'met' });
  t.same(allTrialsTarget('T', [...Array(9).fill(pass), fail], 10), { target: 'T', measured: '9 of 10 trials 0-loss', verdict: 'not met' });
  t.same(allTrialsTarget('T', [pass, pass, pass], 10), { target: 'T', measured: '3 of 3 trials 0-loss', verdict: 'met', note: '3 trials, fewer than 10: indicative only' });
  t.equal(allTrialsTarget('T', [], 1).verdict, 'not measured');
  t.same(allTrialsTarget('T', { missing: 'x' }, 1), { target: 'T', measured: '—', verdict: 'not measured', note: 'x' });
  t.equal(targetsTable([{ target: 'T', measured: 'm', verdict: 'met', note: 'n' }]), '| target | measured | verdict |\n| --- | --- | --- |\n| T | m | met (n) |');
});

t.test('a relay-core CPU cell: µs per delivered datagram, or cannot sustain with what was delivered', async (t) => {
  const steady = cpuSystem('nft', [1, 2, 3].map((k) => ({ ...trial(64, 100_000, 300_000, 0.6 + k * 0.003), rep: k })));
  const c = cpuCell(steady, 64, 100_000);
  t.same([c.us?.median.toFixed(3), c.passes, c.trials, c.delivered], ['2.020', 3, 3, 1]);
  t.equal(cellText(c), '2.02 [2.01–2.03]');
  t.same([c.processUs?.toFixed(2), c.softirqUs?.toFixed(2)], ['1.01', '1.01'], 'the tick-sampled split of the same time');

  const dropping = cpuSystem('socat', [trial(1400, 100_000, 150_000, 2.4)], { skipped: [{ size: 1400, rate: 150_000, rep: 1, because: 100_000 }] });
  t.equal(cellText(cpuCell(dropping, 1400, 100_000)), 'cannot sustain (50.0 % delivered; 16.00 µs)');
  t.equal(cellText(cpuCell(dropping, 1400, 150_000)), 'not offered (dropped at 100.0k)');
  const once = cpuSystem('mcr-socket-1w', [trial(64, 50_000, 300_000, 0.9), { ...trial(64, 50_000, 299_000, 0.9), rep: 2 }]);
  t.match(cellText(cpuCell(once, 64, 50_000)), /^3\.0\d \[3\.00–3\.01\] \(lost in 1 of 2: 99\.\d % delivered\)$/);
  const busy = cpuSystem('x', [trial(64, 50_000, 300_000, 0.9, { coreBusyBefore: 0.5, genLimited: true, genRate: 47_000 })]);
  t.equal(cellText(cpuCell(busy, 64, 50_000)), '3.00 (gen reached 47.0k; core busy before 1 of 1)');
});

t.test('the CPU targets compare mcr frame egress with the kernel fast path at 100k pps', async (t) => {
  const nft = cpuSystem('nft', [trial(64, 100_000, 300_000, 0.6), trial(1400, 100_000, 300_000, 0.75)]);
  const frame = cpuSystem('mcr-frame-1w', [trial(64, 100_000, 300_000, 0.84), trial(1400, 100_000, 300_000, 1.2)]);
  const [t64, t1400] = cpuTargets(cpuResult([nft, frame]));
  t.same([t64?.verdict, t64?.measured], ['met', '2.80 µs vs 2.00 µs: 1.40×']);
  t.same([t1400?.verdict, t1400?.measured], ['not met', '4.00 µs vs 2.50 µs: 1.60×']);
  t.match(t64?.note, /1 repetition, fewer than 3/);
  const absent = cpuTargets(cpuResult([nft, cpuSystem('mcr-frame-1w', [], { unavailable: 'not available in this build: mcr check refuses egress = "frame"' })]));
  t.same([absent[0]?.verdict, absent[0]?.note], ['not measured', 'mcr-frame-1w: not available in this build']);
  const headline = cpuHeadline(cpuResult([nft, frame, cpuSystem('smcroute', [], { unavailable: 'not built into this kernel: no /proc/net/ip_mr_vif' })]));
  t.same(headline[0]?.values, { nft: '2.00', 'mcr-frame-1w': '2.80 (1.40×)', smcroute: 'not built into this kernel' });
});


t.test('the forwarding and 1:50 fan-out targets, from medians of the searches', async (t) => {
  const fwd: ForwardingResult = {
    scenario: 'forwarding',
    mode: 'full',
    machine,
    build,
    settings: { sizes: [64, 1400] },
    elapsedSeconds: 1,
    systems: [
      { id: 'nft', label: 'nft', disturbed: [], rates: { 64: [search(200_000), search(210_000), search(190_000)], 1400: [search(180_000)] } },
      { id: 'mcr-frame-1w', label: 'mcr', disturbed: [], rates: { 64: [search(195_000), search(199_000), search(150_000)], 1400: [search(150_000)] } },
    ],
  };
  const [f64, f1400] = forwardingTargets(fwd);
  t.same([f64?.verdict, f64?.measured], ['met', '195.0k pps vs 200.0k pps: 0.97×']);
  t.same([f1400?.verdict, f1400?.note], ['not met', '1 repetition, fewer than 3: indicative only']);

  const fan = (id: string, rates: number[], extra: Partial<FanoutSystem> = {}): FanoutSystem => ({ id, label: id, setupSeconds: [], searches: rates.map(search), ...extra });
  const result: FanoutResult = {
    scenario: 'fanout',
    mode: 'full',
    machine,
    build,
    settings: { width: 50, size: 1400, reps: 3, seconds: 2, pinned: true, search: { start: 2000, precision: 0.1, minRate: 250, maxRate: 64_000, maxTrials: 7 } },
    topologySeconds: 1,
    elapsedSeconds: 1,
    systems: [fan('nft', [10_000, 12_000, 11_000]), fan('mcr-socket-1w', [3_000, 3_500, 3_200]), fan('mcr-frame-1w', [9_000, 9_600, 9_100])],
  };
  const [vsKernel, vsToday] = fanoutTargets(result);
  t.same([vsKernel?.verdict, vsKernel?.measured], ['met', '9.1k pps vs 11.0k pps: 0.83×']);
  t.same([vsToday?.verdict, vsToday?.measured], ['not met', '9.1k pps vs 3.5k pps: 2.60×'], 'against the mcr the issue measured, not this run\'s socket egress');
  result.systems[2] = fan('mcr-frame-1w', [], { error: 'mcr rules not all active' });
  t.same([fanoutTargets(result)[0]?.verdict, fanoutTargets(result)[0]?.note], ['not measured', 'mcr-frame-1w: cannot: mcr rules not all active']);
});

t.test('the wide fan-out targets count 0-loss trials of mcr frame egress', async (t) => {
  const trials = (passes: boolean[]) => passes.map((pass) => ({ pass }) as WideResult['blocks'][number]['systems'][number]['trials'][number]);
  const result: WideResult = {
    scenario: 'fanout-wide',
    mode: 'full',
    machine,
    build,
    settings: { size: 1400, group: '239.2.2.2', pinned: true, maxProcessWidth: 200 },
    topologySeconds: 1,
    elapsedSeconds: 1,
    blocks: [
      { width: 200, rate: 1000, trials: 10, seconds: 2, sinkStartSeconds: 5, systems: [{ id: 'mcr-frame-1w', label: 'f', trials: trials(Array(10).fill(true)) }] },
      { width: 1000, rate: 100, trials: 3, seconds: 5, sinkStartSeconds: 20, systems: [{ id: 'mcr-frame-1w', label: 'f', trials: trials([true, false, true]) }] },
    ],
  };
  const [wide200, wide1000] = wideTargets(result);
  t.same([wide200?.verdict, wide200?.measured], ['met', '10 of 10 trials 0-loss']);
  t.same([wide1000?.verdict, wide1000?.measured], ['not met', '2 of 3 trials 0-loss']);
});

t.test("standing sinks: one trial's stream in a sink's report, unsent datagrams not counted as lost", async (t) => {
  const stream = (id: number, received: number, lost: number, duplicated = 0) => ({ stream: id, received, lost, duplicated, reordered: 0, corrupted: 0, bytes: 0, first_seq: 0, last_seq: 0, max_seq: 0 });
  const report = { streams: [stream(1, 1000, 0), stream(2, 990, 10), stream(3, 905, 100, 5)] } as unknown as SinkReport;
  t.same(streamOutcome(report, 1, 1000, 1000), { received: 1000, lost: 0, duplicated: 0, reordered: 0, corrupted: 0, socketDrops: null });
  t.equal(streamOutcome(report, 2, 1000, 1000).lost, 10);
  t.equal(streamOutcome(report, 2, 990, 1000).lost, 0, 'the generator sent only 990');
  t.same([streamOutcome(report, 3, 1000, 1000).received, streamOutcome(report, 3, 1000, 1000).duplicated], [900, 5], 'received counts each datagram once');
  t.same(streamOutcome(report, 4, 1000, 1000), { received: 0, lost: 1000, duplicated: 0, reordered: 0, corrupted: 0, socketDrops: null }, 'a stream never seen lost everything');
  t.equal(streamOutcome(undefined, 1, 1000, 1000).lost, 1000, 'a sink that did not report');
});

t.test('latest.md gathers every scenario\'s targets in one table after the headline', async (t) => {
  const fake: Scenario<number> = {
    id: 'fake',
    title: 'Fake',
    run: async () => 1,
    render: () => 'section',
    headline: () => [{ measure: 'm', values: { nft: '1', 'mcr-frame-1w': '2', kernel: 'old' } }],
    targets: () => [{ target: 'frame ≤ 1.5× kernel', measured: '1.2×', verdict: 'met' }],
  };
  const latest: Latest = {
    machine,
    date: machine.date,
    mode: 'full',
    build,
    systems: [],
    placement: { traffic: 0, relay: 1 },
    order: ['fake'],
    scenarios: { fake: { id: 'fake', title: 'Fake', status: 'ok', date: machine.date, mode: 'full', build, elapsedSeconds: 1, result: 1 } },
  };
  const md = renderLatest(latest, { fake: fake as Scenario });
  t.match(md, 'Linux 6.18.0, Node v20.0.0; run 2026-01-01T00:00:00.000Z, mode full, build abc1234; net.core.netdev_max_backlog 1000.');
  t.match(md, '| measure | mcr frame egress | kernel fast path (nft) | kernel (smcroute) |\n| --- | --- | --- | --- |\n| m | 2 | 1 | old |');
  t.match(md, '## Targets\n\nJudged from the numbers above');
  t.match(md, '| frame ≤ 1.5× kernel | 1.2× | met |');
  t.ok(md.indexOf('## Targets') < md.indexOf('## Fake'), 'before the sections');
});
