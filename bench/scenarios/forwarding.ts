// Scenario: one stream forwarded src —veth— relay —veth— rx, every system side by side,
// measured at the receiver: for each system and payload size, the highest rate with
// zero loss (searched, repeated). The CPU each spends per datagram at fixed rates is the
// `cpu` scenario. Repetitions go round the systems in turn, so a burst of other work on
// the machine hits one repetition of many systems, not all of one.
import { machineInfo } from '../lib/cpu.js';
import type { ScriptHost } from '../lib/host.js';
import type { Placement } from '../lib/affinity.js';
import { chainSystem } from '../lib/registry.js';
import { describe, steadyTrial, systemsFor, withRig } from '../lib/rig-run.js';
import type { Scenario } from '../lib/scenario.js';
import { searchZeroLoss, type SearchResult } from '../lib/search.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { runTrial, type Trial } from '../lib/trial.js';
import { forwardingChart, forwardingHeadline, forwardingMarkdown, forwardingTargets, type ForwardingResult, type SystemResult } from './forwarding-report.js';

export const SIZES = [64, 1400] as const;

export interface Mode {
  name: 'quick' | 'full';
  reps: number;
  /** Seconds of traffic per search trial. */
  seconds: number;
  precision: number;
  maxTrials: number;
  quietWaitMs: number;
  /** How many times a disturbed trial is repeated (see steadyTrial). */
  retries: number;
  /** All quiet waits together stop here, so a busy machine cannot stretch the run past its budget (s). */
  quietBudgetSeconds: number;
}

// Full: about 12 minutes on 2 CPUs (6 systems x 2 sizes x 3 searches of ~5 trials);
// quick: about 1.5. The quiet wait only costs time on a busy machine.
export const MODES: Record<'quick' | 'full', Mode> = {
  quick: { name: 'quick', reps: 1, seconds: 1, precision: 0.2, maxTrials: 3, quietWaitMs: 1_500, retries: 0, quietBudgetSeconds: 20 },
  full: { name: 'full', reps: 3, seconds: 2, precision: 0.05, maxTrials: 10, quietWaitMs: 5_000, retries: 2, quietBudgetSeconds: 120 },
};

// Every relay here passes 50k pps and the fastest stop near 200k: starting at 100k saves
// a trial per search and still finds socat's limit (it bisects down from a failure).
const SEARCH = { start: 100_000, minRate: 1_000, maxRate: 2_000_000 };

export interface ForwardingOptions {
  mode: Mode;
  systems: string[];
  build: BuildInfo;
  placement: Placement;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Other work above this share of the machine during a failed trial: repeat it. */
const DISTURBED = 0.15;

export async function runForwarding(host: ScriptHost, options: ForwardingOptions): Promise<ForwardingResult> {
  const { mode, build } = options;
  const started = Date.now();
  let quietLeftMs = mode.quietBudgetSeconds * 1000;
  /** The next trial's longest quiet wait, from what is left of the budget. */
  const quietWait = () => Math.max(0, Math.min(mode.quietWaitMs, quietLeftMs));
  const spent = (t: Trial) => {
    quietLeftMs -= t.quietWaitedMs;
    return t;
  };
  const chosen = systemsFor(options.systems, chainSystem);
  const results: SystemResult[] = chosen.map(({ record }) => ({ ...record, rates: { 64: [], 1400: [] } }));

  for (let rep = 1; rep <= mode.reps; rep += 1) {
    for (const [i, { system }] of chosen.entries()) {
      const result = results[i] as SystemResult;
      await withRig(system, host, options.placement, result, SIZES, async (rig) => {
        for (const size of SIZES) {
          const tag = `[${system.id} ${size} B rep ${rep}/${mode.reps}]`;
          const search: SearchResult = await searchZeroLoss(
            async (rate) => {
              const run = async () => {
                if (host.stopped) throw new Error('interrupted');
                const t = spent(await runTrial(rig, { size, rate, seconds: mode.seconds, quietWaitMs: quietWait(), relayCpu: options.placement.relay }));
                log(`${tag} ${describe(t)}`);
                return t;
              };
              return steadyTrial(run, result.disturbed, DISTURBED, mode.retries);
            },
            { ...SEARCH, precision: mode.precision, maxTrials: mode.maxTrials },
          );
          log(`${tag} max 0-loss ${search.rate} pps (offered ${search.offered}, limit: ${search.limit})`);
          result.rates[size].push(search);
        }
      });
    }
  }

  return {
    scenario: 'forwarding',
    mode: mode.name,
    machine: machineInfo(),
    build,
    settings: { sizes: [...SIZES], ...mode, search: SEARCH, placement: options.placement },
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    systems: results,
  };
}

export const scenario: Scenario<ForwardingResult> = {
  id: 'forwarding',
  title: '1. Forwarding: one stream, max 0-loss rate',
  run(host, ctx) {
    const systems = ctx.systems.filter((id) => chainSystem(id) !== null);
    if (systems.length === 0) throw new Error(`none of ${ctx.systems.join(', ')} is a one-stream system`);
    return runForwarding(host, { mode: ctx.quick ? MODES.quick : MODES.full, systems, build: ctx.build, placement: ctx.placement });
  },
  render: forwardingMarkdown,
  headline: forwardingHeadline,
  targets: forwardingTargets,
  chart: forwardingChart,
};
