// What the parser's per-family halves share (packet.cc for Ethernet, VLAN tags and IPv4,
// packet_ipv6.cc for IPv6): the bounds-checked byte window every read goes through, the
// UDP header, and each half's entry point. Internal to the parser: nothing outside
// packet*.cc includes it. Same rules as packet.h: no allocation, no I/O, no state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packet.h"

namespace mcr::packet_detail {

inline constexpr size_t kUdpHeaderLen = 8;
inline constexpr uint8_t kIpProtoUdp = 17;

// A read-only window on part of the frame. Every accessor checks that the bytes exist
// before touching them and reports failure instead of reading. Multi-byte values are
// assembled from single bytes: no unaligned loads, no dependence on host byte order.
class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(const uint8_t* data, size_t len) : data_(data), len_(len) {}

  size_t size() const { return len_; }
  const uint8_t* data() const { return data_; }

  // Written so that offset + count can never overflow.
  bool Has(size_t offset, size_t count) const {
    return offset <= len_ && count <= len_ - offset;
  }

  bool U8(size_t offset, uint8_t* value) const {
    if (!Has(offset, 1)) return false;
    *value = data_[offset];
    return true;
  }

  bool U16(size_t offset, uint16_t* value) const {
    if (!Has(offset, 2)) return false;
    *value = static_cast<uint16_t>((data_[offset] << 8) | data_[offset + 1]);
    return true;
  }

  bool U32(size_t offset, uint32_t* value) const {
    if (!Has(offset, 4)) return false;
    *value = (uint32_t{data_[offset]} << 24) | (uint32_t{data_[offset + 1]} << 16) |
             (uint32_t{data_[offset + 2]} << 8) | uint32_t{data_[offset + 3]};
    return true;
  }

  // Narrows to [offset, offset + count). Later reads through the window are bounded by
  // it, which is how "trust the IP total length, not the frame length" is enforced.
  bool Window(size_t offset, size_t count, ByteReader* out) const {
    if (!Has(offset, count)) return false;
    *out = ByteReader(data_ + offset, count);
    return true;
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t len_ = 0;
};

struct UdpFields {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t length = 0;
  uint16_t checksum = 0;
};

// The UDP datagram that starts at after_ip[0] and the payload inside it. The UDP length
// may be shorter than what follows the IP headers (trailing bytes are ignored), never
// longer. kOk, or why not: kBadIpLength when the UDP header itself is missing (the
// caller may count that under its own name), kBadUdpLength for a length below 8 or
// beyond what follows.
ParseResult ReadUdpDatagram(const ByteReader& after_ip, UdpFields* fields, ByteReader* datagram,
                            ByteReader* payload);

// Judges the IPv4 (packet.cc) or IPv6 (packet_ipv6.cc) packet that starts at ip.data();
// ip extends to the end of the frame. *out is written only on kOk.
ParseResult ParseIpv4Udp(const ByteReader& ip, uint16_t vlan_id, const ParseOptions& options,
                         UdpDatagram* out);
ParseResult ParseIpv6Udp(const ByteReader& ip, uint16_t vlan_id, const ParseOptions& options,
                         UdpDatagram* out);

}  // namespace mcr::packet_detail
