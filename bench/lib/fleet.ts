// One measured trial with any number of receivers: start every sink (each on its own
// interface, each counting K streams), send K streams at `rate` in total from one
// generator, and judge every sink's report. It passes only when every sink got every
// datagram of every stream once, in order and intact. Sender and sinks run on the tools'
// CPU, the relay on its own (pinning.ts); the relay's CPU is that CPU's busy time and its
// processes' own time over the trial.
import type { Endpoint } from '../../src/netns/endpoints.js';
import type { Netns } from '../../src/netns/namespace.js';
import { runGen, startSink, type RunningSink, type SinkReport } from '../../harness/traffic.js';
import { backlogDrops, waitQuiet } from './cpu.js';
import { PINNED, RELAY_CPU, TOOL_CPU, cpuBusySeconds, cpuClock, onCpu, runtimeSeconds } from './pinning.js';
import { PORT } from './systems.js';
import type { Delivery } from './trial.js';

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
export interface SinkOutcome extends Delivery {  /** Lost per stream, when there are several. */
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
  /**
   * The sinks that missed anything, by index (0 = the first receiver); a sink not listed
   * got all `sent` datagrams of every stream, once, in order, intact. 200 perfect sinks
   * would otherwise fill the results file with copies of the same line.
   */
  imperfectSinks: (SinkOutcome & { index: number })[];
  counters?: Record<string, number>;
  /** Frames the relay CPU's receive backlog dropped over the trial (absent when not pinned, or in older results). */
  backlogDrops?: number;
}

const GEN_SHORTFALL = 0.95;
/** Sinks start this many at a time: 200 `ip netns exec` at once swamp two CPUs. */
const SINK_START_CONCURRENCY = 16;
/**
 * After sending: the least wait for stragglers, the poll period, how many polls in a row
 * nothing may move (five: a CPU-starved relay such as socat can pause for a few hundred
 * ms and then deliver, which two polls took for the end), and the longest wait.
 */
