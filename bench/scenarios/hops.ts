// Scenario 3: three relays of the same system in series (src → r1 → r2 → r3 → rx, each
// in its own namespace) at one fixed rate every system sustains on one hop, checking
// delivery and payload integrity (the sink verifies every byte, sequence, duplicates
// and order). The three relays share the relay CPU, as three hops on one box would.
import { Lab } from '../../src/netns/lab.js';
import { isUnavailable } from '../lib/availability.js';
import { runFleetTrial, describeFleet, type FleetTrial } from '../lib/fleet.js';
import { chooseSystems, installAll, kindOf, recorded, unavailable } from '../lib/multirelay.js';
import { KERNEL_FAST } from '../lib/registry.js';
import { PINNED } from '../lib/pinning.js';
import { markdownTable, numberCell, ratioCell, spread } from '../lib/report.js';
import { machineInfo, type MachineInfo } from '../lib/cpu.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { IN_GROUP, OUT_GROUP, groupAt, type Path } from '../lib/systems.js';
import { direct, series, type Series } from '../../src/netns/topologies.js';

const RELAYS = 3;
/** 10k pps: socat's one-hop ceiling is ~80k pps, and three socats share one CPU here. */
const RATE = 10_000;
const SIZE = 1024;
const MODES = {
  quick: { reps: 1, seconds: 2, quietWaitMs: 0 },
  full: { reps: 3, seconds: 3, quietWaitMs: 1_000 },
};

export interface HopsSystem {
  id: string;
  label: string;
  note?: string;
  error?: string;
  /** Why it cannot run here; nothing was measured. */
  unavailable?: string;
  processes?: number;
  trials: FleetTrial[];
}

export interface HopsResult {
  scenario: 'hops';
  mode: 'quick' | 'full';
  machine: MachineInfo;
  build: BuildInfo;
  settings: { relays: number; rate: number; size: number; reps: number; seconds: number; pinned: boolean };
  elapsedSeconds: number;
  systems: HopsSystem[];
}

/** Hop i forwards group i to group i+1; a system that cannot rewrite keeps the input group. */
function hopGroup(i: number, rewrites: boolean): string {
  return i === 0 || !rewrites ? IN_GROUP : groupAt(OUT_GROUP, i - 1);
}

function hopPaths(s: Series, rewrites: boolean): { ns: Series['hops'][number]['ns']; paths: Path[] }[] {
  return s.hops.map((hop, i) => ({
    ns: hop.ns,
    paths: [{ input: hop.in0, source: s.src.address, group: hopGroup(i, rewrites), outputs: [{ via: hop.out0, group: hopGroup(i + 1, rewrites) }] }],
  }));
}

