// The scenarios' sections of latest.md and their headline rows, rendered from results
// built by hand (no root, no traffic): a system that cannot run here shows why in every
// table, ratios are to the kernel fast path, socat and the mmsg relay, and a loss says
// where it happened (the relay core's backlog, full sockets, the relay's counters).
import t from 'tap';
import type { FleetTrial } from '../../bench/lib/fleet.js';
import type { StandingTrial } from '../../bench/lib/standing-sinks.js';
import { cpuHeadline, cpuMarkdown } from '../../bench/scenarios/cpu-report.js';
import { fanoutHeadline, fanoutMarkdown, type FanoutResult } from '../../bench/scenarios/fanout-report.js';
import { wideHeadline, wideMarkdown, type WideResult } from '../../bench/scenarios/fanout-wide-report.js';
import { forwardingChart, forwardingHeadline, forwardingMarkdown, type ForwardingResult } from '../../bench/scenarios/forwarding-report.js';
import { build, cpuResult, cpuSystem, machine, search, trial } from './bench-cases.js';

const FRAME_MISSING = 'not available in this build: mcr check refuses egress = "frame"';
const NO_MROUTE = 'not built into this kernel: no /proc/net/ip_mr_vif; CONFIG_IP_MROUTE is not set';

t.test('forwarding: rates, ratios per system, systems not measured, where loss appeared', async (t) => {
  const failing = { ...trial(64, 250_000, 240_000, 1), pass: false, lost: 10_000, backlogDrops: 9_000, counters: { ring_drops: 5 } };
  const nftSearch = { ...search(200_000), offered: 200_000, trials: [trial(64, 200_000, 300_000, 1), failing] };
  const result: ForwardingResult = {
    scenario: 'forwarding',
    mode: 'full',
    machine,
    build,
    settings: { sizes: [64, 1400], reps: 3 },
    elapsedSeconds: 9,
    systems: [
      { id: 'nft', label: 'kernel fast path', disturbed: [], rates: { 64: [nftSearch, search(210_000), search(190_000)], 1400: [search(180_000)] } },
      { id: 'socat', label: 'socat', disturbed: [], rates: { 64: [search(50_000)], 1400: [search(40_000)] } },
      { id: 'mcr-socket-1w', label: 'mcr socket', disturbed: [], rates: { 64: [search(100_000)], 1400: [search(90_000)] } },
      { id: 'mcr-frame-1w', label: 'mcr frame', unavailable: FRAME_MISSING, disturbed: [], rates: { 64: [], 1400: [] } },
      { id: 'none', label: 'no relay', disturbed: [], rates: { 64: [search(300_000)], 1400: [search(250_000)] } },
    ],
  };
  const md = forwardingMarkdown(result);
  t.match(md, '| kernel fast path | 200.0k [190.0k–210.0k] | 180.0k |');
  t.match(md, '| mcr frame | not available in this build | not available in this build |');
  t.match(md, '| mcr socket | 0.50× | 2.00× |  | 0.50× | 2.25× |  |', 'mcr socket: × kernel fast path, × socat, × mmsg relay (not run), per size');
  t.match(md, `- mcr frame: ${FRAME_MISSING}`);
  t.match(md, '| nft | 64 | 1 | 250.0k | 250.0k | 10000 | 0 | 9000 | ring_drops 5 |');
  t.match(md, 'max 0-loss rate, one stream, 64 B: mcr frame egress ≥ 0.95× the kernel fast path: not measured; mcr-frame-1w: not available in this build');
  const [h64] = forwardingHeadline(result);
  t.same(h64?.values, { nft: '200.0k [190.0k–210.0k]', socat: '50.0k (0.25×)', 'mcr-socket-1w': '100.0k (0.50×)', 'mcr-frame-1w': 'not available in this build', none: '300.0k' });
  t.equal(forwardingChart(result).match(/<polyline/g)?.length, 1, 'only the search with trials is drawn');
});

