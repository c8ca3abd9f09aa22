// Scenario 4: many streams through one relay box: 1, 2, 5, 10 and 20 streams of 5,000
// pps each (groups 239.1.1.1.. → 239.2.2.2..), on the one-hop chain. mcr runs one
// process with one rule per stream; socat one process per stream, as people use it;
// the kernel one smcrouted with one (S,G) route per stream. Per system and stream
// count: loss at the receiver (per stream), the relay's process count and its CPU.
import { Lab } from '../../src/netns/lab.js';
import { isUnavailable } from '../lib/availability.js';
import { chain, direct } from '../../src/netns/topologies.js';
import { describeFleet, runFleetTrial, type FleetTrial } from '../lib/fleet.js';
import { chooseSystems, installAll, kindOf, recorded, unavailable } from '../lib/multirelay.js';
import { KERNEL_FAST } from '../lib/registry.js';
import { PINNED } from '../lib/pinning.js';
import { kpps, markdownTable, numberCell, ratioCell, spread } from '../lib/report.js';
import { machineInfo, type MachineInfo } from '../lib/cpu.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { IN_GROUP, OUT_GROUP, groupAt, type Path, type RelayKind } from '../lib/systems.js';

const PER_STREAM = 5_000;
const SIZE = 1024;
const MODES = {
  quick: { counts: [1, 5, 20], reps: 1, seconds: 1, quietWaitMs: 0 },
  full: { counts: [1, 2, 5, 10, 20], reps: 3, seconds: 1, quietWaitMs: 1_000 },
};

export interface StreamsCell {
  streams: number;
  error?: string;
  processes?: number;
  trials: FleetTrial[];
}

export interface StreamsSystem {
  id: string;
  label: string;
  note?: string;
  /** Why it cannot run here; nothing was measured. */
  unavailable?: string;
  cells: StreamsCell[];
}

export interface StreamsResult {
  scenario: 'streams';
  mode: 'quick' | 'full';
  machine: MachineInfo;
  build: BuildInfo;
  settings: { counts: number[]; perStream: number; size: number; reps: number; seconds: number; pinned: boolean };
  elapsedSeconds: number;
  systems: StreamsSystem[];
}

const NONE_LABEL = 'no relay (gen -> sink over one veth pair)';

