// The typed face of the native addon: what JavaScript may call. Only
// src/native/load-binding.ts produces one, and only src/dataplane.ts and
// src/native/notify.ts use it (test/architecture.test.ts holds that); the data plane
// wrapper takes it as a parameter so its logic can be tested without the addon.

export interface AddonVersion {
  /** The native ABI version, compared against EXPECTED_ADDON_VERSION. */
  readonly addon: string;
  readonly napi: number;
  /** The C++ standard the addon was compiled with (__cplusplus). */
  readonly cplusplus: number;
}

export type BackendChoice = 'auto' | 'io_uring' | 'syscalls';

export interface NativeOptions {
  workers: number;
  cpus?: number[];
  backend?: BackendChoice;
  /** Receive ring depth: blocks of 256 KiB, one per millisecond of a slow stream. */
  ringMs?: number;
  maxRules?: number;
  maxOutputs?: number;
  ringBlocks?: number;
}

export type NativeEgress = 'auto' | 'frame' | 'socket';

export interface NativeOutput {
  key: string;
  interface: string;
  /** "auto" (the default): frame on Ethernet interfaces, socket elsewhere. */
  egress?: NativeEgress;
  group: string;
  port: number;
  ttl: number;
  /** 0 to 63; default 0. */
  dscp?: number;
  /** null: the interface's primary address (followed); an address; or "preserve": the
   * original sender's address and port (frame outputs of the input's family only). */
  sourceAddress?: string | null;
  /** group = "broadcast": the directed broadcast of the interface's subnet (group is
   * 255.255.255.255 then). */
  directed?: boolean;
}

export interface NativePrefix {
  address: string;
  /** As written: 0-32 for IPv4, 0-128 for IPv6. */
  length: number;
}

/** A reflector flow's checks; flows with equal policies share one loop window, and those
 * of one input interface one token bucket. */
export interface NativePolicy {
  group: string;
  allow: NativePrefix[];
  deny: NativePrefix[];
  /** 0: no rate limit. */
  ratePps: number;
  rateBurst: number;
  /** 0: no loop suppression. */
  loopWindowMs: number;
}

export interface NativeInput {
  interface: string;
  group: string;
  port: number;
  source?: string | null;
  /** Silent this long, the input is stalled; 0 or absent: not watched. */
  timeoutMs?: number;
}

/** What a rule's datagrams carry, and how its inputs combine (all optional). */
export interface NativeHealth {
  payload?: 'none' | 'rtp' | 'mpegts' | 'rtp-mpegts' | 'auto';
  /** RTP clock in Hz; 0: the payload type's static rate. */
  clockRate?: number;
  redundancy?: 'none' | 'failover' | 'merge';
  /** Failover: back to an earlier input after this long alive; null: never. */
  revertAfterMs?: number | null;
  mergeWindowMs?: number;
}

/** A rule: its inputs (the first the primary), or the older flat form of one input
 * (interface, group, port, source). */
export interface NativeRule {
  key: string;
  inputs?: NativeInput[];
  interface?: string;
  group?: string;
  port?: number;
  source?: string | null;
  health?: NativeHealth;
  outputs: NativeOutput[];
  policy?: NativePolicy | null;
}

export interface NativeInputStatus {
  state: NativeState;
  ifindex: number;
  error: string;
}

export type NativeState = 'active' | 'pending' | 'error';
/** An output may also be resolving: a unicast frame output whose next hop has no MAC yet
 * (it drops, counted as neighbour_wait, until an output with the MAC replaces it). */
export type NativeOutputState = NativeState | 'resolving';

export interface NativeOutputStatus {
  key: string;
  slot: number;
  state: NativeOutputState;
  error: string;
  /** The kind that is open: "" while none is (pending, error). */
  egress: 'frame' | 'socket' | '';
}

export interface NativeRuleStatus {
  key: string;
  slot: number;
  state: NativeState;
  error: string;
  ifindex: number;
  /** Each input's own state, in the rule's order (absent from an older addon). */
  inputs?: NativeInputStatus[];
  outputs: NativeOutputStatus[];
}

export interface NativeInfo {
  backend: 'io_uring' | 'syscalls';
  /** Why io_uring is not used, when the backend was "auto" and fell back; else "". */
  fallbackReason: string;
  workers: number;
  /** uint64 words per worker block in the counters buffer. */
  blockWords: number;
  /** Rule slots per block; output counters start after them. */
  maxRules: number;
  /** Output slots per block; path counters start after them. */
  maxOutputs?: number;
  /** Path slots per rule slot (the most inputs a rule may have). */
  maxInputs?: number;
  workerCounters: string[];
  ruleCounters: string[];
  outputCounters: string[];
  pathCounters?: string[];
}

export interface LinkEvent {
  /** What changed: a link (added, removed, up, down), an address, or a neighbour entry.
   * All three can change a frame output's path; only "link" is an interface's state. */
  kind: 'link' | 'address' | 'neighbour';
  /** 0 when the kernel reported lost events: every interface must be looked up again. */
  ifindex: number;
  name: string;
  removed: boolean;
  up: boolean;
  running: boolean;
}

export interface NativeDataPlane {
  addRule(rule: NativeRule): void;
  /** policy: the rule's checks from now on (null: none). */
  replaceOutputs(key: string, outputs: NativeOutput[], policy?: NativePolicy | null): void;
  /** New health settings for a running rule (by key); its inputs give the timeouts. */
  setHealth(rule: Pick<NativeRule, 'key' | 'inputs' | 'health'>): void;
  removeRule(key: string): void;
  /** Until endBatch, filter rebuilds and worker hand-overs wait, to happen once. */
  beginBatch(): void;
  endBatch(): void;
  refresh(): void;
  describe(): NativeRuleStatus[];
  /** The live counters, shared with the workers: the same buffer on every call. */
  counters(): ArrayBuffer;
  info(): NativeInfo;
  close(): void;
}

export interface NativeDataPlaneClass {
  new (options: NativeOptions, onLinkEvent: (event: LinkEvent) => void): NativeDataPlane;
}

export interface NativeBinding {
  version(): AddonVersion;
  /** Sends one sd_notify datagram to the Unix socket at socketPath ("@x": abstract). */
  notify(socketPath: string, message: string): void;
  DataPlane: NativeDataPlaneClass;
}
