// Invalid [[reflector]] tables and broadcast rules, and the exact errors `mcr check`
// reports for each; part of INVALID_CASES (invalid-cases.ts).
import type { InvalidCase } from './invalid-cases.js';

export const REFLECTOR_CASES: readonly InvalidCase[] = [
  {
    name: 'a reflector with both a service and a group',
    lines: ['[[reflector]]', 'service = "mdns"', 'group = "239.1.2.3"', 'port = 5000', 'interfaces = ["lan", "iot"]'],
    errors: ['3:9: give either service or group (with port), not both'],
    codes: ['reflector-service'],
  },
  {
    name: 'a reflector with neither a service nor a group',
    lines: ['[[reflector]]', 'name = "x"', 'interfaces = ["lan", "iot"]'],
    errors: ['1:1: a reflector needs a service (mdns, ssdp, ws-discovery, llmnr) or a group and port'],
    codes: ['reflector-service'],
  },
  {
    name: 'a reflector naming a service that is not a preset',
    lines: ['[[reflector]]', 'service = "bonjour"', 'interfaces = ["lan", "iot"]'],
    errors: ['2:11: service must be one of "mdns", "ssdp", "ws-discovery", "llmnr" (got "bonjour")'],
    codes: ['bad-value'],
  },
  {
    name: 'a reflector with a service and a port, or a group and none',
    lines: ['[[reflector]]', 'service = "ssdp"', 'port = 1901', 'interfaces = ["lan", "iot"]', '[[reflector]]', 'group = "239.1.2.3"', 'interfaces = ["lan", "iot"]'],
    errors: ['3:8: port goes with group; the service ssdp has its own (1900)', '5:1: [[reflector]] with a group is missing required key "port"'],
    codes: ['reflector-service', 'missing-key'],
  },
  {
    name: 'reflector groups that are unicast, the broadcast address, not addresses, or two of one family',
    lines: ['[[reflector]]', 'group = ["10.0.0.1", "255.255.255.255", "nope", "239.1.1.1", "239.1.1.2"]', 'port = 9', 'interfaces = ["lan", "iot"]'],
    errors: [
      '2:10: group 10.0.0.1 is not a multicast group: a reflector relays a multicast group, or "broadcast"',
      '2:22: group 255.255.255.255 is not a multicast group: write "broadcast" to relay broadcasts',
      '2:41: group must be "broadcast" or a multicast group such as 239.1.1.1 or ff02::fb (got "nope"): an IPv4 address has 4 numbers separated by dots (got 1)',
      '2:62: group lists two IPv4 groups; a reflector relays one group per address family (give each its own reflector)',
    ],
    codes: ['bad-group', 'not-an-address', 'reflector-service'],
  },
  {
    name: 'a reflector with one interface listed twice, and a bad interface name',
    lines: ['[[reflector]]', 'service = "mdns"', 'interfaces = ["lan", "lan", "bad/name"]', '[[reflector]]', 'service = "ssdp"', 'interfaces = ["lan"]'],
    errors: [
      '3:22: interfaces lists "lan" twice',
      '3:29: interface "bad/name" contains "/", which Linux does not allow in interface names',
      '6:14: a reflector needs at least two interfaces to reflect between (got 1)',
    ],
    codes: ['reflector-interfaces', 'bad-interface'],
  },
  {
    name: 'from naming an interface the reflector does not have, and to leaving a sender nowhere to go',
    lines: ['[[reflector]]', 'service = "mdns"', 'interfaces = ["lan", "iot", "guest"]', 'from = ["iot", "wan"]', 'to = ["iot"]'],
    errors: [
      '4:16: from names "wan", which is not one of this reflector\'s interfaces (lan, iot, guest)',
      '5:6: traffic from "iot" has nowhere to go: to holds no other interface, and nothing is sent back where it came from',
    ],
    codes: ['reflector-direction'],
  },
  {
    name: 'source prefixes with host bits, a length too long, a zone, or no address',
    lines: [
      '[[reflector]]',
      'service = "mdns"',
      'interfaces = ["lan", "iot"]',
      'allow_sources = ["192.168.1.1/24", "10.0.0.0/33", "fd00::/8", "lan"]',
      'deny_sources = ["fe80::1%eth0"]',
    ],
    errors: [
      '4:18: allow_sources[0] "192.168.1.1/24" is not a prefix such as 192.168.10.0/24 or fd00::/8: 192.168.1.1/24 has bits set past the first 24; did you mean 192.168.1.0/24?',
      '4:36: allow_sources[1] "10.0.0.0/33" is not a prefix such as 192.168.10.0/24 or fd00::/8: the length after "/" must be 0 to 32 for an IPv4 address',
      '4:63: allow_sources[3] "lan" is not a prefix such as 192.168.10.0/24 or fd00::/8: "lan" is not an IP address: an IPv4 address has 4 numbers separated by dots (got 1)',
      '5:17: deny_sources[0] "fe80::1%eth0" is not a prefix such as 192.168.10.0/24 or fd00::/8: a prefix has no %zone',
    ],
    codes: ['bad-prefix'],
  },
  {
    name: 'a reflector TTL, rate limit and loop window out of range',
    lines: ['[[reflector]]', 'service = "mdns"', 'interfaces = ["lan", "iot"]', 'ttl = 0', 'rate_limit = { pps = 0, burst = 20000000 }', 'loop_window_ms = -1'],
    errors: [
      '4:7: ttl must be from 1 to 255 (got 0)',
      '5:22: pps must be at least 1 (got 0)',
      '5:33: burst must be at most 10000000 (got 20000000)',
      '6:18: loop_window_ms must be at least 0 (got -1)',
    ],
    codes: ['ttl-range', 'out-of-range'],
  },
  {
    name: 'a reflector that preserves the source (its default) under [daemon] egress = "socket"',
    lines: ['[daemon]', 'egress = "socket"', '[[reflector]]', 'service = "mdns"', 'interfaces = ["lan", "iot"]'],
    errors: [
      '3:1: source = "preserve" (a reflector\'s default) needs frame egress (a UDP socket always sends from this host\'s address), but [daemon] egress = "socket" applies to this reflector; set egress = "frame" or "auto" on it, or source = "interface"',
    ],
    codes: ['cannot-preserve'],
  },
  {
    name: 'reflectors of one name whose flows a rule or another reflector has already',
    lines: [
      '[[rule]]',
      'input = { interface = "iot", group = "224.0.0.251", port = 5353 }',
      'outputs = [ { interface = "lan", group = "224.0.0.251", port = 5353 } ]',
      '[[reflector]]',
      'service = "mdns"',
      'interfaces = ["lan", "iot"]',
      '[[reflector]]',
      'service = "mdns"',
      'interfaces = ["lan", "guest"]',
    ],
    errors: [
      '6:22: reflector "mdns" would receive iot 224.0.0.251:5353, which rule "iot 224.0.0.251:5353" at line 1 already relays; each input may have one rule or reflector',
      '7:1: reflector name "mdns" is already used by the reflector at line 4; give it a name',
      '9:15: reflector "mdns" would receive lan 224.0.0.251:5353, which reflector "mdns" at line 6 already relays; each input may have one rule or reflector',
    ],
    codes: ['duplicate-input', 'duplicate-name'],
  },
  {
    name: 'a broadcast reflector restricted to IPv6',
    lines: ['[[reflector]]', 'group = "broadcast"', 'port = 9', 'family = "ipv6"', 'interfaces = ["lan", "iot"]'],
    errors: ['4:10: family = "ipv6" leaves this reflector no group to relay'],
    codes: ['reflector-service'],
  },
  {
    name: 'two rules on the broadcast input, spelled "broadcast" and 255.255.255.255',
    lines: [
      '[[rule]]',
      'input = { interface = "eth0", group = "broadcast", port = 9 }',
      'outputs = [ { interface = "eth1", group = "broadcast", port = 9 } ]',
      '[[rule]]',
      'input = { interface = "eth0", group = "255.255.255.255", port = 9 }',
      'outputs = [ { interface = "eth1", group = "255.255.255.255", port = 9 } ]',
    ],
    errors: ['5:9: input eth0 255.255.255.255:9 is already relayed by rule "eth0 255.255.255.255:9" at line 1; each input may have one rule'],
    codes: ['duplicate-input'],
  },
  {
    name: 'reflectors whose flows and outputs go past [limits] max_rules and max_outputs',
    lines: ['[limits]', 'max_rules = 3', 'max_outputs = 5', '[[reflector]]', 'service = "mdns"', 'interfaces = ["a0", "b0", "c0"]'],
    errors: [
      "6:14: this reflector's 12 outputs bring the file to 12 outputs: [limits] max_outputs is 5, and the data plane holds one output per destination (it may be raised to 65536)",
      "6:14: this reflector's 6 flows bring the file to 6 rules and flows: [limits] max_rules is 3, and the data plane holds one rule per flow (it may be raised to 4096)",
    ],
    codes: ['too-many-rules', 'too-many-outputs'],
  },
];
