// The data plane as the daemon sees it: applies reload plans to the native workers,
// reads their counters from shared memory, and re-resolves interfaces when links come
// and go. With src/native/notify.ts, the only module that uses the native binding (which
// it takes as a parameter, so its logic is testable without the addon); what it hands
// out is in domain terms (addresses as canonical text at the boundary, no counter slots).
// It never sits on the packet path. Frame outputs bake the kernel's answers (MACs, MTU,
// addresses, next hop) into their headers, so every link, address and neighbour event
// asks the data plane to look again, and an output still resolving its next hop is
// looked at again every second until it is resolved.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus as osCpus } from 'node:os';
import type { Prefix } from './config/prefix.js';
import { outputKey, sourceText, type Backend, type Rule } from './config/ruleset.js';
import { layoutOf, readCounters, type CounterLayout, type CounterSnapshot } from './counters.js';
import type { Plan } from './diff.js';
import type {
  LinkEvent,
  NativeBinding,
  NativeDataPlane,
  NativeHealth,
  NativeInfo,
  NativeInput,
  NativeOutput,
  NativeOutputStatus,
  NativePolicy,
  NativePrefix,
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
  /** Receive ring depth in ms; the data plane's default (300) when absent. */
  readonly ringMs?: number;
}

export interface ApplyError {
  readonly key: string;
  readonly message: string;
}

/** Where the data plane has a rule or an output: running, waiting for its interface, or failed. */
export type PlaneState = 'active' | 'pending' | 'error';
/** An output may also be resolving: a unicast frame output waiting for its next hop's
 * MAC (its datagrams are counted as neighbour_wait meanwhile). */
export type OutputPlaneState = PlaneState | 'resolving';
/** The kind of output that is open; "" while none is. */
export type OpenEgress = 'frame' | 'socket' | '';

export interface OutputStatus {
  readonly key: string;
  readonly state: OutputPlaneState;
  /** Why it failed, when state is "error"; else "". */
  readonly error: string;
  readonly egress: OpenEgress;
}

export interface RuleStatus {
  readonly key: string;
  readonly state: PlaneState;
  readonly error: string;
  /** The input interface's index, 0 while it is missing: a new index means it was created again. */
  readonly ifindex: number;
  /** Each input's state, in the rule's order (one for a rule with one input). */
  readonly inputs?: readonly PlaneState[];
  readonly outputs: readonly OutputStatus[];
}

export interface PlaneInfo {
  readonly backend: 'io_uring' | 'syscalls';
  /** Why io_uring is not used, when the backend was "auto" and fell back; else "". */
  readonly fallbackReason: string;
  readonly workers: number;
  /** The CPU each worker is pinned to, in worker order (empty: not pinned). */
  readonly cpus: readonly number[];
}

export interface LinkChange {
  /** "" when the kernel lost events and every interface was looked up again. */
  readonly name: string;
  readonly state: 'up' | 'down' | 'removed';
}

/** Link events are coalesced for this long before interfaces are looked up again. */
const REFRESH_DELAY_MS = 20;
/** While an output is resolving its next hop, the kernel is asked again this often: a
 * neighbour that did not answer (FAILED) sends no event when it comes back. */
export const RESOLVE_RETRY_MS = 1000;

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
    egress: output.egress,
    group: output.group.text,
    port: output.port,
    ttl: output.ttl,
    dscp: output.dscp,
    sourceAddress: sourceText(output.sourceAddress),
    ...(output.directed ? { directed: true } : {}),
  }));
}

export function toNativeInputs(rule: Rule): NativeInput[] {
  return rule.inputs.map((input) => ({
    interface: input.interface,
    group: input.group.text,
    port: input.port,
    source: input.source?.text ?? null,
    timeoutMs: input.timeoutMs ?? 0,
  }));
}

export function toNativeHealth(rule: Rule): NativeHealth {
  const { health } = rule;
  return {
    payload: health.payload ?? 'none',
    clockRate: health.clockRate ?? 0,
    redundancy: health.redundancy ?? 'none',
    revertAfterMs: health.revertAfterMs,
    mergeWindowMs: health.mergeWindowMs,
  };
}

