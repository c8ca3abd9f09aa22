// [limits] for reflectors: a [[reflector]] becomes flows (one per interface of `from` and
// family) and outputs (each flow's other interfaces of `to`), and those count against
// max_rules and max_outputs after the file's [[rule]] tables, as the data plane holds
// them all. Reported once per limit, at the reflector that crosses it. Pure; runs on a
// file whose reflectors may be invalid (those are skipped: reflector-checks.ts reports).
import { limitOf, over } from './limits.js';
import type { Problem } from './problems.js';
import { reflectedGroups } from './reflectors.js';
import type { ReflectorSection } from './schema-types.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function names(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...new Set(value as string[])] : undefined;
}

/** Flows and outputs one reflector makes, or zero for one too broken to count. */
export function reflectorSize(table: Table): { flows: number; outputs: number } {
  const interfaces = names(table.interfaces);
  if (!interfaces) return { flows: 0, outputs: 0 };
  const from = names(table.from) ?? interfaces;
  const to = names(table.to) ?? interfaces;
  const groups = reflectedGroups(table as unknown as ReflectorSection).length;
  const senders = interfaces.filter((name) => from.includes(name));
  const receivers = interfaces.filter((name) => to.includes(name));
  const outputs = senders.reduce((sum, sender) => sum + receivers.filter((name) => name !== sender).length, 0);
  return { flows: senders.length * groups, outputs: outputs * groups };
}

export function checkReflectorLimits(data: unknown): Problem[] {
  if (!isTable(data) || !Array.isArray(data.reflector)) return [];
  const rules = Array.isArray(data.rule) ? data.rule : [];
  let flows = rules.length;
  let outputs = rules.reduce((sum: number, rule) => sum + (isTable(rule) && Array.isArray(rule.outputs) ? rule.outputs.length : 0), 0);
  const maxRules = limitOf(data.limits, 'max_rules');
  const maxOutputs = limitOf(data.limits, 'max_outputs');
  const problems: Problem[] = [];
  data.reflector.forEach((table, index) => {
    if (!isTable(table)) return;
    const size = reflectorSize(table);
    if (maxRules !== undefined && flows <= maxRules && flows + size.flows > maxRules) {
      problems.push({ code: 'too-many-rules', path: ['reflector', index, 'interfaces'], message: `this reflector's ${size.flows} flows bring the file to ${flows + size.flows} rules and flows: ${over('max_rules', maxRules, 'data plane holds one rule per flow')}` });
    }
    if (maxOutputs !== undefined && outputs <= maxOutputs && outputs + size.outputs > maxOutputs) {
      problems.push({ code: 'too-many-outputs', path: ['reflector', index, 'interfaces'], message: `this reflector's ${size.outputs} outputs bring the file to ${outputs + size.outputs} outputs: ${over('max_outputs', maxOutputs, 'data plane holds one output per destination')}` });
    }
    flows += size.flows;
    outputs += size.outputs;
  });
  return problems;
}
