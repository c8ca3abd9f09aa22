// Which egress kind mcr's data plane really uses, seen from outside: a socket output is
// a UDP socket in the relay's namespace connected to the output's group and port; a
// frame output has none (it writes frames to a packet socket). The bench asks before
// a run, on a one-hop chain, with each kind's rules file (with the `egress` key when
// the build's `mcr check` accepts it, without otherwise), and mcr-relay.ts asks again
// after each install, so a system is never measured under the wrong name.
import { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import { chain } from '../../src/netns/topologies.js';
import { startRelay } from '../../harness/relay.js';
import { classifyEgress, judgeEgress, type EgressAvailability, type EgressInUse } from './availability.js';
import { checkEgressKey, recordEgress } from './probes.js';
import { IN_GROUP, OUT_GROUP, PORT } from './constants.js';
import type { ScriptHost } from './host.js';
import { mcrRulesToml, type Egress } from './mcr-rules.js';

/** The egress kind in use in a relay namespace for outputs to these group:port destinations. */
export async function egressInUse(ns: Netns, destinations: readonly string[]): Promise<EgressInUse> {
  const result = await ns.run('ss', ['-H', '-u', '-a', '-n']);
  if (result.exitCode !== 0) throw new Error(`ss -u in ${ns.name}: ${result.stderr}`);
  // A multicast destination shows once per output socket; one output per destination here.
  return classifyEgress(result.stdout, [...new Set(destinations)]);
}

/** Installs mcr with one rule of each kind on a fresh chain and records what the data plane did. */
export async function probeEgressKinds(host: ScriptHost, kinds: readonly Egress[], log: (line: string) => void): Promise<Record<string, EgressAvailability>> {
  const found: Record<string, EgressAvailability> = {};
  for (const kind of kinds) {
    const named = checkEgressKey(kind);
    const lab = Lab.create(host);
    let inUse: EgressInUse | null = null;
    try {
      const c = await chain(lab);
      const relay = await startRelay(c.relay, { workers: 1 });
      try {
        const rules = [{ name: 'probe', input: { iface: c.in0.iface, group: IN_GROUP }, outputs: [{ iface: c.out0.iface, group: OUT_GROUP }] }];
        await relay.apply(mcrRulesToml(rules, named.exitCode === 0 ? kind : null));
        inUse = await egressInUse(c.relay, [`${OUT_GROUP}:${PORT}`]);
      } finally {
        await relay.close();
      }
    } catch (error) {
      log(`egress probe (${kind}): ${String(error instanceof Error ? error.message : error)}`);
    } finally {
      await lab.destroy();
    }
    found[kind] = judgeEgress(kind, named, inUse);
    recordEgress(kind, found[kind] as EgressAvailability);
    const f = found[kind] as EgressAvailability;
    log(`mcr ${kind} egress: ${f.ok ? 'available' : f.reason} (${f.detail})`);
  }
  return found;
}
