// What runs after a plan is applied, when the data plane refused some rules: a refused
// new rule is left out and a refused change keeps the rule as it was, so the next
// reload sees the difference and tries again instead of believing it applied. Pure.
import type { Rule, RuleSet } from '../config/ruleset.js';
import type { Plan } from '../diff.js';

export function effectiveRuleSet(previous: RuleSet, next: RuleSet, refusedKeys: readonly string[]): RuleSet {
  if (refusedKeys.length === 0) return next;
  const refused = new Set(refusedKeys);
  const before = new Map(previous.rules.map((rule) => [rule.key, rule]));
  const rules = next.rules.flatMap((rule): Rule[] => {
    if (!refused.has(rule.key)) return [rule];
    const old = before.get(rule.key);
    return old ? [old] : [];
  });
  return Object.freeze({ daemon: next.daemon, rules: Object.freeze(rules) });
}

/** True when applying the plan would change nothing at all, labels and settings included. */
export function planIsEmpty(plan: Plan): boolean {
  return (
    plan.added.length + plan.removed.length + plan.changed.length + plan.renamed.length + plan.daemon.length === 0
  );
}
