// The CPU placement the issue asks for on a 2-core machine: sender and receivers on
// CPU 0, every system's relay on CPU 1, and the relay's ingress receive work steered to
// CPU 1 (RPS on its input veth). The receivers' RPS stays off, so their receive softirq
// runs where the relay sent from (CPU 1). Relay CPU is then CPU 1's busy time: the idle
// counter is exact (nohz), unlike the tick-sampled busy fields.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import type { Netns } from '../../src/netns/namespace.js';
import { pinProcesses } from './affinity.js';

export const TOOL_CPU = 0;
export const RELAY_CPU = 1;

/** Pinning needs two CPUs; on one, everything shares it and nothing is pinned. */
export const PINNED = cpus().length >= 2;

/** The same namespace, but whatever it runs or spawns starts under taskset on cpu. */
export function onCpu(ns: Netns, cpu: number): Netns {
  if (!PINNED) return ns;
  const pinned = Object.create(ns) as Netns;
  const wrap = (command: string, args: readonly string[]) => ['taskset', ['-c', String(cpu), command, ...args]] as const;
  pinned.spawn = (command, args, options) => ns.spawn(...wrap(command, args), options);
  pinned.run = (command, args, options) => ns.run(...wrap(command, args), options);
  return pinned;
}

/** Moves every thread of these processes to the relay's CPU. */
export function pinToRelayCpu(pids: readonly number[]): void {
  if (PINNED) pinProcesses(pids, RELAY_CPU);
}

/** RPS on iface's receive queue: its receive work (and forwarding) runs on the relay's CPU. */
export async function steerIngress(ns: Netns, iface: string, cpu = RELAY_CPU): Promise<void> {
  if (!PINNED) return;
  const mask = (1 << cpu).toString(16);
  // `ip netns exec` mounts the namespace's own /sys, where iface is visible.
  const result = await ns.run('sh', ['-c', `echo ${mask} > /sys/class/net/${iface}/queues/rx-0/rps_cpus`]);
  if (result.exitCode !== 0) throw new Error(`RPS on ${iface}: ${result.stderr}`);
}

export interface CpuClock {
  at: number;
  idle: number;
}

const TICK = 1 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** One CPU's idle+iowait+steal seconds (exact under nohz) and the time it was read. */
export function cpuClock(cpu: number): CpuClock {
  const at = Number(process.hrtime.bigint()) / 1e9;
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `)) ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return { at, idle: ((v[3] ?? 0) + (v[4] ?? 0) + (v[7] ?? 0)) * TICK };
}

/** Seconds the CPU worked between two readings: wall time minus its idle time. */
export function cpuBusySeconds(before: CpuClock, after: CpuClock): number {
  return Math.max(0, after.at - before.at - (after.idle - before.idle));
}

/**
 * Seconds the scheduler ran a process, all its threads together (schedstat: exact
 * nanoseconds, unlike the tick-sampled utime and stime); 0 once it is gone.
 */
export function runtimeSeconds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((total, tid) => {
      try {
        return total + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
      } catch {
        return total;
      }
    }, 0);
  } catch {
    return 0;
  }
}
