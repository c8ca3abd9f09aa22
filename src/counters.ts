// Reads the data plane's shared counters into plain numbers. Pure: it only does
// arithmetic on the buffer it is given (see native/dataplane/counters.h for the layout).
// Counters are summed over workers; per-worker values are kept for the stats file.
import type { NativeInfo } from './native/binding-types.js';

export type CounterSet = Readonly<Record<string, number>>;

export interface CounterLayout {
  readonly workers: number;
  readonly blockWords: number;
  readonly maxRules: number;
  readonly workerCounters: readonly string[];
  readonly ruleCounters: readonly string[];
  readonly outputCounters: readonly string[];
}

export interface RuleSlots {
  readonly key: string;
  readonly slot: number;
  readonly outputs: readonly { readonly key: string; readonly slot: number }[];
}

export interface RuleCounters {
  readonly counters: CounterSet;
  readonly outputs: ReadonlyMap<string, CounterSet>;
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
    workerCounters: info.workerCounters,
    ruleCounters: info.ruleCounters,
    outputCounters: info.outputCounters,
  };
}

function sumAt(words: BigUint64Array, layout: CounterLayout, offset: number, names: readonly string[]): CounterSet {
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    let total = 0n;
    for (let worker = 0; worker < layout.workers; worker += 1) total += words[worker * layout.blockWords + offset + i] ?? 0n;
    out[name] = Number(total);
  });
  return out;
}

export function readCounters(buffer: ArrayBuffer, layout: CounterLayout, slots: readonly RuleSlots[]): CounterSnapshot {
  const words = new BigUint64Array(buffer);
  const ruleBase = layout.workerCounters.length;
  const outputBase = ruleBase + layout.maxRules * layout.ruleCounters.length;
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
      outputs.set(output.key, sumAt(words, layout, outputBase + output.slot * layout.outputCounters.length, layout.outputCounters));
    }
    rules.set(rule.key, { counters: sumAt(words, layout, ruleBase + rule.slot * layout.ruleCounters.length, layout.ruleCounters), outputs });
  }
  return { worker: sumAt(words, layout, 0, layout.workerCounters), perWorker, rules };
}
