// Checks of [[reflector]] tables that JSON Schema cannot express or word well: a service
// or a group and port (not both, not neither), groups that are multicast or "broadcast",
// at least two distinct interfaces, `from` and `to` drawn from them with somewhere to
// send, prefixes, TTL, a preserved source on socket egress, two reflectors of one name,
// and flows that another reflector or a [[rule]] already has. Like semantic.ts it runs on
// whatever the TOML parser produced and skips fields of the wrong type (the schema has
// reported those), so one pass reports every problem. Pure.
import { classify, parseAddress, type Family } from '../net/address.js';
import { describeInput } from './endpoints.js';
import { parsePrefix } from './prefix.js';
import type { JsonPath, Problem } from './problems.js';
import { reflectedGroups, reflectedPort, reflectorName } from './reflectors.js';
import type { ReflectorSection } from './schema-types.js';
import { interfaceProblem } from './semantic.js';
import { BROADCAST, isServiceName, LIMITED_BROADCAST, SERVICES } from './services.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

const FAMILY_NAMES: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** Where each flow input is already relayed: by a rule, or a reflector, and where. */
type Owners = Map<string, { what: string; path: JsonPath }>;

/** The inputs of the file's [[rule]] tables, named as semantic.ts names them. */
function ruleInputs(rules: unknown): Owners {
  const owners: Owners = new Map();
  if (!Array.isArray(rules)) return owners;
  rules.forEach((rule, index) => {
    if (!isTable(rule) || !isTable(rule.input)) return;
    const { interface: name, group, port, source } = rule.input;
    if (typeof name !== 'string' || typeof group !== 'string' || typeof port !== 'number') return;
    const parsed = parseAddress(group === BROADCAST ? LIMITED_BROADCAST : group);
    if (!parsed.ok) return;
    const from = typeof source === 'string' ? parseAddress(source) : undefined;
    const id = describeInput({ interface: name, group: parsed.address.text, port, source: from?.ok ? from.address.text : null });
    const label = typeof rule.name === 'string' ? rule.name : id;
    if (!owners.has(id)) owners.set(id, { what: `rule "${label}"`, path: ['rule', index] });
  });
  return owners;
}

class ReflectorChecker {
  readonly problems: Problem[] = [];
  private readonly names = new Map<string, JsonPath>();

  constructor(
    private readonly owners: Owners,
    private readonly daemonEgress: unknown,
  ) {}

  add(code: Problem['code'], path: JsonPath, message: string, related?: JsonPath): void {
    this.problems.push(related ? { code, path, message, related } : { code, path, message });
  }

  /** A service, or a group and port; every group multicast or "broadcast", one per family. */
  what(path: JsonPath, table: Table): boolean {
    const hasService = table.service !== undefined;
    const hasGroup = table.group !== undefined;
    if (hasService && hasGroup) {
      this.add('reflector-service', [...path, 'group'], 'give either service or group (with port), not both');
      return false;
    }
    if (!hasService && !hasGroup) {
      this.add('reflector-service', path, `a reflector needs a service (${Object.keys(SERVICES).join(', ')}) or a group and port`);
      return false;
    }
    if (hasService) {
      if (table.port !== undefined && isServiceName(table.service)) {
        const own = SERVICES[table.service].port;
        this.add('reflector-service', [...path, 'port'], `port goes with group; the service ${table.service} has its own (${own})`);
      }
      return isServiceName(table.service);
    }
    if (table.port === undefined) this.add('missing-key', path, '[[reflector]] with a group is missing required key "port"');
    else if (table.port === 0) this.add('port-zero', [...path, 'port'], 'port 0 cannot be received on; use a port from 1 to 65535');
    const groups = typeof table.group === 'string' ? [table.group] : strings(table.group);
    if (groups === undefined) return false;
    const seen = new Map<Family, number>();
    let good = true;
    groups.forEach((text, i) => {
      const at: JsonPath = typeof table.group === 'string' ? [...path, 'group'] : [...path, 'group', i];
      const family = this.group(at, text);
      if (family === undefined) {
        good = false;
        return;
      }
      const first = seen.get(family);
      if (first !== undefined) {
        this.add('reflector-service', at, `group lists two ${FAMILY_NAMES[family]} groups; a reflector relays one group per address family (give each its own reflector)`);
        good = false;
      } else {
        seen.set(family, i);
      }
    });
    return good;
  }

  /** One group: its family, or undefined after reporting why it cannot be one. */
  group(path: JsonPath, text: string): Family | undefined {
    if (text === BROADCAST) return 'ipv4';
    const parsed = parseAddress(text);
    if (!parsed.ok) {
      this.add('not-an-address', path, `group must be "broadcast" or a multicast group such as 239.1.1.1 or ff02::fb (got "${text}"): ${parsed.reason}`);
      return undefined;
    }
    const { kind } = classify(parsed.address);
    if (kind !== 'multicast') {
      const why = kind === 'broadcast' ? `write "broadcast" to relay broadcasts` : 'a reflector relays a multicast group, or "broadcast"';
      this.add('bad-group', path, `group ${parsed.address.text} is not a multicast group: ${why}`);
      return undefined;
    }
    return parsed.address.family;
  }

  /** At least two interfaces, each a valid name, none twice; returns the good list. */
  interfaces(path: JsonPath, value: unknown): string[] | undefined {
    const names = strings(value);
    if (names === undefined) return undefined;
    const seen = new Set<string>();
    names.forEach((name, i) => {
      const message = interfaceProblem(name);
      if (message) this.add('bad-interface', [...path, i], message);
      else if (seen.has(name)) this.add('reflector-interfaces', [...path, i], `interfaces lists "${name}" twice`);
      seen.add(name);
    });
    if (seen.size < 2) {
      this.add('reflector-interfaces', path, `a reflector needs at least two interfaces to reflect between (got ${seen.size})`);
    }
    return [...seen];
  }

