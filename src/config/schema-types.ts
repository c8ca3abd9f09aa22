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
 * The mcr rules file (/etc/mcr.toml), after TOML parsing. Ranges that need a friendlier message than a schema can give (port 0, TTL, addresses that are valid but wrong for their place (reserved scopes, zones, families that do not go together), interface names) and rules that span keys (source_address = "preserve" with socket egress or across address families) are checked after the schema, in src/config/semantic.ts; [[reflector]] tables in src/config/reflector-checks.ts.
 */
export interface McrConfig {
daemon?: DaemonSection
limits?: LimitsSection
/**
 * The relay rules, one [[rule]] table each.
 */
rule?: RuleSection[]
/**
 * Discovery reflectors, one [[reflector]] table each: a service (or a group and port) relayed between every listed interface and the others, never back where it came from. Each becomes ordinary flows, one per input interface and address family.
 */
reflector?: ReflectorSection[]
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
 * Depth of each input's receive ring, in milliseconds of a stream: at least this long of any stream up to about 180,000 pps of 1,400-byte datagrams rides out a worker that is not scheduled. Each ring takes ring_ms x 256 KiB of memory, per input interface and worker.
 */
ring_ms?: number
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
 * Destination address to receive: a multicast group, a unicast address of this host (unicast to multicast), or "broadcast" (also written 255.255.255.255): the limited broadcast and the interface's directed broadcast.
 */
group: string
port: Port
/**
 * An IP address: IPv4 as a dotted quad, or IPv6 in any RFC 4291 text form (ff0e::1:1, FF0E:0::1:1), a link-scope one optionally with %zone naming its interface.
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
 * Destination address: a multicast group, a unicast address (multicast to unicast), 255.255.255.255 (the limited broadcast), or "broadcast": the directed broadcast of the output interface's subnet, from its address and prefix.
 */
group: string
port: Port
/**
 * IPv4 TTL or IPv6 hop limit of relayed datagrams. Default: 1 for a multicast group (and an IPv6 link-local address), 64 for unicast.
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
 * DSCP of relayed datagrams (the upper six bits of the IPv4 TOS byte or the IPv6 traffic class), 0 to 63; default 0 (best effort).
 */
dscp?: number
}
/**
 * A discovery reflector: each datagram of the service that arrives on one listed interface is sent out of every other one (as `from` and `to` allow), with its sender's address kept by default.
 */
export interface ReflectorSection {
/**
 * A label for stats and logs, unique among reflectors. Default: the service, or group:port.
 */
name?: string
/**
 * A disabled reflector is checked but does not relay.
 */
enabled?: boolean
/**
 * A preset: its groups for both families, its port and its TTL. mdns: 224.0.0.251 and ff02::fb port 5353, TTL 255; ssdp: 239.255.255.250 and ff02::c port 1900, TTL 2; ws-discovery: 239.255.255.250 and ff02::c port 3702, TTL 1; llmnr: 224.0.0.252 and ff02::1:3 port 5355, TTL 1. Give either a service or a group and port.
 */
service?: ("mdns" | "ssdp" | "ws-discovery" | "llmnr")
/**
 * Instead of a service: the group to reflect (or one per family, as an array), or "broadcast" (the limited and directed broadcasts of each interface, sent out as the other interfaces' directed broadcasts). Needs port.
 */
group?: (string | [string, ...(string)[]])
/**
 * A UDP port.
 */
port?: number
/**
 * The segments to reflect between: at least two interfaces.
 */
interfaces: InterfaceName[]
/**
 * Only traffic arriving on these interfaces (of `interfaces`) is reflected; default all.
 */
from?: InterfaceName[]
/**
 * Reflected traffic is sent only out of these interfaces (of `interfaces`); default all.
 */
to?: InterfaceName[]
/**
 * Which of the groups' address families to reflect.
 */
family?: ("both" | "ipv4" | "ipv6")
/**
 * The source of reflected datagrams: "preserve" (the sender's address and port, so unicast answers go straight to the sender; needs frame egress) or "interface" (the output interface's address: answers come to this host).
 */
source?: ("preserve" | "interface")
/**
 * TTL or hop limit of reflected datagrams. Default: the service's (255 for mDNS), 1 for another group, 64 for broadcast.
 */
ttl?: number
/**
 * How the reflected datagrams are sent (see [daemon] egress, its default).
 */
egress?: ("auto" | "frame" | "socket")
/**
 * Only senders in these prefixes (CIDR, either family, e.g. 192.168.10.0/24, fd00::/8; an address alone is one host) are reflected; default every sender.
 */
allow_sources?: string[]
/**
 * Senders in these prefixes are never reflected (counted as source_denied).
 */
deny_sources?: string[]
/**
 * A token bucket per input interface: at most pps datagrams a second on average, bursts of up to burst (default pps) at once; what it stops is counted as rate_limited.
 */
rate_limit?: {
/**
 * Datagrams a second.
 */
pps: number
/**
 * Datagrams at once after a quiet spell; default pps.
 */
burst?: number
}
/**
 * Loop protection: a datagram from the same sender with the same payload as one relayed less than this long ago (from any of the interfaces) is dropped, counted as loop_suppressed; 0 turns it off.
 */
loop_window_ms?: number
}
