// The stats file's `reflectors` section: each [[reflector]] seen whole again, per
// interface, from the flows it was expanded into (src/config/reflectors.ts): what
// arrived on the interface, what was relayed out of it, and what its policy stopped
// there. Pure: a view of the rules' own counters, so it can never disagree with them.
import type { RuleSet } from '../config/ruleset.js';
import type { ReflectorInterfaceStats, ReflectorStats, RuleStats } from './types.js';

/** The reasons a reflector drops a datagram, as counter names (src/counter-list.js). */
export const REFLECTOR_DROPS = ['source_denied', 'rate_limited', 'loop_suppressed'] as const;

function emptyInterface(name: string): ReflectorInterfaceStats {
  return { interface: name, received: 0, relayed: 0, source_denied: 0, rate_limited: 0, loop_suppressed: 0 };
}

/** One entry per reflector of the rule set (file order), or none when it has none. */
export function reflectorStats(ruleSet: RuleSet, rules: readonly RuleStats[]): ReflectorStats[] {
  const byKey = new Map(rules.map((rule) => [rule.key, rule]));
  const reflectors = new Map<string, ReflectorStats>();
  for (const rule of ruleSet.rules) {
    const link = rule.reflector;
    if (!link) continue;
    let entry = reflectors.get(link.name);
    if (!entry) {
      entry = { name: link.name, service: link.service, interfaces: link.interfaces.map(emptyInterface) };
      reflectors.set(link.name, entry);
    }
    const stats = byKey.get(rule.key);
    if (!stats) continue;
    const find = (name: string) => entry!.interfaces.find((item) => item.interface === name);
    const input = find(rule.input.interface);
    if (input) {
      input.received += stats.packets;
      for (const reason of REFLECTOR_DROPS) input[reason] += stats[reason];
    }
    for (const output of stats.outputs) {
      const out = find(output.interface);
      if (out) out.relayed += output.packets;
    }
  }
  return [...reflectors.values()];
}
