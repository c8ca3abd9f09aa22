// The parser's outcomes, in one list: the ParseResult enum, kParseResultCount and the
// names (ParseResultName) are all made from MCR_PARSE_RESULTS, one X(identifier, value,
// "name") per outcome. Each outcome other than kOk is also a worker counter of the same
// name (src/counter-list.js), and worker.cc's table from outcome to counter is checked
// by the compiler, so an outcome cannot go uncounted.
// Values are dense from 0 (usable as an array index) and a value, once shipped, keeps its
// meaning: add new outcomes at the end, with the next value (a static_assert below
// refuses a gap or a renumbering).
// Part of the core: no I/O, no Node headers, nothing generated; it stands alone.
#pragma once

#include <cstddef>
#include <cstdint>

#define MCR_PARSE_RESULTS(X)                                                                     \
  /* IPv4 or IPv6 UDP, not a fragment: *out is filled in */                                      \
  X(kOk, 0, "ok")                                                                                \
  /* another EtherType: ARP, LLDP, 802.3 length field... (neither IPv4 nor IPv6) */              \
  X(kNotIpv4, 1, "not_ipv4")                                                                     \
  /* IPv4 or IPv6 carrying another protocol (TCP, ICMP, IGMP, ICMPv6, AH, ESP...) */             \
  X(kNotUdp, 2, "not_udp")                                                                       \
  /* any UDP fragment, first/middle/last (IPv6: a fragment header that is not atomic) */         \
  X(kFragment, 3, "fragment")                                                                    \
  /* the frame ends inside the Ethernet header, a VLAN tag, or the first 20 bytes of IPv4 */     \
  /* (the first 40 of IPv6) */                                                                   \
  X(kTruncated, 4, "truncated")                                                                  \
  /* version != 4 (6 for IPv6), IHL < 5, IHL*4 beyond the frame, an IPv4-mapped IPv6 address */  \
  X(kBadIpHeader, 5, "bad_ip_header")                                                            \
  /* IPv4 header checksum does not verify */                                                     \
  X(kBadIpChecksum, 6, "bad_ip_checksum")                                                        \
  /* total length < IHL*4 (+ 8 for UDP), or beyond the end of the frame (cut short) */           \
  X(kBadIpLength, 7, "bad_ip_length")                                                            \
  /* UDP length < 8 or beyond the IPv4 payload */                                                \
  X(kBadUdpLength, 8, "bad_udp_length")                                                          \
  /* more than two stacked 802.1Q/802.1ad tags */                                                \
  X(kTooManyVlanTags, 9, "too_many_vlan_tags")                                                   \
  /* a non-zero UDP checksum that does not verify (only when asked); in IPv6 also 0 */            \
  X(kBadUdpChecksum, 10, "bad_udp_checksum")                                                     \
  /* retired: counted IPv6 frames while mcr relayed IPv4 only. IPv6 is parsed now, into the */    \
  /* outcomes above and below; never returned, kept so that the value keeps its place */         \
  X(kIpv6, 11, "ipv6")                                                                           \
  /* more IPv6 extension headers before UDP than the parser walks (8) */                         \
  X(kIpv6ChainTooLong, 12, "ipv6_chain_too_long")                                                \
  /* an IPv6 extension header, or an option in one, runs past the packet's end */                \
  X(kIpv6ExtensionOverrun, 13, "ipv6_extension_overrun")                                         \
  /* IPv6 payload length beyond the frame, 0 without a jumbo option, or short of UDP's header */  \
  X(kIpv6BadPayloadLength, 14, "ipv6_bad_payload_length")                                        \
  /* a hop-by-hop Jumbo Payload option (RFC 2675): never on an Ethernet MTU */                   \
  X(kIpv6Jumbogram, 15, "ipv6_jumbogram")

namespace mcr {

#define MCR_PARSE_RESULT_ENUMERATOR(id, value, name) id = value,
enum class ParseResult : uint8_t { MCR_PARSE_RESULTS(MCR_PARSE_RESULT_ENUMERATOR) };
#undef MCR_PARSE_RESULT_ENUMERATOR

#define MCR_PARSE_RESULT_NAME(id, value, name) name,
// Indexed by the value: the stable snake_case name for counters and logs.
inline constexpr const char* kParseResultNames[] = {MCR_PARSE_RESULTS(MCR_PARSE_RESULT_NAME)};
#undef MCR_PARSE_RESULT_NAME

inline constexpr size_t kParseResultCount = sizeof(kParseResultNames) / sizeof(kParseResultNames[0]);

namespace parse_results_detail {
#define MCR_PARSE_RESULT_VALUE(id, value, name) value,
inline constexpr int kValues[] = {MCR_PARSE_RESULTS(MCR_PARSE_RESULT_VALUE)};
#undef MCR_PARSE_RESULT_VALUE

constexpr bool ValuesAreTheirPositions() {
  for (size_t i = 0; i < kParseResultCount; ++i) {
    if (kValues[i] != static_cast<int>(i)) return false;
  }
  return true;
}
}  // namespace parse_results_detail

static_assert(parse_results_detail::ValuesAreTheirPositions(),
              "ParseResult values must be 0, 1, 2... in list order: add new outcomes at the end");
static_assert(static_cast<size_t>(ParseResult::kIpv6) == 11, "a shipped ParseResult value never changes");

}  // namespace mcr
