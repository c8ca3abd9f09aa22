// Scenario 5: fan-out. One input stream copied to 3, 50 and 200 outputs at 1,000 pps
// input, counted at a real receiver on every output; then, at 1:50, the highest input
// rate with zero loss on all 50 outputs. The outputs are 200 veths from the relay into
// one receiver namespace, one mcr-sink bound to each. mcr sends all outputs from one
// rule; socat has no 1:N, so it runs one process per output, each joining the group;
// the kernel needs a VIF per interface and has 32, so 1:50 and 1:200 fail at setup,
// and that failure is the result recorded.
import { Lab } from '../../src/netns/lab.js';
import { describeFleet, runFleetTrial, type FleetTrial } from '../lib/fleet.js';
import { chooseSystems, installAll, recorded, type Installation } from '../lib/multirelay.js';
import { PINNED } from '../lib/pinning.js';
import { kpps, markdownTable, numberCell, ratioCell, spread } from '../lib/report.js';
import { machineInfo, type MachineInfo } from '../lib/cpu.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { searchZeroLoss, type SearchResult } from '../lib/search.js';
import { IN_GROUP, OUT_GROUP, RELAY_KINDS, joinedGroup, type Path, type RelayKind } from '../lib/systems.js';
import { fan, type Fan } from '../../src/netns/topologies.js';

const WIDTHS = [3, 50, 200];
const INPUT_RATE = 1_000;
const SEARCH_WIDTH = 50;
const SIZE = 1024;
const MODES = {
  quick: { reps: 1, seconds: 1, quietWaitMs: 0, search: { start: 1_000, precision: 0.25, minRate: 250, maxRate: 32_000, maxTrials: 3 } },
  full: { reps: 3, seconds: 2, quietWaitMs: 1_000, search: { start: 1_000, precision: 0.1, minRate: 250, maxRate: 32_000, maxTrials: 6 } },
};

export interface FanoutCell {
  width: number;
  error?: string;
  processes?: number;
  /** Seconds to install the system with this many outputs. */
  setupSeconds?: number;
  trials: FleetTrial[];
}

export interface FanoutSystem {
  id: string;
  label: string;
  note?: string;
  cells: FanoutCell[];
  search?: SearchResult<FleetTrial>;
  searchError?: string;
}

export interface FanoutResult {
  scenario: 'fanout';
  mode: 'quick' | 'full';
  machine: MachineInfo;
  build: BuildInfo;
  settings: { widths: number[]; inputRate: number; searchWidth: number; size: number; reps: number; seconds: number; pinned: boolean; search: (typeof MODES)['full']['search'] };
  topologySeconds: number;
  elapsedSeconds: number;
  systems: FanoutSystem[];
}

function fanPath(f: Fan, width: number): Path {
  return { input: f.in0, source: f.src.address, group: IN_GROUP, outputs: f.outs.slice(0, width).map((via) => ({ via, group: OUT_GROUP })) };
}

function trialOn(f: Fan, kind: RelayKind, width: number, relays: Installation, rate: number, mode: (typeof MODES)['full']): Promise<FleetTrial> {
  const path = fanPath(f, width);
  return runFleetTrial(
    {
      src: f.src,
      group: IN_GROUP,
      streams: 1,
      rate,
      seconds: mode.seconds,
      size: SIZE,
      sinks: path.outputs.map((o, i) => ({ at: f.rxs[i] as Fan['rxs'][number], group: joinedGroup(kind, path, o) })),
      relayPids: relays.forwarders,
      quietWaitMs: mode.quietWaitMs,
    },
    relays.counters,
  );
}

