// Builds one stats sample (the StatsFile) from the running rules, the data plane's
// statuses and counters, and the previous sample (for rates). Pure: the daemon does
// the reading and the writing.
import { describeEndpoint } from '../config/endpoints.js';
import { outputKey, type Rule, type RuleSet } from '../config/ruleset.js';
import type { CounterSnapshot } from '../counters.js';
import { OUTPUT_COUNTERS, RULE_COUNTERS, type OutputCounterFields, type RuleCounterFields } from '../counter-specs.js';
import type { NativeRuleStatus } from '../native/binding-types.js';
import {
  STATS_VERSION,
  type DaemonState,
  type OutputState,
  type OutputStats,
  type ReloadResult,
  type RuleState,
  type RuleStats,
  type StatsFile,
} from './types.js';
import { counterFields, lostOf } from './counter-fields.js';

export interface SampleInput {
  now: Date;
  previous: StatsFile | null;
  interval: number;
  daemon: Omit<StatsFile['daemon'], 'uptime'> & { startedMs: number };
  state: DaemonState;
  generation: number;
  lastReload: ReloadResult | null;
  reloads: { ok: number; failed: number };
  ruleSet: RuleSet;
  statuses: readonly NativeRuleStatus[];
  counters: CounterSnapshot;
  /** Interfaces known to be down or without carrier (inputs and outputs). */
  downInterfaces: ReadonlySet<string>;
  /** Rule keys that have been active at least once. */
  everActive: ReadonlySet<string>;
}

export function ruleState(rule: Rule, status: NativeRuleStatus | undefined, input: SampleInput): RuleState {
  if (!rule.enabled) return 'disabled';
  if (!status) return 'error';
  if (status.state === 'error') return 'error';
  if (status.state === 'pending') return input.everActive.has(rule.key) ? 'paused' : 'pending';
  return input.downInterfaces.has(rule.input.interface) ? 'paused' : 'active';
}

/** An open output on a link that is down sends into the kernel's drop counter, not the wire. */
export function outputState(rule: Rule, native: NativeRuleStatus['outputs'][number] | undefined, interfaceName: string, input: SampleInput): OutputState {
  if (!rule.enabled) return 'pending';
  if (!native) return 'error';
  return native.state === 'active' && input.downInterfaces.has(interfaceName) ? 'down' : native.state;
}

export function buildStats(input: SampleInput): StatsFile {
  const seconds = input.previous ? (input.now.getTime() - Date.parse(input.previous.time)) / 1000 : 0;
  const before = new Map((input.previous?.rules ?? []).map((rule) => [rule.key, rule]));
  const statuses = new Map(input.statuses.map((status) => [status.key, status]));
  const rules = input.ruleSet.rules.map((rule): RuleStats => {
    const status = statuses.get(rule.key);
    const counters = input.counters.rules.get(rule.key);
    const previous = before.get(rule.key);
    const previousOutputs = new Map((previous?.outputs ?? []).map((output) => [output.key, output]));
    const outputStatus = new Map((status?.outputs ?? []).map((output) => [output.key, output]));
    const outputs = rule.outputs.map((output): OutputStats => {
      const key = outputKey(output);
      const values = counters?.outputs.get(key);
      const last = previousOutputs.get(key);
      const native = outputStatus.get(key);
      return {
        key,
        interface: output.interface,
        group: output.group,
        port: output.port,
        ttl: output.ttl,
        state: outputState(rule, native, output.interface, input),
        error: native?.error ?? '',
        ...counterFields<OutputCounterFields>(OUTPUT_COUNTERS, values, last, seconds),
      };
    });
    return {
      name: rule.name,
      key: rule.key,
      input: { ...rule.input },
      state: ruleState(rule, status, input),
      error: status?.error ?? '',
      ...counterFields<RuleCounterFields>(RULE_COUNTERS, counters?.counters, previous, seconds),
      outputs,
    };
  });
  const { startedMs, ...daemon } = input.daemon;
  return {
    version: STATS_VERSION,
    time: input.now.toISOString(),
    interval: input.interval,
    daemon: { ...daemon, state: input.state, uptime: Math.max(0, (input.now.getTime() - startedMs) / 1000) },
    config: { generation: input.generation, lastReload: input.lastReload, reloads: { ...input.reloads } },
    totals: { ...input.counters.worker },
    workers: input.counters.perWorker.map((worker) => ({ ...worker })),
    rules,
  };
}

/** "3/4 rules active, 12.0k pps in, generation 7": for STATUS= and the periodic log line. */
export function summaryLine(stats: StatsFile): string {
  const active = stats.rules.filter((rule) => rule.state === 'active').length;
  const pps = stats.rules.reduce((sum, rule) => sum + rule.pps, 0);
  const shown = pps >= 1000 ? `${(pps / 1000).toFixed(1)}k` : pps.toFixed(0);
  return `${active}/${stats.rules.length} rules active, ${shown} pps in, generation ${stats.config.generation}`;
}

/** One line per rule for a SIGUSR1 snapshot. */
export function snapshotLines(stats: StatsFile): string[] {
  return stats.rules.map((rule) => {
    const outputs = rule.outputs
      .map((output) => `${describeEndpoint(output)} ${output.packets} pkts ${lostOf(output, OUTPUT_COUNTERS)} lost`)
      .join('; ');
    return `rule "${rule.name}" ${rule.state}: ${rule.packets} pkts in, ${rule.pps.toFixed(0)} pps -> ${outputs}`;
  });
}