export const scenario: Scenario<HopsResult> = {
  id: 'hops',
  title: `${RELAYS}-hop chain: delivery and integrity at a fixed rate`,

  async run(host, ctx) {
    const mode = ctx.quick ? MODES.quick : MODES.full;
    const started = Date.now();
    const ids = chooseSystems(ctx.systems, true);
    const systems: HopsSystem[] = ids.map((id) => {
      if (id === 'none') return { id, label: 'no relay (gen -> sink over one veth pair)', note: 'the ceiling of the traffic tools', trials: [] };
      const kind = kindOf(id);
      const why = unavailable(kind);
      return { id, label: kind.label, ...(kind.note ? { note: kind.note } : {}), ...(why ? { unavailable: why } : {}), trials: [] };
    });
    const lab = Lab.create(host);
    const chainOf = await series(lab, RELAYS);
    const straight = ids.includes('none') ? await direct(lab) : null;
    for (let rep = 1; rep <= mode.reps; rep += 1) {
      for (const system of systems) {
        if (system.error || system.unavailable) continue;
        const tag = `[hops ${system.id} rep ${rep}/${mode.reps}]`;
        const err = await recorded(host, ctx.log, tag, async () => {
          const trial = (src: typeof chainOf.src, at: typeof chainOf.rx, group: string, relayPids: () => number[], counters?: () => Promise<Record<string, number>>) =>
            runFleetTrial({ src, group: IN_GROUP, streams: 1, rate: RATE, seconds: mode.seconds, size: SIZE, sinks: [{ at, group }], relayPids, quietWaitMs: mode.quietWaitMs }, counters);
          let t: FleetTrial;
          if (system.id === 'none') {
            const d = straight as NonNullable<typeof straight>;
            t = await trial(d.src, d.rx, IN_GROUP, () => []);
          } else {
            const kind = kindOf(system.id);
            const relays = await installAll(host, kind, hopPaths(chainOf, kind.rewrites));
            try {
              system.processes = relays.pids().length;
              t = await trial(chainOf.src, chainOf.rx, hopGroup(RELAYS, kind.rewrites), relays.forwarders, relays.counters);
            } finally {
              await relays.close();
            }
          }
          ctx.log(`${tag} ${describeFleet(t)}`);
          system.trials.push(t);
        });
        if (err && isUnavailable(err)) system.unavailable = err;
        else if (err) system.error = err;
      }
    }
    await lab.destroy();
    return {
      scenario: 'hops',
      mode: ctx.quick ? 'quick' : 'full',
      machine: machineInfo(),
      build: ctx.build,
      settings: { relays: RELAYS, rate: RATE, size: SIZE, reps: mode.reps, seconds: mode.seconds, pinned: PINNED },
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      systems,
    };
  },

  render(r) {
    const cpu1 = (s: HopsSystem) => spread(s.trials.filter((t) => t.sent > 0).map((t) => (t.cpu.relayCpuBusy / t.sent) * 1e6));
    const procs = (s: HopsSystem) =>
      spread(s.trials.filter((t) => t.sent > 0 && t.cpu.relayProcesses !== null).map((t) => ((t.cpu.relayProcesses as number) / t.sent) * 1e6));
    const find = (id: string) => r.systems.find((s) => s.id === id && !s.error && !s.unavailable);
    const rows = r.systems.map((s) => {
      if (s.unavailable) return [s.label, s.unavailable, '', '', '', '', '', '', ''];
      if (s.error) return [s.label, `error: ${s.error}`, '', '', '', '', '', '', ''];
      const delivered = spread(s.trials.map((t) => (t.sent ? (100 * t.received) / t.sent : 0)));
      const sum = (key: 'lost' | 'duplicated' | 'reordered' | 'corrupted') => s.trials.reduce((a, t) => a + t[key], 0);
      const passes = s.trials.filter((t) => t.pass).length;
      const isMcr = s.id.startsWith('mcr');
      const kernel = find(KERNEL_FAST);
      const socat = find('socat');
      return [
        s.label,
        `${passes}/${s.trials.length}`,
        `${numberCell(delivered, 3)} %`,
        String(sum('lost')),
        `${sum('corrupted')} / ${sum('reordered')} / ${sum('duplicated')}`,
        s.id === 'none' ? 'n/a' : String(s.processes ?? 'n/a'),
        numberCell(cpu1(s), 1),
        numberCell(procs(s), 1),
        isMcr
          ? `${kernel ? ratioCell(cpu1(s)?.median, cpu1(kernel)?.median) : 'n/a'} / ${socat ? ratioCell(procs(s)?.median, procs(socat)?.median) : 'n/a'}`
          : '',
      ];
    });
    const { rate, size, reps, seconds, relays } = r.settings;
    return [
      markdownTable(
        [
          'system',
          '0-loss trials',
          'delivered',
          'lost (all trials)',
          'corrupted / reordered / duplicated',
          'relay processes',
          'CPU 1 µs/pkt',
          'relay processes µs/pkt',
          'mcr/kernel fast path (CPU 1) / mcr/socat (processes)',
        ],
        rows,
      ),
      '',
      `- ${relays} relays of the same system in series, each in its own namespace (src → r1 → r2 → r3 → rx), ` +
        `${rate.toLocaleString('en')} pps of ${size} B for ${seconds} s, ${reps} repetition(s). The rate is fixed, not searched: ` +
        'one that three socats sharing one CPU sustain, so the table compares correctness and cost, not speed.',
      '- A trial passes when the sink got every datagram once, in order, with every payload byte as sent (mcr-sink checks ' +
        'stream id, sequence and the whole payload). Rewriting systems map group 239.1.1.1 → 239.2.2.2 → 239.2.2.3 → 239.2.2.4 ' +
        'hop by hop (the kernel fast path too, with its nft rewrite); kernel routing forwards 239.1.1.1 through all three ((S,G) routes, TTL 8 from the sender).',
      `- ${r.settings.pinned ? 'Sender and sink on CPU 0, all relays on CPU 1, RPS steering each relay input to CPU 1. ' : ''}` +
        '"CPU 1" is that CPU\'s busy time (wall minus idle) while sending, per datagram: the three relays, the kernel\'s ' +
        'forwarding, each next hop\'s receive work, and any other work on the machine (the no-relay row shows that background). ' +
        '"Relay processes" is the scheduler runtime (schedstat) of the relay processes alone, so it leaves out the kernel work ' +
        'they cause; lower is better in both. Ratios below 1 favour mcr.',
    ].join('\n');
  },

  headline(r) {
    const values: Record<string, string> = {};
    for (const s of r.systems) {
      if (s.id === 'none') continue;
      const passes = s.trials.filter((t) => t.pass).length;
      values[s.id] = s.unavailable ? (s.unavailable.split(':')[0] as string) : s.error ? 'error' : `${passes}/${s.trials.length} 0-loss`;
    }
    const rows: HeadlineRow[] = [{ measure: `${r.settings.relays}-hop chain at ${r.settings.rate / 1000}k pps, intact`, values }];
    return rows;
  },
};
