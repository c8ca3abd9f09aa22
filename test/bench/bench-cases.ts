// Results of the bench's scenarios built by hand, for the tests of their tables and
// targets (test/bench/*.test.ts): a machine, a build, fixed-rate trials, searches.
import type { CpuResult, CpuSystem } from '../../bench/scenarios/cpu-report.js';
import type { Trial } from '../../bench/lib/trial.js';

export const build = { commit: 'abc1234', dirty: false, builtAt: {} };
export const machine = { cpuCount: 2, cpuModel: 'Test CPU', kernel: '6.18.0', node: 'v20.0.0', date: '2026-01-01T00:00:00.000Z', hz: 250, netdevMaxBacklog: 1000 };

/** A fixed-rate trial: `core` busy seconds on CPU 1 for `received` of `sent` datagrams. */
export function trial(size: number, rate: number, received: number, core: number, extra: Partial<Trial> = {}): Trial & { rep: number } {
  const sent = extra.sent ?? 300_000;
  return {
    rep: 1,
    offered: rate,
    size,
    count: sent,
    sent,
    genRate: rate,
    genStopped: 'count',
    received,
    lost: sent - received,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    socketDrops: 0,
    pass: received === sent,
    genLimited: false,
    busyBefore: 0,
    quietWaitedMs: 0,
    coreBusyBefore: 0.01,
    cpu: {
      relay: null,
      machine: { at: 3, user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
      busy: 0,
      foreignShare: 0,
      core: { cpu: 1, busy: core, user: core * 0.2, system: core * 0.3, softirq: core * 0.5, irq: 0 },
    },
    ...extra,
  };
}

export function cpuSystem(id: string, trials: (Trial & { rep: number })[], extra: Partial<CpuSystem> = {}): CpuSystem {
  return { id, label: id, disturbed: [], trials, skipped: [], ...extra };
}

export function cpuResult(systems: CpuSystem[]): CpuResult {
  return {
    scenario: 'cpu',
    mode: 'full',
    machine,
    build,
    settings: { rates: [50_000, 100_000, 150_000], sizes: [64, 1400], reps: 3, seconds: 3, relayCpu: 1, placement: { traffic: 0, relay: 1 } },
    elapsedSeconds: 1,
    systems,
  };
}

export const search = (rate: number) => ({ rate, offered: rate, failedAt: null, limit: 'system' as const, trials: [] });
