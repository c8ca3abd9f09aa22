// Test helper: StatsFile objects built in one line each, with the rest of the file
// filled with plausible defaults, so a test states only what it is about.
import { OUTPUT_COUNTERS, RULE_COUNTERS, statsFieldOrder, WORKER_COUNTERS as WORKER_COUNTER_SPECS } from '../../src/counter-specs.js';
import { STATS_VERSION, type OutputStats, type ReloadResult, type RuleStats, type StatsFile } from '../../src/stats/types.js';

/** The sample time of every fixture. */
export const TIME = '2025-01-15T12:00:00.000Z';
export const TIME_MS = Date.parse(TIME);

/** Seconds before TIME, as an ISO time. */
export function before(seconds: number): string {
  return new Date(TIME_MS - seconds * 1000).toISOString();
}

/** The worker counters of the data plane, in its order (src/counter-list.js). */
export const WORKER_COUNTERS = WORKER_COUNTER_SPECS.map((spec) => spec.name);

/** Every counter field (and rate) of a rule or output, 0: what a new one carries. */
function zeros(specs: typeof RULE_COUNTERS): Record<string, number> {
  return Object.fromEntries(statsFieldOrder(specs).map((field) => [field, 0]));
}

/** Every worker counter, 0 unless given. */
export function counters(values: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(WORKER_COUNTERS.map((name) => [name, values[name] ?? 0]));
}

function endpoint(text: string): { interface: string; group: string; port: number } {
  const match = /^(\S+) ([\d.]+):(\d+)$/.exec(text);
  if (!match) throw new Error(`bad endpoint "${text}", want "IF GROUP:PORT"`);
  return { interface: match[1] ?? '', group: match[2] ?? '', port: Number(match[3]) };
}

/** An active output "IF GROUP:PORT" with no traffic yet. */
export function output(where: string, fields: Partial<OutputStats> = {}): OutputStats {
  const at = endpoint(where);
  const ttl = fields.ttl ?? 1;
  return {
    key: `${at.interface}|${at.group}|${at.port}|${ttl}|-`,
    ...at,
    ttl,
    state: 'active',
    error: '',
    egress: 'frame',
    ...(zeros(OUTPUT_COUNTERS) as Pick<OutputStats, 'packets' | 'bytes' | 'pps' | 'bps'>),
    ...fields,
  } as OutputStats;
}

/** An active rule on input "IF GROUP:PORT"; `source` in fields.input. */
export function rule(name: string, input: string, outputs: OutputStats[], fields: Partial<RuleStats> = {}): RuleStats {
  const at = { ...endpoint(input), source: null, ...fields.input };
  return {
    name,
    key: `${at.interface}|${at.group}|${at.port}|${at.source ?? '*'}`,
    state: 'active',
    error: '',
    ...(zeros(RULE_COUNTERS) as Pick<RuleStats, 'packets' | 'bytes' | 'pps' | 'bps'>),
    health: { payload: null, redundancy: null, timeoutMs: null },
    paths: [],
    ...fields,
    input: at,
    outputs,
  } as RuleStats;
}

/** A successful reload by SIGHUP 250 s before TIME. */
export function reload(fields: Partial<ReloadResult> = {}): ReloadResult {
  return {
    at: before(250),
    trigger: 'sighup',
    ok: true,
    generation: 3,
    errors: [],
    added: 1,
    removed: 0,
    changed: 2,
    unchanged: 5,
    restarted: false,
    skipped: false,
    ...fields,
  };
}

export interface StatsFields extends Partial<Omit<StatsFile, 'daemon' | 'config'>> {
  daemon?: Partial<StatsFile['daemon']>;
  config?: Partial<StatsFile['config']>;
}

/** A running daemon with two workers, generation 3; totals are the sum of the workers. */
export function statsFile(fields: StatsFields = {}): StatsFile {
  const workers = fields.workers ?? [counters(), counters()];
  const totals: Record<string, number> = {};
  for (const worker of workers) for (const [name, value] of Object.entries(worker)) totals[name] = (totals[name] ?? 0) + value;
  return {
    version: STATS_VERSION,
    time: TIME,
    interval: 1,
    totals,
    rules: [],
    ...fields,
    workers,
    daemon: {
      pid: 4242,
      state: 'running',
      started: before(7384),
      uptime: 7384,
      configFile: '/etc/mcr.toml',
      backend: 'io_uring',
      fallbackReason: '',
      workers: workers.length,
      cpus: workers.map((_, i) => i),
      ...fields.daemon,
    },
    config: { generation: 3, lastReload: reload(), reloads: { ok: 2, failed: 1 }, ...fields.config },
  };
}
