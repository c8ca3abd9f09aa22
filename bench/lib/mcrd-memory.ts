// Memory of a running process from /proc: VmRSS, and PSS from smaps_rollup (the share of
// pages it shares with others, such as node's own binary, split between them).
import { readFileSync } from 'node:fs';

export interface Memory {
  rssKib: number;
  /** null when smaps_rollup is not readable (older kernels). */
  pssKib: number | null;
}

function field(text: string, name: string): number | null {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

export function memoryOf(pid: number): Memory {
  const rssKib = field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS') ?? NaN;
  let pssKib: number | null = null;
  try {
    pssKib = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    pssKib = null;
  }
  return { rssKib, pssKib };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The lowest of `samples` readings `everyMs` apart: V8 grows and trims its heap on its
 * own schedule, so one reading swings; the floor is what the process keeps.
 */
export async function memoryFloor(pid: number, samples = 5, everyMs = 200): Promise<Memory> {
  let floor: Memory = { rssKib: Infinity, pssKib: null };
  for (let i = 0; i < samples; i += 1) {
    if (i > 0) await sleep(everyMs);
    const m = memoryOf(pid);
    floor = {
      rssKib: Math.min(floor.rssKib, m.rssKib),
      pssKib: m.pssKib === null ? floor.pssKib : Math.min(floor.pssKib ?? Infinity, m.pssKib),
    };
  }
  return floor;
}

export const mib = (kib: number | null) => (kib === null || !Number.isFinite(kib) ? 'n/a' : (kib / 1024).toFixed(1));
