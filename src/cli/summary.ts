// The one-line summary `mcr check` prints for a good file. Pure.
// "5 rules (1 disabled), 6 outputs, 1 reflector (4 flows), 6 interfaces (...)".
import type { RuleSet } from '../config/ruleset.js';
import { plural } from './plural.js';

export function summarize(ruleSet: RuleSet): string {
  // Rules as the file writes them; a reflector's flows are counted under it.
  const rules = ruleSet.rules.filter((rule) => !rule.reflector);
  const flows = ruleSet.rules.filter((rule) => rule.reflector);
  const reflectors = new Set(flows.map((rule) => rule.reflector?.name)).size;
  const disabled = rules.filter((rule) => !rule.enabled).length;
  const outputs = rules.reduce((sum, rule) => sum + rule.outputs.length, 0);
  const interfaces = new Set<string>();
  for (const rule of ruleSet.rules) {
    for (const input of rule.inputs) interfaces.add(input.interface);
    for (const output of rule.outputs) interfaces.add(output.interface);
  }
  const names = [...interfaces].sort();
  const shownNames = names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', ');
  return [
    plural(rules.length, 'rule') + (disabled > 0 ? ` (${disabled} disabled)` : ''),
    plural(outputs, 'output'),
    ...(reflectors > 0 ? [`${plural(reflectors, 'reflector')} (${plural(flows.length, 'flow')})`] : []),
    plural(names.length, 'interface') + (names.length > 0 ? ` (${shownNames})` : ''),
  ].join(', ');
}
