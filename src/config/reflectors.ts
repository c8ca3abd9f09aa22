// A [[reflector]] table as ordinary flows: one per input interface (of `from`) and
// address family, each sent out of every other interface of `to`, never back out of its
// own. Reflectors are one more kind of rule to the rest of mcr: the diff, the data plane
// and the stats see these flows; each carries its reflector (ReflectorLink) for grouping
// and messages, and its policy (FlowPolicy) for the data plane. Pure; runs on a file that
// passed validation (reflector-checks.ts), with the schema's defaults filled in.
import { addressOf, type Family } from '../net/address.js';
import { describeInput } from './endpoints.js';
import { prefixOf } from './prefix.js';
import {
  DEFAULT_MULTICAST_TTL,
  DEFAULT_UNICAST_TTL,
  inputKey,
  PLAIN_HEALTH,
  type Egress,
  type FlowPolicy,
  type Input,
  type Output,
  type ReflectorLink,
  type Rule,
} from './ruleset.js';
import type { ReflectorSection } from './schema-types.js';
import { BROADCAST, isServiceName, LIMITED_BROADCAST, SERVICES } from './services.js';

/** A loop window when the file gives none (the schema's default). */
export const DEFAULT_LOOP_WINDOW_MS = 200;

/** One group a reflector relays: its address (the limited broadcast for "broadcast"). */
export interface ReflectedGroup {
  readonly text: string;
  readonly family: Family;
  /** "broadcast": received as the limited or a directed broadcast, sent as the output
   * interface's directed broadcast. */
  readonly broadcast: boolean;
}

/** The groups a reflector's table names, before `family` picks among them; texts that
 * are not addresses are left out (validation reports them). */
export function namedGroups(reflector: Pick<ReflectorSection, 'service' | 'group'>): ReflectedGroup[] {
  if (isServiceName(reflector.service)) {
    const { groups } = SERVICES[reflector.service];
    return [
      { text: groups.ipv4, family: 'ipv4', broadcast: false },
      { text: groups.ipv6, family: 'ipv6', broadcast: false },
    ];
  }
  const texts = typeof reflector.group === 'string' ? [reflector.group] : Array.isArray(reflector.group) ? reflector.group : [];
  return texts.flatMap((text): ReflectedGroup[] => {
    if (text === BROADCAST) return [{ text: LIMITED_BROADCAST, family: 'ipv4', broadcast: true }];
    try {
      const address = addressOf(text);
      return [{ text: address.text, family: address.family, broadcast: false }];
    } catch {
      return [];
    }
  });
}

/** The groups the reflector relays: those it names, of the families `family` allows. */
export function reflectedGroups(reflector: Pick<ReflectorSection, 'service' | 'group' | 'family'>): ReflectedGroup[] {
  const family = reflector.family ?? 'both';
  return namedGroups(reflector).filter((group) => family === 'both' || group.family === family);
}

/** Its port: the service's, or the one written beside its group. */
export function reflectedPort(reflector: Pick<ReflectorSection, 'service' | 'port'>): number | undefined {
  return isServiceName(reflector.service) ? SERVICES[reflector.service].port : reflector.port;
}

/** "mdns", or "239.1.2.3:5000", "broadcast:9" for a group and port. */
export function serviceLabel(reflector: Pick<ReflectorSection, 'service' | 'group' | 'port'>): string {
  if (isServiceName(reflector.service)) return reflector.service;
  const group = Array.isArray(reflector.group) ? reflector.group.join(',') : reflector.group ?? '?';
  return `${group}:${reflector.port ?? '?'}`;
}

/** The name it goes by: its own, or its service label. */
export function reflectorName(reflector: Pick<ReflectorSection, 'name' | 'service' | 'group' | 'port'>): string {
  return reflector.name ?? serviceLabel(reflector);
}

/** The TTL of what it sends: its own, the service's, or the usual default. */
function ttlOf(reflector: ReflectorSection, group: ReflectedGroup): number {
  if (reflector.ttl !== undefined) return reflector.ttl;
  if (isServiceName(reflector.service)) return SERVICES[reflector.service].ttl;
  return group.broadcast ? DEFAULT_UNICAST_TTL : DEFAULT_MULTICAST_TTL;
}

/** The interfaces of `list` (or all of them), in the order `interfaces` has them. */
function subset(interfaces: readonly string[], list: readonly string[] | undefined): string[] {
  return list === undefined ? [...interfaces] : interfaces.filter((name) => list.includes(name));
}

function policyOf(reflector: ReflectorSection, name: string): FlowPolicy {
  const rate = reflector.rate_limit;
  return {
    group: name,
    allowSources: (reflector.allow_sources ?? []).map(prefixOf),
    denySources: (reflector.deny_sources ?? []).map(prefixOf),
    rateLimit: rate ? { pps: rate.pps, burst: rate.burst ?? rate.pps } : null,
    loopWindowMs: reflector.loop_window_ms ?? DEFAULT_LOOP_WINDOW_MS,
  };
}

/** The flows of one reflector, by input interface (file order), IPv4 before IPv6. */
export function reflectorFlows(reflector: ReflectorSection, index: number, egress: Egress): Rule[] {
  const name = reflectorName(reflector);
  const port = reflectedPort(reflector) ?? 0;
  const link: ReflectorLink = { name, service: serviceLabel(reflector), interfaces: [...reflector.interfaces], index };
  const policy = policyOf(reflector, name);
  const senders = subset(reflector.interfaces, reflector.from);
  const receivers = subset(reflector.interfaces, reflector.to);
  const preserve = (reflector.source ?? 'preserve') === 'preserve';
  return senders.flatMap((from) =>
    reflectedGroups(reflector).map((group): Rule => {
      // Discovery traffic is bursty by nature: its silence is no stall.
      const input: Input = { interface: from, group: addressOf(group.text), port, source: null, timeoutMs: null };
      const outputs = receivers
        .filter((to) => to !== from)
        .map(
          (to): Output => ({
            interface: to,
            group: addressOf(group.text),
            port,
            ttl: ttlOf(reflector, group),
            sourceAddress: preserve ? 'preserve' : null,
            egress: reflector.egress ?? egress,
            dscp: 0,
            ...(group.broadcast ? { directed: true as const } : {}),
          }),
        );
      return {
        key: inputKey(input),
        name: `${name}: ${describeInput(input)}`,
        enabled: reflector.enabled ?? true,
        input,
        inputs: [input],
        health: PLAIN_HEALTH,
        outputs,
        reflector: link,
        policy,
      };
    }),
  );
}

/** Every reflector's flows, in file order. */
export function buildReflectorRules(reflectors: readonly ReflectorSection[], egress: Egress): Rule[] {
  return reflectors.flatMap((reflector, index) => reflectorFlows(reflector, index, egress));
}