  /** `from` and `to` name only the reflector's interfaces, and every sender has somewhere to send. */
  direction(path: JsonPath, table: Table, interfaces: readonly string[]): void {
    const listed = interfaces.join(', ');
    const pick = (key: 'from' | 'to'): string[] => {
      const names = strings(table[key]);
      if (names === undefined) return [...interfaces];
      names.forEach((name, i) => {
        if (!interfaces.includes(name)) {
          this.add('reflector-direction', [...path, key, i], `${key} names "${name}", which is not one of this reflector's interfaces (${listed})`);
        }
      });
      if (names.length === 0) this.add('reflector-direction', [...path, key], `${key} is empty: the reflector would relay nothing; leave ${key} out for every interface`);
      return interfaces.filter((name) => names.includes(name));
    };
    const senders = pick('from');
    const receivers = pick('to');
    for (const sender of senders) {
      if (receivers.some((receiver) => receiver !== sender)) continue;
      const where = table.to !== undefined ? [...path, 'to'] : path;
      this.add('reflector-direction', where, `traffic from "${sender}" has nowhere to go: to holds no other interface, and nothing is sent back where it came from`);
    }
  }

  prefixes(path: JsonPath, table: Table): void {
    for (const key of ['allow_sources', 'deny_sources']) {
      strings(table[key])?.forEach((text, i) => {
        const result = parsePrefix(text);
        if (!result.ok) this.add('bad-prefix', [...path, key, i], `${key}[${i}] "${text}" is not a prefix such as 192.168.10.0/24 or fd00::/8: ${result.reason}`);
      });
    }
  }

  settings(path: JsonPath, table: Table): void {
    const ttl = table.ttl;
    if (typeof ttl === 'number' && Number.isInteger(ttl) && (ttl < 1 || ttl > 255)) {
      this.add('ttl-range', [...path, 'ttl'], `ttl must be from 1 to 255 (got ${ttl})`);
    }
    const preserve = table.source === undefined || table.source === 'preserve';
    const socket = table.egress !== undefined ? table.egress === 'socket' : this.daemonEgress === 'socket';
    if (preserve && socket) {
      const which = table.egress !== undefined ? 'this reflector has egress = "socket"' : '[daemon] egress = "socket" applies to this reflector';
      const where = table.source !== undefined ? [...path, 'source'] : table.egress !== undefined ? [...path, 'egress'] : path;
      this.add(
        'cannot-preserve',
        where,
        `source = "preserve" (a reflector's default) needs frame egress (a UDP socket always sends from this host's address), but ${which}; ` +
          'set egress = "frame" or "auto" on it, or source = "interface"',
      );
    }
  }

  /** Its name is its own, and no flow it makes is already someone else's. */
  identity(path: JsonPath, table: Table, interfaces: readonly string[]): void {
    const name = reflectorName(table as unknown as ReflectorSection);
    const first = this.names.get(name);
    if (first) {
      const at = table.name !== undefined ? [...path, 'name'] : path;
      const hint = table.name !== undefined ? '' : '; give it a name';
      this.add('duplicate-name', at, `reflector name "${name}" is already used by the reflector at {related}${hint}`, first);
    } else {
      this.names.set(name, path);
    }
    const port = reflectedPort(table as unknown as ReflectorSection);
    if (port === undefined) return;
    const senders = strings(table.from) ?? interfaces;
    const groups = reflectedGroups(table as unknown as ReflectorSection);
    interfaces.forEach((iface, i) => {
      if (!senders.includes(iface)) return;
      for (const group of groups) {
        const id = describeInput({ interface: iface, group: group.text, port, source: null });
        const owner = this.owners.get(id);
        if (!owner) {
          this.owners.set(id, { what: `reflector "${name}"`, path: [...path, 'interfaces', i] });
          continue;
        }
        this.add(
          'duplicate-input',
          [...path, 'interfaces', i],
          `reflector "${name}" would receive ${id}, which ${owner.what} at {related} already relays; each input may have one rule or reflector`,
          owner.path,
        );
        return; // one message per interface says it
      }
    });
  }

  /** The `family` key leaves the reflector something to relay. */
  families(path: JsonPath, table: Table): void {
    // Another value is the schema's to report (and may be a table with no prototype).
    if (table.family !== 'ipv4' && table.family !== 'ipv6') return;
    if (reflectedGroups(table as unknown as ReflectorSection).length > 0) return;
    this.add('reflector-service', [...path, 'family'], `family = "${table.family}" leaves this reflector no group to relay`);
  }

  reflector(index: number, table: Table): void {
    const path: JsonPath = ['reflector', index];
    const known = this.what(path, table);
    const interfaces = this.interfaces([...path, 'interfaces'], table.interfaces);
    if (interfaces !== undefined && interfaces.length >= 2) this.direction(path, table, interfaces);
    this.prefixes(path, table);
    this.settings(path, table);
    if (known) this.families(path, table);
    if (known && interfaces !== undefined) this.identity(path, table, interfaces);
  }
}

export function checkReflectors(data: unknown): Problem[] {
  if (!isTable(data) || !Array.isArray(data.reflector)) return [];
  const daemonEgress = isTable(data.daemon) ? data.daemon.egress : undefined;
  const checker = new ReflectorChecker(ruleInputs(data.rule), daemonEgress);
  data.reflector.forEach((table, index) => {
    if (isTable(table)) checker.reflector(index, table);
  });
  return checker.problems;
}

