// Checks that JSON Schema cannot express, or cannot word well: addresses in the wrong
// role, port 0, TTL range, interface names Linux would refuse, loops, a preserved
// source an output cannot send, and rules that clash with each other. Runs on whatever the TOML parser produced, even where the
// schema already complained, so one pass reports every problem; it skips any field
// whose type is wrong (the schema has reported that one).
import { describeEndpoint, describeInput, type Endpoint } from './endpoints.js';
import { fieldName } from './describe.js';
import { checkHealth } from './health-checks.js';
import { checkLimits } from './limits.js';
import { checkReflectors } from './reflector-checks.js';
import { checkReflectorLimits } from './reflector-limits.js';
import { BROADCAST, LIMITED_BROADCAST } from './services.js';
import { classify, isLinkScope, mappedIpv4, parseAddress, withoutZone, type Address, type AddressKind, type Family } from '../net/address.js';
import type { JsonPath, Problem } from './problems.js';

type Table = Record<string, unknown>;

const IFNAMSIZ = 16;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function text(table: Table, key: string): string | undefined {
  const value = table[key];
  return typeof value === 'string' ? value : undefined;
}

function integer(table: Table, key: string): number | undefined {
  const value = table[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Mirrors the kernel's dev_valid_name(): what `ip link add` would refuse. */
export function interfaceProblem(name: string): string | undefined {
  if (name.length === 0) return 'interface must not be empty';
  if (name.length >= IFNAMSIZ) {
    return `interface "${name}" is ${name.length} characters long; Linux allows at most ${IFNAMSIZ - 1}`;
  }
  if (name === '.' || name === '..') return `interface "${name}" is not a valid interface name`;
  const bad = /[/:\s]/.exec(name);
  if (bad) {
    const what = bad[0] === '/' ? '"/"' : bad[0] === ':' ? '":" (an address label, not an interface)' : 'white space';
    return `interface "${name}" contains ${what}, which Linux does not allow in interface names`;
  }
  return undefined;
}

const UNUSABLE_IPV4: Partial<Record<AddressKind, string>> = {
  unspecified: '0.0.0.0/8 means "this network"',
  loopback: '127.0.0.0/8 is loopback and never leaves the host',
  reserved: '240.0.0.0/4 is reserved',
  broadcast: '255.255.255.255 is the limited broadcast address',
};

const UNUSABLE_IPV6: Partial<Record<AddressKind, string>> = {
  unspecified: ':: is the unspecified address',
  loopback: '::1 is loopback and never leaves the host',
};

/** Why an IPv6 address of the kind "reserved" cannot be used: the two ranges it covers. */
function reservedIpv6(address: Address): string {
  return address.bytes[0] === 0xfe
    ? 'fec0::/10 (site-local) is deprecated (RFC 3879)'
    : '::/8 is reserved (IPv4-compatible addresses are deprecated)';
}

type Role =
  | { readonly role: 'group' }
  | { readonly role: 'host' }
  | { readonly role: 'none'; readonly why: string }
  /** A multicast group whose scope cannot be relayed; the message's tail says why. */
  | { readonly role: 'bad-scope'; readonly why: string };

const RESERVED_SCOPE_FIX = 'use a defined scope, such as ff02:: (one link), ff05:: (site) or ff0e:: (global)';

/** What a parsed address in the file can stand for. */
function roleOf(address: Address): Role {
  const classification = classify(address);
  const { kind } = classification;
  if (kind === 'multicast') {
    if (classification.scope === 'reserved') {
      const scope = ((address.bytes[1] ?? 0) & 0x0f).toString(16);
      return { role: 'bad-scope', why: `has multicast scope ${scope}, which is reserved; ${RESERVED_SCOPE_FIX}` };
    }
    if (classification.scope === 'interface-local' && address.family === 'ipv6') {
      return {
        role: 'bad-scope',
        why: 'is interface-local (ff01::/16): it never leaves the host that sends it, so there is nothing to relay; use ff02:: for one link, or a wider scope',
      };
    }
    return { role: 'group' };
  }
  if (kind === 'unicast' || kind === 'link-local') return { role: 'host' };
  if (address.family === 'ipv4') return { role: 'none', why: UNUSABLE_IPV4[kind] ?? `it is ${kind}` };
  return { role: 'none', why: kind === 'reserved' ? reservedIpv6(address) : UNUSABLE_IPV6[kind] ?? `it is ${kind}` };
}

/** Where an address in the file sits: its key's path, and the interface of its input or
 * output (undefined when that key is missing or of the wrong type). */
interface Place {
  readonly path: JsonPath;
  readonly interface: string | undefined;
  readonly side: 'input' | 'output';
}

/** The checks every address gets, whatever its role: an IPv4 address written as IPv6,
 * and a %zone that is not its link's. Undefined when text is not an address (the
 * schema reported it) or both are fine; the address otherwise. */
function addressChecks(checker: { add(problem: Problem | undefined): void }, place: Place, text: string): Address | undefined {
  const parsed = parseAddress(text);
  if (!parsed.ok) return undefined;
  const address = parsed.address;
  const field = fieldName(place.path);
  const v4 = mappedIpv4(address);
  if (v4) {
    checker.add({
      code: 'ipv4-mapped',
      path: place.path,
      message: `${field} ${text} is an IPv4 address written as IPv6 (::ffff:0:0/96), which never appears on an IPv6 link; write it as ${v4.text}`,
    });
    return undefined;
  }
  if (address.zone !== null) checker.add(zoneProblem(place, text, address));
  return address;
}

/** A %zone names the one link a link-scope address means something on; in a rule that
 * link is the input's or output's interface already, so a zone may only repeat it. */
function zoneProblem(place: Place, text: string, address: Address): Problem | undefined {
  const field = fieldName(place.path);
  const zone = address.zone ?? '';
  if (!isLinkScope(address)) {
    return {
      code: 'bad-zone',
      path: place.path,
      message: `${field} ${text} has a zone, but only a link-scope address (fe80::/10, ff02::/16) belongs to one link; leave out "%${zone}"`,
    };
  }
  if (place.interface === undefined || zone === place.interface) return undefined;
  const where = place.side === 'input' ? `this rule's input is on ${place.interface}` : `this output sends on ${place.interface}`;
  return {
    code: 'bad-zone',
    path: place.path,
    message:
      `${field} ${text} names interface ${zone}, but ${where}; a link-scope address means something only on its own link: ` +
      `write it without the zone, or use it on ${zone}`,
  };
}

/** A destination (input or output group) must be multicast of a relayable scope or a unicast host. */
function groupProblem(path: JsonPath, text: string, address: Address): Problem | undefined {
  // Broadcast relaying: the limited broadcast is a destination like a group.
  if (address.text === LIMITED_BROADCAST) return undefined;
  const role = roleOf(address);
  if (role.role === 'bad-scope') return { code: 'bad-scope', path, message: `${fieldName(path)} ${text} ${role.why}` };
  if (role.role !== 'none') return undefined;
  const range = address.family === 'ipv4' ? '224.0.0.0/4' : 'ff00::/8';
  return {
    code: 'bad-group',
    path,
    message: `${fieldName(path)} ${text} is neither a multicast group (${range}) nor a unicast address: ${role.why}`,
  };
}

/** A sender (input source, output source_address) must be a unicast host. */
function senderProblem(path: JsonPath, text: string, address: Address): Problem | undefined {
  const role = roleOf(address);
  if (role.role === 'host') return undefined;
  const why = role.role === 'group' || role.role === 'bad-scope' ? 'a multicast group cannot send' : role.why;
  return { code: 'bad-source', path, message: `${fieldName(path)} ${text} must be a unicast address: ${why}` };
}

const FAMILY_NAMES: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** A sender (an input's source, an output's source_address) must be of the family of
 * the address it sends to. Undefined when they agree. */
function familyProblem(path: JsonPath, sender: Address, senderText: string, group: Address, role: 'source' | 'source_address'): Problem | undefined {
  if (sender.family === group.family) return undefined;
  const from = FAMILY_NAMES[sender.family];
  const to = FAMILY_NAMES[group.family];
  const message =
    role === 'source'
      ? `source ${senderText} is ${from}, but the group ${group.text} is ${to}: a source-specific rule names a sender of its group's address family`
      : `source_address ${senderText} is ${from}, but this output's group ${group.text} is ${to}: relayed datagrams are sent from an address of their destination's family`;
  return { code: 'family-mismatch', path, message };
}

/** source_address = "preserve" writes the sender's address into the relayed datagram,
 * so the output must be of the input's family: an IPv4 sender cannot be the source of
 * an IPv6 datagram, or the reverse. Undefined when either group is not an address
 * (reported elsewhere) or the families agree. */
export function preserveFamilyProblem(path: JsonPath, inputGroup: string, outputGroup: string): Problem | undefined {
  const input = parseAddress(inputGroup);
  const output = parseAddress(outputGroup);
  if (!input.ok || !output.ok || input.address.family === output.address.family) return undefined;
  const from = FAMILY_NAMES[input.address.family];
  const to = FAMILY_NAMES[output.address.family];
  return {
    code: 'cannot-preserve',
    path,
    message:
      `source_address = "preserve" cannot keep an ${from} sender's address on an ${to} output ` +
      `(the input ${input.address.text} is ${from}, this output's group ${output.address.text} is ${to}); ` +
      `give source_address an ${to} address, or leave it out`,
  };
}

/** "preserve" needs a frame output: a UDP socket always sends from this host. */
function preserveEgressProblem(path: JsonPath, own: unknown, inherited: Egress | undefined): Problem | undefined {
  if (own !== undefined ? own !== 'socket' : inherited !== 'socket') return undefined;
  const which = own !== undefined ? 'this output has egress = "socket"' : '[daemon] egress = "socket" applies to this output';
  return {
    code: 'cannot-preserve',
    path,
    message:
      `source_address = "preserve" needs frame egress (a UDP socket always sends from this host's address), ` +
      `but ${which}; set egress = "frame" or "auto" on it, or give source_address an address`,
  };
}

type Egress = 'auto' | 'frame' | 'socket';

function egressOf(value: unknown): Egress | undefined {
  return value === 'auto' || value === 'frame' || value === 'socket' ? value : undefined;
}

/** The canonical text of an address without its zone, or the text itself when it is
 * no address (so a check on an unvalidated file can still name it). */
function identityText(value: string): string {
  const parsed = parseAddress(value);
  return parsed.ok ? withoutZone(parsed.address).text : value;
}

class Checker {
  readonly problems: Problem[] = [];

  /** [daemon] egress: what outputs that name none use. */
  constructor(private readonly egress: Egress | undefined) {}

  add(problem: Problem | undefined): void {
    if (problem) this.problems.push(problem);
  }

  /** Checks shared by inputs and outputs; returns the endpoint if it is complete, and
   * its group when that is an address. */
  endpoint(path: JsonPath, table: Table, role: 'input' | 'output'): { endpoint?: Endpoint; group?: Address } {
    const name = text(table, 'interface');
    const group = text(table, 'group');
    const port = integer(table, 'port');
    if (name !== undefined) {
      const message = interfaceProblem(name);
      if (message) this.add({ code: 'bad-interface', path: [...path, 'interface'], message });
    }
    const groupPath = [...path, 'group'];
    const address = group === undefined ? undefined : addressChecks(this, { path: groupPath, interface: name, side: role }, group);
    if (address !== undefined && group !== undefined) this.add(groupProblem(groupPath, group, address));
    if (port === 0) {
      const verb = role === 'input' ? 'received on' : 'sent to';
      this.add({ code: 'port-zero', path: [...path, 'port'], message: `port 0 cannot be ${verb}; use a port from 1 to 65535` });
    }
    const found = address === undefined ? {} : { group: address };
    if (name === undefined || group === undefined || port === undefined) return found;
    // Identities compare canonical text: two spellings of one address are one flow (a
    // zone, which may only repeat the interface, is no part of it).
    // An input of "broadcast" is the limited broadcast's (and the interface's directed one).
    const identity = role === 'input' && group === BROADCAST ? LIMITED_BROADCAST : identityText(group);
    return { ...found, endpoint: { interface: name, group: identity, port } };
  }

  /** An input's source or an output's source_address: an address that may send to group. */
  sender(place: Place, senderText: string, group: Address | undefined, role: 'source' | 'source_address'): void {
    const address = addressChecks(this, place, senderText);
    if (address === undefined) return;
    const problem = senderProblem(place.path, senderText, address);
    this.add(problem);
    if (!problem && group !== undefined) this.add(familyProblem(place.path, address, senderText, group, role));
  }

  output(path: JsonPath, output: Table, seen: Map<string, JsonPath>, inputs: readonly Endpoint[]): void {
    const input = inputs[0];
    const { endpoint, group } = this.endpoint(path, output, 'output');
    const ttl = integer(output, 'ttl');
    if (ttl !== undefined && (ttl < 1 || ttl > 255)) {
      this.add({ code: 'ttl-range', path: [...path, 'ttl'], message: `ttl must be from 1 to 255 (got ${ttl})` });
    }
    const sourceAddress = text(output, 'source_address');
    if (sourceAddress === 'preserve') this.preserve([...path, 'source_address'], output, input);
    else if (sourceAddress !== undefined) {
      this.sender({ path: [...path, 'source_address'], interface: text(output, 'interface'), side: 'output' }, sourceAddress, group, 'source_address');
    }
    if (endpoint === undefined) return;
    const id = describeEndpoint(endpoint);
    if (inputs.some((one) => id === describeEndpoint(one))) {
      this.add({ code: 'output-loop', path, message: `output sends to the rule's own input (${id}): that is a loop` });
    }
    const first = seen.get(id);
    if (first) {
      this.add({ code: 'duplicate-output', path, related: first, message: `output ${id} is listed twice in this rule (first at {related})` });
    } else {
      seen.set(id, path);
    }
  }

  /** source_address = "preserve": only on a frame output of the input's family. */
  preserve(path: JsonPath, output: Table, input: Endpoint | undefined): void {
    this.add(preserveEgressProblem(path, output.egress, this.egress));
    const group = text(output, 'group');
    if (input !== undefined && group !== undefined) {
      this.add(preserveFamilyProblem(path, typeof input.group === 'string' ? input.group : input.group.text, group));
    }
  }

  /** Checks one input; returns its endpoint and identity when complete. */
  input(path: JsonPath, input: Table): { endpoint: Endpoint; id: string } | undefined {
    const checked = this.endpoint(path, input, 'input');
    const source = text(input, 'source');
    if (source !== undefined) {
      this.sender({ path: [...path, 'source'], interface: text(input, 'interface'), side: 'input' }, source, checked.group, 'source');
    }
    if (checked.endpoint === undefined) return undefined;
    const endpoint = checked.endpoint;
    return { endpoint, id: describeInput({ ...endpoint, source: source === undefined ? null : identityText(source) }) };
  }

  /** Checks one rule; returns its inputs' identities and its name for the cross-rule checks. */
  rule(index: number, rule: Table): { inputs: { id: string; path: JsonPath }[]; defaultName?: string; name?: string } {
    const path: JsonPath = ['rule', index];
    for (const problem of checkHealth(path, rule)) this.add(problem);
    const tables: { table: Table; path: JsonPath }[] = [];
    if (isTable(rule.input)) tables.push({ table: rule.input, path: [...path, 'input'] });
    if (rule.input === undefined && Array.isArray(rule.inputs)) {
      rule.inputs.forEach((input, i) => {
        if (isTable(input)) tables.push({ table: input, path: [...path, 'inputs', i] });
      });
    }
    const checked = tables.map(({ table, path: at }) => ({ result: this.input(at, table), path: at }));
    const endpoints = checked.flatMap(({ result }) => (result ? [result.endpoint] : []));
    if (Array.isArray(rule.outputs)) {
      if (rule.outputs.length === 0) {
        this.add({ code: 'no-outputs', path: [...path, 'outputs'], message: 'outputs is empty; a rule needs at least one output' });
      }
      const seen = new Map<string, JsonPath>();
      rule.outputs.forEach((output, i) => {
        if (isTable(output)) this.output([...path, 'outputs', i], output, seen, endpoints);
      });
    }
    const inputs = checked.flatMap(({ result, path: at }) => (result ? [{ id: result.id, path: at }] : []));
    const first = inputs[0];
    // A rule without a name is named after its (primary) input; see ruleset.ts.
    const defaultName = first === undefined || inputs.length !== checked.length ? undefined : inputs.length > 1 ? `${first.id} (+${inputs.length - 1})` : first.id;
    return { inputs, defaultName, name: text(rule, 'name') };
  }

  rules(rules: unknown[]): void {
    const inputs = new Map<string, { path: JsonPath; name: string }>();
    const names = new Map<string, JsonPath>();
    rules.forEach((rule, index) => {
      if (!isTable(rule)) return;
      const path: JsonPath = ['rule', index];
      const { inputs: own, defaultName, name: explicitName } = this.rule(index, rule);
      let firstInput: { path: JsonPath; name: string } | undefined;
      const inThisRule = new Map<string, JsonPath>();
      for (const input of own) {
        const earlier = inputs.get(input.id);
        const here = inThisRule.get(input.id);
        if (here) {
          this.add({ code: 'duplicate-input', path: input.path, related: here, message: `input ${input.id} is listed twice in this rule (first at {related})` });
        } else if (earlier) {
          firstInput ??= earlier;
          // A rule with one input keeps the message it always had (pointing at input).
          this.add({
            code: 'duplicate-input',
            path: own.length > 1 ? input.path : [...path, 'input'],
            related: earlier.path,
            message: `input ${input.id} is already relayed by rule "${earlier.name}" at {related}; each input may have one rule`,
          });
        }
        inThisRule.set(input.id, input.path);
      }
      // A rule without a name is named after its input (see describeInput).
      const name = explicitName ?? defaultName;
      if (name === undefined) return;
      if (!firstInput) for (const input of own) if (!inputs.has(input.id)) inputs.set(input.id, { path, name });
      const firstName = names.get(name);
      if (!firstName) {
        names.set(name, path);
      } else if (explicitName !== undefined) {
        this.add({ code: 'duplicate-name', path: [...path, 'name'], related: firstName, message: `rule name "${name}" is already used by the rule at {related}` });
      } else if (!firstInput) {
        // Only reachable when another rule was explicitly given this rule's default name.
        this.add({
          code: 'duplicate-name',
          path,
          related: firstName,
          message: `this rule has no name, and its default name "${name}" is already used by the rule at {related}; give it a name`,
        });
      }
    });
  }
}

export function checkSemantics(data: unknown): Problem[] {
  const checker = new Checker(isTable(data) && isTable(data.daemon) ? egressOf(data.daemon.egress) : undefined);
  if (isTable(data) && Array.isArray(data.rule)) checker.rules(data.rule);
  return [...checker.problems, ...checkReflectors(data), ...checkLimits(data), ...checkReflectorLimits(data)];
}
