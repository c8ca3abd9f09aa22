// The reload plan: what must change in the data plane to go from the running RuleSet
// to the next one. Pure. A flow is an enabled rule, identified by its inputs (in order,
// see ruleKey in config/ruleset.ts); names are
// labels, and the order of rules or of a rule's outputs carries no meaning, so renaming,
// reordering and reformatting never disturb a flow.
import {
  healthKey,
  outputKey,
  type DaemonSettings,
  type Output,
  type Rule,
  type RuleSet,
} from './config/ruleset.js';

export interface OutputChanges {
  readonly added: readonly Output[];
  readonly removed: readonly Output[];
  /** Present before and after: keeps its socket and counters. */
  readonly kept: readonly Output[];
}

export interface RuleChange {
  readonly before: Rule;
  readonly after: Rule;
  readonly outputs: OutputChanges;
  /** Its stream-health settings (payload, timeouts, redundancy options) changed: the
   * data plane takes the new ones in place, the flow runs on. */
  readonly health: boolean;
  /** A reflector's policy (source lists, rate limit, loop window) changed: applied with
   * the outputs, every output kept. */
  readonly policy: boolean;
}

export interface Rename {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

export interface SettingChange {
  readonly setting: keyof DaemonSettings;
  readonly before: unknown;
  readonly after: unknown;
  /** The data plane must be restarted to apply it (its threads are built from it). */
  readonly needsRestart: boolean;
}

export interface Plan {
  /** Flows to start: new inputs, and rules that were disabled. */
  readonly added: readonly Rule[];
  /** Flows to stop: inputs that are gone, and rules now disabled. */
  readonly removed: readonly Rule[];
  /** Same inputs, different set of outputs, health settings or (a reflector's) policy. */
  readonly changed: readonly RuleChange[];
  /** Flows left exactly as they run (possibly under a new name). */
  readonly unchanged: readonly Rule[];
  /** Label changes; never a flow change. */
  readonly renamed: readonly Rename[];
  /** Rules in the next file that are disabled (not flows). */
  readonly disabled: readonly Rule[];
  readonly daemon: readonly SettingChange[];
}

const RESTART_SETTINGS: ReadonlySet<keyof DaemonSettings> = new Set(['workers', 'cpus', 'backend', 'ringMs']);

function flows(ruleSet: RuleSet): Map<string, Rule> {
  return new Map(ruleSet.rules.filter((rule) => rule.enabled).map((rule) => [rule.key, rule]));
}

export function diffOutputs(before: readonly Output[], after: readonly Output[]): OutputChanges {
  const beforeKeys = new Set(before.map(outputKey));
  const afterKeys = new Set(after.map(outputKey));
  return {
    added: after.filter((output) => !beforeKeys.has(outputKey(output))),
    removed: before.filter((output) => !afterKeys.has(outputKey(output))),
    kept: after.filter((output) => beforeKeys.has(outputKey(output))),
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffDaemon(before: DaemonSettings, after: DaemonSettings): SettingChange[] {
  return (Object.keys(after) as (keyof DaemonSettings)[])
    .filter((setting) => !sameValue(before[setting], after[setting]))
    .map((setting) => ({
      setting,
      before: before[setting],
      after: after[setting],
      needsRestart: RESTART_SETTINGS.has(setting),
    }));
}

export function diff(running: RuleSet, next: RuleSet): Plan {
  const old = flows(running);
  const now = flows(next);
  const added: Rule[] = [];
  const changed: RuleChange[] = [];
  const unchanged: Rule[] = [];
  const renamed: Rename[] = [];
  for (const rule of now.values()) {
    const before = old.get(rule.key);
    if (!before) {
      added.push(rule);
      continue;
    }
    if (before.name !== rule.name) renamed.push({ key: rule.key, from: before.name, to: rule.name });
    const outputs = diffOutputs(before.outputs, rule.outputs);
    const health = healthKey(before) !== healthKey(rule);
    // A reflector's policy (source lists, rate limit, loop window) is applied with the
    // outputs: a change of it alone changes the flow, keeping every output.
    const samePolicy = sameValue(before.policy ?? null, rule.policy ?? null);
    if (outputs.added.length === 0 && outputs.removed.length === 0 && !health && samePolicy) unchanged.push(rule);
    else changed.push({ before, after: rule, outputs, health, policy: !samePolicy });
  }
  return {
    added,
    removed: [...old.values()].filter((rule) => !now.has(rule.key)),
    changed,
    unchanged,
    renamed,
    disabled: next.rules.filter((rule) => !rule.enabled),
    daemon: diffDaemon(running.daemon, next.daemon),
  };
}

/** True when the plan starts, stops or changes at least one flow. */
export function changesFlows(plan: Plan): boolean {
  return plan.added.length + plan.removed.length + plan.changed.length > 0;
}
