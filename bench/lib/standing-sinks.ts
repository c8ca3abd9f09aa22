// Receivers that stay up for many trials: one mcr-sink per output, started once for a
// whole block of trials (every system, every repetition), because starting 1,000 sinks
// takes far longer than the trials themselves. Each trial sends its own stream id
// (mcr-gen --first-stream), so the sinks' per-stream reports, read when the block ends,
// say for every trial and every receiver what arrived: once, in order, intact. While the
// block runs, a trial is judged provisionally from the receiving namespace's UDP
// counters (datagrams delivered to sockets, and dropped at full ones).
import type { Netns } from '../../src/netns/namespace.js';
import { inParallel } from '../../src/netns/wiring.js';
import { runGen, startSink, type RunningSink } from '../../harness/traffic.js';
import { backlogDrops, waitQuiet } from './cpu.js';
import { receiveState, type FleetTrial, type SinkOutcome, type SinkSpec } from './fleet.js';
import { RELAY_CPU, TOOL_CPU, cpuBusySeconds, cpuClock, onCpu, runtimeSeconds } from './pinning.js';
import type { Endpoint } from '../../src/netns/endpoints.js';
import { PORT } from './constants.js';
import { streamOutcome } from './stream-outcome.js';

export interface StandingTrial extends FleetTrial {
  /** The stream id this trial sent. */
  stream: number;
  /** Copies the receiving namespace's sockets took, and dropped at full buffers (UDP counters). */
  socketsTook: number;
  rcvbufErrors: number;
  /** Frames the relay CPU's receive backlog dropped over the trial. */
  backlogDrops: number;
}

export interface TrialSpec {
  src: Endpoint;
  group: string;
  rate: number;
  seconds: number;
  size: number;
  relayPids: () => number[];
  /** The relay's namespace: datagrams still queued in its sockets (socat) are not drained yet. */
  relayNs?: Netns;
  quietWaitMs: number;
}

/** What is known of a trial before the sinks report: enough to log and to steer by. */
export interface Provisional {
  stream: number;
  sent: number;
  genRate: number;
  socketsTook: number;
  rcvbufErrors: number;
  backlogDrops: number;
  relayCpuBusy: number;
}

