// One measured trial with any number of receivers: start every sink (each on its own
// interface, each counting K streams), send K streams at `rate` in total from one
// generator, and judge every sink's report. It passes only when every sink got every
// datagram of every stream once, in order and intact. Sender and sinks run on the tools'
// CPU, the relay on its own (pinning.ts); the relay's CPU is that CPU's busy time and its
// processes' own time over the trial.
import type { Endpoint } from '../../test/helpers/netns.js';
import { runGen, startSink, type SinkReport } from '../../test/helpers/traffic.js';
import { waitQuiet } from './cpu.js';
import { RELAY_CPU, TOOL_CPU, cpuBusySeconds, cpuClock, onCpu, runtimeSeconds } from './pinning.js';
import { PORT } from './systems.js';

export interface SinkSpec {
  at: Endpoint;
  /** First group joined; streams > 1 joins the following ones too. */
  group: string;
}

export interface FleetOptions {
  src: Endpoint;
  /** The generator's first group; stream k goes to the k-th group after it. */
  group: string;
  streams: number;
  /** Datagrams per second over all streams. */
  rate: number;
  seconds: number;
  size: number;
  sinks: SinkSpec[];
  /** The relay's processes, whose CPU is counted (none for the kernel or no relay). */
  relayPids: () => number[];
  quietWaitMs: number;
}

/** One sink's verdict, kept small: 200 of them go into a results file. */
export interface SinkOutcome {
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  socketDrops: number | null;
  /** Lost per stream, when there are several. */
  lostPerStream?: number[];
}

export interface FleetTrial {
  offered: number;
  size: number;
  streams: number;
  receivers: number;
  /** Datagrams asked of the generator (all streams). */
  count: number;
  sent: number;
  genRate: number;
  genStopped: string;
  genLimited: boolean;
  /** Sum over sinks. */
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Sinks that missed at least one datagram. */
  sinksWithLoss: number;
  pass: boolean;
  busyBefore: number;
  seconds: number;
  cpu: {
    /** Busy seconds of the relay's CPU (wall minus idle): relay, kernel forwarding, receive softirq. */
    relayCpuBusy: number;
    /** Scheduler runtime (schedstat) of the relay's processes (null without processes). */
    relayProcesses: number | null;
  };
  sinks: SinkOutcome[];
  counters?: Record<string, number>;
}

const GEN_SHORTFALL = 0.95;
const DRAIN_MS = 50;

function outcome(report: SinkReport, perStreamUnsent: number, streams: number): SinkOutcome {
  // The sink counts datagrams never sent as trailing losses: only the rest were lost.
  const lostPerStream = report.streams.map((s) => Math.max(0, s.lost - perStreamUnsent));
  return {
    received: report.received,
    lost: lostPerStream.reduce((a, b) => a + b, 0),
    duplicated: report.duplicated,
    reordered: report.reordered,
    corrupted: report.corrupted,
    socketDrops: report.socket_drops,
    ...(streams > 1 ? { lostPerStream } : {}),
  };
}

export async function runFleetTrial(o: FleetOptions, counters?: () => Promise<Record<string, number>>): Promise<FleetTrial> {
  const perStream = Math.max(1, Math.round((o.rate / o.streams) * o.seconds));
  const count = perStream * o.streams;
  const quiet = await waitQuiet(0.12, o.quietWaitMs);
  const sinks = await Promise.all(
    o.sinks.map((s) =>
      startSink(onCpu(s.at.ns, TOOL_CPU), {
        group: s.group,
        ...(o.streams > 1 ? { streams: o.streams } : {}),
        port: PORT,
        interface: s.at.iface,
        expect: count,
        expectPerStream: perStream,
        idleTimeout: 1,
        durationLimit: Math.ceil(o.seconds * 3 + 10),
        // Bounded per-stream bitmaps: 200 sinks must not each reserve the default.
        maxSeq: perStream + 1024,
        // The default 32 MiB each would let 200 sinks pin 6 GiB under a stall.
        rcvbuf: 8 << 20,
      }),
    ),
  );
  const countersBefore = counters ? await counters() : undefined;
  const pids = o.relayPids();
  const relayBefore = pids.reduce((t, pid) => t + runtimeSeconds(pid), 0);
  const clockBefore = cpuClock(RELAY_CPU);
  const started = Date.now();
  const gen = await runGen(onCpu(o.src.ns, TOOL_CPU), {
    group: o.group,
    port: PORT,
    interface: o.src.iface,
    count,
    rate: o.rate,
    size: o.size,
    ...(o.streams > 1 ? { streams: o.streams } : {}),
    ttl: 8,
    durationLimit: Math.ceil(o.seconds * 2 + 2),
  });
  // The window ends with the sending (plus a moment for the relay to drain), not with
  // the sinks' idle timeout: that second would add only other work on the machine.
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
  const relayCpuBusy = cpuBusySeconds(clockBefore, cpuClock(RELAY_CPU));
  const relayProcesses = pids.length > 0 ? pids.reduce((t, pid) => t + runtimeSeconds(pid), 0) - relayBefore : null;
  const reports = await Promise.all(sinks.map((s) => s.report));
  const countersAfter = counters ? await counters() : undefined;

  // Datagrams never sent (a generator cut short) are not losses; gen sends round-robin.
  const unsentPerStream = Math.ceil((count - gen.sent) / o.streams);
  const outcomes = reports.map((r) => outcome(r, unsentPerStream, o.streams));
  const sum = (key: 'received' | 'lost' | 'duplicated' | 'reordered' | 'corrupted') => outcomes.reduce((t, s) => t + s[key], 0);
  const pass = gen.sent > 0 && outcomes.every((s) => s.received === gen.sent && s.lost === 0 && s.duplicated === 0 && s.reordered === 0 && s.corrupted === 0);
  const delta: Record<string, number> = {};
  if (countersBefore && countersAfter) {
    for (const [k, v] of Object.entries(countersAfter)) if (v - (countersBefore[k] ?? 0) !== 0) delta[k] = v - (countersBefore[k] ?? 0);
  }
  return {
    offered: o.rate,
    size: o.size,
    streams: o.streams,
    receivers: o.sinks.length,
    count,
    sent: gen.sent,
    genRate: Math.round(gen.rate),
    genStopped: gen.stopped,
    genLimited: gen.stopped !== 'count' || gen.rate < o.rate * GEN_SHORTFALL,
    received: sum('received'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    reordered: sum('reordered'),
    corrupted: sum('corrupted'),
    sinksWithLoss: outcomes.filter((s) => s.lost > 0).length,
    pass,
    busyBefore: Number(quiet.busy.toFixed(3)),
    seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
    cpu: { relayCpuBusy: Number(relayCpuBusy.toFixed(3)), relayProcesses: relayProcesses === null ? null : Number(relayProcesses.toFixed(3)) },
    sinks: outcomes,
    ...(countersBefore ? { counters: delta } : {}),
  };
}

export function describeFleet(t: FleetTrial): string {
  return (
    `offered ${t.offered} sent ${t.sent} at ${t.genRate}/s, ${t.receivers} sink(s) × ${t.streams} stream(s): ` +
    `received ${t.received} lost ${t.lost} (${t.sinksWithLoss} sinks) dup ${t.duplicated} reord ${t.reordered} corrupt ${t.corrupted} ` +
    `${t.pass ? 'pass' : 'FAIL'}${t.genLimited ? ' (gen-limited)' : ''} cpu1 ${t.cpu.relayCpuBusy}s procs ${t.cpu.relayProcesses ?? '-'}s`
  );
}
