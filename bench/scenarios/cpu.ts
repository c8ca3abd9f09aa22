// Scenario: the relay core's CPU per delivered datagram at fixed rates (50k, 100k and
// 150k pps; 64 and 1,400 B), every system side by side on the one-hop chain. The relay
// core is the CPU every relay and its input's receive work are placed on; its whole
// busy time over a trial (/proc/stat, exact under nohz) divided by what the receiver
// got. A system that drops at a rate is marked "cannot sustain" with what it delivered,
// and not offered the higher rates of that size in that repetition. The stream-health
// cost is mcr-frame-1w-ts against mcr-frame-1w-tsplain (both RTP-MPEG-TS, 1,328 B, in
// the 1,400 B column): the same rule with and without payload = "rtp-mpegts".
import { machineInfo } from '../lib/cpu.js';
import { chainSystem, MCR_FRAME } from '../lib/registry.js';
import { describe, steadyTrial, systemsFor, withRig } from '../lib/rig-run.js';
import type { Scenario } from '../lib/scenario.js';
import { runTrial, type Trial } from '../lib/trial.js';
import { cpuHeadline, cpuMarkdown, cpuTargets, SUSTAINED_SHARE, type CpuResult, type CpuSystem } from './cpu-report.js';

export const RATES = [50_000, 100_000, 150_000];
/** RTP-MPEG-TS through the same rule without and with payload = "rtp-mpegts". */
export const MEDIA_SYSTEMS = [`${MCR_FRAME}-tsplain`, `${MCR_FRAME}-ts`];
export const SIZES = [64, 1400] as const;

const MODES = {
  quick: { name: 'quick' as const, reps: 1, seconds: 1, quietWaitMs: 1_500, retries: 0, quietBudgetSeconds: 15 },
  full: { name: 'full' as const, reps: 3, seconds: 2, quietWaitMs: 5_000, retries: 2, quietBudgetSeconds: 90 },
};

/** The CPU measurement wants a clean machine: repeat a trial with more other work than this. */
const DISTURBED_CPU = 0.08;

export const scenario: Scenario<CpuResult> = {
  id: 'cpu',
  title: '2. Relay-core CPU per datagram at fixed rates',
  async run(host, ctx) {
    const mode = ctx.quick ? MODES.quick : MODES.full;
    const relayCpu = ctx.placement.relay;
    if (relayCpu === null) throw new Error('the relay core is only defined with the relay on a CPU of its own (two CPUs or more, without --no-pin)');
    const started = Date.now();
    let quietLeftMs = mode.quietBudgetSeconds * 1000;
    // With mcr's frame egress among the systems, its stream-health variants come along.
    const media = ctx.systems.includes(MCR_FRAME) ? MEDIA_SYSTEMS.filter((id) => !ctx.systems.includes(id)) : [];
    const ids = [...ctx.systems, ...media].filter((id) => chainSystem(id) !== null);
    const chosen = systemsFor(ids, chainSystem);
    const systems: CpuSystem[] = chosen.map(({ record }) => ({ ...record, trials: [], skipped: [] }));
    for (let rep = 1; rep <= mode.reps; rep += 1) {
      for (const [i, { system }] of chosen.entries()) {
        const result = systems[i] as CpuSystem;
        await withRig(system, host, ctx.placement, result, SIZES, async (rig) => {
          for (const size of SIZES) {
            // RTP-MPEG-TS datagrams are 1,328 B: measured in the large-datagram column only.
            if (rig.media && size < 1328) continue;
            let failedAt: number | null = null;
            for (const rate of RATES) {
              if (failedAt !== null) {
                result.skipped.push({ size, rate, rep, because: failedAt });
                continue;
              }
              const run = async (): Promise<Trial> => {
                if (host.stopped) throw new Error('interrupted');
                const quietWaitMs = Math.max(0, Math.min(mode.quietWaitMs, quietLeftMs));
                const t = await runTrial(rig, { size, rate, seconds: mode.seconds, quietWaitMs, relayCpu });
                quietLeftMs -= t.quietWaitedMs;
                ctx.log(`[cpu ${system.id} ${size} B ${rate / 1000}k rep ${rep}/${mode.reps}] ${describe(t)}`);
                return t;
              };
              const t = await steadyTrial(run, result.disturbed, DISTURBED_CPU, mode.retries, true);
              result.trials.push({ rep, ...t });
              if (system.id !== 'none' && t.sent > 0 && t.received / t.sent < SUSTAINED_SHARE) failedAt = rate;
            }
          }
        });
      }
    }
    return {
      scenario: 'cpu',
      mode: mode.name,
      machine: machineInfo(),
      build: ctx.build,
      settings: { rates: RATES, sizes: [...SIZES], reps: mode.reps, seconds: mode.seconds, relayCpu, placement: ctx.placement },
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      systems,
    };
  },
  render: cpuMarkdown,
  headline: cpuHeadline,
  targets: cpuTargets,
};