t.test('cpu: the grid per size and rate, ratios, the process/softirq split, and unavailable systems', async (t) => {
  const r = cpuResult([
    cpuSystem('none', [trial(64, 100_000, 300_000, 0.03)]),
    cpuSystem('nft', [trial(64, 100_000, 300_000, 0.6), trial(1400, 100_000, 300_000, 0.75)]),
    cpuSystem('socat', [trial(64, 50_000, 100_000, 3)], { skipped: [{ size: 64, rate: 100_000, rep: 1, because: 50_000 }] }),
    cpuSystem('mcr-socket-1w', [trial(64, 100_000, 300_000, 1.2), trial(1400, 100_000, 300_000, 1.5)]),
    cpuSystem('smcroute', [], { unavailable: NO_MROUTE }),
  ]);
  const md = cpuMarkdown(r);
  t.match(md, '| none | n/a | 0.10 | n/a |');
  t.match(md, '| socat | cannot sustain (33.3 % delivered; 30.00 µs) | not offered (dropped at 50.0k) |');
  t.match(md, '| smcroute | not built into this kernel | not built into this kernel |');
  t.match(md, '| mcr-socket-1w | n/a | 2.00× | n/a | n/a | 2.00× | n/a |', 'to the kernel fast path');
  t.notMatch(md, /\| nft \| n\/a \| \|/, 'no row of the kernel fast path against itself');
  t.match(md, '| mcr-socket-1w | 2.00 / 2.00 | 2.50 / 2.50 |', 'process / softirq µs at 100k');
  t.match(md, 'CPU 1\'s busy time over the trial');
  const [h64, h1400] = cpuHeadline(r);
  t.same(h64?.values, { none: '0.10', nft: '2.00', socat: 'n/a', 'mcr-socket-1w': '4.00 (2.00×)', smcroute: 'not built into this kernel' });
  t.equal(h1400?.values['mcr-socket-1w'], '5.00 (2.00×)');
});

function fleet(rate: number, pass: boolean, extra: Partial<FleetTrial> = {}): FleetTrial {
  return {
    offered: rate,
    size: 1400,
    streams: 1,
    receivers: 50,
    count: rate * 2,
    sent: rate * 2,
    genRate: rate,
    genStopped: 'count',
    genLimited: false,
    received: pass ? rate * 100 : rate * 90,
    lost: pass ? 0 : rate * 10,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    sinksWithLoss: pass ? 0 : 50,
    pass,
    busyBefore: 0,
    seconds: 2,
    cpu: { relayCpuBusy: (rate * 100 * 2) / 1e6, relayProcesses: null },
    imperfectSinks: pass ? [] : [{ index: 0, received: 1, lost: 1, duplicated: 0, reordered: 0, corrupted: 0, socketDrops: 3 }],
    ...extra,
  };
}