const SINK_START_CONCURRENCY = 16;
/** After sending: the least wait, the poll period, how long nothing must move, the longest wait. */
const DRAIN = { minMs: 300, pollMs: 200, stillMs: 1_000, maxMs: 8_000 };
const CPU_TAIL_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StandingSinks {
  private readonly trials: Omit<StandingTrial, 'received' | 'lost' | 'duplicated' | 'reordered' | 'corrupted' | 'sinksWithLoss' | 'pass' | 'imperfectSinks'>[] = [];
  private nextStream: number;

  private constructor(
    private readonly sinks: RunningSink[],
    private readonly receivers: Netns[],
    readonly perTrial: number,
    firstStream: number,
    /** Seconds it took to start them all. */
    readonly startSeconds: number,
  ) {
    this.nextStream = firstStream;
  }

  /**
   * Starts one sink per spec, each expecting `perTrial` datagrams per stream; they run
   * until finish() or `limitSeconds`. If one fails to start, the others are stopped.
   */
  static async start(specs: readonly SinkSpec[], perTrial: number, limitSeconds: number, firstStream = 1): Promise<StandingSinks> {
    const started = Date.now();
    const sinks: (RunningSink | undefined)[] = specs.map(() => undefined);
    let failure: unknown = null;
    await inParallel(
      specs.map((spec, index) => ({ spec, index })),
      SINK_START_CONCURRENCY,
      async ({ spec, index }) => {
        if (failure) return;
        try {
          sinks[index] = await startSink(onCpu(spec.at.ns, TOOL_CPU), {
            group: spec.group,
            port: PORT,
            interface: spec.at.iface,
            expectPerStream: perTrial,
            firstStream,
            idleTimeout: limitSeconds,
            durationLimit: limitSeconds,
            maxSeq: perTrial + 1024,
            // The default 32 MiB each would let 1,000 sinks pin 32 GiB under a stall.
            rcvbuf: 4 << 20,
          });
        } catch (error) {
          failure ??= error;
        }
      },
    );
    if (failure) {
      await Promise.all(sinks.map((s) => s?.stop().catch(() => undefined)));
      throw failure;
    }
    const receivers = [...new Set(specs.map((s) => s.at.ns))];
    return new StandingSinks(sinks as RunningSink[], receivers, perTrial, firstStream, (Date.now() - started) / 1000);
  }

  private async received(): Promise<{ delivered: number; rcvbufErrors: number; queued: number }> {
    const states = await Promise.all(this.receivers.map(receiveState));
    return states.reduce((t, s) => ({ delivered: t.delivered + s.delivered, rcvbufErrors: t.rcvbufErrors + s.rcvbufErrors, queued: t.queued + s.queued }), {
      delivered: 0,
      rcvbufErrors: 0,
      queued: 0,
    });
  }

  /**
   * Waits until every expected copy was taken and the receivers' sockets are empty, or
   * until nothing moved for a second with nothing queued at the receivers or in the
   * relay's own sockets (a CPU-starved socat can pause for hundreds of ms, then go on).
   */
  private async drain(from: number, expected: number, relayNs?: Netns): Promise<void> {
    const deadline = Date.now() + DRAIN.maxMs;
    await sleep(DRAIN.minMs);
    let last = -1;
    let stillSince = Date.now();
    while (Date.now() < deadline) {
      const now = await this.received();
      const relayQueued = relayNs ? (await receiveState(relayNs)).queued : 0;
      if (now.delivered - from >= expected && now.queued === 0) return;
      if (now.delivered !== last || now.queued > 0 || relayQueued > 0) stillSince = Date.now();
      else if (Date.now() - stillSince >= DRAIN.stillMs) return;
      last = now.delivered;
      await sleep(DRAIN.pollMs);
    }
  }

  /** Sends one trial's stream and waits for it to drain; sink verdicts come with finish(). */
  async trial(o: TrialSpec, counters?: () => Promise<Record<string, number>>): Promise<Provisional> {
    const count = Math.max(1, Math.round(o.rate * o.seconds));
    if (count !== this.perTrial) throw new Error(`a trial of ${count} datagrams on sinks expecting ${this.perTrial}`);
    const stream = this.nextStream;
    this.nextStream += 1;
    const quiet = await waitQuiet(0.12, o.quietWaitMs);
    const before = await this.received();
    const countersBefore = counters ? await counters() : undefined;
    const pids = o.relayPids();
    const relayBefore = pids.reduce((t, pid) => t + runtimeSeconds(pid), 0);
    const clockBefore = cpuClock(RELAY_CPU);
    const droppedBefore = backlogDrops(RELAY_CPU);
    const started = Date.now();
    const gen = await runGen(onCpu(o.src.ns, TOOL_CPU), {
      group: o.group,
      port: PORT,
      interface: o.src.iface,
      count,
      rate: o.rate,
      size: o.size,
      firstStream: stream,
      ttl: 8,
      durationLimit: Math.ceil(o.seconds * 2 + 2),
    });
    await sleep(CPU_TAIL_MS);
    const relayCpuBusy = cpuBusySeconds(clockBefore, cpuClock(RELAY_CPU));
    const relayProcesses = pids.length > 0 ? pids.reduce((t, pid) => t + runtimeSeconds(pid), 0) - relayBefore : null;
    await this.drain(before.delivered, gen.sent * this.sinks.length, o.relayNs);
    const after = await this.received();
    const dropped = backlogDrops(RELAY_CPU) - droppedBefore;
    const delta: Record<string, number> = {};
    if (counters && countersBefore) {
      for (const [k, v] of Object.entries(await counters())) if (v - (countersBefore[k] ?? 0) !== 0) delta[k] = v - (countersBefore[k] ?? 0);
    }
    const trial = {
      stream,
      offered: o.rate,
      size: o.size,
      streams: 1,
      receivers: this.sinks.length,
      count,
      sent: gen.sent,
      genRate: Math.round(gen.rate),
      genStopped: gen.stopped,
      genLimited: gen.stopped !== 'count' || gen.rate < o.rate * 0.95,
      busyBefore: Number(quiet.busy.toFixed(3)),
      seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
      cpu: { relayCpuBusy: Number(relayCpuBusy.toFixed(3)), relayProcesses: relayProcesses === null ? null : Number(relayProcesses.toFixed(3)) },
      socketsTook: after.delivered - before.delivered,
      rcvbufErrors: after.rcvbufErrors - before.rcvbufErrors,
      backlogDrops: dropped,
      ...(countersBefore ? { counters: delta } : {}),
    };
    this.trials.push(trial);
    const { sent, socketsTook, rcvbufErrors, genRate } = trial;
    return { stream, sent, socketsTook, rcvbufErrors, backlogDrops: dropped, relayCpuBusy: trial.cpu.relayCpuBusy, genRate };
  }

  /** Stops every sink and judges each trial from their reports, in the order they ran. */
  async finish(): Promise<StandingTrial[]> {
    const reports = await Promise.all(this.sinks.map((s) => s.stop().catch(() => undefined)));
    return this.trials.map((t) => {
      const outcomes = reports.map((r) => streamOutcome(r, t.stream, t.sent, this.perTrial));
      const perfect = (s: SinkOutcome) => s.received === t.sent && s.lost === 0 && s.duplicated === 0 && s.reordered === 0 && s.corrupted === 0;
      const sum = (key: 'received' | 'lost' | 'duplicated' | 'reordered' | 'corrupted') => outcomes.reduce((n, s) => n + s[key], 0);
      return {
        ...t,
        received: sum('received'),
        lost: sum('lost'),
        duplicated: sum('duplicated'),
        reordered: sum('reordered'),
        corrupted: sum('corrupted'),
        sinksWithLoss: outcomes.filter((s) => s.lost > 0).length,
        pass: t.sent > 0 && outcomes.every(perfect),
        imperfectSinks: outcomes.flatMap((s, index) => (perfect(s) ? [] : [{ index, ...s }])).slice(0, 20),
      };
    });
  }
}
