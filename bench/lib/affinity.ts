// CPU placement for fair measurements on a small machine: the traffic tools (generator
// and sink) on one CPU, the relay under test on another, so a relay never competes with
// the tools that judge it. Children inherit affinity: pinning the bench process pins
// every generator and sink it starts; a relay is moved to its own CPU once it runs.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface Placement {
  /** CPU of the bench itself and so of mcr-gen and mcr-sink; null: not pinned. */
  traffic: number | null;
  /** CPU of every relay process (all threads); null: not pinned. */
  relay: number | null;
}

/** CPU 0 for the tools and CPU 1 for the relay, when the machine has two CPUs or more. */
export function defaultPlacement(): Placement {
  return cpus().length >= 2 ? { traffic: 0, relay: 1 } : { traffic: null, relay: null };
}

/** Pins every thread of each process to one CPU; a process already gone is skipped. */
export function pinProcesses(pids: readonly number[], cpu: number | null): void {
  if (cpu === null) return;
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    } catch {
      // exited between listing and pinning: nothing to place
    }
  }
}

export function pinSelf(placement: Placement): void {
  pinProcesses([process.pid], placement.traffic);
}
