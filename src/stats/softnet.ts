// The kernel's backlog drops on the workers' CPUs: loss that happens before mcr can see
// it. A frame a NIC (or a veth) hands to the stack waits in the receiving CPU's input
// backlog until that CPU's receive softirq runs; when more than netdev_max_backlog wait,
// the kernel drops the frame and counts it in /proc/net/softnet_stat, per CPU. The
// relay's input is received on the workers' CPUs (RPS or IRQ affinity puts it there),
// so drops there are loss that mcr's own counters cannot show. Pure: the text is read
// by the daemon (daemon/softnet.ts) and handed in.
//
// The file has one row per online CPU, in CPU order, of hexadecimal columns: processed,
// dropped, time_squeeze, ... Recent kernels print the row's CPU number in the 13th
// column (rows skip offline CPUs, so the row index is not always the CPU; 6.18 prints
// 15 columns); on kernels without it the rows are matched to the online CPUs in order.

/** The stats file's name for these drops, in `totals` and in each worker's counters. */
export const SOFTNET_DROPPED = 'softnet_dropped';

/** The CPU column (0-based) of kernels that print it. */
const CPU_COLUMN = 12;
const DROPPED_COLUMN = 1;
/** The dropped counter is the kernel's unsigned int: it wraps at 2^32. */
const WRAP = 2 ** 32;

/** "0-3,6" (the kernel's CPU list format) as [0, 1, 2, 3, 6]; [] for "". */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .filter((range) => range !== '')
    .flatMap((range) => {
      const [low = 0, high = low] = range.split('-').map(Number);
      return Array.from({ length: Math.max(0, high - low + 1) }, (_, i) => low + i);
    });
}

/** Each CPU's dropped counter, by CPU number. `online` names the CPUs of the rows on a
 * kernel without the CPU column (else row i is CPU i). Malformed rows are skipped. */
export function parseSoftnet(text: string, online: readonly number[] = []): Map<number, number> {
  const drops = new Map<number, number>();
  const rows = text.split('\n').filter((line) => line.trim() !== '');
  rows.forEach((row, index) => {
    const columns = row.trim().split(/\s+/).map((column) => (/^[0-9a-f]+$/i.test(column) ? parseInt(column, 16) : NaN));
    const dropped = columns[DROPPED_COLUMN];
    if (dropped === undefined || Number.isNaN(dropped)) return;
    const cpu = columns.length > CPU_COLUMN ? columns[CPU_COLUMN] : (online[index] ?? index);
    if (cpu === undefined || Number.isNaN(cpu)) return;
    drops.set(cpu, dropped);
  });
  return drops;
}

/** Drops since the baseline, per CPU of `now`; a counter that went backwards wrapped. A
 * CPU absent from the baseline (it came online later) counts from 0. */
export function softnetSince(baseline: ReadonlyMap<number, number>, now: ReadonlyMap<number, number>): Map<number, number> {
  const since = new Map<number, number>();
  for (const [cpu, value] of now) {
    const before = baseline.get(cpu) ?? 0;
    since.set(cpu, value >= before ? value - before : value + WRAP - before);
  }
  return since;
}

export interface WorkerSoftnet {
  /** Worker i's CPU's drops (workers sharing a CPU show the same number). */
  readonly perWorker: readonly number[];
  /** Each worker CPU's drops, once per CPU, in CPU order. */
  readonly byCpu: ReadonlyMap<number, number>;
  /** The sum over the worker CPUs, each counted once. */
  readonly total: number;
}

/** The drops of the CPUs the workers run on: `cpus[i]` is worker i's. */
export function workerSoftnet(cpus: readonly number[], drops: ReadonlyMap<number, number>): WorkerSoftnet {
  const byCpu = new Map([...new Set(cpus)].sort((a, b) => a - b).map((cpu) => [cpu, drops.get(cpu) ?? 0]));
  const total = [...byCpu.values()].reduce((sum, value) => sum + value, 0);
  return { perWorker: cpus.map((cpu) => drops.get(cpu) ?? 0), byCpu, total };
}
