// How the frame header target reads its input, and how the seed generator writes one:
//
//   [ control ][ ttl ][ dscp ][ mtu:2 ][ ip id:2 ][ ports:2 x 4 ][ addresses:16 x 4 ]
//   [ MACs:6 x 2 ][ payload ... ]
//
// 91 bytes of template and datagram, then the payload, so mutations of the payload's
// length never shift the fields. A shorter input reads as if zero-padded to 91 bytes.
// Ports and addresses are the output's source and destination, then the received
// datagram's; an address of an IPv4 side is its first four bytes. DSCP and TTL are
// taken raw, so Make() also sees values it must refuse. Fuzz-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace mcr::fuzz {

// Control byte.
inline constexpr uint8_t kOutIpv6 = 1 << 0;          // the output writes IPv6
inline constexpr uint8_t kInIpv6 = 1 << 1;           // the datagram arrived as IPv6
inline constexpr uint8_t kPreserveSource = 1 << 2;   // SourcePolicy::kPreserve
inline constexpr uint8_t kDontFragment = 1 << 3;
inline constexpr uint8_t kNoIncomingChecksum = 1 << 4;  // the sender sent 0
inline constexpr unsigned kBufferShift = 5;          // 2 bits, a BufferChoice
inline constexpr uint8_t kJumboMtu = 1 << 7;         // mtu + 65536: past both length caps

// The buffer Build() is given, allocated to exactly this size.
enum class BufferChoice : uint8_t { kExact = 0, kOneShort = 1, kHeaderRoom = 2, kEmpty = 3 };

inline constexpr size_t kFixedPartLen = 91;

struct FrameHeaderInput {
  uint8_t control = 0;
  uint8_t ttl = 0;
  uint8_t dscp = 0;
  uint16_t mtu = 0;
  uint16_t ip_id = 0;
  uint16_t ports[4] = {};         // out src, out dst, in src, in dst
  uint8_t addresses[4][16] = {};  // the same order
  uint8_t dst_mac[6] = {};
  uint8_t src_mac[6] = {};
  const uint8_t* payload = nullptr;
  size_t payload_len = 0;

  BufferChoice buffer() const { return static_cast<BufferChoice>((control >> kBufferShift) & 3u); }
  uint32_t full_mtu() const { return mtu + ((control & kJumboMtu) ? 0x10000u : 0u); }
};

inline FrameHeaderInput DecodeFrameHeaderInput(const uint8_t* data, size_t size) {
  uint8_t fixed[kFixedPartLen] = {};
  std::memcpy(fixed, data, size < kFixedPartLen ? size : kFixedPartLen);
  FrameHeaderInput in;
  const uint8_t* p = fixed;
  auto u16 = [&p]() {
    const uint16_t value = static_cast<uint16_t>((p[0] << 8) | p[1]);
    p += 2;
    return value;
  };
  in.control = *p++;
  in.ttl = *p++;
  in.dscp = *p++;
  in.mtu = u16();
  in.ip_id = u16();
  for (uint16_t& port : in.ports) port = u16();
  for (auto& address : in.addresses) {
    std::memcpy(address, p, 16);
    p += 16;
  }
  std::memcpy(in.dst_mac, p, 6);
  std::memcpy(in.src_mac, p + 6, 6);
  if (size > kFixedPartLen) {
    in.payload = data + kFixedPartLen;
    in.payload_len = size - kFixedPartLen;
  }
  return in;
}

inline std::vector<uint8_t> EncodeFrameHeaderInput(const FrameHeaderInput& in,
                                                   const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out;
  auto u16 = [&out](uint16_t value) {
    out.push_back(static_cast<uint8_t>(value >> 8));
    out.push_back(static_cast<uint8_t>(value & 0xff));
  };
  out.push_back(in.control);
  out.push_back(in.ttl);
  out.push_back(in.dscp);
  u16(in.mtu);
  u16(in.ip_id);
  for (uint16_t port : in.ports) u16(port);
  for (const auto& address : in.addresses) out.insert(out.end(), address, address + 16);
  out.insert(out.end(), in.dst_mac, in.dst_mac + 6);
  out.insert(out.end(), in.src_mac, in.src_mac + 6);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// The checked-in seeds, by name (frame_header_seeds.cc, linked into make_seeds only).
std::vector<std::pair<std::string, std::vector<uint8_t>>> FrameHeaderSeeds();

}  // namespace mcr::fuzz