export const scenario: Scenario<FanoutResult> = {
  id: 'fanout',
  title: 'Fan-out: 1:3, 1:50 and 1:200 at 1,000 pps, and the 0-loss rate at 1:50',

  async run(host, ctx) {
    const mode = ctx.quick ? MODES.quick : MODES.full;
    const started = Date.now();
    const ids = chooseSystems(ctx.systems, false);
    const lab = Lab.create(host);
    const f = await fan(lab, Math.max(...WIDTHS));
    const topologySeconds = Math.round((Date.now() - started) / 100) / 10;
    ctx.log(`[fanout] ${Math.max(...WIDTHS)} receivers wired in ${topologySeconds} s`);
    const systems: FanoutSystem[] = [];
    for (const id of ids) {
      const kind = (RELAY_KINDS[id] as () => RelayKind)();
      const system: FanoutSystem = { id, label: kind.label, ...(kind.note ? { note: kind.note } : {}), cells: [] };
      systems.push(system);
      for (const width of WIDTHS) {
        const cell: FanoutCell = { width, trials: [] };
        system.cells.push(cell);
        const tag = `[fanout ${id} 1:${width}]`;
        const err = await recorded(host, ctx.log, tag, async () => {
          const t0 = Date.now();
          const relays = await installAll(host, kind, [{ ns: f.relay, paths: [fanPath(f, width)] }]);
          try {
            cell.setupSeconds = Math.round((Date.now() - t0) / 100) / 10;
            cell.processes = relays.pids().length;
            for (let rep = 1; rep <= mode.reps; rep += 1) {
              if (host.stopped) throw new Error('interrupted');
              const t = await trialOn(f, kind, width, relays, INPUT_RATE, mode);
              ctx.log(`${tag} rep ${rep}/${mode.reps} ${describeFleet(t)}`);
              cell.trials.push(t);
            }
            if (width !== SEARCH_WIDTH) return;
            const searchErr = await recorded(host, ctx.log, `${tag} search`, async () => {
              system.search = await searchZeroLoss(async (rate) => {
                if (host.stopped) throw new Error('interrupted');
                const t = await trialOn(f, kind, width, relays, rate, mode);
                ctx.log(`${tag} search ${describeFleet(t)}`);
                return t;
              }, mode.search);
              ctx.log(`${tag} max 0-loss input ${system.search.rate} pps (limit: ${system.search.limit})`);
            });
            if (searchErr) system.searchError = searchErr;
          } finally {
            await relays.close();
          }
        });
        if (err) cell.error = err;
      }
    }
    await lab.destroy();
    return {
      scenario: 'fanout',
      mode: ctx.quick ? 'quick' : 'full',
      machine: machineInfo(),
      build: ctx.build,
      settings: {
        widths: WIDTHS,
        inputRate: INPUT_RATE,
        searchWidth: SEARCH_WIDTH,
        size: SIZE,
        reps: mode.reps,
        seconds: mode.seconds,
        pinned: PINNED,
        search: mode.search,
      },
      topologySeconds,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      systems,
    };
  },

  render(r) {
    const cellOf = (s: FanoutSystem, w: number) => s.cells.find((c) => c.width === w);
    const find = (id: string) => r.systems.find((s) => s.id === id);
    const deliveredShare = (t: FleetTrial) => (t.sent > 0 ? t.received / (t.sent * t.receivers) : 0);
    const delivery = (c: FanoutCell | undefined) => {
      if (!c) return 'n/a';
      if (c.error) return `fails: ${c.error}`;
      const passes = c.trials.filter((t) => t.pass).length;
      const share = spread(c.trials.map((t) => 100 * deliveredShare(t)));
      const limited = c.trials.filter((t) => t.genLimited);
      const gen = limited.length > 0 ? ` (gen ${kpps(spread(limited.map((t) => t.genRate))?.median ?? 0)} pps in ${limited.length})` : '';
      return `${passes}/${c.trials.length} 0-loss, ${numberCell(share, 2)} % delivered${gen}`;
    };
    const procs = (c: FanoutCell | undefined) =>
      spread((c?.trials ?? []).filter((t) => t.sent > 0 && t.cpu.relayProcesses !== null).map((t) => ((t.cpu.relayProcesses as number) / (t.sent * t.receivers)) * 1e6));
    const cpu1 = (c: FanoutCell | undefined) => spread((c?.trials ?? []).filter((t) => t.sent > 0).map((t) => (t.cpu.relayCpuBusy / (t.sent * t.receivers)) * 1e6));
    const deliveryTable = markdownTable(
      ['system', ...r.settings.widths.map((w) => `1:${w} (${kpps(w * r.settings.inputRate)} pps out)`)],
      r.systems.map((s) => [s.label, ...r.settings.widths.map((w) => delivery(cellOf(s, w)))]),
    );
    const costTable = markdownTable(
      ['system', ...r.settings.widths.map((w) => `1:${w}: processes, setup s, CPU 1 / processes µs per copy`)],
      r.systems.map((s) => [
        s.label,
        ...r.settings.widths.map((w) => {
          const c = cellOf(s, w);
          if (!c || c.error) return 'n/a';
          return `${c.processes ?? '?'}, ${c.setupSeconds ?? '?'} s, ${numberCell(cpu1(c), 2)} / ${numberCell(procs(c), 2)}`;
        }),
      ]),
    );
    const searchRate = (s: FanoutSystem | undefined) => s?.search?.rate;
    const searchTable = markdownTable(
      ['system', `max 0-loss input pps at 1:${r.settings.searchWidth}`, 'copies per second', 'limit', 'mcr/socat'],
      r.systems.map((s) => {
        if (!s.search) return [s.label, cellOf(s, r.settings.searchWidth)?.error ? 'cannot (setup fails)' : `n/a${s.searchError ? `: ${s.searchError}` : ''}`, '', '', ''];
        const rate = s.search.rate;
        return [
          s.label,
          kpps(rate),
          kpps(rate * r.settings.searchWidth),
          s.search.limit,
          s.id.startsWith('mcr') ? ratioCell(rate, searchRate(find('socat'))) : '',
        ];
      }),
    );
    const ratioRows = r.systems
      .filter((s) => s.id.startsWith('mcr'))
      .map((s) => [
        s.label,
        ...r.settings.widths.map((w) => {
          const socat = find('socat');
          const kernel = find('kernel');
          const k = kernel ? ratioCell(cpu1(cellOf(s, w))?.median, cpu1(cellOf(kernel, w))?.median) : 'n/a';
          const so = socat ? ratioCell(procs(cellOf(s, w))?.median, procs(cellOf(socat, w))?.median) : 'n/a';
          return `${k} / ${so}`;
        }),
      ]);
    const { inputRate, size, seconds, reps, search } = r.settings;
    // Where mcr lost what it lost, by its own counters, over every trial of the scenario.
    const mcrLosses = r.systems
      .filter((s) => s.id.startsWith('mcr'))
      .map((s) => {
        const trials = [...s.cells.flatMap((c) => c.trials), ...(s.search?.trials ?? [])];
        const total = (key: string) => trials.reduce((t, x) => t + (x.counters?.[key] ?? 0), 0);
        return `${s.id}: ring_drops ${total('ring_drops')}, ring_freezes ${total('ring_freezes')}, egress_full ${total('egress_full')}, egress_errors ${total('egress_errors')}`;
      });
    return [
      `**Delivery at ${inputRate.toLocaleString('en')} pps input** (a trial is 0-loss when every receiver got every datagram once, in order, intact)`,
      '',
      deliveryTable,
      '',
      '**Cost**',
      '',
      costTable,
      '',
      '**CPU ratios, mcr/kernel (CPU 1) / mcr/socat (processes)** (below 1 favours mcr)',
      '',
      markdownTable(['system', ...r.settings.widths.map((w) => `1:${w}`)], ratioRows),
      '',
      `**Highest input rate with zero loss at 1:${r.settings.searchWidth}**`,
      '',
      searchTable,
      '',
      `- Topology: src —veth— relay, and ${Math.max(...r.settings.widths)} veths from the relay (out0…) into one receiver ` +
        `namespace, wired once (${r.topologySeconds} s); a 1:N run uses the first N. One mcr-sink per output, bound to its ` +
        `interface (SO_BINDTODEVICE), checks every datagram. ${size} B datagrams, ${seconds} s per trial, ${reps} repetition(s).`,
      '- mcr: one process, one rule with N outputs (group rewritten to 239.2.2.2). socat has no 1:N: one socat per output, ' +
        'each joining 239.1.1.1 on the input and sending to its output, as people would run it. Kernel: smcrouted, one (S,G) ' +
        `route with N outputs; it needs a VIF per interface (N+1) and the kernel allows 32, so 1:50 and 1:200 fail at setup — ` +
        'the table shows what the kernel and smcroute did. That limit is what mcr exists to pass.',
      `- The 1:${r.settings.searchWidth} search starts at ${kpps(search.start)} pps input, doubles until a trial fails, then ` +
        `bisects to ${search.precision * 100} % (at most ${search.maxTrials} trials); the rate is the generator's achieved rate ` +
        'in the best passing trial. "generator" as limit: offering more got no more through (the shared CPUs were saturated).',
      `- ${r.settings.pinned ? 'Sender and sinks on CPU 0, relay on CPU 1, RPS steering the relay input to CPU 1. ' : ''}` +
        '"CPU 1": its busy time while sending, per copy delivered (relay, the receivers\' softirq that runs where the relay ' +
        'sent, and any other work on the machine). "Processes": scheduler runtime of the relay processes alone, per copy.',
      '- On a CPU shared with other work the scheduler divides time per task: N socat processes get up to N shares of ' +
        'CPU 1 where mcr\'s worker gets one, and the receivers\' softirq for every copy runs on CPU 1 too.',
      ...(mcrLosses.length > 0 ? [`- mcr's counters over all its trials here: ${mcrLosses.join('; ')}.`] : []),
    ].join('\n');
  },

  headline(r) {
    const rows: HeadlineRow[] = [];
    const top = Math.max(...r.settings.widths);
    const delivered: Record<string, string> = {};
    const rate: Record<string, string> = {};
    for (const s of r.systems) {
      const c = s.cells.find((x) => x.width === top);
      if (!c || c.error) delivered[s.id] = c?.error?.includes('VIF') ? 'cannot (32 VIFs)' : 'error';
      else {
        const share = spread(c.trials.map((t) => (t.sent > 0 ? (100 * t.received) / (t.sent * t.receivers) : 0)))?.median ?? 0;
        delivered[s.id] = `${share.toFixed(2)} % (${c.trials.filter((t) => t.pass).length}/${c.trials.length} 0-loss)`;
      }
      rate[s.id] = s.search ? `${kpps(s.search.rate)} pps in` : 'n/a';
    }
    rows.push({ measure: `1:${top} fan-out at ${r.settings.inputRate / 1000}k pps, delivered`, values: delivered });
    rows.push({ measure: `1:${r.settings.searchWidth} fan-out, max 0-loss input`, values: rate });
    return rows;
  },
};
