// A StatsFile as Prometheus text exposition (format 0.0.4), for node_exporter's
// textfile collector. Pure: mcrd writes the string (atomically, like the JSON file).
// Conventions followed: every family has HELP and TYPE; counters end in _total; base
// units (bytes, seconds); an enum is one 0/1 series per value; no timestamps on samples
// (the textfile collector refuses them). Rates are left to PromQL's rate(): the file's
// pps/bps would only be a second, coarser estimate of the same thing.
// Every metric is described in docs/stats.md; a rename there is a rename here. The
// counters' families (names, HELP, TYPE) come from the counter list, src/counter-list.js.
import {
  familyMembers,
  OUTPUT_COUNTERS,
  PATH_COUNTERS,
  RULE_COUNTERS,
  WORKER_COUNTERS,
  WORKER_FAMILIES,
  workerFamilyOf,
  type CounterType,
  type HealthSetting,
  type TrafficCounterSpec,
  type WorkerFamilyId,
} from '../counter-specs.js';
import { fieldOf } from './counter-fields.js';
import { REFLECTOR_DROPS } from './reflectors.js';
import { SOFTNET_DROPPED } from './softnet.js';
import { DAEMON_STATES, OUTPUT_STATES, RULE_STATES, type RuleHealthStats, type StatsFile } from './types.js';

export type Labels = Readonly<Record<string, string>>;
type Sample = readonly [Labels, number];


/** Worker counters with a family of their own. */
const OWN_FAMILY_COUNTERS = WORKER_COUNTERS.filter((spec) => spec.family === undefined);

/** The worker counters of the list, and the kernel's drops that sit beside them (a
 * family of their own, by CPU). */
const KNOWN_WORKER_COUNTERS = new Set<string>([...WORKER_COUNTERS.map((spec) => spec.name), SOFTNET_DROPPED]);

/** A label value inside double quotes: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and newline escaped (quotes are literal there). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A float as Prometheus parses it (Go's ParseFloat): JavaScript's own form, plus the
 * spellings of infinity and not-a-number. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function series(name: string, labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** One family: HELP, TYPE and its samples. A series met twice keeps its first value:
 * a validated config cannot produce that, and a duplicate would make the whole file
 * unreadable to Prometheus. */
function family(name: string, type: CounterType, help: string, samples: readonly Sample[]): string[] {
  const lines = new Map<string, string>();
  for (const [labels, value] of samples) {
    const key = series(name, labels);
    if (!lines.has(key)) lines.set(key, `${key} ${formatValue(value)}`);
  }
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...lines.values()];
}

/** One 0/1 series per possible value, 1 for the current one. */
function enumSamples(labels: Labels, states: readonly string[], current: string): Sample[] {
  return states.map((state) => [{ ...labels, state }, state === current ? 1 : 0]);
}

function seconds(iso: string): number | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function daemonFamilies(stats: StatsFile): string[] {
  const { daemon, config } = stats;
  const reload = config.lastReload;
  const reloadAt = reload ? seconds(reload.at) : undefined;
  const started = seconds(daemon.started);
  const sampled = seconds(stats.time);
  const up = daemon.state === 'stopping' || daemon.state === 'stopped' ? 0 : 1;
  const info = { backend: daemon.backend, fallback_reason: daemon.fallbackReason, config_file: daemon.configFile };
  return [
    ...family('mcr_up', 'gauge', '1 while mcrd is starting, running or reloading; 0 once it is stopping or stopped.', [[{}, up]]),
    ...family('mcr_daemon_state', 'gauge', 'The daemon state: 1 for the current one, 0 for the others.', enumSamples({}, DAEMON_STATES, daemon.state)),
    ...family('mcr_daemon_info', 'gauge', 'Always 1; the labels say which send backend runs and why it fell back.', [[info, 1]]),
    ...family('mcr_start_time_seconds', 'gauge', 'When mcrd started, in seconds since the Unix epoch.', started === undefined ? [] : [[{}, started]]),
    ...family('mcr_workers', 'gauge', 'Data plane worker threads.', [[{}, daemon.workers]]),
    ...family('mcr_stats_timestamp_seconds', 'gauge', 'When this sample was taken, in seconds since the Unix epoch.', sampled === undefined ? [] : [[{}, sampled]]),
    ...family('mcr_stats_interval_seconds', 'gauge', 'Seconds between two samples (stats_interval).', [[{}, stats.interval]]),
    ...family('mcr_config_generation', 'gauge', 'The generation of the running rules; each applied reload adds one.', [[{}, config.generation]]),
    ...family('mcr_last_reload_success', 'gauge', '1 if the last reload was applied, 0 if the file was refused.', reload ? [[{}, reload.ok ? 1 : 0]] : []),
    ...family('mcr_last_reload_timestamp_seconds', 'gauge', 'When the last reload was attempted, in seconds since the Unix epoch.', reloadAt === undefined ? [] : [[{}, reloadAt]]),
    ...family('mcr_last_reload_errors', 'gauge', 'Errors that made the last reload fail (0 when it succeeded).', reload ? [[{}, reload.errors.length]] : []),
    ...family('mcr_reloads_total', 'counter', 'Reload attempts since mcrd started, by result (applied or refused).', [
      [{ result: 'ok' }, config.reloads.ok],
      [{ result: 'failed' }, config.reloads.failed],
    ]),
  ];
}