export const scenario: Scenario<StreamsResult> = {
  id: 'streams',
  title: 'Many streams: 1 to 20 streams of 5,000 pps through one relay',

  async run(host, ctx) {
    const mode = ctx.quick ? MODES.quick : MODES.full;
    const started = Date.now();
    const ids = chooseSystems(ctx.systems, true);
    const lab = Lab.create(host);
    const c = await chain(lab);
    const straight = ids.includes('none') ? await direct(lab) : null;
    const systems: StreamsSystem[] = [];
    for (const id of ids) {
      const kind: RelayKind | null = id === 'none' ? null : kindOf(id);
      const why = kind ? unavailable(kind) : null;
      const system: StreamsSystem = {
        id,
        label: kind?.label ?? NONE_LABEL,
        ...(kind?.note ? { note: kind.note } : {}),
        ...(why ? { unavailable: why } : {}),
        cells: [],
      };
      systems.push(system);
      if (why) continue;
      for (const n of mode.counts) {
        const cell: StreamsCell = { streams: n, trials: [] };
        system.cells.push(cell);
        const paths: Path[] = Array.from({ length: n }, (_, k) => ({
          input: c.in0,
          source: c.src.address,
          group: groupAt(IN_GROUP, k),
          outputs: [{ via: c.out0, group: groupAt(OUT_GROUP, k) }],
        }));
        const err = await recorded(host, ctx.log, `[streams ${id} ×${n}]`, async () => {
          const relays = kind ? await installAll(host, kind, [{ ns: c.relay, paths }]) : null;
          try {
            if (relays) cell.processes = relays.pids().length;
            const src = straight && !kind ? straight.src : c.src;
            const at = straight && !kind ? straight.rx : c.rx;
            for (let rep = 1; rep <= mode.reps; rep += 1) {
              if (host.stopped) throw new Error('interrupted');
              const t = await runFleetTrial(
                {
                  src,
                  group: IN_GROUP,
                  streams: n,
                  rate: PER_STREAM * n,
                  seconds: mode.seconds,
                  size: SIZE,
                  sinks: [{ at, group: kind?.rewrites ? OUT_GROUP : IN_GROUP }],
                  relayPids: relays ? relays.forwarders : () => [],
                  quietWaitMs: mode.quietWaitMs,
                },
                relays?.counters,
              );
              ctx.log(`[streams ${id} ×${n} rep ${rep}/${mode.reps}] ${describeFleet(t)}`);
              cell.trials.push(t);
            }
          } finally {
            await relays?.close();
          }
        });
        if (err) cell.error = err;
        // Found out only at set-up (the data plane used another egress kind): no cell will run.
        if (err && isUnavailable(err)) {
          system.unavailable = err;
          break;
        }
      }
    }
    await lab.destroy();
    return {
      scenario: 'streams',
      mode: ctx.quick ? 'quick' : 'full',
      machine: machineInfo(),
      build: ctx.build,
      settings: { counts: mode.counts, perStream: PER_STREAM, size: SIZE, reps: mode.reps, seconds: mode.seconds, pinned: PINNED },
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      systems,
    };
  },

  render(r) {
    const counts = r.settings.counts;
    const cellOf = (s: StreamsSystem, n: number) => s.cells.find((c) => c.streams === n);
    const find = (id: string) => r.systems.find((s) => s.id === id);
    const cpu1 = (c: StreamsCell | undefined) => spread((c?.trials ?? []).filter((t) => t.sent > 0).map((t) => (t.cpu.relayCpuBusy / t.sent) * 1e6));
    const procs = (c: StreamsCell | undefined) =>
      spread((c?.trials ?? []).filter((t) => t.sent > 0 && t.cpu.relayProcesses !== null).map((t) => ((t.cpu.relayProcesses as number) / t.sent) * 1e6));
    const lossCell = (c: StreamsCell | undefined) => {
      if (!c) return 'n/a';
      if (c.error) return `error: ${c.error}`;
      const passes = c.trials.filter((t) => t.pass).length;
      const lost = spread(c.trials.map((t) => t.lost));
      const lostText = lost && lost.n > 1 ? `lost ${lost.median} median, ${lost.max} max` : `lost ${lost?.median ?? 0}`;
      const worst = Math.max(0, ...c.trials.flatMap((t) => t.imperfectSinks.flatMap((s) => s.lostPerStream ?? [s.lost])));
      const limited = c.trials.filter((t) => t.genLimited);
      // A generator that fell short offered less than the nominal load: say how much.
      const gen = limited.length > 0 ? ` (gen ${kpps(spread(limited.map((t) => t.genRate))?.median ?? 0)} pps in ${limited.length})` : '';
      const verdict = passes === c.trials.length ? `${passes}/${c.trials.length} 0-loss` : `${passes}/${c.trials.length} 0-loss; ${lostText} (worst stream ${worst})`;
      return verdict + gen;
    };
    const loss = markdownTable(
      ['system', ...counts.map((n) => `${n} × 5k pps (${kpps(n * r.settings.perStream)} pps)`)],
      r.systems.map((s) => [s.label, ...counts.map((n) => (s.unavailable ? (s.unavailable.split(':')[0] as string) : lossCell(cellOf(s, n))))]),
    );
    const processes = markdownTable(
      ['system', ...counts.map((n) => `${n} streams`)],
      r.systems.filter((s) => s.id !== 'none').map((s) => [s.label, ...counts.map((n) => String(cellOf(s, n)?.processes ?? 'n/a'))]),
    );
    const cpu = markdownTable(
      ['system', ...counts.map((n) => `${n} streams: CPU 1 / processes µs/pkt`)],
      r.systems.map((s) => [s.label, ...counts.map((n) => `${numberCell(cpu1(cellOf(s, n)), 1)} / ${numberCell(procs(cellOf(s, n)), 1)}`)]),
    );
    const top = Math.max(...counts);
    const ratios = r.systems
      .filter((s) => s.id.startsWith('mcr'))
      .map((s) => {
        const mine = cellOf(s, top);
        const kernel = find(KERNEL_FAST);
        const socat = find('socat');
        return [
          s.label,
          ratioCell(cpu1(mine)?.median, cpu1(kernel && cellOf(kernel, top))?.median),
          ratioCell(procs(mine)?.median, procs(socat && cellOf(socat, top))?.median),
          ratioCell(cpu1(mine)?.median, cpu1(socat && cellOf(socat, top))?.median),
        ];
      });
    return [
      '**Trials with zero loss (every stream complete, in order, intact)**',
      '',
      loss,
      '',
      '**Relay processes**',
      '',
      processes,
      '',
      '**CPU per forwarded datagram**',
      '',
      cpu,
      '',
      `**Ratios at ${top} streams** (below 1 favours mcr)`,
      '',
      markdownTable(['system', 'CPU 1: mcr/kernel fast path', 'processes: mcr/socat', 'CPU 1: mcr/socat'], ratios),
      '',
      `- One relay between sender and receiver; N streams of ${r.settings.perStream.toLocaleString('en')} pps each, ${r.settings.size} B, ` +
        `${r.settings.seconds} s per trial, ${r.settings.reps} repetition(s) per stream count. Stream k goes to 239.1.1.(1+k); ` +
        'rewriting systems (the kernel fast path too) send it on to 239.2.2.(2+k), kernel routing forwards the input group. One mcr-gen sends all streams ' +
        'round-robin; one mcr-sink joins all output groups and checks every stream (loss, order, duplicates, payload). ' +
        '"gen X pps in K" marks K trials where mcr-gen, sharing CPU 0 with the sink, sent slower than offered (median rate X): ' +
        'those trials offered less than the nominal load.',
      '- mcr: one process, one rule per stream. socat: one process per stream (IP_MULTICAST_ALL off, so each gets only its ' +
        'group). Kernel fast path: one nftables netdev ingress rule per stream, jumping to its rewrite-and-fwd chain. Kernel ' +
        'routing: one smcrouted with one static (S,G) route per stream. Both forward in softirq, with no relay process doing the work.',
      `- ${r.settings.pinned ? 'Sender and sink on CPU 0, relay on CPU 1, RPS steering the relay input to CPU 1. ' : ''}` +
        '"CPU 1": its busy time (wall minus idle) while sending, per datagram: relay, kernel forwarding, the receiver\'s ' +
        'softirq, and any other work on the machine (see the no-relay row). "Processes": scheduler runtime of the relay ' +
        'processes alone.',
    ].join('\n');
  },

  headline(r) {
    const top = Math.max(...r.settings.counts);
    const values: Record<string, string> = {};
    for (const s of r.systems) {
      if (s.id === 'none') continue;
      const c = s.cells.find((x) => x.streams === top);
      if (s.unavailable) values[s.id] = s.unavailable.split(':')[0] as string;
      else values[s.id] = !c || c.error ? 'error' : `${c.trials.filter((t) => t.pass).length}/${c.trials.length} 0-loss, ${c.processes ?? '?'} proc`;
    }
    const rows: HeadlineRow[] = [{ measure: `${top} streams × 5k pps, 0-loss trials (processes)`, values }];
    return rows;
  },
};
