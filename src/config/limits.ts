// The [limits] table: bounds on how much one rules file may ask for (rules, outputs,
// the fan-out of one rule, input groups, input interfaces), so that a bad file is
// refused with a positioned error instead of exhausting memory or file descriptors.
// Each limit is reported once, at the first thing over it. Disabled rules count too:
// the next edit can enable them. Pure; the defaults mirror config/mcr.schema.json
// (a test holds them equal).
import type { JsonPath, Problem } from './problems.js';
import { canonicalText } from '../net/address.js';

export const LIMIT_DEFAULTS = {
  max_rules: 4096,
  max_outputs: 65536,
  max_outputs_per_rule: 1024,
  max_groups: 1024,
  max_input_interfaces: 32,
} as const;

/** The schema's maximums: what the data plane has room for. */
export const LIMIT_MAXIMUMS = {
  max_rules: 4096,
  max_outputs: 65536,
  max_outputs_per_rule: 65536,
  max_groups: 4096,
  max_input_interfaces: 1024,
} as const;

export type LimitKey = keyof typeof LIMIT_DEFAULTS;
type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** The limit in force, or undefined when the file's value is invalid (the schema said so). */
export function limitOf(limits: unknown, key: LimitKey): number | undefined {
  if (!isTable(limits) || limits[key] === undefined) return LIMIT_DEFAULTS[key];
  const value = limits[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

/** "[limits] max_rules is 2, and the file has 3 rules (it may be raised to 4096)" */
export function over(key: LimitKey, limit: number, noun: string): string {
  const room = limit < LIMIT_MAXIMUMS[key] ? `it may be raised to ${LIMIT_MAXIMUMS[key]}` : 'the most the data plane holds';
  return `[limits] ${key} is ${limit}, and the ${noun} (${room})`;
}

function inputIdentity(input: Table): { id: string; interface: string } | undefined {
  const { interface: name, group, source } = input;
  if (typeof name !== 'string' || typeof group !== 'string') return undefined;
  // What is joined is the group on an interface (from one source): the port is not part of it.
  const id = `${name} ${canonicalText(group)}${typeof source === 'string' ? ` from ${canonicalText(source)}` : ''}`;
  return { id, interface: name };
}

export function checkLimits(data: unknown): Problem[] {
  if (!isTable(data) || !Array.isArray(data.rule)) return [];
  const problems: Problem[] = [];
  const rules = data.rule.filter(isTable);
  const maxRules = limitOf(data.limits, 'max_rules');
  if (maxRules !== undefined && data.rule.length > maxRules) {
    problems.push({
      code: 'too-many-rules',
      path: ['rule', maxRules],
      message: `this is rule ${maxRules + 1}: ${over('max_rules', maxRules, `file has ${data.rule.length} rules`)}`,
    });
  }
  const maxOutputs = limitOf(data.limits, 'max_outputs');
  const maxPerRule = limitOf(data.limits, 'max_outputs_per_rule');
  const maxGroups = limitOf(data.limits, 'max_groups');
  const maxInterfaces = limitOf(data.limits, 'max_input_interfaces');
  const totalOutputs = rules.reduce((sum, rule) => sum + (Array.isArray(rule.outputs) ? rule.outputs.length : 0), 0);
  const groups = new Map<string, JsonPath>();
  const interfaces = new Map<string, JsonPath>();
  let outputsSoFar = 0;
  const inputs = rules.flatMap((rule) => inputTables(rule).map(({ table }) => inputIdentity(table)));
  const distinctGroups = new Set(inputs.map((input) => input?.id).filter((id) => id !== undefined)).size;
  const distinctInterfaces = new Set(inputs.map((input) => input?.interface).filter((name) => name !== undefined)).size;
  data.rule.forEach((rule, index) => {
    if (!isTable(rule)) return;
    if (Array.isArray(rule.outputs)) {
      const count = rule.outputs.length;
      if (maxPerRule !== undefined && count > maxPerRule) {
        problems.push({
          code: 'too-many-outputs',
          path: ['rule', index, 'outputs', maxPerRule],
          message: `this is output ${maxPerRule + 1} of this rule: ${over('max_outputs_per_rule', maxPerRule, `rule has ${count} outputs`)}`,
        });
      }
      if (maxOutputs !== undefined && outputsSoFar <= maxOutputs && outputsSoFar + count > maxOutputs) {
        problems.push({
          code: 'too-many-outputs',
          path: ['rule', index, 'outputs', maxOutputs - outputsSoFar],
          message: `this is output ${maxOutputs + 1} of the file: ${over('max_outputs', maxOutputs, `file has ${totalOutputs} outputs`)}`,
        });
      }
      outputsSoFar += count;
    }
    for (const { table, at } of inputTables(rule)) {
      const input = inputIdentity(table);
      if (!input) continue;
      const where: JsonPath = ['rule', index, ...at];
      if (!groups.has(input.id)) {
        groups.set(input.id, [...where, 'group']);
        if (maxGroups !== undefined && groups.size === maxGroups + 1) {
          problems.push({
            code: 'too-many-groups',
            path: [...where, 'group'],
            message: `input group ${input.id} is distinct input group ${maxGroups + 1}: ${over('max_groups', maxGroups, `file has ${distinctGroups} distinct input groups`)}`,
          });
        }
      }
      if (!interfaces.has(input.interface)) {
        interfaces.set(input.interface, [...where, 'interface']);
        if (maxInterfaces !== undefined && interfaces.size === maxInterfaces + 1) {
          problems.push({
            code: 'too-many-interfaces',
            path: [...where, 'interface'],
            message: `input interface "${input.interface}" is input interface ${maxInterfaces + 1}, each with a 16 MiB packet ring per worker: ${over('max_input_interfaces', maxInterfaces, `file has ${distinctInterfaces} input interfaces`)}`,
          });
        }
      }
    }
  });
  return problems;
}

/** A rule's input tables: its input, or each of its inputs (redundant sources). */
function inputTables(rule: unknown): { table: Record<string, unknown>; at: JsonPath }[] {
  if (!isTable(rule)) return [];
  if (isTable(rule.input)) return [{ table: rule.input, at: ['input'] }];
  if (!Array.isArray(rule.inputs)) return [];
  return rule.inputs.flatMap((input, i) => (isTable(input) ? [{ table: input, at: ['inputs', i] as JsonPath }] : []));
}
