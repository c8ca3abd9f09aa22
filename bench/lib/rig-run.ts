// What the one-stream scenarios (forwarding, cpu) share: a system set up on a fresh
// chain, placed (its processes and its input's receive work on the relay CPU) and
// proven to relay before anything is measured; a system that cannot run here recorded
// with why; and a trial repeated when other work on the machine disturbed it.
import { pinProcesses, type Placement } from './affinity.js';
import { UnavailableError } from './availability.js';
import { QUIET_BUSY } from './constants.js';
import type { ScriptHost } from './host.js';
import { steerIngress } from './pinning.js';
import { namespacePids, type Rig, type System } from './systems.js';
import { runTrial, type Trial } from './trial.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** What every per-system result of these scenarios carries besides its measurements. */
export interface SystemRecord {
  id: string;
  label: string;
  note?: string;
  /** Why it cannot run here ("not built into this kernel: ..."); nothing was measured. */
  unavailable?: string;
  error?: string;
  /** Trials repeated because other work took the machine meanwhile. */
  disturbed: Trial[];
}

export function record(system: System): SystemRecord {
  const availability = system.availability?.() ?? { ok: true };
  return {
    id: system.id,
    label: system.label,
    ...(system.note ? { note: system.note } : {}),
    ...(availability.ok ? {} : { unavailable: `${availability.reason}: ${availability.detail}` }),
    disturbed: [],
  };
}

export function describe(t: Trial): string {
  const verdict = t.pass ? 'pass' : 'FAIL';
  const extra = t.counters ? ` ${JSON.stringify(t.counters)}` : '';
  const core = t.cpu.core ? ` cpu${t.cpu.core.cpu} ${t.cpu.core.busy.toFixed(3)} s` : '';
  const backlog = t.backlogDrops ? ` backlog-drops ${t.backlogDrops}` : '';
  return `offered ${t.offered} sent ${t.sent} at ${t.genRate}/s received ${t.received} lost ${t.lost} dup ${t.duplicated} reord ${t.reordered} sockdrop ${t.socketDrops} ${verdict}${t.genLimited ? ' (gen-limited)' : ''} busy-before ${t.busyBefore} foreign ${t.cpu.foreignShare}${core}${backlog}${extra}`;
}

/**
 * Runs a trial; while it fails (or, for CPU, whatever its outcome) with other work on
 * the machine above the threshold, repeats it after waiting for quiet. The disturbed
 * attempts are kept in the results, not hidden.
 */
export async function steadyTrial(run: () => Promise<Trial>, disturbed: Trial[], threshold: number, retries: number, cpu = false): Promise<Trial> {
  for (let attempt = 0; ; attempt += 1) {
    const t = await run();
    // A CPU trial also wants its relay core idle before it starts: other work there is in its figure.
    const coreBusy = cpu && (t.coreBusyBefore ?? 0) > QUIET_BUSY;
    const bad = (t.cpu.foreignShare > threshold || coreBusy) && (cpu || !t.pass);
    if (!bad || attempt >= retries) return t;
    log(`  disturbed (other work ${(t.cpu.foreignShare * 100).toFixed(0)} % of the machine, relay core ${((t.coreBusyBefore ?? 0) * 100).toFixed(0)} % busy before): repeating`);
    disturbed.push(t);
  }
}

/** Sets a system up, moves it to the relay's CPU, and proves it relays before anything is measured. */
async function ready(system: System, host: ScriptHost, placement: Placement, sizes: readonly number[]): Promise<Rig> {
  const rig = await system.setup(host);
  try {
    if (rig.cpu.kind === 'process') pinProcesses(namespacePids(rig.cpu.ns), placement.relay);
    if (rig.ingress && placement.relay !== null) await steerIngress(rig.ingress.ns, rig.ingress.iface, placement.relay);
    for (const size of sizes) {
      const check = await runTrial(rig, { size, rate: 5_000, seconds: 0.2, quietWaitMs: 0 });
      if (!check.pass) throw new Error(`${system.label} does not relay ${size} B datagrams: ${describe(check)}`);
    }
    return rig;
  } catch (error) {
    await rig.close();
    throw error;
  }
}

/** Runs body on a ready rig and always closes it; a failing or unavailable system is recorded, not fatal. */
export async function withRig(
  system: System,
  host: ScriptHost,
  placement: Placement,
  result: SystemRecord,
  sizes: readonly number[],
  body: (rig: Rig) => Promise<void>,
): Promise<void> {
  if (result.error || result.unavailable) return;
  let rig: Rig | null = null;
  try {
    rig = await ready(system, host, placement, sizes);
    await body(rig);
  } catch (error) {
    // Interrupted: the error is the signal's doing, not the system's.
    if (host.stopped) throw error;
    const text = String(error instanceof Error ? error.message : error);
    if (error instanceof UnavailableError) result.unavailable = text;
    else result.error = text;
    log(`${system.id}: ${text}`);
  } finally {
    await rig?.close();
  }
}

/** Systems for ids, each with its record; unknown ids throw with the known ones. */
export function systemsFor(ids: readonly string[], make: (id: string) => System | null): { system: System; record: SystemRecord }[] {
  return ids.map((id) => {
    const system = make(id);
    if (!system) throw new Error(`unknown system "${id}"`);
    const rec = record(system);
    if (rec.unavailable) log(`${id}: ${rec.unavailable}`);
    return { system, record: rec };
  });
}
