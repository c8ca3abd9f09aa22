// Builds real Ethernet/VLAN/IPv4/UDP frames byte by byte for the parser tests, with a
// correct IPv4 header checksum, and the small mutators the tests apply afterwards.
// Test-only: it allocates freely and must not be linked into the data plane.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcr::test {

inline constexpr uint16_t kTpid8021Q = 0x8100;
inline constexpr uint16_t kTpid8021ad = 0x88a8;
inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86dd;
inline constexpr uint16_t kEtherArp = 0x0806;
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;

struct VlanTag {
  uint16_t tpid;
  uint16_t tci;
};

struct FrameSpec {
  std::vector<VlanTag> vlan_tags;
  std::vector<uint8_t> ip_options;  // padded with zeros (EOL) to a multiple of 4
  uint16_t flags_fragment = 0x4000;  // DF, as most senders set it
  uint8_t ttl = 64;
  uint8_t protocol = kProtoUdp;
  uint32_t src_ip = 0x0a000001;  // 10.0.0.1
  uint32_t dst_ip = 0xe8010203;  // 232.1.2.3
  uint16_t src_port = 40000;
  uint16_t dst_port = 5004;
  size_t payload_len = 16;   // bytes after the UDP header (or the IP header if not UDP)
  size_t eth_padding = 0;    // zero bytes after the IP packet, as Ethernet pads short frames
  bool udp_checksum = false;  // compute a real UDP checksum (default 0: "not computed")
};

struct Frame {
  std::vector<uint8_t> bytes;
  size_t ip_offset = 0;       // where the IPv4 header starts
  size_t l4_offset = 0;       // where the UDP (or other) header starts
  size_t payload_offset = 0;  // where the UDP payload starts
};

// Payload byte i is PayloadByte(i), so tests can check the parser points at the data.
uint8_t PayloadByte(size_t i);

Frame BuildUdpFrame(const FrameSpec& spec);
// An Ethernet frame (with spec.vlan_tags) whose EtherType is `ethertype` and whose body
// is `body` verbatim: for IPv6, ARP and other non-IPv4 frames.
Frame BuildRawFrame(const FrameSpec& spec, uint16_t ethertype,
                    const std::vector<uint8_t>& body);

void Put16(std::vector<uint8_t>* bytes, size_t offset, uint16_t value);
uint16_t Get16(const std::vector<uint8_t>& bytes, size_t offset);

// Recomputes the IPv4 header checksum after a mutation, so the test reaches the check
// it is aiming at instead of stopping at bad_ip_checksum. Uses the IHL in the frame.
void FixIpChecksum(Frame* frame);
// Field mutators; each leaves the checksum correct.
void SetIpTotalLength(Frame* frame, uint16_t total_length);
void SetIpVersionIhl(Frame* frame, uint8_t version, uint8_t ihl);
void SetFlagsFragment(Frame* frame, uint16_t flags_fragment);
void SetUdpLength(Frame* frame, uint16_t udp_length);
// Writes the correct UDP checksum for the frame's addresses and its UDP length (0xffff
// when the sum is 0, as RFC 768 says), so a test can then corrupt one byte.
void FixUdpChecksum(Frame* frame);

}  // namespace mcr::test
