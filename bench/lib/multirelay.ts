// What the multi-relay scenarios (hops, streams, fanout) share: installing one system on
// every relay namespace of a topology with the CPU placement of pinning.ts, choosing the
// systems a run asked for, and running a system's trials so that a failing system is
// recorded with its error instead of ending the run.
import type { Netns } from '../../src/netns/namespace.js';
import type { ScriptHost } from './host.js';
import { pinToRelayCpu, steerIngress } from './pinning.js';
import { DEFAULT_SYSTEMS, relayKind } from './registry.js';
import type { Path, RelayKind } from './systems.js';

/** The ids of `requested` this scenario knows (no relay only where it means something), in order. */
export function chooseSystems(requested: readonly string[], withNone: boolean): string[] {
  const known = (id: string) => relayKind(id) !== null || (withNone && id === 'none');
  const chosen = requested.filter(known);
  return chosen.length > 0 ? chosen : DEFAULT_SYSTEMS.filter(known);
}

/** The relay kind of an id chooseSystems returned (not 'none'). */
export function kindOf(id: string): RelayKind {
  const kind = relayKind(id);
  if (!kind) throw new Error(`unknown relay "${id}"`);
  return kind;
}

/** Why a kind cannot run here ("not built into this kernel: ..."), or null. */
export function unavailable(kind: RelayKind): string | null {
  const a = kind.availability?.() ?? { ok: true };
  return a.ok ? null : `${a.reason}: ${a.detail}`;
}

export interface Site {
  ns: Netns;
  paths: Path[];
}

export interface Installation {
  /** Every relay process on every site. */
  pids(): number[];
  /** The processes that forward, whose CPU is the relay's (none for the kernel). */
  forwarders(): number[];
  counters?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Installs kind on every site, pins its processes and steers each input's receive work. */
export async function installAll(host: ScriptHost, kind: RelayKind, sites: readonly Site[]): Promise<Installation> {
  const installed: Awaited<ReturnType<RelayKind['install']>>[] = [];
  const close = async () => {
    for (const one of installed.splice(0).reverse()) await one.close();
  };
  // In parallel: three mcr relays start in the time of one.
  const results = await Promise.allSettled(
    sites.map(async (site) => {
      for (const iface of new Set(site.paths.map((p) => p.input.iface))) await steerIngress(site.ns, iface);
      const one = await kind.install(host, site.ns, site.paths);
      installed.push(one);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const pids = () => installed.flatMap((one) => one.pids());
  pinToRelayCpu(pids());
  const withCounters = installed.filter((one) => one.counters);
  return {
    pids,
    forwarders: () => (kind.forwardsIn === 'processes' ? pids() : []),
    ...(withCounters.length > 0
      ? {
          async counters() {
            const out: Record<string, number> = {};
            for (const one of withCounters) {
              for (const [k, v] of Object.entries(await (one.counters as () => Promise<Record<string, number>>)())) out[k] = (out[k] ?? 0) + v;
            }
            return out;
          },
        }
      : {}),
    close,
  };
}

/** Runs body; an error is returned as text (the system failed), unless the run is stopping. */
export async function recorded(host: ScriptHost, log: (line: string) => void, what: string, body: () => Promise<void>): Promise<string | undefined> {
  try {
    await body();
    return undefined;
  } catch (error) {
    if (host.stopped) throw error;
    const text = String(error instanceof Error ? error.message : error);
    log(`${what}: ${text}`);
    return text;
  }
}
