// The canonical, frozen form of a valid rules file: what the daemon runs and what
// diff() compares. Defaults are resolved here (the schema's own defaults were filled
// in by validation), so two files that mean the same thing give equal RuleSets.
import { addressOf, classify, isMulticast, withoutZone, type Address } from '../net/address.js';
import { describeInput } from './endpoints.js';
import type { Prefix } from './prefix.js';
import { buildReflectorRules } from './reflectors.js';
import type { DaemonSection, McrConfig, RuleInput, RuleOutput, RuleSection } from './schema-types.js';
import { BROADCAST, LIMITED_BROADCAST } from './services.js';

export type LogLevel = NonNullable<DaemonSection['log_level']>;
export type Backend = NonNullable<DaemonSection['backend']>;
/** How an output sends: "frame" (mcr writes the Ethernet frame), "socket" (a UDP socket),
 * or "auto" (frame on Ethernet interfaces, socket elsewhere: the data plane decides). */
export type Egress = NonNullable<DaemonSection['egress']>;
/** Where relayed datagrams' source address comes from: the output interface's own
 * (null), a configured address, or the original sender's address and port ("preserve"). */
export type SourceAddress = Address | 'preserve' | null;

export interface DaemonSettings {
  readonly workers: number | 'auto';
  readonly cpus: readonly number[] | null;
  readonly statsInterval: number;
  readonly statsFile: string;
  readonly prometheusFile: string | null;
  readonly backend: Backend;
  /** Receive ring depth in milliseconds of a stream (one 256 KiB block each). */
  readonly ringMs: number;
  /** The egress of outputs that do not name one. */
  readonly egress: Egress;
  /** The timeout of inputs that name none; null: not watched. */
  readonly inputTimeoutMs: number | null;
  readonly logLevel: LogLevel;
}

export interface Input {
  readonly interface: string;
  readonly group: Address;
  readonly port: number;
  readonly source: Address | null;
  /** Silent this long, the input is stalled; null: not watched. */
  readonly timeoutMs: number | null;
}

/** What a rule's datagrams carry, to be checked as they are relayed. */
export type Payload = NonNullable<RuleSection['payload']>;
/** How a rule with several inputs combines them. */
export type Redundancy = NonNullable<RuleSection['redundancy']>;

/** A rule's stream-health settings (its inputs' timeouts are on the inputs). */
export interface Health {
  readonly payload: Payload | null;
  /** RTP clock in Hz; null: the payload type's static rate. */
  readonly clockRate: number | null;
  readonly redundancy: Redundancy | null;
  /** Failover: back to an earlier input after this long alive; null: never. */
  readonly revertAfterMs: number | null;
  /** Merge: how long a later copy is still expected. */
  readonly mergeWindowMs: number;
}

/** The settings of a rule that only relays: no payload analysis, no redundancy. */
export const PLAIN_HEALTH: Health = Object.freeze({ payload: null, clockRate: null, redundancy: null, revertAfterMs: null, mergeWindowMs: 0 });

export interface Output {
  readonly interface: string;
  readonly group: Address;
  readonly port: number;
  readonly ttl: number;
  readonly sourceAddress: SourceAddress;
  /** The output's own egress, or [daemon] egress when it names none. */
  readonly egress: Egress;
  /** 0 to 63; 0 is best effort. */
  readonly dscp: number;
  /** group = "broadcast": the directed broadcast of the output interface's subnet, which
   * the data plane works out from the interface's address and prefix (`group` holds the
   * limited broadcast meanwhile). Absent otherwise. */
  readonly directed?: true;
}

/** What a flow made from a [[reflector]] table knows of it, for stats and messages. */
export interface ReflectorLink {
  readonly name: string;
  /** "mdns", or the group and port: "239.1.2.3:5000", "broadcast:9". */
  readonly service: string;
  /** All its interfaces, in the file's order (the flows' inputs are those of `from`). */
  readonly interfaces: readonly string[];
  /** Its place among the file's [[reflector]] tables, for positioned warnings. */
  readonly index: number;
}

/** What the data plane checks per datagram before a flow replicates it. Flows with the
 * same `group` share one window of what was relayed (loop suppression), and flows with
 * the same group and input interface one token bucket. */
