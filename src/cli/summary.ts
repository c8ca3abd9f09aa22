// The one-line summary `mcr check` prints for a good file. Pure.
import type { RuleSet } from '../config/ruleset.js';
import { plural } from './plural.js';

export function summarize(ruleSet: RuleSet): string {
  const rules = ruleSet.rules;
  const disabled = rules.filter((rule) => !rule.enabled).length;
  const outputs = rules.reduce((sum, rule) => sum + rule.outputs.length, 0);
  const interfaces = new Set<string>();
  for (const rule of rules) {
    for (const input of rule.inputs) interfaces.add(input.interface);
    for (const output of rule.outputs) interfaces.add(output.interface);
  }
  const names = [...interfaces].sort();
  const shownNames = names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', ');
  return [
    plural(rules.length, 'rule') + (disabled > 0 ? ` (${disabled} disabled)` : ''),
    plural(outputs, 'output'),
    plural(names.length, 'interface') + (names.length > 0 ? ` (${shownNames})` : ''),
  ].join(', ');
}
