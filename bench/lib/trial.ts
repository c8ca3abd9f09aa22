// One measured trial: start the sink, send `rate x seconds` datagrams through a rig,
// and judge the sink's report. A trial passes only when every datagram sent arrived
// once, in order and intact. It also accounts the CPU over the same window: the relay
// core's (the CPU the relay and its input's receive work are placed on: its whole busy
// time, whatever ran there), the relay processes', the whole machine's, and the share
// that was neither ours nor our traffic's (other work on a shared machine), so a
// disturbed trial can be recognised and repeated.
import { cpus } from 'node:os';
import { runGen, startSink } from '../../harness/traffic.js';
import { backlogDrops, busySeconds, coreCpu, cpuDelta, ksoftirqdPids, machineCpu, processCpuSeconds, selfAndChildrenCpuSeconds, waitQuiet, type CoreCpu, type MachineCpu } from './cpu.js';
import { PORT, namespacePids, type Rig } from './systems.js';

/** Below this share of the offered rate, the generator (not the relay) set the pace. */
const GEN_SHORTFALL = 0.95;

export interface TrialOptions {
  size: number;
  rate: number;
  seconds: number;
  /** Longest wait for a quiet machine before sending (ms). */
  quietWaitMs?: number;
  /** The relay's CPU, whose whole busy time is measured; null: not pinned, not measured. */
  relayCpu?: number | null;
}

export interface TrialCpu {
  /** User+system seconds of the relay's processes (process rigs only). */
  relay: number | null;
  /** The machine's CPU over the trial, per /proc/stat state, in seconds (at: elapsed). */
  machine: MachineCpu;
  /** Seconds the machine worked (see busySeconds). */
  busy: number;
  /** Of those, the share of all CPUs' time not spent by the bench, its tools, the relay or ksoftirqd. */
  foreignShare: number;
  /** The relay core over the same window (absent in results of older benches). */
  core?: CoreCpu | null;
}

/** What a receiver got, judged against what was sent. */
export interface Delivery {
  received: number;
  /** Datagrams sent but never received (the sink's count minus those never sent). */
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Drops at the receiver's socket (SO_RXQ_OVFL); null when the sink could not tell. */
  socketDrops: number | null;
}

export interface Trial extends Delivery {
  offered: number;
  size: number;
  count: number;
  sent: number;
  genRate: number;
  genStopped: string;
  pass: boolean;
  /** The generator fell >5 % short of the offered rate: the machine, not only the relay, set the pace. */
  genLimited: boolean;
  /** Share of the machine busy just before the trial (others' work skews results). */
  busyBefore: number;
  /** Share of the relay core busy just before the trial, when it is measured. */
  coreBusyBefore?: number | null;
  /** Frames the relay core's receive backlog dropped during the trial (when it is measured). */
  backlogDrops?: number;
  /** How long the trial waited for the machine to be quiet before sending (ms). */
  quietWaitedMs: number;
  counters?: Record<string, number>;
  cpu: TrialCpu;
}

function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

export async function runTrial(rig: Rig, options: TrialOptions): Promise<Trial> {
  const { size, rate, seconds } = options;
  const count = Math.max(1, Math.round(rate * seconds));
  const relayCpu = options.relayCpu ?? null;
  const quiet = await waitQuiet(0.12, options.quietWaitMs ?? 10_000, relayCpu);
  const sink = await startSink(rig.rx.ns, {
    group: rig.rxGroup,
    port: PORT,
    interface: rig.rx.iface,
    expect: count,
    ...(rig.media ? { payload: rig.media } : { expectPerStream: count }),
    idleTimeout: 1,
    durationLimit: Math.ceil(seconds * 3 + 10),
  });
  const countersBefore = rig.counters ? await rig.counters() : undefined;
  const pids = rig.cpu.kind === 'process' ? namespacePids(rig.cpu.ns) : [];
  const softirqThreads = ksoftirqdPids();
  const sum = (list: number[]) => list.reduce((total, pid) => total + processCpuSeconds(pid), 0);
  const relayBefore = sum(pids);
  const oursBefore = selfAndChildrenCpuSeconds() + sum(softirqThreads);
  const machineBefore = machineCpu();
  const coreBefore = relayCpu === null ? null : machineCpu(relayCpu);
  const droppedBefore = relayCpu === null ? 0 : backlogDrops(relayCpu);
  const gen = await runGen(rig.src.ns, {
    group: rig.srcGroup,
    port: PORT,
    interface: rig.src.iface,
    count,
    rate,
    size,
    // The kernel forwards only datagrams whose TTL outlives the hop; mcr ignores it.
    ttl: 8,
    ...(rig.media ? { payload: rig.media } : {}),
    // A generator that cannot keep up stops here instead of stretching the trial.
    durationLimit: Math.ceil(seconds * 2 + 2),
  });
  const raw = await sink.report;
  // RTP-MPEG-TS traffic is not the test payload: the sink's RTP view says what arrived.
  const report = rig.media && raw.rtp
    ? { ...raw, received: raw.rtp.datagrams - raw.rtp.duplicates, lost: Math.max(0, count - (raw.rtp.datagrams - raw.rtp.duplicates)), duplicated: raw.rtp.duplicates, reordered: raw.rtp.reordered, corrupted: 0 }
    : raw;
  const machine = cpuDelta(machineBefore, machineCpu());
  const core = relayCpu === null || !coreBefore ? null : coreCpu(relayCpu, cpuDelta(coreBefore, machineCpu(relayCpu)));
  const relayProcessCpu = sum(pids) - relayBefore;
  // The generator and the sink have exited and been reaped: their CPU is in ours.
  const ours = selfAndChildrenCpuSeconds() + sum(softirqThreads) - oursBefore + relayProcessCpu;
  const busy = busySeconds(machine);
  const foreignShare = Math.max(0, busy - ours) / (machine.at * cpus().length);
  const counters = rig.counters && countersBefore ? counterDelta(countersBefore, await rig.counters()) : undefined;

  // The sink counts datagrams never sent as trailing losses; only the rest were lost.
  const lost = Math.max(0, report.lost - (count - gen.sent));
  const genLimited = gen.stopped !== 'count' || gen.rate < rate * GEN_SHORTFALL;
  const pass =
    gen.sent > 0 && report.received === gen.sent && lost === 0 && report.duplicated === 0 && report.reordered === 0 && report.corrupted === 0;
  return {
    offered: rate,
    size,
    count,
    sent: gen.sent,
    genRate: Math.round(gen.rate),
    genStopped: gen.stopped,
    received: report.received,
    lost,
    duplicated: report.duplicated,
    reordered: report.reordered,
    corrupted: report.corrupted,
    socketDrops: report.socket_drops,
    pass,
    genLimited,
    busyBefore: Number(quiet.busy.toFixed(3)),
    ...(relayCpu === null
      ? {}
      : { coreBusyBefore: quiet.coreBusy === null ? null : Number(quiet.coreBusy.toFixed(3)), backlogDrops: backlogDrops(relayCpu) - droppedBefore }),
    quietWaitedMs: quiet.waitedMs,
    ...(counters ? { counters } : {}),
    cpu: { relay: rig.cpu.kind === 'process' ? relayProcessCpu : null, machine, busy, foreignShare: Number(foreignShare.toFixed(3)), core },
  };
}
