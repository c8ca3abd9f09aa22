// @ts-check
// The one list of mcr's counters, one line per counter, one array per family. Everything
// else is made from it: the C++ enums and names (native/gen-headers.mjs writes them into
// the addon's build at `node-gyp build`), the stats file's rule and output fields, the
// Prometheus families with their HELP and TYPE, and the `mcr stats` totals. It is plain
// JavaScript so that the native build reads it with Node alone and TypeScript still sees
// every name as a literal; src/counter-specs.ts gives it its types and helpers.
// Holds data only: no code, no imports.
//
// Adding a counter: its line here, the code that counts it, its row in docs/stats.md
// (test/stats/counter-list.test.ts fails until the row is there).
//
// - The order of WORKER_COUNTERS is the order of the words in a worker's counter block:
//   a counter added later goes at the end, so an index keeps its meaning. Rule and output
//   counters are appended the same way. (JavaScript reads the layout from the addon, so
//   appending needs no ABI bump; reordering or removing would, and never happens.)
// - `name`: snake_case, the key in the stats file and the C++ name (`rx_frames` is
//   WorkerCounter::kRxFrames; rule and output counters get kRule.../kOut...).
// - `type`: 'counter' (only ever added to; a total since start; summed over workers) or
//   'gauge' (set to a current value; over workers the largest is kept, as a flow is
//   handled by one worker and the others hold 0). It is also the Prometheus TYPE.
// - `metric` and `help`: its own Prometheus family. A worker counter may instead name a
//   `family` of WORKER_FAMILIES: one family for several counters, told apart by a label
//   whose value is the counter's name (mcr_dropped_frames_total{reason="no_match"}).
// - `total` (worker counters): the group of the `mcr stats` totals it adds to (TOTALS).
// - `rate` (rule and output counters): the stats file also carries it per second over the
//   last interval, as the field `field`, multiplied by `scale` (8 turns bytes into bits).
// - `lost` (rule and output counters): datagrams that did not get out; `mcr stats` adds
//   it to its DROPS column and the SIGUSR1 snapshot to "lost".
// - `later` (rule and output counters): added after the stats file format first shipped,
//   so `mcr stats` reads a file without it (from an older mcrd) as 0 instead of refusing.
// - `scale` (rule and path counters): the Prometheus value is the stats file's times this,
//   for base units (a gauge kept in microseconds is exported in seconds).
// - `applies` (rule counters): the rule setting the counter belongs to; Prometheus has a
//   sample of it only for rules that have the setting ('rtp': payload rtp, rtp-mpegts or
//   auto; 'ts': mpegts, rtp-mpegts or auto; 'payload': any payload; 'timeout': an input
//   timeout; 'failover': redundancy = "failover"). The stats file always has the field.

/** Prometheus families shared by several worker counters. */
export const WORKER_FAMILIES = /** @type {const} */ ({
  dropped_frames: { type: 'counter', metric: 'mcr_dropped_frames_total', label: 'reason', help: 'Frames not relayed, by reason: the data plane drop counter (ring_drops: lost before mcr could read them).' },
  dropped_sends: { type: 'counter', metric: 'mcr_dropped_sends_total', label: 'reason', help: 'Sends dropped, by reason: egress_full (socket buffer full), egress_errors, too_big (over the output MTU), neighbour_wait (next hop not resolved yet) or unsendable.' },
});

/** The groups of the `mcr stats` totals, in the order shown; `{}` is the sum. Each frame
 * read from a ring lands in exactly one counter of the `outcome` groups. */
export const TOTALS = /** @type {const} */ ({
  received: { text: 'rx {} frames', outcome: false },
  matched: { text: 'matched {}', outcome: true },
  no_match: { text: 'no match {}', outcome: true },
  malformed: { text: 'malformed {}', outcome: true },
  unsupported: { text: 'unsupported {}', outcome: true },
  ring_drops: { text: 'ring drops {}', outcome: false },
  egress_full: { text: 'egress full {}', outcome: false },
  egress_errors: { text: 'egress errors {}', outcome: false },
  not_sent: { text: 'not sent {}', outcome: false },
});

