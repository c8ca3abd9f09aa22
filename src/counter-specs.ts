// The types of the counter list (src/counter-list.js) and the few facts derived from it
// that several modules need: the Prometheus family of a counter, and the order of a rule's
// or output's counter fields in the stats file. Pure; holds no counter of its own: a
// counter is added in the list, never here.
import * as list from './counter-list.js';

export type CounterType = 'counter' | 'gauge';
export type WorkerFamilyId = keyof typeof list.WORKER_FAMILIES;
export type TotalsGroup = keyof typeof list.TOTALS;

interface OwnFamily {
  readonly type: CounterType;
  readonly metric: string;
  readonly help: string;
}

export interface SharedFamilySpec extends OwnFamily {
  /** The label whose value tells the family's counters apart: the counter's name. */
  readonly label: string;
}

export type WorkerCounterSpec = { readonly name: string; readonly total?: TotalsGroup } & (
  | (OwnFamily & { readonly family?: undefined })
  | { readonly family: WorkerFamilyId; readonly type?: undefined; readonly metric?: undefined; readonly help?: undefined }
);

export interface TrafficCounterSpec extends OwnFamily {
  readonly name: string;
  readonly rate?: { readonly field: string; readonly scale: number };
  readonly lost?: boolean;
  /** Added after the stats file format first shipped: a file without it was written by
   * an older mcrd, and reads as 0. */
  readonly later?: boolean;
  /** The Prometheus value is the stats file's times this (base units). */
  readonly scale?: number;
  /** The rule setting it belongs to: Prometheus shows it only for rules that have it. */
  readonly applies?: HealthSetting;
}

/** Rule settings that counters belong to (see `applies` in src/counter-list.js). */
export type HealthSetting = 'rtp' | 'ts' | 'payload' | 'timeout' | 'failover';

// Typed views of the list: these assignments are where the compiler checks each line.
export const WORKER_FAMILIES: Readonly<Record<WorkerFamilyId, SharedFamilySpec>> = list.WORKER_FAMILIES;
export const TOTALS: Readonly<Record<TotalsGroup, { readonly text: string; readonly outcome: boolean }>> = list.TOTALS;
export const WORKER_COUNTERS: readonly WorkerCounterSpec[] = list.WORKER_COUNTERS;
export const RULE_COUNTERS: readonly TrafficCounterSpec[] = list.RULE_COUNTERS;
export const OUTPUT_COUNTERS: readonly TrafficCounterSpec[] = list.OUTPUT_COUNTERS;
export const PATH_COUNTERS: readonly TrafficCounterSpec[] = list.PATH_COUNTERS;

type Fields<Specs extends readonly { name: string }[]> =
  | Specs[number]['name']
  | (Specs[number] extends infer S ? (S extends { rate: { field: infer F extends string } } ? F : never) : never);

/** The stats file's numbers of a rule: its counters and their rates, by name. */
export type RuleCounterFields = Record<Fields<typeof list.RULE_COUNTERS>, number>;
/** The stats file's numbers of an output. */
export type OutputCounterFields = Record<Fields<typeof list.OUTPUT_COUNTERS>, number>;
/** The stats file's numbers of a path (one input of a rule with several). */
export type PathCounterFields = Record<Fields<typeof list.PATH_COUNTERS>, number>;

/** Where a worker counter goes in Prometheus: its family, and the label naming it there. */
export interface WorkerFamily extends OwnFamily {
  readonly labels: Readonly<Record<string, string>>;
}

export function workerFamilyOf(spec: WorkerCounterSpec): WorkerFamily {
  if (spec.family === undefined) return { type: spec.type, metric: spec.metric, help: spec.help, labels: {} };
  const shared = WORKER_FAMILIES[spec.family];
  return { type: shared.type, metric: shared.metric, help: shared.help, labels: { [shared.label]: spec.name } };
}

/** The worker counters of a shared family, in list order. */
export function familyMembers(family: WorkerFamilyId): string[] {
  return WORKER_COUNTERS.filter((spec) => spec.family === family).map((spec) => spec.name);
}

/** The stats file's counter fields of a rule or output, in the order written: the
 * counters that have a rate, their rates, then the others (packets, bytes, pps, bps,
 * errors, drops). */
export function statsFieldOrder(specs: readonly TrafficCounterSpec[]): string[] {
  const rated = specs.filter((spec) => spec.rate);
  return [...rated.map((spec) => spec.name), ...rated.map((spec) => spec.rate?.field ?? ''), ...specs.filter((spec) => !spec.rate).map((spec) => spec.name)];
}