export interface FlowPolicy {
  /** The reflector's name. */
  readonly group: string;
  /** Empty: every sender. */
  readonly allowSources: readonly Prefix[];
  readonly denySources: readonly Prefix[];
  readonly rateLimit: { readonly pps: number; readonly burst: number } | null;
  /** 0: no loop suppression. */
  readonly loopWindowMs: number;
}

export interface Rule {
  /** The rule's identity: its inputs, in order. Equal keys are the same flow. */
  readonly key: string;
  /** A label for stats and logs; renaming is not a flow change. */
  readonly name: string;
  readonly enabled: boolean;
  /** The primary input: inputs[0]. */
  readonly input: Input;
  /** Every input, the primary first: [input] for a rule with one. */
  readonly inputs: readonly Input[];
  readonly health: Health;
  readonly outputs: readonly Output[];
  /** Present on the flows a [[reflector]] table makes. */
  readonly reflector?: ReflectorLink;
  readonly policy?: FlowPolicy;
}

export interface RuleSet {
  readonly daemon: DaemonSettings;
  readonly rules: readonly Rule[];
}

/** Multicast stays on the local segment unless asked (IGMP convention), as does an IPv6
 * link-local destination, which no router forwards anyway; unicast gets the usual host
 * default. (IPv4's 169.254.0.0/16 keeps 64: that default has always been so.) */
export const DEFAULT_MULTICAST_TTL = 1;
export const DEFAULT_UNICAST_TTL = 64;
/** The timeout of a redundant rule's inputs when neither they nor [daemon] name one. */
export const DEFAULT_REDUNDANT_TIMEOUT_MS = 200;
export const DEFAULT_REVERT_AFTER_MS = 5000;
export const DEFAULT_MERGE_WINDOW_MS = 100;