/** Per worker, in block order. */
export const WORKER_COUNTERS = /** @type {const} */ ([
  { name: 'rx_frames', type: 'counter', metric: 'mcr_received_frames_total', help: 'Frames read from the AF_PACKET rings.', total: 'received' },
  { name: 'rx_bytes', type: 'counter', metric: 'mcr_received_bytes_total', help: 'Bytes of the frames read from the AF_PACKET rings.' },
  { name: 'matched', type: 'counter', metric: 'mcr_matched_datagrams_total', help: 'Datagrams a rule took.', total: 'matched' },
  { name: 'no_match', family: 'dropped_frames', total: 'no_match' },
  { name: 'vlan_tagged', family: 'dropped_frames', total: 'unsupported' },
  { name: 'not_ipv4', family: 'dropped_frames', total: 'unsupported' },
  { name: 'not_udp', family: 'dropped_frames', total: 'unsupported' },
  { name: 'fragment', family: 'dropped_frames', total: 'unsupported' },
  { name: 'truncated', family: 'dropped_frames', total: 'malformed' },
  { name: 'bad_ip_header', family: 'dropped_frames', total: 'malformed' },
  { name: 'bad_ip_checksum', family: 'dropped_frames', total: 'malformed' },
  { name: 'bad_ip_length', family: 'dropped_frames', total: 'malformed' },
  { name: 'bad_udp_length', family: 'dropped_frames', total: 'malformed' },
  { name: 'too_many_vlan_tags', family: 'dropped_frames', total: 'malformed' },
  { name: 'ring_drops', family: 'dropped_frames', total: 'ring_drops' },
  { name: 'ring_freezes', type: 'counter', metric: 'mcr_ring_freezes_total', help: 'Times the kernel found a receive ring full and froze its queue.' },
  { name: 'egress_full', family: 'dropped_sends', total: 'egress_full' },
  { name: 'egress_errors', family: 'dropped_sends', total: 'egress_errors' },
  { name: 'batches', type: 'counter', metric: 'mcr_batches_total', help: 'Ring blocks processed; received frames / batches is the batch size.' },
  { name: 'bad_udp_checksum', family: 'dropped_frames', total: 'malformed' },
  { name: 'ipv6', family: 'dropped_frames', total: 'unsupported' },
  { name: 'too_big', family: 'dropped_sends', total: 'not_sent' },
  { name: 'neighbour_wait', family: 'dropped_sends', total: 'not_sent' },
  { name: 'unsendable', family: 'dropped_sends', total: 'not_sent' },
  { name: 'ipv6_chain_too_long', family: 'dropped_frames', total: 'malformed' },
  { name: 'ipv6_extension_overrun', family: 'dropped_frames', total: 'malformed' },
  { name: 'ipv6_bad_payload_length', family: 'dropped_frames', total: 'malformed' },
  { name: 'ipv6_jumbogram', family: 'dropped_frames', total: 'unsupported' },
]);

