// The data plane as the daemon sees it: applies reload plans to the native workers,
// reads their counters from shared memory, and re-resolves interfaces when links come
// and go. With src/native/notify.ts, the only module that uses the native binding (which
// it takes as a parameter, so its logic is testable without the addon); what it hands
// out is in domain terms (addresses as canonical text at the boundary, no counter slots).
// It never sits on the packet path.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus as osCpus } from 'node:os';
import { outputKey, type Backend, type Rule } from './config/ruleset.js';
import { layoutOf, readCounters, type CounterLayout, type CounterSnapshot } from './counters.js';
import type { Plan } from './diff.js';
import type {
  LinkEvent,
  NativeBinding,
  NativeDataPlane,
  NativeInfo,
  NativeOutput,
  NativeRule,
  NativeRuleStatus,
} from './native/binding-types.js';
import { loadBinding } from './native/load-binding.js';

/** Thrown by DataPlane.open when the native addon cannot be loaded; it names every path tried. */
export { NativeLoadError as DataPlaneUnavailable } from './native/load-binding.js';

export interface DataPlaneSettings {
  readonly workers: number | 'auto';
  readonly cpus: readonly number[] | null;
  readonly backend: Backend;
}

export interface ApplyError {
  readonly key: string;
  readonly message: string;
}

/** Where the data plane has a rule or an output: running, waiting for its interface, or failed. */
export type PlaneState = 'active' | 'pending' | 'error';

export interface OutputStatus {
  readonly key: string;
  readonly state: PlaneState;
  /** Why it failed, when state is "error"; else "". */
  readonly error: string;
}

export interface RuleStatus {
  readonly key: string;
  readonly state: PlaneState;
  readonly error: string;
  /** The input interface's index, 0 while it is missing: a new index means it was created again. */
  readonly ifindex: number;
  readonly outputs: readonly OutputStatus[];
}

export interface PlaneInfo {
  readonly backend: 'io_uring' | 'syscalls';
  /** Why io_uring is not used, when the backend was "auto" and fell back; else "". */
  readonly fallbackReason: string;
  readonly workers: number;
}

export interface LinkChange {
  /** "" when the kernel lost events and every interface was looked up again. */
  readonly name: string;
  readonly state: 'up' | 'down' | 'removed';
}

/** Link events are coalesced for this long before interfaces are looked up again. */
const REFRESH_DELAY_MS = 20;

/** CPUs this process may run on, from the kernel's affinity list ("0-3,6"). */
export function allowedCpus(status = readFileSync('/proc/self/status', 'utf8')): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) return osCpus().map((_, index) => index);
  return list.split(',').flatMap((range) => {
    const [low = 0, high = low] = range.split('-').map(Number);
    return Array.from({ length: high - low + 1 }, (_, i) => low + i);
  });
}

/** One worker per configured CPU, each pinned to its CPU. */
export function placeWorkers(settings: DataPlaneSettings, allowed: readonly number[]): { workers: number; cpus: number[] } {
  const cpus = settings.cpus ? [...settings.cpus] : [...allowed];
  const workers = settings.workers === 'auto' ? Math.max(1, cpus.length) : settings.workers;
  return { workers, cpus: cpus.length > 0 ? cpus.slice(0, Math.max(workers, 1)) : [] };
}

// The addon takes addresses as their canonical text.
export function toNativeOutputs(rule: Rule): NativeOutput[] {
  return rule.outputs.map((output) => ({
    key: outputKey(output),
    interface: output.interface,
    group: output.group.text,
    port: output.port,
    ttl: output.ttl,
    sourceAddress: output.sourceAddress?.text ?? null,
  }));
}

export function toNativeRule(rule: Rule): NativeRule {
  return {
    key: rule.key,
    interface: rule.input.interface,
    group: rule.input.group.text,
    port: rule.input.port,
    source: rule.input.source?.text ?? null,
    outputs: toNativeOutputs(rule),
  };
}

function toRuleStatus(native: NativeRuleStatus): RuleStatus {
  const { key, state, error, ifindex } = native;
  return { key, state, error, ifindex, outputs: native.outputs.map((output) => ({ key: output.key, state: output.state, error: output.error })) };
}

function toLinkChange(event: LinkEvent): LinkChange {
  return { name: event.name, state: event.removed ? 'removed' : event.running ? 'up' : 'down' };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface DataPlaneEvents {
  /** A link changed, and the rules have been re-resolved against it. */
  link: [LinkChange];
}

export class DataPlane extends EventEmitter<DataPlaneEvents> {
  readonly info: PlaneInfo;
  private readonly layout: CounterLayout;
  /** Kept native: the counter slots in them are how counters are found. */
  private statuses: NativeRuleStatus[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private pendingEvents: LinkChange[] = [];
  private closed = false;

  private constructor(private readonly native: NativeDataPlane) {
    super();
    const info: NativeInfo = native.info();
    this.info = { backend: info.backend, fallbackReason: info.fallbackReason, workers: info.workers };
    this.layout = layoutOf(info);
  }

  static open(settings: DataPlaneSettings, binding: NativeBinding = loadBinding(), allowed = allowedCpus()): DataPlane {
    const placement = placeWorkers(settings, allowed);
    let plane: DataPlane | undefined;
    const native = new binding.DataPlane({ ...placement, backend: settings.backend }, (event) => plane?.onLink(event));
    plane = new DataPlane(native);
    return plane;
  }

  /** Applies a reload plan; a rule that fails is reported and the others go on. */
  apply(plan: Plan): ApplyError[] {
    const errors: ApplyError[] = [];
    const attempt = (key: string, action: () => void): void => {
      try {
        action();
      } catch (error) {
        errors.push({ key, message: message(error) });
      }
    };
    this.native.beginBatch();
    try {
      // Removals first: they give back the counter slots and sockets that additions need.
      for (const rule of plan.removed) attempt(rule.key, () => this.native.removeRule(rule.key));
      for (const change of plan.changed) {
        attempt(change.after.key, () => this.native.replaceOutputs(change.after.key, toNativeOutputs(change.after)));
      }
      for (const rule of plan.added) attempt(rule.key, () => this.native.addRule(toNativeRule(rule)));
    } finally {
      this.native.endBatch();
    }
    this.statuses = this.native.describe();
    return errors;
  }

  /** Looks every interface up again: pending rules start, vanished ones pause. */
  refresh(): void {
    this.native.refresh();
    this.statuses = this.native.describe();
  }

  /** Each running rule's state (active, pending, error) and its outputs'. */
  status(): RuleStatus[] {
    return this.statuses.map(toRuleStatus);
  }

  /** Reads the shared counters: no system call, no copy of the native state. */
  counters(): CounterSnapshot {
    return readCounters(this.native.counters(), this.layout, this.statuses);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.refreshTimer);
    this.native.close();
  }

  private onLink(event: LinkEvent): void {
    if (this.closed) return;
    this.pendingEvents.push(toLinkChange(event));
    // An interface being created sends several events in a row: look up once.
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.closed) return;
      this.refresh();
      const events = this.pendingEvents;
      this.pendingEvents = [];
      for (const pending of events) this.emit('link', pending);
    }, REFRESH_DELAY_MS);
  }
}
