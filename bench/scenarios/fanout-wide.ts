// Scenario 5b: the wide fan-outs at a fixed input rate, counted at a real receiver on
// every output: 1:200 at 1,000 pps (10 trials: how many are 0-loss) and 1:1000 at
// 100 pps. Every system side by side (mcr per egress kind, the kernel fast path's dup;
// socat, one process per output, up to 1:200; smcroute fails at set-up beyond 32 VIFs).
// The receivers stand for the whole block (standing-sinks.ts): started once, each trial
// its own stream id, judged when the block ends. Set-up times are recorded.
import { Lab } from '../../src/netns/lab.js';
import { isUnavailable } from '../lib/availability.js';
import { fan } from '../../src/netns/topologies.js';
import { machineInfo } from '../lib/cpu.js';
import { FAN_SIZE, fanPath, fanSystems, timedInstall } from '../lib/fan.js';
import { chooseSystems, recorded } from '../lib/multirelay.js';
import { PINNED } from '../lib/pinning.js';
import type { Scenario } from '../lib/scenario.js';
import { StandingSinks } from '../lib/standing-sinks.js';
import { IN_GROUP, OUT_GROUP } from '../lib/systems.js';
import { wideHeadline, wideMarkdown, wideTargets, type WideBlock, type WideResult, type WideSystem } from './fanout-wide-report.js';

/** Process-per-output systems (socat) are not run past this many outputs: 1,000 socats; in a quick run, 200. */
const MAX_PROCESS_WIDTH = { quick: 50, full: 200 };

const BLOCKS = {
  quick: [
    { width: 200, rate: 1_000, trials: 3, seconds: 1 },
    { width: 1000, rate: 100, trials: 1, seconds: 2 },
  ],
  full: [
    { width: 200, rate: 1_000, trials: 10, seconds: 2 },
    { width: 1000, rate: 100, trials: 3, seconds: 5 },
  ],
};

export const scenario: Scenario<WideResult> = {
  id: 'fanout-wide',
  title: '5b. Wide fan-out: 1:200 at 1,000 pps and 1:1000 at 100 pps',

  async run(host, ctx) {
    const blocks = ctx.quick ? BLOCKS.quick : BLOCKS.full;
    const maxProcessWidth = ctx.quick ? MAX_PROCESS_WIDTH.quick : MAX_PROCESS_WIDTH.full;
    const started = Date.now();
    const ids = chooseSystems(ctx.systems, false);
    const widest = Math.max(...blocks.map((b) => b.width));
    const lab = Lab.create(host);
    const f = await fan(lab, widest);
    const topologySeconds = Math.round((Date.now() - started) / 100) / 10;
    ctx.log(`[fanout-wide] ${widest} receivers wired in ${topologySeconds} s`);
    const results: WideBlock[] = [];
    for (const b of blocks) {
      const chosen = fanSystems(ids);
      const systems: WideSystem[] = chosen.map(({ record, kind }) => ({
        ...record,
        ...(kind.processPerOutput && b.width > maxProcessWidth && !record.unavailable
          ? { notRun: `one process per output: run up to 1:${maxProcessWidth}${ctx.quick ? ' in a quick run' : ''}` }
          : {}),
        trials: [],
      }));
      const block: WideBlock = { ...b, sinkStartSeconds: 0, systems };
      results.push(block);
      const tag = `[fanout-wide 1:${b.width}]`;
      const perTrial = Math.round(b.rate * b.seconds);
      const runnable = chosen.filter((_, i) => !systems[i]?.unavailable && !systems[i]?.notRun);
      if (runnable.length === 0) continue;
      const path = fanPath(f, b.width);
      // Every system that runs rewrites to OUT_GROUP; one that cannot (smcroute) fails at set-up here.
      const limit = Math.ceil(runnable.length * b.trials * (b.seconds * 3 + 10) + 600);
      const sinks = await StandingSinks.start(path.outputs.map((o, k) => ({ at: f.rxs[k] as (typeof f.rxs)[number], group: o.group })), perTrial, limit);
      block.sinkStartSeconds = Math.round(sinks.startSeconds * 10) / 10;
      ctx.log(`${tag} ${b.width} sinks started in ${block.sinkStartSeconds} s`);
      const streams = new Map<number, WideSystem>();
      try {
        for (const [i, { kind }] of chosen.entries()) {
          const system = systems[i] as WideSystem;
          if (system.unavailable || system.notRun) continue;
          const err = await recorded(host, ctx.log, `${tag} ${system.id}`, async () => {
            const { relays, seconds } = await timedInstall(host, kind, f, b.width);
            system.setupSeconds = seconds;
            try {
              if (!kind.rewrites) throw new Error('forwards the input group, and the receivers joined the output group');
              for (let k = 1; k <= b.trials; k += 1) {
                if (host.stopped) throw new Error('interrupted');
                const spec = { src: f.src, group: IN_GROUP, rate: b.rate, seconds: b.seconds, size: FAN_SIZE, relayPids: relays.forwarders, relayNs: f.relay, quietWaitMs: 1_000 };
                const p = await sinks.trial(spec, relays.counters);
                streams.set(p.stream, system);
                const expected = p.sent * b.width;
                ctx.log(
                  `${tag} ${system.id} trial ${k}/${b.trials}: sent ${p.sent} at ${p.genRate}/s, sockets took ${p.socketsTook} of ${expected} copies, ` +
                    `dropped ${p.rcvbufErrors} at full sockets and ${p.backlogDrops} in the relay core's backlog, cpu1 ${p.relayCpuBusy} s`,
                );
              }
            } finally {
              await relays.close();
            }
          });
          if (err && isUnavailable(err)) system.unavailable = err;
          else if (err) system.error = err;
        }
      } finally {
        for (const t of await sinks.finish()) streams.get(t.stream)?.trials.push(t);
      }
      for (const s of systems) if (s.trials.length > 0) ctx.log(`${tag} ${s.id}: ${s.trials.filter((t) => t.pass).length}/${s.trials.length} trials 0-loss`);
    }
    await lab.destroy();
    return {
      scenario: 'fanout-wide',
      mode: ctx.quick ? 'quick' : 'full',
      machine: machineInfo(),
      build: ctx.build,
      settings: { size: FAN_SIZE, group: OUT_GROUP, pinned: PINNED, maxProcessWidth },
      topologySeconds,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      blocks: results,
    };
  },
  render: wideMarkdown,
  headline: wideHeadline,
  targets: wideTargets,
};
