// What the fan-out scenarios share: the one topology (src —veth— relay, and N veths from
// the relay into one receiver namespace), a path over its first `width` legs, every
// output to the same group, and each system's record with why it does not run here.
// All outputs share one group: a copy then differs from the next only in its Ethernet
// source (its own interface's MAC).
import type { Fan } from '../../src/netns/topologies.js';
import type { ScriptHost } from './host.js';
import { installAll, kindOf, unavailable, type Installation } from './multirelay.js';
import { IN_GROUP, OUT_GROUP, type Path, type RelayKind } from './systems.js';

/** Payload of every fan-out datagram: the issue states the 1:50 target at 1,400 B. */
export const FAN_SIZE = 1400;

export interface FanRecord {
  id: string;
  label: string;
  note?: string;
  /** Why it cannot run here; nothing was measured. */
  unavailable?: string;
}

export function fanPath(f: Fan, width: number): Path {
  if (width > f.outs.length) throw new Error(`1:${width} on a fan of ${f.outs.length}`);
  return { input: f.in0, source: f.src.address, group: IN_GROUP, outputs: f.outs.slice(0, width).map((via) => ({ via, group: OUT_GROUP })) };
}

export function fanSystems(ids: readonly string[]): { kind: RelayKind; record: FanRecord }[] {
  return ids.map((id) => {
    const kind = kindOf(id);
    const why = unavailable(kind);
    return { kind, record: { id, label: kind.label, ...(kind.note ? { note: kind.note } : {}), ...(why ? { unavailable: why } : {}) } };
  });
}

/** Installs a system on the fan's first `width` legs; returns it and how long that took. */
export async function timedInstall(host: ScriptHost, kind: RelayKind, f: Fan, width: number): Promise<{ relays: Installation; seconds: number }> {
  const started = Date.now();
  const relays = await installAll(host, kind, [{ ns: f.relay, paths: [fanPath(f, width)] }]);
  return { relays, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
