// An independent reading of the egress frames FrameHeaderTemplate writes, for its unit
// tests and its fuzz target: every field of Ethernet + IPv4 or IPv6 + UDP, and both
// checksums judged from the bytes the RFCs say they cover, with the pseudo-header laid
// out as bytes rather than summed by word the way frame_header.cc does. It also finishes
// a checksum the way a device does for a virtio_net_hdr NEEDS_CSUM frame. Test and
// fuzz only; header-only so the fuzz build (one .cc plus the core) can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../core/address.h"

namespace mcr::test {

struct BuiltFrame {
  uint8_t dst_mac[6] = {};
  uint8_t src_mac[6] = {};
  IpFamily family = IpFamily::kIpv4;
  uint8_t dscp = 0;
  uint8_t ecn = 0;
  uint32_t flow_label = 0;        // IPv6
  uint8_t ttl = 0;                // TTL or hop limit
  bool dont_fragment = false;     // IPv4
  uint16_t fragment_bits = 0;     // IPv4: MF and the offset, which must stay 0
  uint16_t ip_id = 0;             // IPv4
  bool ip_checksum_ok = false;    // IPv4 (IPv6 has none: always true)
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t udp_checksum = 0;
  bool udp_checksum_ok = false;   // non-zero and verifies
  size_t payload_at = 0;
  size_t payload_len = 0;
};

inline uint16_t ReadBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// Sum of big-endian 16-bit words, an odd last byte padded with a zero (RFC 1071),
// folded after every add.
inline uint16_t FoldedWordSum(const std::vector<uint8_t>& bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    sum += uint32_t{bytes[i]} << 8;
    if (i + 1 < bytes.size()) sum += bytes[i + 1];
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

// The pseudo-header (RFC 768 / RFC 8200 8.1) followed by the UDP segment as stored.
inline std::vector<uint8_t> ChecksummedBytes(const IpAddress& src, const IpAddress& dst,
                                             const uint8_t* udp, size_t udp_len) {
  std::vector<uint8_t> bytes;
  const bool v4 = src.is_ipv4() && dst.is_ipv4();
  const size_t address_len = v4 ? 4 : 16;
  const uint8_t* s = v4 ? src.ipv4_bytes() : src.bytes();
  const uint8_t* d = v4 ? dst.ipv4_bytes() : dst.bytes();
  bytes.insert(bytes.end(), s, s + address_len);
  bytes.insert(bytes.end(), d, d + address_len);
  const uint32_t len = static_cast<uint32_t>(udp_len);
  if (v4) {
    bytes.insert(bytes.end(), {0, 17, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)});
  } else {
    bytes.insert(bytes.end(), {static_cast<uint8_t>(len >> 24), static_cast<uint8_t>(len >> 16),
                               static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0, 0, 17});
  }
  bytes.insert(bytes.end(), udp, udp + udp_len);
  return bytes;
}

// The checksum a sender would put in a UDP header (0xffff for a computed 0).
inline uint16_t ReferenceUdpChecksum(const IpAddress& src, uint16_t src_port, const IpAddress& dst,
                                     uint16_t dst_port, const uint8_t* payload, size_t payload_len) {
  std::vector<uint8_t> udp(8 + payload_len, 0);
  udp[0] = static_cast<uint8_t>(src_port >> 8);
  udp[1] = static_cast<uint8_t>(src_port);
  udp[2] = static_cast<uint8_t>(dst_port >> 8);
  udp[3] = static_cast<uint8_t>(dst_port);
  udp[4] = static_cast<uint8_t>((8 + payload_len) >> 8);
  udp[5] = static_cast<uint8_t>(8 + payload_len);
  if (payload_len > 0) std::memcpy(udp.data() + 8, payload, payload_len);
  const uint16_t checksum =
      static_cast<uint16_t>(~FoldedWordSum(ChecksummedBytes(src, dst, udp.data(), udp.size())));
  return checksum == 0 ? 0xffff : checksum;
}

// Reads frame[0, len) as Ethernet + IPv4 (no options) or IPv6 (no extension headers) +
// UDP whose lengths account for exactly the rest of the frame. False if it is not that.
inline bool ReadBuiltFrame(const uint8_t* f, size_t len, BuiltFrame* out) {
  if (len < 14) return false;
  std::memcpy(out->dst_mac, f, 6);
  std::memcpy(out->src_mac, f + 6, 6);
  const uint16_t ethertype = ReadBe16(f + 12);
  const uint8_t* ip = f + 14;
  size_t udp_at = 0;
  if (ethertype == 0x0800) {
    if (len < 14 + 20 + 8 || ip[0] != 0x45 || ip[9] != 17) return false;
    if (size_t{ReadBe16(ip + 2)} != len - 14) return false;
    out->family = IpFamily::kIpv4;
    out->dscp = static_cast<uint8_t>(ip[1] >> 2);
    out->ecn = static_cast<uint8_t>(ip[1] & 3);
    out->ip_id = ReadBe16(ip + 4);
    out->dont_fragment = (ip[6] & 0x40) != 0;
    out->fragment_bits = static_cast<uint16_t>(ReadBe16(ip + 6) & 0xbfff);
    out->ttl = ip[8];
    out->ip_checksum_ok = FoldedWordSum(std::vector<uint8_t>(ip, ip + 20)) == 0xffff;
    out->src = IpAddress::FromIpv4Bytes(ip + 12);
    out->dst = IpAddress::FromIpv4Bytes(ip + 16);
    udp_at = 14 + 20;
  } else if (ethertype == 0x86dd) {
    if (len < 14 + 40 + 8 || (ip[0] >> 4) != 6 || ip[6] != 17) return false;
    if (size_t{ReadBe16(ip + 4)} != len - 14 - 40) return false;
    out->family = IpFamily::kIpv6;
    const uint8_t traffic_class = static_cast<uint8_t>(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
    out->dscp = static_cast<uint8_t>(traffic_class >> 2);
    out->ecn = static_cast<uint8_t>(traffic_class & 3);
    out->flow_label = (uint32_t{ip[1] & 0x0fu} << 16) | ReadBe16(ip + 2);
    out->ttl = ip[7];
    out->ip_checksum_ok = true;
    out->src = IpAddress::FromIpv6Bytes(ip + 8);
    out->dst = IpAddress::FromIpv6Bytes(ip + 24);
    udp_at = 14 + 40;
  } else {
    return false;
  }
  const uint8_t* udp = f + udp_at;
  const size_t udp_len = len - udp_at;
  if (size_t{ReadBe16(udp + 4)} != udp_len) return false;
  out->src_port = ReadBe16(udp);
  out->dst_port = ReadBe16(udp + 2);
  out->udp_checksum = ReadBe16(udp + 6);
  out->udp_checksum_ok =
      out->udp_checksum != 0 && FoldedWordSum(ChecksummedBytes(out->src, out->dst, udp, udp_len)) == 0xffff;
  out->payload_at = udp_at + 8;
  out->payload_len = udp_len - 8;
  return true;
}

// What the kernel or a NIC does with a NEEDS_CSUM frame: sum from csum_start to the
// end (the field holds the pseudo-header's sum), complement, store (0 as 0xffff).
inline void FinishDeviceChecksum(std::vector<uint8_t>* frame, size_t csum_start, size_t csum_offset) {
  const uint16_t checksum = static_cast<uint16_t>(
      ~FoldedWordSum(std::vector<uint8_t>(frame->begin() + static_cast<std::ptrdiff_t>(csum_start), frame->end())));
  const uint16_t sent = checksum == 0 ? 0xffff : checksum;
  (*frame)[csum_start + csum_offset] = static_cast<uint8_t>(sent >> 8);
  (*frame)[csum_start + csum_offset + 1] = static_cast<uint8_t>(sent);
}

}  // namespace mcr::test