/** Whether a rule has the setting a counter belongs to (`applies` in the list): a rule
 * that does not look at RTP has no RTP loss to report, rather than a 0 that says "clean". */
export function hasSetting(health: RuleHealthStats | undefined, setting: HealthSetting): boolean {
  const payload = health?.payload ?? null;
  switch (setting) {
    case 'rtp':
      return payload === 'rtp' || payload === 'rtp-mpegts' || payload === 'auto';
    case 'ts':
      return payload === 'mpegts' || payload === 'rtp-mpegts' || payload === 'auto';
    case 'payload':
      return payload !== null;
    case 'timeout':
      return (health?.timeoutMs ?? null) !== null;
    case 'failover':
      return health?.redundancy === 'failover';
  }
}

function ruleFamilies(stats: StatsFile): string[] {
  const rules = stats.rules.map((rule) => ({
    rule,
    labels: { rule: rule.name, interface: rule.input.interface, group: rule.input.group, port: String(rule.input.port), source: rule.input.source ?? '' },
  }));
  const outputs = stats.rules.flatMap((rule) =>
    rule.outputs.map((output) => ({
      output,
      labels: { rule: rule.name, output_interface: output.interface, output_group: output.group, output_port: String(output.port) },
    })),
  );
  const paths = stats.rules.flatMap((rule) =>
    (rule.paths ?? []).map((path, i) => ({
      item: path,
      labels: { rule: rule.name, path: String(i), interface: path.interface, group: path.group, port: String(path.port), source: path.source ?? '' },
    })),
  );
  /** One family per counter of the list, a sample per rule or output that carries it
   * (and, for a counter that belongs to a setting, has it), in base units. */
  const counterFamilies = (specs: readonly TrafficCounterSpec[], items: readonly { item: object; labels: Labels; health?: RuleHealthStats }[]): string[] =>
    specs.flatMap((spec) =>
      family(spec.metric, spec.type, spec.help, items.flatMap(({ item, labels, health }) => {
        const value = fieldOf(item, spec.name);
        if (spec.applies !== undefined && !hasSetting(health, spec.applies)) return [];
        return typeof value === 'number' ? [[labels, value * (spec.scale ?? 1)] as const] : [];
      })),
    );
  return [
    ...family('mcr_rule_state', 'gauge', 'A rule state: 1 for the current one, 0 for the others.', rules.flatMap(({ rule, labels }) => enumSamples(labels, RULE_STATES, rule.state))),
    ...counterFamilies(RULE_COUNTERS, rules.map(({ rule, labels }) => ({ item: rule, labels, health: rule.health }))),
    ...family('mcr_output_state', 'gauge', 'An output state: 1 for the current one, 0 for the others.', outputs.flatMap(({ output, labels }) => enumSamples(labels, OUTPUT_STATES, output.state))),
    // The kind as a label of its own series: a label on every output metric would start
    // new series (and break rate()) whenever an output is opened again as the other kind.
    ...family('mcr_output_info', 'gauge', 'Always 1; the egress label says how the output sends: frame, socket, or "" while it is not open.', outputs.map(({ output, labels }) => [{ ...labels, egress: output.egress }, 1] as const)),
    ...counterFamilies(OUTPUT_COUNTERS, outputs.map(({ output, labels }) => ({ item: output, labels }))),
    ...counterFamilies(PATH_COUNTERS, paths),
  ];
}

