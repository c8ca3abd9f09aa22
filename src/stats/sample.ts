// Builds one stats sample (the StatsFile) from the running rules, their conditions
// (rule-state.ts decides those), the counters, and the previous sample (for
// rates). Pure: the daemon does the reading and the writing. Addresses become their
// canonical text here, the form the stats file and its labels carry.
import { describeEndpoint } from '../config/endpoints.js';
import { outputKey, type Rule, type RuleSet } from '../config/ruleset.js';
import type { CounterSnapshot } from '../counters.js';
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, type OutputCounterFields, type PathCounterFields, type RuleCounterFields } from '../counter-specs.js';
import { counterFields, lostOf } from './counter-fields.js';
import { reflectorStats } from './reflectors.js';
import type { RuleCondition } from './rule-state.js';
import { SOFTNET_DROPPED, workerSoftnet } from './softnet.js';
import { STATS_VERSION, type DaemonState, type OutputStats, type PathStats, type ReloadResult, type RuleHealthStats, type RuleStats, type StatsFile } from './types.js';

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
  /** Each rule's state and its outputs', by rule key. */
  conditions: ReadonlyMap<string, RuleCondition>;
  counters: CounterSnapshot;
  /** The kernel's backlog drops per CPU since mcrd started; null when unknown. */
  softnet: ReadonlyMap<number, number> | null;
}

export function healthOf(rule: Rule): RuleHealthStats {
  const timeouts = rule.inputs.flatMap((one) => (one.timeoutMs === null ? [] : [one.timeoutMs]));
  return {
    payload: rule.health.payload,
    redundancy: rule.health.redundancy,
    timeoutMs: timeouts.length === 0 ? null : Math.min(...timeouts),
  };
}

export function buildStats(input: SampleInput): StatsFile {
  const seconds = input.previous ? (input.now.getTime() - Date.parse(input.previous.time)) / 1000 : 0;
  const before = new Map((input.previous?.rules ?? []).map((rule) => [rule.key, rule]));
  const rules = input.ruleSet.rules.map((rule): RuleStats => {
    const condition = input.conditions.get(rule.key);
    const counters = input.counters.rules.get(rule.key);
    const previous = before.get(rule.key);
    const previousOutputs = new Map((previous?.outputs ?? []).map((output) => [output.key, output]));
    const outputs = rule.outputs.map((output): OutputStats => {
      const key = outputKey(output);
      const values = counters?.outputs.get(key);
      const last = previousOutputs.get(key);
      const state = condition?.outputs.get(key);
      return {
        key,
        interface: output.interface,
        group: output.group.text,
        port: output.port,
        ttl: output.ttl,
        state: state?.state ?? 'error',
        error: state?.error ?? '',
        egress: state?.egress ?? '',
        ...counterFields<OutputCounterFields>(OUTPUT_COUNTERS, values, last, seconds),
      };
    });
    return {
      name: rule.name,
      key: rule.key,
      input: { interface: rule.input.interface, group: rule.input.group.text, port: rule.input.port, source: rule.input.source?.text ?? null },
      state: condition?.state ?? 'error',
      error: condition?.error ?? '',
      ...counterFields<RuleCounterFields>(RULE_COUNTERS, counters?.counters, previous, seconds),
      health: healthOf(rule),
      paths: rule.inputs.length < 2 ? [] : rule.inputs.map((one, i): PathStats => ({
        interface: one.interface,
        group: one.group.text,
        port: one.port,
        source: one.source?.text ?? null,
        timeoutMs: one.timeoutMs,
        ...counterFields<PathCounterFields>(PATH_COUNTERS, counters?.paths[i], previous?.paths?.[i], seconds),
      })),
      outputs,
    };
  });
  const { startedMs, ...daemon } = input.daemon;
  // The kernel's drops go beside mcr's own counters, for the CPUs the workers run on.
  const softnet = input.softnet && daemon.cpus.length > 0 ? workerSoftnet(daemon.cpus, input.softnet) : null;
  const kernel = (value: number | undefined): Record<string, number> => (softnet ? { [SOFTNET_DROPPED]: value ?? 0 } : {});
  const reflectors = reflectorStats(input.ruleSet, rules);
  return {
    version: STATS_VERSION,
    time: input.now.toISOString(),
    interval: input.interval,
    daemon: { ...daemon, state: input.state, uptime: Math.max(0, (input.now.getTime() - startedMs) / 1000) },
    config: { generation: input.generation, lastReload: input.lastReload, reloads: { ...input.reloads } },
    totals: { ...input.counters.worker, ...kernel(softnet?.total) },
    workers: input.counters.perWorker.map((worker, i) => ({ ...worker, ...kernel(softnet?.perWorker[i]) })),
    rules,
    ...(reflectors.length > 0 ? { reflectors } : {}),
  };
}

/** "3/4 rules active, 12.0k pps in, generation 7": for STATUS= and the periodic log line
 * ("3/4 rules active, 1 stalled, ..." while a rule is stalled). */
export function summaryLine(stats: StatsFile): string {
  const active = stats.rules.filter((rule) => rule.state === 'active').length;
  const stalled = stats.rules.filter((rule) => rule.state === 'stalled').length;
  const pps = stats.rules.reduce((sum, rule) => sum + rule.pps, 0);
  const shown = pps >= 1000 ? `${(pps / 1000).toFixed(1)}k` : pps.toFixed(0);
  const stalls = stalled > 0 ? `, ${stalled} stalled` : '';
  return `${active}/${stats.rules.length} rules active${stalls}, ${shown} pps in, generation ${stats.config.generation}`;
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
