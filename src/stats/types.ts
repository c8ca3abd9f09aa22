// The stats file (default /run/mcr/stats.json): what mcrd writes every stats_interval,
// what `mcr stats` reads, and what the Prometheus text file is made from. Documented
// field by field in docs/stats.md; bump STATS_VERSION on any incompatible change.
// The counter fields of rules and outputs come from the counter list (src/counter-list.js).
import type { OutputCounterFields, PathCounterFields, RuleCounterFields } from '../counter-specs.js';

export const STATS_VERSION = 1;

// The states, each list the one place its names are spelled: the stats file's parser,
// the Prometheus state families and the docs' tables follow it. A new state is a name
// here, its row in rule-state.ts, and its line in docs/stats.md.

/** Where a rule stands, in the order they are reported:
 * active — receiving and forwarding;
 * pending — its input interface has not existed since this rule was loaded;
 * paused — it was active, and its input interface went away or down;
 * disabled — enabled = false in the rules file;
 * error — the data plane could not set it up (see `error`);
 * stalled — set up and its interfaces up, but every input has been silent for its
 *   timeout (input.timeout_ms). */
export const RULE_STATES = ['active', 'pending', 'paused', 'disabled', 'error', 'stalled'] as const;
export type RuleState = (typeof RULE_STATES)[number];

/** Where an output stands:
 * active — sending;
 * pending — its interface is missing, or the rule is disabled;
 * down — its interface is down or has no carrier: the kernel drops what is sent to it;
 * resolving — a unicast frame output waiting for its next hop's MAC (neighbour_wait);
 * error — the data plane could not open it (see `error`). */
export const OUTPUT_STATES = ['active', 'pending', 'down', 'resolving', 'error'] as const;
export type OutputState = (typeof OUTPUT_STATES)[number];

export const DAEMON_STATES = ['starting', 'running', 'reloading', 'stopping', 'stopped'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

/** How an output sends: "frame" (mcr writes the Ethernet frame), "socket" (a UDP
 * socket), "" while it is not open (pending, error). */
export type OutputEgress = 'frame' | 'socket' | '';

/** Counters are totals since the rule (or output) started; rates are over the last
 * interval. One field per counter of the list, and one per rate (packets, bytes, pps, bps,
 * and for outputs errors, drops). */
export interface OutputStats extends OutputCounterFields {
  key: string;
  interface: string;
  group: string;
  port: number;
  ttl: number;
  state: OutputState;
  error: string;
  egress: OutputEgress;
}

/** A rule's stream-health settings, as Prometheus and `mcr stats` need them (an older
 * mcrd's file has none: all null). */
export interface RuleHealthStats {
  payload: 'rtp' | 'mpegts' | 'rtp-mpegts' | 'auto' | null;
  redundancy: 'failover' | 'merge' | null;
  /** The shortest input timeout; null: silence is not watched. */
  timeoutMs: number | null;
}

/** One input of a rule with several (a path), with its own counters. */
export interface PathStats extends PathCounterFields {
  interface: string;
  group: string;
  port: number;
  source: string | null;
  timeoutMs: number | null;
}

export interface RuleStats extends RuleCounterFields {
  name: string;
  key: string;
  /** The rule's input; for a rule with several, the primary (paths[0]). */
  input: { interface: string; group: string; port: number; source: string | null };
  state: RuleState;
  error: string;
  health: RuleHealthStats;
  /** Every input of a rule with several, the primary first; [] for a rule with one. */
  paths: PathStats[];
  outputs: OutputStats[];
}

/** A reflector's traffic on one of its interfaces, summed over its flows. */
export interface ReflectorInterfaceStats {
  interface: string;
  /** Datagrams that arrived on it (for the reflector's service or group). */
  received: number;
  /** Datagrams relayed out of it, from the reflector's other interfaces. */
  relayed: number;
  /** Of those received, not relayed: by reason. */
  source_denied: number;
  rate_limited: number;
  loop_suppressed: number;
}

export interface ReflectorStats {
  name: string;
  /** "mdns", or the group and port: "239.1.2.3:5000", "broadcast:9". */
  service: string;
  /** Every interface it lists, in the file's order. */
  interfaces: ReflectorInterfaceStats[];
}

/** One reload attempt, good or bad. */
export interface ReloadResult {
  at: string;
  trigger: 'start' | 'sighup' | 'file';
  ok: boolean;
  /** The generation running after this attempt (unchanged when it failed). */
  generation: number;
  /** FILE:LINE:COL: message lines of a refused file, or rules the data plane refused. */
  errors: string[];
  /** What the plan did, when it was applied. */
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** A restart of the data plane was needed (workers, cpus or backend changed). */
  restarted: boolean;
  /** true when the file meant exactly what was running, so nothing was applied. */
  skipped: boolean;
}

export interface StatsFile {
  version: typeof STATS_VERSION;
  /** When this sample was taken (ISO 8601). */
  time: string;
  /** Seconds the rates are computed over. */
  interval: number;
  daemon: {
    pid: number;
    state: DaemonState;
    started: string;
    uptime: number;
    configFile: string;
    backend: string;
    fallbackReason: string;
    workers: number;
    /** The CPU each worker is pinned to, in worker order ([] when not pinned, and in a
     * file from an mcrd older than this field). */
    cpus: number[];
  };
  config: {
    generation: number;
    lastReload: ReloadResult | null;
    /** Reload attempts since start (start-up excluded): a failure between two reads of
     * this file still shows here. */
    reloads: { ok: number; failed: number };
  };
  /** Worker counters summed over all workers (names as in docs/dataplane.md), and
   * `softnet_dropped`: the kernel's backlog drops on the workers' CPUs since mcrd
   * started, each CPU counted once (absent when /proc/net/softnet_stat is unreadable). */
  totals: Record<string, number>;
  /** Each worker's counters, and `softnet_dropped` of the CPU it runs on. */
  workers: Record<string, number>[];
  rules: RuleStats[];
  /** Present when the rules file has [[reflector]] tables: each one per interface. */
  reflectors?: ReflectorStats[];
}
