// Checks that JSON Schema cannot express, or cannot word well: addresses in the wrong
// role, port 0, TTL range, interface names Linux would refuse, loops, a preserved
// source an output cannot send, and rules that clash with each other. Runs on whatever the TOML parser produced, even where the
// schema already complained, so one pass reports every problem; it skips any field
// whose type is wrong (the schema has reported that one).
import { describeEndpoint, describeInput, type Endpoint } from './endpoints.js';
import { fieldName } from './describe.js';
import { checkHealth } from './health-checks.js';
import { checkLimits } from './limits.js';
import { canonicalText, classify, parseAddress, type AddressKind, type Family } from '../net/address.js';
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
function interfaceProblem(name: string): string | undefined {
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

type Role = { readonly role: 'group' } | { readonly role: 'host' } | { readonly role: 'none'; readonly why: string };

/** What an address in the file can stand for; undefined when it is not an IPv4 address,
 * which the schema has reported (IPv6 is not part of the file format yet). */
function roleOf(text: string): Role | undefined {
  const parsed = parseAddress(text);
  if (!parsed.ok || parsed.address.family !== 'ipv4') return undefined;
  const { kind } = classify(parsed.address);
  if (kind === 'multicast') return { role: 'group' };
  if (kind === 'unicast' || kind === 'link-local') return { role: 'host' };
  return { role: 'none', why: UNUSABLE_IPV4[kind] ?? `it is ${kind}` };
}

/** A destination (input or output group) must be multicast or a unicast host. */
function groupProblem(path: JsonPath, address: string): Problem | undefined {
  const role = roleOf(address);
  if (role === undefined || role.role !== 'none') return undefined;
  return {
    code: 'bad-group',
    path,
    message: `${fieldName(path)} ${address} is neither a multicast group (224.0.0.0/4) nor a unicast address: ${role.why}`,
  };
}

/** A sender (input source, output source_address) must be a unicast host. */
function senderProblem(path: JsonPath, address: string): Problem | undefined {
  const role = roleOf(address);
  if (role === undefined || role.role === 'host') return undefined;
  const why = role.role === 'group' ? 'a multicast group cannot send' : role.why;
  return { code: 'bad-source', path, message: `${fieldName(path)} ${address} must be a unicast address: ${why}` };
}

const FAMILY_NAMES: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

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

class Checker {
  readonly problems: Problem[] = [];

  /** [daemon] egress: what outputs that name none use. */
  constructor(private readonly egress: Egress | undefined) {}

  add(problem: Problem | undefined): void {
    if (problem) this.problems.push(problem);
  }

  /** Checks shared by inputs and outputs; returns the endpoint if it is complete. */
  endpoint(path: JsonPath, table: Table, role: 'input' | 'output'): Endpoint | undefined {
    const name = text(table, 'interface');
    const group = text(table, 'group');
    const port = integer(table, 'port');
    if (name !== undefined) {
      const message = interfaceProblem(name);
      if (message) this.add({ code: 'bad-interface', path: [...path, 'interface'], message });
    }
    if (group !== undefined) this.add(groupProblem([...path, 'group'], group));
    if (port === 0) {
      const verb = role === 'input' ? 'received on' : 'sent to';
      this.add({ code: 'port-zero', path: [...path, 'port'], message: `port 0 cannot be ${verb}; use a port from 1 to 65535` });
    }
    if (name === undefined || group === undefined || port === undefined) return undefined;
    // Identities compare canonical text: two spellings of one address are one flow.
    return { interface: name, group: canonicalText(group), port };
  }

  output(path: JsonPath, output: Table, seen: Map<string, JsonPath>, inputs: readonly Endpoint[]): void {
    const input = inputs[0];
    const endpoint = this.endpoint(path, output, 'output');
    const ttl = integer(output, 'ttl');
    if (ttl !== undefined && (ttl < 1 || ttl > 255)) {
      this.add({ code: 'ttl-range', path: [...path, 'ttl'], message: `ttl must be from 1 to 255 (got ${ttl})` });
    }
    const sourceAddress = text(output, 'source_address');
    if (sourceAddress === 'preserve') this.preserve([...path, 'source_address'], output, input);
    else if (sourceAddress !== undefined) this.add(senderProblem([...path, 'source_address'], sourceAddress));
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
    const endpoint = this.endpoint(path, input, 'input');
    const source = text(input, 'source');
    if (source !== undefined) this.add(senderProblem([...path, 'source'], source));
    if (endpoint === undefined) return undefined;
    return { endpoint, id: describeInput({ ...endpoint, source: source === undefined ? null : canonicalText(source) }) };
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
  return [...checker.problems, ...checkLimits(data)];
}