t.test('fanout 1:50: rates with ratios to the kernel dup, today\'s mcr and socat; where loss appeared', async (t) => {
  const searched = (rates: number[]) =>
    rates.map((rate) => ({ ...search(rate), trials: [fleet(rate, true), fleet(rate * 2, false, { backlogDrops: 77, counters: { ring_drops: 4 } })] }));
  const r: FanoutResult = {
    scenario: 'fanout',
    mode: 'full',
    machine,
    build,
    settings: { width: 50, size: 1400, reps: 3, seconds: 2, pinned: true, search: { start: 2000, precision: 0.1, minRate: 250, maxRate: 64_000, maxTrials: 7 } },
    topologySeconds: 0.5,
    elapsedSeconds: 60,
    systems: [
      { id: 'nft', label: 'kernel fast path', setupSeconds: [0.4, 0.5, 0.4], searches: searched([6000, 5000, 7000]) },
      { id: 'smcroute', label: 'smcroute', setupSeconds: [], searches: [], error: '51 interfaces need 51 VIFs, the kernel allows 32' },
      { id: 'mcr-socket-1w', label: 'mcr socket', setupSeconds: [1], searches: searched([3000]) },
      { id: 'mcr-frame-1w', label: 'mcr frame', setupSeconds: [1], searches: searched([12_000]) },
    ],
  };
  const md = fanoutMarkdown(r);
  t.match(md, '| kernel fast path | 6.0k [5.0k–7.0k] | 300.0k | system | 2.00 [2.00–2.00] | 0.4 [0.4–0.5] |  |  | n/a |');
  t.match(md, '| smcroute | cannot: 51 interfaces need 51 VIFs, the kernel allows 32 |');
  t.match(md, '| mcr frame | 12.0k | 600.0k | system | 2.00 | 1.0 | 2.00× | 4.00× | n/a |');
  t.match(md, '- nft: 12.0k: lost 120000 at 50 sinks, sink socket drops 3, relay core backlog drops 77');
  t.match(md, '- mcr-socket-1w: 6.0k: lost 60000 at 50 sinks, sink socket drops 3, relay core backlog drops 77, ring_drops 4');
  t.match(md, 'fan-out 1:50 at 1,400 B, max 0-loss input: mcr frame egress ≥ 3× mcr before this round (3.5k pps, bench of 2026-11-22): met (12.0k pps vs 3.5k pps: 3.43×)');
  t.same(fanoutHeadline(r)[0]?.values, { nft: '6.0k pps in', smcroute: 'cannot (32 VIFs)', 'mcr-socket-1w': '3.0k pps in (0.50×)', 'mcr-frame-1w': '12.0k pps in (2.00×)' });
});

t.test('wide fan-out: 0-loss trials per width, set-up times, and where copies were lost', async (t) => {
  const standing = (pass: boolean, extra: Partial<StandingTrial> = {}): StandingTrial => ({
    ...fleet(1000, pass, { receivers: 200, sent: 2000, received: pass ? 400_000 : 300_000, lost: pass ? 0 : 100_000 }),
    stream: 1,
    socketsTook: 0,
    rcvbufErrors: 0,
    backlogDrops: pass ? 0 : 100_000,
    ...extra,
  });
  const r: WideResult = {
    scenario: 'fanout-wide',
    mode: 'full',
    machine,
    build,
    settings: { size: 1400, group: '239.2.2.2', pinned: true, maxProcessWidth: 200 },
    topologySeconds: 2,
    elapsedSeconds: 300,
    blocks: [
      {
        width: 200,
        rate: 1000,
        trials: 2,
        seconds: 2,
        sinkStartSeconds: 6.5,
        systems: [
          { id: 'nft', label: 'kernel fast path', setupSeconds: 0.6, trials: [standing(false), standing(true)] },
          { id: 'mcr-frame-1w', label: 'mcr frame', unavailable: FRAME_MISSING, trials: [] },
          { id: 'socat', label: 'socat', setupSeconds: 12, trials: [standing(true), standing(true)] },
        ],
      },
      { width: 1000, rate: 100, trials: 1, seconds: 5, sinkStartSeconds: 25, systems: [{ id: 'socat', label: 'socat', notRun: 'one process per output: run up to 1:200', trials: [] }] },
    ],
  };
  const md = wideMarkdown(r);
  t.match(md, '200 receivers started in 6.5 s (once, for every system and trial).');
  t.match(md, "| kernel fast path | 1 of 2 0-loss, 87.50 [75.00–100.00] % delivered | 0.50 [0.50–0.50] | 0.6 | 100000 copies lost, relay core's backlog dropped 100000, receivers' full sockets 0 |");
  t.match(md, '| mcr frame | not available in this build |');
  t.match(md, '| socat | not run: one process per output: run up to 1:200 |');
  t.match(md, 'fan-out 1:200 at 1,000 pps: mcr frame egress 0-loss in 10 of 10 trials: not measured; mcr-frame-1w: not available in this build');
  t.same(wideHeadline(r)[0]?.values, { nft: '1/2 (87.5 % delivered)', 'mcr-frame-1w': 'not available in this build', socat: '2/2' });
  t.same(wideHeadline(r)[1]?.values, { socat: 'not run (one process per output)' });
});