/** Per rule, in block order. */
export const RULE_COUNTERS = /** @type {const} */ ([
  { name: 'packets', type: 'counter', metric: 'mcr_rule_packets_total', help: 'Datagrams the rule received.', rate: { field: 'pps', scale: 1 } },
  { name: 'bytes', type: 'counter', metric: 'mcr_rule_bytes_total', help: 'UDP payload bytes the rule received.', rate: { field: 'bps', scale: 8 } },
  { name: 'rtp_lost', type: 'counter', metric: 'mcr_rtp_lost_total', help: 'RTP sequence numbers of the relayed stream that never arrived (counted once 1,024 later ones have).', later: true, applies: 'rtp' },
  { name: 'rtp_duplicates', type: 'counter', metric: 'mcr_rtp_duplicates_total', help: 'RTP datagrams of the relayed stream whose sequence number had already arrived.', later: true, applies: 'rtp' },
  { name: 'rtp_reordered', type: 'counter', metric: 'mcr_rtp_reordered_total', help: 'RTP datagrams of the relayed stream that arrived after a later sequence number.', later: true, applies: 'rtp' },
  { name: 'rtp_restarts', type: 'counter', metric: 'mcr_rtp_restarts_total', help: 'Times the RTP sequence numbers jumped and went on from there (a restarted sender, RFC 3550 A.1).', later: true, applies: 'rtp' },
  { name: 'rtp_jitter_us', type: 'gauge', metric: 'mcr_rtp_jitter_seconds', help: 'Interarrival jitter of the relayed RTP stream (RFC 3550 6.4.1), in seconds.', later: true, applies: 'rtp', scale: 1e-6 },
  { name: 'ts_cc_errors', type: 'counter', metric: 'mcr_ts_cc_errors_total', help: 'MPEG-TS continuity counter errors, over all PIDs (ISO/IEC 13818-1 2.4.3.3).', later: true, applies: 'ts' },
  { name: 'ts_tei', type: 'counter', metric: 'mcr_ts_transport_errors_total', help: 'MPEG-TS packets with the transport error indicator set.', later: true, applies: 'ts' },
  { name: 'ts_sync_loss', type: 'counter', metric: 'mcr_ts_sync_loss_total', help: 'Datagrams that were not whole MPEG-TS packets each starting with the sync byte 0x47.', later: true, applies: 'ts' },
  { name: 'ts_pids', type: 'gauge', metric: 'mcr_ts_pids', help: 'Distinct MPEG-TS PIDs seen in the relayed stream.', later: true, applies: 'ts' },
  { name: 'payload_unrecognised', type: 'counter', metric: 'mcr_payload_unrecognised_total', help: 'Datagrams relayed without analysis because they were not the payload the rule names (not RTP version 2, not MPEG-TS).', later: true, applies: 'payload' },
  { name: 'stalls', type: 'counter', metric: 'mcr_rule_stalls_total', help: 'Times every input of the rule went silent for its timeout.', later: true, applies: 'timeout' },
  { name: 'stalled_ms', type: 'counter', metric: 'mcr_rule_stalled_seconds_total', help: 'Time the rule spent stalled, in seconds.', later: true, applies: 'timeout', scale: 1e-3 },
  { name: 'stalled', type: 'gauge', metric: 'mcr_rule_stalled', help: '1 while every input of the rule has been silent for its timeout.', later: true, applies: 'timeout' },
  { name: 'switches', type: 'counter', metric: 'mcr_rule_input_switches_total', help: 'Times a failover rule changed the input it relays.', later: true, applies: 'failover' },
  { name: 'source_denied', type: 'counter', metric: 'mcr_rule_source_denied_total', help: "Datagrams a reflector did not relay because their sender is outside its allow_sources or inside its deny_sources.", later: true },
  { name: 'rate_limited', type: 'counter', metric: 'mcr_rule_rate_limited_total', help: "Datagrams a reflector did not relay because its input interface's rate_limit bucket was empty.", later: true },
  { name: 'loop_suppressed', type: 'counter', metric: 'mcr_rule_loop_suppressed_total', help: 'Datagrams a reflector did not relay because it had relayed the same datagram (sender, destination, payload) within loop_window_ms: a copy come back through another relay or path.', later: true },
]);

/** Per input of a rule with several inputs (a path), in block order. */
export const PATH_COUNTERS = /** @type {const} */ ([
  { name: 'received', type: 'counter', metric: 'mcr_path_received_total', help: 'Datagrams that arrived on the path.' },
  { name: 'lost', type: 'counter', metric: 'mcr_path_lost_total', help: "RTP sequence numbers missing from the path's own stream." },
  { name: 'used', type: 'counter', metric: 'mcr_path_used_total', help: "The path's datagrams that were relayed." },
  { name: 'duplicate', type: 'counter', metric: 'mcr_path_duplicates_total', help: "The path's datagrams dropped because another path's copy was relayed (failover: all a standby path brings)." },
  { name: 'late', type: 'counter', metric: 'mcr_path_late_total', help: "The path's datagrams dropped because they arrived after the merge window." },
  { name: 'active', type: 'gauge', metric: 'mcr_path_active', help: "1 while the path's datagrams are relayed (failover: the input relayed; merge: every path not silent)." },
  { name: 'stalled', type: 'gauge', metric: 'mcr_path_stalled', help: '1 while nothing has arrived on the path for its timeout.' },
]);

/** Per output, in block order. */
export const OUTPUT_COUNTERS = /** @type {const} */ ([
  { name: 'packets', type: 'counter', metric: 'mcr_output_packets_total', help: 'Datagrams sent to the output.', rate: { field: 'pps', scale: 1 } },
  { name: 'bytes', type: 'counter', metric: 'mcr_output_bytes_total', help: 'UDP payload bytes sent to the output.', rate: { field: 'bps', scale: 8 } },
  { name: 'errors', type: 'counter', metric: 'mcr_output_errors_total', help: 'Sends to the output that failed (interface down, no route, ICMP errors).', lost: true },
  { name: 'drops', type: 'counter', metric: 'mcr_output_drops_total', help: "Datagrams not sent because the output's socket buffer was full.", lost: true },
  { name: 'too_big', type: 'counter', metric: 'mcr_output_too_big_total', help: "Datagrams not sent because they do not fit the output interface's MTU (mcr never fragments).", lost: true, later: true },
  { name: 'neighbour_wait', type: 'counter', metric: 'mcr_output_neighbour_wait_total', help: "Datagrams not sent while the unicast next hop's link-layer address was being resolved.", lost: true, later: true },
]);
