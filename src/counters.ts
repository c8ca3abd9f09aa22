// Reads the data plane's shared counters into plain numbers. Pure: it only does
// arithmetic on the buffer it is given (see native/dataplane/counters.h for the layout).
// Counters are summed over workers, gauges combined by their largest value (the counter
// list, src/counter-list.js, says which is which); per-worker values are kept for the
// stats file. The names and their order come from the addon (info()), not from the list:
// they are the layout of the block the addon actually built.
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, WORKER_COUNTERS, workerFamilyOf, type CounterType } from './counter-specs.js';
import type { NativeInfo } from './native/binding-types.js';

export type CounterSet = Readonly<Record<string, number>>;

export interface CounterLayout {
  readonly workers: number;
  readonly blockWords: number;
  readonly maxRules: number;
  /** Output slots per block; path counters start after them (0: an addon without paths). */
  readonly maxOutputs: number;
  /** Path slots per rule slot. */
  readonly maxInputs: number;
  readonly workerCounters: readonly string[];
  readonly ruleCounters: readonly string[];
  readonly outputCounters: readonly string[];
  readonly pathCounters: readonly string[];
}

export interface RuleSlots {
  readonly key: string;
  readonly slot: number;
  readonly outputs: readonly { readonly key: string; readonly slot: number }[];
  /** Inputs of the rule; its paths are read when it has more than one. */
  readonly inputs?: readonly unknown[];
}

export interface RuleCounters {
  readonly counters: CounterSet;
  readonly outputs: ReadonlyMap<string, CounterSet>;
  /** Per input, in the rule's order: only for rules with several inputs, else empty. */
  readonly paths: readonly CounterSet[];
}

export interface CounterSnapshot {
  /** Summed over workers. */
  readonly worker: CounterSet;
  readonly perWorker: readonly CounterSet[];
  readonly rules: ReadonlyMap<string, RuleCounters>;
}

export function layoutOf(info: NativeInfo): CounterLayout {
  return {
    workers: info.workers,
    blockWords: info.blockWords,
    maxRules: info.maxRules,
    maxOutputs: info.maxOutputs ?? 0,
    maxInputs: info.maxInputs ?? 0,
    workerCounters: info.workerCounters,
    ruleCounters: info.ruleCounters,
    outputCounters: info.outputCounters,
    pathCounters: info.pathCounters ?? [],
  };
}

/** The gauges of each family; a name the list does not know is a counter. */
const WORKER_GAUGES = new Set(WORKER_COUNTERS.filter((spec) => workerFamilyOf(spec).type === 'gauge').map((spec) => spec.name));
const RULE_GAUGES = new Set(RULE_COUNTERS.filter((spec) => spec.type === 'gauge').map((spec) => spec.name));
const OUTPUT_GAUGES = new Set(OUTPUT_COUNTERS.filter((spec) => spec.type === 'gauge').map((spec) => spec.name));
const PATH_GAUGES = new Set(PATH_COUNTERS.filter((spec) => spec.type === 'gauge').map((spec) => spec.name));

/** One word of every worker combined: a counter's are added; a gauge's largest is kept,
 * as a flow is handled by one worker and the others hold 0. */
export function combineWorkers(values: readonly bigint[], type: CounterType): bigint {
  if (type === 'gauge') return values.reduce((largest, value) => (value > largest ? value : largest), 0n);
  return values.reduce((sum, value) => sum + value, 0n);
}

/** Each named word, combined over the workers' blocks. */
function combineAt(words: BigUint64Array, layout: CounterLayout, offset: number, names: readonly string[], gauges: ReadonlySet<string>): CounterSet {
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const values: bigint[] = [];
    for (let worker = 0; worker < layout.workers; worker += 1) values.push(words[worker * layout.blockWords + offset + i] ?? 0n);
    out[name] = Number(combineWorkers(values, gauges.has(name) ? 'gauge' : 'counter'));
  });
  return out;
}

export function readCounters(buffer: ArrayBuffer, layout: CounterLayout, slots: readonly RuleSlots[]): CounterSnapshot {
  const words = new BigUint64Array(buffer);
  const ruleBase = layout.workerCounters.length;
  const outputBase = ruleBase + layout.maxRules * layout.ruleCounters.length;
  const pathBase = outputBase + layout.maxOutputs * layout.outputCounters.length;
  const pathStride = layout.pathCounters.length;
  const perWorker: CounterSet[] = [];
  for (let worker = 0; worker < layout.workers; worker += 1) {
    const single: Record<string, number> = {};
    layout.workerCounters.forEach((name, i) => {
      single[name] = Number(words[worker * layout.blockWords + i] ?? 0n);
    });
    perWorker.push(single);
  }
  const rules = new Map<string, RuleCounters>();
  for (const rule of slots) {
    const outputs = new Map<string, CounterSet>();
    for (const output of rule.outputs) {
      outputs.set(output.key, combineAt(words, layout, outputBase + output.slot * layout.outputCounters.length, layout.outputCounters, OUTPUT_GAUGES));
    }
    const inputs = rule.inputs?.length ?? 1;
    const paths: CounterSet[] = [];
    if (inputs > 1 && pathStride > 0) {
      for (let input = 0; input < Math.min(inputs, layout.maxInputs); input += 1) {
        paths.push(combineAt(words, layout, pathBase + (rule.slot * layout.maxInputs + input) * pathStride, layout.pathCounters, PATH_GAUGES));
      }
    }
    rules.set(rule.key, { counters: combineAt(words, layout, ruleBase + rule.slot * layout.ruleCounters.length, layout.ruleCounters, RULE_GAUGES), outputs, paths });
  }
  return { worker: combineAt(words, layout, 0, layout.workerCounters, WORKER_GAUGES), perWorker, rules };
}
