// Where each rule and output stands, as the stats file, the log and systemd's STATUS=
// report it. The states come from a table of facts (enabled in the file, what the
// data plane says, whether the input ever ran, whether its link is down): the first
// row that holds names the state. A new state is a new row (and its fact). Pure:
// RuleStates keeps the one memory the table needs (which rules have ever been active)
// and is handed the statuses and link states; it reads nothing itself.
import { outputKey, type RuleSet } from '../config/ruleset.js';
import type { OutputPlaneState, PlaneState, RuleStatus } from '../dataplane.js';
import type { OutputEgress, OutputState, RuleState } from './types.js';

export interface RuleFacts {
  readonly enabled: boolean;
  /** What the data plane says of the rule; undefined when it does not know it. */
  readonly plane: PlaneState | undefined;
  /** The rule has been active since it was loaded. */
  readonly wasActive: boolean;
  /** Its input interface exists but is down or has no carrier. */
  readonly inputDown: boolean;
  /** Every input has been silent for its timeout (the data plane's stalled gauge). */
  readonly stalled?: boolean;
}

/** In order: the first row whose test holds is the rule's state. */
const RULE_STATES: readonly (readonly [RuleState, (facts: RuleFacts) => boolean])[] = [
  ['disabled', (f) => !f.enabled],
  ['error', (f) => f.plane === undefined || f.plane === 'error'],
  ['pending', (f) => f.plane === 'pending' && !f.wasActive],
  ['paused', (f) => f.plane === 'pending' || f.inputDown],
  ['stalled', (f) => f.stalled === true],
  ['active', () => true],
];

export function ruleState(facts: RuleFacts): RuleState {
  return (RULE_STATES.find(([, holds]) => holds(facts)) ?? ['active'])[0];
}

export interface OutputFacts {
  /** The rule is enabled. */
  readonly enabled: boolean;
  readonly plane: OutputPlaneState | undefined;
  /** Its interface exists but is down: what it sends goes to the kernel's drop counter. */
  readonly down: boolean;
}

/** In order, as for rules. A down interface explains a resolving next hop too (nothing
 * answers on it), so it wins over resolving. */
const OUTPUT_STATES: readonly (readonly [OutputState, (facts: OutputFacts) => boolean])[] = [
  ['pending', (f) => !f.enabled],
  ['error', (f) => f.plane === undefined || f.plane === 'error'],
  ['pending', (f) => f.plane === 'pending'],
  ['down', (f) => f.down],
  ['resolving', (f) => f.plane === 'resolving'],
  ['active', () => true],
];

export function outputState(facts: OutputFacts): OutputState {
  return (OUTPUT_STATES.find(([, holds]) => holds(facts)) ?? ['active'])[0];
}

export interface OutputCondition {
  readonly state: OutputState;
  /** Why the data plane could not open it; "" when it could. */
  readonly error: string;
  /** The kind the data plane opened; "" while it is not open. */
  readonly egress: OutputEgress;
}

export interface RuleCondition {
  readonly state: RuleState;
  readonly error: string;
  /** By output key. */
  readonly outputs: ReadonlyMap<string, OutputCondition>;
}

export class RuleStates {
  /** Rule keys that have been active at least once. */
  private readonly wasActive = new Set<string>();

  /** Every rule's condition now, by rule key. */
  observe(
    ruleSet: RuleSet,
    statuses: readonly RuleStatus[],
    isDown: (name: string) => boolean,
    isStalled: (key: string) => boolean = () => false,
  ): Map<string, RuleCondition> {
    const byKey = new Map(statuses.map((status) => [status.key, status]));
    for (const status of statuses) if (status.state === 'active') this.wasActive.add(status.key);
    return new Map(
      ruleSet.rules.map((rule): [string, RuleCondition] => {
        const status = byKey.get(rule.key);
        const planeOutputs = new Map((status?.outputs ?? []).map((output) => [output.key, output]));
        const outputs = new Map(
          rule.outputs.map((output): [string, OutputCondition] => {
            const key = outputKey(output);
            const plane = planeOutputs.get(key);
            const state = outputState({ enabled: rule.enabled, plane: plane?.state, down: isDown(output.interface) });
            return [key, { state, error: plane?.error ?? '', egress: plane?.egress ?? '' }];
          }),
        );
        // A rule with several inputs is paused only when all of them are down.
        const inputDown = rule.inputs.every((input) => isDown(input.interface));
        const facts = { enabled: rule.enabled, plane: status?.state, wasActive: this.wasActive.has(rule.key), inputDown, stalled: isStalled(rule.key) };
        return [rule.key, { state: ruleState(facts), error: status?.error ?? '', outputs }];
      }),
    );
  }
}
