// GENERATED from config/mcr.schema.json by scripts/gen-types.mjs: do not edit.
// These are the shapes of the rules file as written; src/config/ruleset.ts holds
// the canonical, defaulted form the daemon runs.

/**
 * A Linux network interface name, such as eth0 or br-media.
 */
export type InterfaceName = string
/**
 * A UDP port.
 */
export type Port = number

/**
 * The mcr rules file (/etc/mcr.toml), after TOML parsing. Ranges that need a friendlier message than a schema can give (port 0, TTL, addresses that are valid IPv4 but wrong for their place, interface names) and rules that span keys (source_address = "preserve" with socket egress or across address families) are checked after the schema, in src/config/semantic.ts.
 */
export interface McrConfig {
daemon?: DaemonSection
limits?: LimitsSection
/**
 * The relay rules, one [[rule]] table each.
 */
rule?: RuleSection[]
}
/**
 * Settings of the mcrd process itself.
 */
export interface DaemonSection {
/**
 * Data plane worker threads: "auto" (one per usable CPU) or a count.
 */
workers?: ("auto" | number)
/**
 * CPUs to pin the workers to, in order; default: no pinning.
 * 
 * @minItems 1
 */
cpus?: [number, ...(number)[]]
/**
 * Seconds between stats samples (stats file, Prometheus file, log line).
 */
stats_interval?: number
/**
 * Where the JSON stats file is written (atomically).
 */
stats_file?: string
/**
 * Optional Prometheus text file for node_exporter's textfile collector.
 */
prometheus_file?: string
/**
 * How workers send and wait: "auto" (io_uring where the kernel allows it, else plain system calls), "io_uring", or "syscalls".
 */
backend?: ("auto" | "io_uring" | "syscalls")
/**
 * How outputs that do not say send: "auto" (frame on Ethernet interfaces, socket elsewhere), "frame" (mcr writes the Ethernet frame itself) or "socket" (a UDP socket: the kernel routes, resolves neighbours, fragments and filters). Changing it changes those outputs, without a data plane restart.
 */
egress?: ("auto" | "frame" | "socket")
/**
 * Default input timeout of every rule, in milliseconds: an input silent this long is stalled (see [[rule]] input.timeout_ms). Default: none (rules with several inputs use 200).
 */
input_timeout_ms?: number
/**
 * Least severe level that is logged.
 */
log_level?: ("error" | "warn" | "info" | "debug")
}
/**
 * Bounds on what one rules file may ask for, so that a bad file cannot exhaust memory or file descriptors. A file over a limit is refused whole (mcr check, start and reload alike). The maximums are what the data plane has room for.
 */
export interface LimitsSection {
/**
 * Most [[rule]] tables, enabled or not.
 */
max_rules?: number
/**
 * Most outputs of all rules together (each is one UDP socket).
 */
max_outputs?: number
/**
 * Most outputs of one rule: the fan-out, by which every received datagram is multiplied.
 */
max_outputs_per_rule?: number
/**
 * Most distinct input groups (interface, group and source) mcrd joins or listens on.
 */
max_groups?: number
/**
 * Most distinct input interfaces; each takes one 16 MiB packet ring per worker.
 */
max_input_interfaces?: number
}
/**
 * One relay rule: what to receive (input, or inputs for redundant sources), and where to republish it.
 */
export interface RuleSection {
/**
 * A label for stats and logs. Default: interface:group:port of the input.
 */
name?: string
/**
 * A disabled rule is checked but does not forward.
 */
enabled?: boolean
input?: RuleInput
/**
 * Several inputs carrying one stream, the first the primary, instead of input; redundancy says how they are combined.
 * 
 * @minItems 2
 * @maxItems 4
 */
inputs?: [RuleInput, RuleInput]|[RuleInput, RuleInput, RuleInput]|[RuleInput, RuleInput, RuleInput, RuleInput]
/**
 * How the inputs are combined: "failover" (relay the first input that is not silent, preferring the primary) or "merge" (SMPTE ST 2022-7: relay the first copy of each RTP sequence number from any input).
 */
redundancy?: ("failover" | "merge")
/**
 * Failover: go back to an earlier input once it has been alive this long, in milliseconds, or "never". Default 5000.
 */
revert_after_ms?: (number | "never")
/**
 * Merge: how long after a sequence number was first relayed (or found missing) another input's copy is still expected, in milliseconds. Default 100.
 */
merge_window_ms?: number
/**
 * What the rule's datagrams carry, to be checked as they are relayed: "rtp" (sequence numbers, jitter), "mpegts" (188-byte transport stream packets: continuity, errors), "rtp-mpegts" (MPEG-TS inside RTP), or "auto" (recognised from the first datagrams). Default: not looked at.
 */
payload?: ("rtp" | "mpegts" | "rtp-mpegts" | "auto")
/**
 * The RTP timestamp clock in Hz, for jitter; default: the payload type's static rate (90000 for MPEG-TS, PT 33).
 */
clock_rate?: number
/**
 * Where each received datagram is republished.
 */
outputs: RuleOutput[]
}
/**
 * The flow a rule receives. Its identity: no two rules may share one.
 */
export interface RuleInput {
interface: InterfaceName
/**
 * Destination address to receive: a multicast group, or a unicast address (unicast to multicast).
 */
group: string
port: Port
/**
 * Only accept datagrams from this sender (source-specific join for a multicast group).
 */
source?: string
/**
 * Silent this long (milliseconds), the input is stalled: the rule's state says so, and a failover rule switches inputs. Default: [daemon] input_timeout_ms, else not watched (200 on rules with several inputs).
 */
timeout_ms?: number
}
/**
 * One destination of a rule.
 */
export interface RuleOutput {
interface: InterfaceName
/**
 * Destination address: a multicast group, or a unicast address (multicast to unicast).
 */
group: string
port: Port
/**
 * IP TTL of relayed datagrams. Default: 1 for a multicast group, 64 for unicast.
 */
ttl?: number
/**
 * Source address of relayed datagrams: an address, or "preserve" for the original sender's address and port (frame egress, same address family only); default: the interface's primary address.
 */
source_address?: string
/**
 * How this output sends (see [daemon] egress, its default).
 */
egress?: ("auto" | "frame" | "socket")
/**
 * DSCP of relayed datagrams (the upper six bits of the IPv4 TOS byte), 0 to 63; default 0 (best effort).
 */
dscp?: number
}