const DRAIN = { minMs: 300, pollMs: 200, stillPolls: 5, maxMs: 5_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiving namespace's UDP datagrams delivered so far, dropped at full sockets, and bytes still unread. */
export async function receiveState(ns: Netns): Promise<{ delivered: number; rcvbufErrors: number; queued: number }> {
  const out = (await ns.run('sh', ['-c', 'cat /proc/net/snmp; echo ---; ss -H -u -a -n'])).stdout;
  const [snmp = '', sockets = ''] = out.split('---');
  const udp = snmp.split('\n').filter((line) => line.startsWith('Udp:'));
  const names = (udp[0] ?? '').split(/\s+/);
  const values = (udp[1] ?? '').split(/\s+/);
  const delivered = Number(values[names.indexOf('InDatagrams')]) || 0;
  const rcvbufErrors = Number(values[names.indexOf('RcvbufErrors')]) || 0;
  const queued = sockets.split('\n').reduce((total, line) => total + (Number(line.trim().split(/\s+/)[1]) || 0), 0);
  return { delivered, rcvbufErrors, queued };
}

/**
 * Waits until every sink has exited, or nothing is moving any more: the receivers'
 * sockets are empty and no datagram arrived over two polls. On a loaded machine a
 * relay can run late; this waits for it instead of counting its datagrams as lost.
 */
async function waitDrained(o: FleetOptions, finished: () => boolean): Promise<void> {
  const receivers = [...new Set(o.sinks.map((s) => s.at.ns))];
  const deadline = Date.now() + DRAIN.maxMs;
  const total = async () => {
    const states = await Promise.all(receivers.map(receiveState));
    return { delivered: states.reduce((t, s) => t + s.delivered, 0), queued: states.reduce((t, s) => t + s.queued, 0) };
  };
  await sleep(DRAIN.minMs);
  let last = -1;
  let still = 0;
  while (!finished() && Date.now() < deadline) {
    const now = await total();
    still = now.delivered === last && now.queued === 0 ? still + 1 : 0;
    if (still >= DRAIN.stillPolls) return;
    last = now.delivered;
    await sleep(DRAIN.pollMs);
  }
}

/** Starts every sink (bounded concurrency); if one fails, stops those started and throws. */
async function startSinks(o: FleetOptions, count: number, perStream: number): Promise<RunningSink[]> {
  const started: (RunningSink | undefined)[] = o.sinks.map(() => undefined);
  const queue = o.sinks.map((spec, index) => ({ spec, index }));
  let failure: unknown = null;
  const worker = async () => {
    for (let next = queue.shift(); next && !failure; next = queue.shift()) {
      const s = next.spec;
      try {
        started[next.index] = await startSink(onCpu(s.at.ns, TOOL_CPU), {
            group: s.group,
            ...(o.streams > 1 ? { streams: o.streams } : {}),
            port: PORT,
            interface: s.at.iface,
            expect: count,
            expectPerStream: perStream,
            // Stopped by the trial, not by idleness: the first sinks wait for the last.
            idleTimeout: o.seconds * 3 + 60,
            durationLimit: Math.ceil(o.seconds * 3 + 90),
            // Bounded per-stream bitmaps: 200 sinks must not each reserve the default.
            maxSeq: perStream + 1024,
            // The default 32 MiB each would let 200 sinks pin 6 GiB under a stall.
            rcvbuf: 8 << 20,
          });
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SINK_START_CONCURRENCY, queue.length) }, worker));
  if (failure) {
    await Promise.all(started.map((s) => s?.stop().catch(() => undefined)));
    throw failure;
  }
  return started as RunningSink[];
}
/** The CPU window ends this long after the generator, for the relay's last datagrams. */
const CPU_TAIL_MS = 50;

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
  const sinks = await startSinks(o, count, perStream);
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
    ...(o.streams > 1 ? { streams: o.streams } : {}),
    ttl: 8,
    durationLimit: Math.ceil(o.seconds * 2 + 2),
  });
  // The window ends with the sending (plus a moment for the relay to drain), not with
  // the sinks' idle timeout: that second would add only other work on the machine.
  await new Promise((resolve) => setTimeout(resolve, CPU_TAIL_MS));
  const relayCpuBusy = cpuBusySeconds(clockBefore, cpuClock(RELAY_CPU));
  const relayProcesses = pids.length > 0 ? pids.reduce((t, pid) => t + runtimeSeconds(pid), 0) - relayBefore : null;
  // A sink that got everything has exited ('expect'); the others are stopped once the
  // path is drained, so a slow receiver is not mistaken for loss.
  const all = Promise.all(sinks.map((s) => s.report));
  let finished = false;
  void all.then(() => (finished = true));
  await waitDrained(o, () => finished);
  const reports = finished ? await all : await Promise.all(sinks.map((s) => s.stop()));
  const countersAfter = counters ? await counters() : undefined;
  const dropped = backlogDrops(RELAY_CPU) - droppedBefore;

  // Datagrams never sent (a generator cut short) are not losses; gen sends round-robin.
  const unsentPerStream = Math.ceil((count - gen.sent) / o.streams);
  const outcomes = reports.map((r) => outcome(r, unsentPerStream, o.streams));
  const sum = (key: 'received' | 'lost' | 'duplicated' | 'reordered' | 'corrupted') => outcomes.reduce((t, s) => t + s[key], 0);
  const perfect = (s: SinkOutcome) => s.received === gen.sent && s.lost === 0 && s.duplicated === 0 && s.reordered === 0 && s.corrupted === 0;
  const pass = gen.sent > 0 && outcomes.every(perfect);
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
    imperfectSinks: outcomes.flatMap((s, index) => (perfect(s) ? [] : [{ index, ...s }])),
    ...(countersBefore ? { counters: delta } : {}),
    ...(PINNED ? { backlogDrops: dropped } : {}),
  };
}

export function describeFleet(t: FleetTrial): string {
  return (
    `offered ${t.offered} sent ${t.sent} at ${t.genRate}/s, ${t.receivers} sink(s) × ${t.streams} stream(s): ` +
    `received ${t.received} lost ${t.lost} (${t.sinksWithLoss} sinks) dup ${t.duplicated} reord ${t.reordered} corrupt ${t.corrupted} ` +
    `${t.pass ? 'pass' : 'FAIL'}${t.genLimited ? ' (gen-limited)' : ''} cpu1 ${t.cpu.relayCpuBusy}s procs ${t.cpu.relayProcesses ?? '-'}s` +
    (t.backlogDrops ? ` backlog-drops ${t.backlogDrops}` : '')
  );
}
