// CPU accounting from /proc: a process's user+system time (all its threads), the
// machine's and one CPU's per-state totals from /proc/stat, a wait for the machine to be quiet
// before a measurement, and a description of the machine for the results file.
// Processes' times are exact (the scheduler's runtime); see busySeconds for the machine.
import { execFileSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { QUIET_BUSY } from './constants.js';

const TICK = 1 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** Fields of /proc/PID/stat after the command name, or null if the process is gone. */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces or parentheses: fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** User+system seconds of a process and all its threads, or 0 if it is gone. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return f ? (Number(f[11]) + Number(f[12])) * TICK : 0;
}

/**
 * This process's CPU plus that of its children it has reaped (cutime, cstime): once a
 * trial's generator and sink have exited, their whole CPU is in here.
 */
export function selfAndChildrenCpuSeconds(): number {
  const f = statFields('self');
  return f ? (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK : 0;
}

/** The kernel threads that run softirq work deferred from busy CPUs (our traffic's). */
export function ksoftirqdPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('ksoftirqd/');
      } catch {
        return false;
      }
    })
    .map(Number);
}

export interface MachineCpu {
  /** Monotonic clock (s) when the line was read; in a delta, the elapsed time. */
  at: number;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

const CPUS = cpus().length;

/** The "cpu" line of /proc/stat (all CPUs summed), or one CPU's ("cpuN"), in seconds. */
export function machineCpu(cpu?: number): MachineCpu {
  const at = Number(process.hrtime.bigint()) / 1e9;
  const name = cpu === undefined ? 'cpu' : `cpu${cpu}`;
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  const v = line.trim().split(/\s+/).slice(1).map((x) => Number(x) * TICK);
  return { at, user: v[0] ?? 0, nice: v[1] ?? 0, system: v[2] ?? 0, idle: v[3] ?? 0, iowait: v[4] ?? 0, irq: v[5] ?? 0, softirq: v[6] ?? 0, steal: v[7] ?? 0 };
}

/**
 * CPU seconds the machine worked over a delta: all CPUs' elapsed time minus idle,
 * iowait and steal. Not the sum of user+system+softirq: without IRQ_TIME_ACCOUNTING
 * those are sampled at each tick, and a thread that wakes just after a tick and sleeps
 * before the next (mcr's 1 ms ring timer) is never sampled. Idle and iowait come from
 * the nohz idle clock, which is exact. (io_uring waits show up as iowait: idle CPU.)
 */
export function busySeconds(d: MachineCpu, cpus = CPUS): number {
  return Math.max(0, d.at * cpus - d.idle - d.iowait - d.steal);
}

/**
 * One CPU's work over a delta of its line (machineCpu(n)): the exact busy seconds, and
 * the tick-sampled split of them as /proc/stat has it (user+nice+system: in a task,
 * including softirq run inside its system calls; softirq and irq: in interrupt context).
 */
export interface CoreCpu {
  cpu: number;
  busy: number;
  user: number;
  system: number;
  softirq: number;
  irq: number;
}

export function coreCpu(cpu: number, d: MachineCpu): CoreCpu {
  const r = (x: number) => Number(x.toFixed(4));
  return { cpu, busy: r(busySeconds(d, 1)), user: r(d.user + d.nice), system: r(d.system), softirq: r(d.softirq), irq: r(d.irq) };
}

export function cpuDelta(before: MachineCpu, after: MachineCpu): MachineCpu {
  const out = { ...after };
  for (const key of Object.keys(out) as (keyof MachineCpu)[]) out[key] = after[key] - before[key];
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fraction of all CPUs busy over the next intervalMs, and of one CPU's if asked. */
export async function busyFraction(intervalMs = 250, core: number | null = null): Promise<{ machine: number; core: number | null }> {
  const before = machineCpu();
  const coreBefore = core === null ? null : machineCpu(core);
  await sleep(intervalMs);
  const d = cpuDelta(before, machineCpu());
  const c = core === null || !coreBefore ? null : cpuDelta(coreBefore, machineCpu(core));
  return { machine: Math.min(1, busySeconds(d) / (d.at * CPUS)), core: c ? Math.min(1, busySeconds(c, 1) / c.at) : null };
}

/**
 * Waits (at most maxWaitMs) until the machine, and the relay core if given, are at most
 * maxBusy busy, because other work on a 2-core box halves what any relay can do and
 * lands in the relay core's busy time. Returns the last fractions seen, so a trial
 * measured on a loaded machine is marked as such, not hidden.
 */
export async function waitQuiet(maxBusy = QUIET_BUSY, maxWaitMs = 15_000, core: number | null = null): Promise<{ busy: number; coreBusy: number | null; waitedMs: number }> {
  const start = Date.now();
  for (;;) {
    const f = await busyFraction(250, core);
    const quiet = f.machine <= maxBusy && (f.core === null || f.core <= maxBusy);
    if (quiet || Date.now() - start >= maxWaitMs) return { busy: f.machine, coreBusy: f.core, waitedMs: Date.now() - start };
  }
}

/**
 * Frames one CPU's receive backlog dropped since boot (/proc/net/softnet_stat, second
 * column): the queue of netdev_max_backlog frames that veth deliveries and RPS fill,
 * where loss at high rates happens before any relay sees a frame. The 13th column
 * names the CPU on kernels that have it; otherwise lines are in CPU order.
 */
export function backlogDrops(cpu: number): number {
  try {
    const lines = readFileSync('/proc/net/softnet_stat', 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
    const line = lines.find((f) => f[12] !== undefined && parseInt(f[12], 16) === cpu) ?? lines[cpu];
    return line ? parseInt(line[1] ?? '0', 16) : 0;
  } catch {
    return 0;
  }
}

/** net.core.netdev_max_backlog: how many frames a CPU's receive backlog holds. */
export function maxBacklog(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/core/netdev_max_backlog', 'utf8').trim());
  } catch {
    return null;
  }
}

export interface MachineInfo {
  cpuCount: number;
  cpuModel: string;
  kernel: string;
  node: string;
  date: string;
  hz: number;
  /** net.core.netdev_max_backlog during the run (absent in older results). */
  netdevMaxBacklog?: number | null;
}

export function machineInfo(): MachineInfo {
  return {
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    date: new Date().toISOString(),
    hz: Math.round(1 / TICK),
    netdevMaxBacklog: maxBacklog(),
  };
}
