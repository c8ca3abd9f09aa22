// The kernel's backlog drops since mcrd started, per CPU: reads /proc/net/softnet_stat
// (and, for kernels that do not number its rows, the online CPU list) at start as the
// baseline and at every sample. The parsing and the arithmetic are in
// stats/softnet.ts; this module is only the reading. A file that cannot be read (a
// kernel without it, a sandbox that hides /proc/net) leaves the stats without the
// numbers rather than with wrong ones.
import { readFileSync } from 'node:fs';
import { parseCpuList, parseSoftnet, softnetSince } from '../stats/softnet.js';

const SOFTNET_STAT = '/proc/net/softnet_stat';
const ONLINE_CPUS = '/sys/devices/system/cpu/online';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Each CPU's dropped counter as the kernel has it now; null when it cannot be read. */
export function readSoftnet(read: (path: string) => string | null = readOrNull): Map<number, number> | null {
  const text = read(SOFTNET_STAT);
  if (text === null) return null;
  return parseSoftnet(text, parseCpuList(read(ONLINE_CPUS) ?? ''));
}

export class SoftnetDrops {
  private readonly baseline: ReadonlyMap<number, number> | null;

  constructor(private readonly read: () => Map<number, number> | null = () => readSoftnet()) {
    this.baseline = read();
  }

  /** Drops per CPU since this object was made; null when the kernel's file is unreadable. */
  since(): Map<number, number> | null {
    const now = this.read();
    return now === null || this.baseline === null ? null : softnetSince(this.baseline, now);
  }
}
