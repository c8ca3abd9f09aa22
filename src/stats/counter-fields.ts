// A rule's or an output's counters as the stats file carries them: every counter of its
// family in the list (src/counter-list.js), and the rate of each that has one. Pure:
// sample.ts, parse.ts, prometheus.ts and table.ts use it so that none of them spells a
// counter's name.
import type { CounterSet } from '../counters.js';
import { statsFieldOrder, type TrafficCounterSpec } from '../counter-specs.js';

/** Per second over the time since the previous sample; 0 with no history or a reset. */
export function rate(now: number, before: number | undefined, seconds: number): number {
  if (before === undefined || seconds <= 0 || now < before) return 0;
  return (now - before) / seconds;
}

/** A field of a stats file object, read by a name from the list. */
export function fieldOf(item: object | undefined, name: string): unknown {
  return item === undefined ? undefined : (item as Record<string, unknown>)[name];
}

/** The counter fields of one rule or output, in the order statsFieldOrder gives.
 * `values` are the data plane's (absent: not running, all 0); `previous` is the same
 * rule or output in the previous sample, for the rates. */
export function counterFields<Fields>(
  specs: readonly TrafficCounterSpec[],
  values: CounterSet | undefined,
  previous: object | undefined,
  seconds: number,
): Fields {
  const computed: Record<string, number> = {};
  for (const spec of specs) {
    const value = values?.[spec.name] ?? 0;
    computed[spec.name] = value;
    if (spec.rate) {
      const before = fieldOf(previous, spec.name);
      const scale = spec.rate.scale;
      computed[spec.rate.field] = rate(value * scale, typeof before === 'number' ? before * scale : undefined, seconds);
    }
  }
  const ordered: Record<string, number> = {};
  for (const field of statsFieldOrder(specs)) ordered[field] = computed[field] ?? 0;
  return ordered as Fields;
}

/** Datagrams that did not get out: the sum of the counters the list marks `lost`. */
export function lostOf(item: object, specs: readonly TrafficCounterSpec[]): number {
  return specs.reduce((sum, spec) => {
    const value = fieldOf(item, spec.name);
    return spec.lost && typeof value === 'number' ? sum + value : sum;
  }, 0);
}