export function toNativePolicy(rule: Rule): NativePolicy | null {
  const { policy } = rule;
  if (!policy) return null;
  const prefixes = (list: readonly Prefix[]): NativePrefix[] => list.map((prefix) => ({ address: prefix.address.text, length: prefix.length }));
  return {
    group: policy.group,
    allow: prefixes(policy.allowSources),
    deny: prefixes(policy.denySources),
    ratePps: policy.rateLimit?.pps ?? 0,
    rateBurst: policy.rateLimit?.burst ?? 0,
    loopWindowMs: policy.loopWindowMs,
  };
}

export function toNativeRule(rule: Rule): NativeRule {
  return {
    key: rule.key,
    inputs: toNativeInputs(rule),
    health: toNativeHealth(rule),
    outputs: toNativeOutputs(rule),
    ...(rule.policy ? { policy: toNativePolicy(rule) } : {}),
  };
}

function toOutputStatus(native: NativeOutputStatus): OutputStatus {
  // An older addon reports no egress: "" (unknown) rather than undefined.
  return { key: native.key, state: native.state, error: native.error, egress: native.egress ?? '' };
}

function toRuleStatus(native: NativeRuleStatus): RuleStatus {
  const { key, state, error, ifindex } = native;
  const inputs = native.inputs?.map((input) => input.state) ?? [state];
  return { key, state, error, ifindex, inputs, outputs: native.outputs.map(toOutputStatus) };
}

function anyResolving(statuses: readonly NativeRuleStatus[]): boolean {
  return statuses.some((rule) => rule.outputs.some((output) => output.state === 'resolving'));
}

function toLinkChange(event: LinkEvent): LinkChange {
  return { name: event.name, state: event.removed ? 'removed' : event.running ? 'up' : 'down' };
}

/** The CPU of each worker: the addon pins worker i to cpus[i % cpus.length]. */
export function workerCpus(workers: number, cpus: readonly number[]): number[] {
  if (cpus.length === 0) return [];
  return Array.from({ length: workers }, (_, i) => cpus[i % cpus.length] ?? 0);
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
  private retryTimer: NodeJS.Timeout | undefined;
  private pendingEvents: LinkChange[] = [];
  private closed = false;

  private constructor(
    private readonly native: NativeDataPlane,
    cpus: readonly number[],
  ) {
    super();
    const info: NativeInfo = native.info();
    this.info = { backend: info.backend, fallbackReason: info.fallbackReason, workers: info.workers, cpus: workerCpus(info.workers, cpus) };
    this.layout = layoutOf(info);
  }

  static open(settings: DataPlaneSettings, binding: NativeBinding = loadBinding(), allowed = allowedCpus()): DataPlane {
    const placement = placeWorkers(settings, allowed);
    let plane: DataPlane | undefined;
    const native = new binding.DataPlane({ ...placement, backend: settings.backend, ...(settings.ringMs ? { ringMs: settings.ringMs } : {}) }, (event) => plane?.onLink(event));
    plane = new DataPlane(native, placement.cpus);
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
        const { after } = change;
        attempt(after.key, () => {
          const outputsChanged = change.outputs.added.length + change.outputs.removed.length > 0;
          if (outputsChanged || change.policy) this.native.replaceOutputs(after.key, toNativeOutputs(after), toNativePolicy(after));
          if (change.health) this.native.setHealth({ key: after.key, inputs: toNativeInputs(after), health: toNativeHealth(after) });
        });
      }
      for (const rule of plan.added) attempt(rule.key, () => this.native.addRule(toNativeRule(rule)));
    } finally {
      this.native.endBatch();
    }
    this.described();
    return errors;
  }

  /** Looks every interface up again: pending rules start, vanished ones pause, and
   * frame outputs whose MACs, MTU, source address or next hop changed are replaced. */
  refresh(): void {
    this.native.refresh();
    this.described();
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
    clearTimeout(this.retryTimer);
    this.native.close();
  }

  /** Takes the data plane's statuses, and keeps asking the kernel while an output is
   * resolving: one timer at a time, gone once nothing resolves. */
  private described(): void {
    this.statuses = this.native.describe();
    if (!anyResolving(this.statuses) || this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) this.refresh();
    }, RESOLVE_RETRY_MS);
    // It must not keep a process alive that has nothing else to do.
    this.retryTimer.unref();
  }

  private onLink(event: LinkEvent): void {
    if (this.closed) return;
    // Address and neighbour events only ask for a refresh (a frame output may follow
    // them); they are not an interface going up or down.
    if (event.kind === 'link') this.pendingEvents.push(toLinkChange(event));
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
