// Builds real Ethernet/VLAN/IPv6/UDP frames byte by byte for the parser tests and the
// fuzz seeds: the fixed header, any chain of extension headers (hop-by-hop, routing,
// destination options, fragment, or raw bytes under any next-header value), UDP with
// its mandatory checksum, and mutators that keep the rest consistent. Written from RFC
// 8200, RFC 2675 and RFC 768, independently of packet_ipv6.cc. Test-only: allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "frame_builder.h"

namespace mcr::test {

inline constexpr uint8_t kNextHopByHop = 0;
inline constexpr uint8_t kNextRouting = 43;
inline constexpr uint8_t kNextFragment = 44;
inline constexpr uint8_t kNextEsp = 50;
inline constexpr uint8_t kNextIcmpv6 = 58;
inline constexpr uint8_t kNextNone = 59;
inline constexpr uint8_t kNextDestination = 60;

using Ipv6Bytes = std::array<uint8_t, 16>;

// One extension header: its type (the next-header value that announces it) and its
// bytes after the first one (the first, its own next header, is filled in when the
// chain is built). Made by the helpers below, or raw for malformed ones.
struct Extension {
  uint8_t type = kNextHopByHop;
  std::vector<uint8_t> rest;
};

// Hop-by-hop or destination options: `options` TLVs, padded to a multiple of 8 bytes
// with Pad1/PadN as RFC 8200 4.2 has it.
Extension OptionsHeader(uint8_t type, const std::vector<uint8_t>& options);
// A routing header of routing type `routing_type` with `addresses` 16-byte entries.
Extension RoutingHeader(uint8_t routing_type, uint8_t segments_left, size_t addresses);
// A fragment header: offset in 8-byte units, the M flag.
Extension FragmentHeader(uint16_t offset_units, bool more, uint32_t id);
// The Jumbo Payload option (type 0xc2, length 4) with its 32-bit length.
std::vector<uint8_t> JumboOption(uint32_t length);

struct Frame6Spec {
  std::vector<VlanTag> vlan_tags;
  Ipv6Bytes src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};  // 2001:db8::7
  Ipv6Bytes dst = {0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};           // ff0e::1:1
  uint8_t hop_limit = 64;
  uint8_t traffic_class = 0;
  std::vector<Extension> extensions;
  uint8_t upper = kProtoUdp;  // the last next header; only UDP gets a UDP header
  uint16_t src_port = 40000;
  uint16_t dst_port = 5004;
  size_t payload_len = 16;
  size_t eth_padding = 0;
  bool udp_checksum = true;  // IPv6 requires it; false writes 0
};

// l4_offset is where UDP (or the upper-layer bytes) starts; ip_offset the fixed header.
Frame BuildUdp6Frame(const Frame6Spec& spec);

// Field mutators. SetPayloadLength leaves the UDP checksum as it was (it does not cover
// the IPv6 payload length); FixUdp6Checksum recomputes it from the frame's addresses
// and UDP length (0xffff for a sum of 0).
void SetPayloadLength(Frame* frame, uint16_t payload_length);
void FixUdp6Checksum(Frame* frame);

}  // namespace mcr::test
