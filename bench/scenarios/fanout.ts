// Scenario 5: fan-out 1:50 at 1,400 B, the highest input rate with zero loss on all 50
// outputs (searched, repeated), every system side by side: mcr per egress kind, the
// kernel fast path (nft: one dup per extra output, each copy with its own Ethernet
// source, then fwd), socat (one process per output), and kernel multicast routing
// (smcroute: it needs a VIF per interface and has 32, so it fails at set-up, and that
// is the result recorded). One mcr-sink per output, started afresh for each trial, so
// every trial's verdict is known before the search picks the next rate. The wider
// fan-outs are `fanout-wide`.
import { Lab } from '../../src/netns/lab.js';
import { isUnavailable } from '../lib/availability.js';
import { fan } from '../../src/netns/topologies.js';
import { machineInfo } from '../lib/cpu.js';
import { FAN_SIZE, fanPath, fanSystems, timedInstall } from '../lib/fan.js';
import { describeFleet, runFleetTrial, type FleetTrial } from '../lib/fleet.js';
import { chooseSystems, recorded } from '../lib/multirelay.js';
import { PINNED } from '../lib/pinning.js';
import type { Scenario } from '../lib/scenario.js';
import { searchZeroLoss } from '../lib/search.js';
import { IN_GROUP, joinedGroup } from '../lib/systems.js';
import { fanoutHeadline, fanoutMarkdown, fanoutTargets, type FanoutResult, type FanoutSystem } from './fanout-report.js';

const WIDTH = 50;
const MODES = {
  quick: { reps: 1, seconds: 1, quietWaitMs: 0, search: { start: 2_000, precision: 0.25, minRate: 250, maxRate: 64_000, maxTrials: 3 } },
  full: { reps: 3, seconds: 2, quietWaitMs: 1_000, search: { start: 2_000, precision: 0.1, minRate: 250, maxRate: 64_000, maxTrials: 7 } },
};

export const scenario: Scenario<FanoutResult> = {
  id: 'fanout',
  title: `5. Fan-out 1:${WIDTH}, ${FAN_SIZE.toLocaleString('en')} B: the highest input rate with zero loss`,

  async run(host, ctx) {
    const mode = ctx.quick ? MODES.quick : MODES.full;
    const started = Date.now();
    const chosen = fanSystems(chooseSystems(ctx.systems, false));
    const lab = Lab.create(host);
    const f = await fan(lab, WIDTH);
    const topologySeconds = Math.round((Date.now() - started) / 100) / 10;
    ctx.log(`[fanout] ${WIDTH} receivers wired in ${topologySeconds} s`);
    const systems: FanoutSystem[] = chosen.map(({ record }) => ({ ...record, setupSeconds: [], searches: [] }));
    for (let rep = 1; rep <= mode.reps; rep += 1) {
      for (const [i, { kind }] of chosen.entries()) {
        const system = systems[i] as FanoutSystem;
        if (system.unavailable || system.error) continue;
        const tag = `[fanout ${system.id} 1:${WIDTH} rep ${rep}/${mode.reps}]`;
        const path = fanPath(f, WIDTH);
        const err = await recorded(host, ctx.log, tag, async () => {
          const { relays, seconds } = await timedInstall(host, kind, f, WIDTH);
          try {
            system.setupSeconds.push(seconds);
            const search = await searchZeroLoss<FleetTrial>(
              async (rate) => {
                if (host.stopped) throw new Error('interrupted');
                const t = await runFleetTrial(
                  {
                    src: f.src,
                    group: IN_GROUP,
                    streams: 1,
                    rate,
                    seconds: mode.seconds,
                    size: FAN_SIZE,
                    sinks: path.outputs.map((o, k) => ({ at: f.rxs[k] as (typeof f.rxs)[number], group: joinedGroup(kind, path, o) })),
                    relayPids: relays.forwarders,
                    quietWaitMs: mode.quietWaitMs,
                  },
                  relays.counters,
                );
                ctx.log(`${tag} ${describeFleet(t)}`);
                return t;
              },
              mode.search,
            );
            ctx.log(`${tag} max 0-loss input ${search.rate} pps (limit: ${search.limit})`);
            system.searches.push(search);
          } finally {
            await relays.close();
          }
        });
        if (err && isUnavailable(err)) system.unavailable = err;
        else if (err) system.error = err;
      }
    }
    await lab.destroy();
    return {
      scenario: 'fanout',
      mode: ctx.quick ? 'quick' : 'full',
      machine: machineInfo(),
      build: ctx.build,
      settings: { width: WIDTH, size: FAN_SIZE, reps: mode.reps, seconds: mode.seconds, pinned: PINNED, search: mode.search },
      topologySeconds,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      systems,
    };
  },
  render: fanoutMarkdown,
  headline: fanoutHeadline,
  targets: fanoutTargets,
};