function workerFamilies(workers: readonly Record<string, number>[]): string[] {
  const perWorker = (counter: string, extra: Labels = {}): Sample[] =>
    workers.flatMap((counters, i) => {
      const value = counters[counter];
      return value === undefined ? [] : [[{ worker: String(i), ...extra }, value] as const];
    });
  // A counter a newer data plane adds still gets exported, under a name derived from
  // its own, until it has its line in the counter list.
  // Two names that differ only in characters a metric name cannot hold keep the first.
  const unknown = new Map<string, string>();
  for (const name of workers.flatMap((counters) => Object.keys(counters))) {
    const metric = `mcr_worker_${name.replace(/[^a-zA-Z0-9_]/g, '_')}_total`;
    if (!KNOWN_WORKER_COUNTERS.has(name) && !unknown.has(metric)) unknown.set(metric, name);
  }
  // Counters with a family of their own first, then the shared families (frames not
  // relayed; failed sends, apart because one frame fans out to many sends), each with
  // its counters in list order.
  const shared = (Object.keys(WORKER_FAMILIES) as WorkerFamilyId[]).map((id) => {
    const { type, metric, help, label } = WORKER_FAMILIES[id];
    return family(metric, type, help, familyMembers(id).flatMap((name) => perWorker(name, { [label]: name })));
  });
  return [
    ...OWN_FAMILY_COUNTERS.flatMap((spec) => {
      const { type, metric, help } = workerFamilyOf(spec);
      return family(metric, type, help, perWorker(spec.name));
    }),
    ...shared.flat(),
    ...[...unknown].flatMap(([metric, name]) => family(metric, 'counter', `The data plane counter ${name}.`, perWorker(name))),
  ];
}

/** The kernel's backlog drops on each worker CPU, once per CPU (workers may share one). */
function softnetFamily(stats: StatsFile): string[] {
  const byCpu = new Map<number, number>();
  stats.daemon.cpus.forEach((cpu, i) => {
    const value = stats.workers[i]?.[SOFTNET_DROPPED];
    if (value !== undefined && !byCpu.has(cpu)) byCpu.set(cpu, value);
  });
  // Announced without a sample when the kernel's file could not be read.
  const samples = [...byCpu].sort(([a], [b]) => a - b).map(([cpu, value]) => [{ cpu: String(cpu) }, value] as const);
  return family(
    'mcr_softnet_dropped_total',
    'counter',
    "Packets the kernel dropped since mcrd started because a worker CPU's input backlog was full (/proc/net/softnet_stat): loss before mcr could read them.",
    samples,
  );
}

/** Each reflector per interface (only when the file has reflectors): what arrived, what
 * was relayed out, and what its policy stopped, by reason. */
function reflectorFamilies(stats: StatsFile): string[] {
  const items = (stats.reflectors ?? []).flatMap((reflector) =>
    reflector.interfaces.map((entry) => ({ entry, labels: { reflector: reflector.name, service: reflector.service, interface: entry.interface } })),
  );
  if (items.length === 0) return [];
  return [
    ...family('mcr_reflector_received_total', 'counter', "Datagrams of a reflector's service that arrived on one of its interfaces.", items.map(({ entry, labels }) => [labels, entry.received] as const)),
    ...family('mcr_reflector_relayed_total', 'counter', "Datagrams a reflector relayed out of one of its interfaces.", items.map(({ entry, labels }) => [labels, entry.relayed] as const)),
    ...family(
      'mcr_reflector_dropped_total',
      'counter',
      'Datagrams that arrived on a reflector interface and were not relayed, by reason: source_denied, rate_limited or loop_suppressed.',
      items.flatMap(({ entry, labels }) => REFLECTOR_DROPS.map((reason) => [{ ...labels, reason }, entry[reason]] as const)),
    ),
  ];
}

/** The whole exposition, ending with a newline. */
export function formatPrometheus(stats: StatsFile): string {
  return [...daemonFamilies(stats), ...ruleFamilies(stats), ...reflectorFamilies(stats), ...workerFamilies(stats.workers), ...softnetFamily(stats)].join('\n') + '\n';
}