/** The file's spelling of a [daemon] setting: statsInterval -> stats_interval. */
export function settingFileKey(setting: string): string {
  return setting.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** An input's identity. Addresses are in canonical text, so respelling one is no change. */
export function inputKey(input: Pick<Input, 'interface' | 'group' | 'port' | 'source'>): string {
  return `${input.interface}|${input.group.text}|${input.port}|${input.source?.text ?? '*'}`;
}

/** A flow's identity: its input's, or for several inputs theirs in order joined by " + "
 * (the primary first: swapping primary and backup is another flow). Timeouts and the
 * health settings are not part of it: changing them changes the rule in place. */
export function ruleKey(inputs: readonly Input[]): string {
  return inputs.map(inputKey).join(' + ');
}

/** The health settings of a rule and its inputs' timeouts, as one comparable text. */
export function healthKey(rule: Pick<Rule, 'health' | 'inputs'>): string {
  return JSON.stringify([rule.health, rule.inputs.map((input) => input.timeoutMs)]);
}

/** The source address as text: an address, "preserve", or null for the interface's. */
export function sourceText(source: SourceAddress): string | null {
  return source === null || source === 'preserve' ? source : source.text;
}

/** An output's identity: any change to it (even its TTL, its egress kind or its DSCP)
 * makes it a different output. Egress and DSCP are appended only when they are not the
 * defaults, so an output that uses neither keeps the key it always had. */
export function outputKey(output: Output): string {
  const base = `${output.interface}|${output.group.text}|${output.port}|${output.ttl}|${sourceText(output.sourceAddress) ?? '-'}`;
  const egress = output.egress === 'auto' ? '' : `|egress=${output.egress}`;
  const dscp = output.dscp === 0 ? '' : `|dscp=${output.dscp}`;
  const directed = output.directed ? '|directed' : '';
  return base + egress + dscp + directed;
}

/** The group of an output as the file and the stats say it: "broadcast" for the
 * directed broadcast, else the address. */
export function outputGroupText(output: Output): string {
  return output.directed ? BROADCAST : output.group.text;
}

/** The address a rule input or output group names: "broadcast" is the limited broadcast. */
export function groupAddress(text: string): Address {
  return fileAddress(text === BROADCAST ? LIMITED_BROADCAST : text);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validation has checked every address, so a text that does not parse is a bug. A
 * zone is dropped: validation made sure it names the rule's own interface, which is
 * the address's link already, so "ff02::fb%eth0" on eth0 is the flow "ff02::fb". */
function fileAddress(text: string): Address {
  return withoutZone(addressOf(text));
}

function optionalAddress(text: string | undefined): Address | null {
  return text === undefined ? null : fileAddress(text);
}

/** The TTL or hop limit an output gets when it names none. */
export function defaultTtl(group: Address): number {
  const linkLocal = group.family === 'ipv6' && classify(group).kind === 'link-local';
  return isMulticast(group) || linkLocal ? DEFAULT_MULTICAST_TTL : DEFAULT_UNICAST_TTL;
}

function toOutput(output: RuleOutput, egress: Egress): Output {
  const group = groupAddress(output.group);
  return {
    interface: output.interface,
    group,
    port: output.port,
    ttl: output.ttl ?? defaultTtl(group),
    sourceAddress: output.source_address === 'preserve' ? 'preserve' : optionalAddress(output.source_address),
    egress: output.egress ?? egress,
    dscp: output.dscp ?? 0,
    ...(output.group === BROADCAST ? { directed: true as const } : {}),
  };
}

function toInput(input: RuleInput, timeoutMs: number | null): Input {
  return {
    interface: input.interface,
    group: groupAddress(input.group),
    port: input.port,
    source: optionalAddress(input.source),
    timeoutMs: input.timeout_ms ?? timeoutMs,
  };
}

function toHealth(rule: RuleSection): Health {
  const redundancy = rule.redundancy ?? null;
  const revert = rule.revert_after_ms ?? DEFAULT_REVERT_AFTER_MS;
  return {
    payload: rule.payload ?? null,
    clockRate: rule.clock_rate ?? null,
    redundancy,
    revertAfterMs: redundancy === 'failover' && revert !== 'never' ? revert : null,
    mergeWindowMs: redundancy === 'merge' ? (rule.merge_window_ms ?? DEFAULT_MERGE_WINDOW_MS) : 0,
  };
}

function toRule(rule: RuleSection, egress: Egress, inputTimeoutMs: number | null): Rule {
  const several = rule.inputs !== undefined;
  const timeout = inputTimeoutMs ?? (several ? DEFAULT_REDUNDANT_TIMEOUT_MS : null);
  // Validation made sure there is exactly one of input and inputs.
  const inputs = (rule.inputs ?? (rule.input ? [rule.input] : [])).map((input) => toInput(input, timeout));
  const input = inputs[0];
  if (input === undefined) throw new Error('internal error: a validated rule has no input');
  return {
    key: ruleKey(inputs),
    name: rule.name ?? (several ? `${describeInput(input)} (+${inputs.length - 1})` : describeInput(input)),
    enabled: filled(rule.enabled, 'enabled'),
    input,
    inputs,
    health: toHealth(rule),
    outputs: rule.outputs.map((output) => toOutput(output, egress)),
  };
}

/** Defaults live in the schema and validation fills them in; a gap here is a bug. */
function filled<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`internal error: the schema default of ${key} was not applied`);
  return value;
}

/** Builds the RuleSet from a file that passed validation (defaults filled in). */
export function buildRuleSet(config: McrConfig): RuleSet {
  const daemon = filled(config.daemon, 'daemon');
  const egress = filled(daemon.egress, 'egress');
  return deepFreeze({
    daemon: {
      workers: filled(daemon.workers, 'workers'),
      cpus: daemon.cpus ?? null,
      statsInterval: filled(daemon.stats_interval, 'stats_interval'),
      statsFile: filled(daemon.stats_file, 'stats_file'),
      prometheusFile: daemon.prometheus_file ?? null,
      backend: filled(daemon.backend, 'backend'),
      ringMs: filled(daemon.ring_ms, 'ring_ms'),
      egress,
      inputTimeoutMs: daemon.input_timeout_ms ?? null,
      logLevel: filled(daemon.log_level, 'log_level'),
    },
    rules: [
      ...(config.rule ?? []).map((rule) => toRule(rule, egress, daemon.input_timeout_ms ?? null)),
      ...buildReflectorRules(config.reflector ?? [], egress),
    ],
  });
}
