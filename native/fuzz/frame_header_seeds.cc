// The frame header target's seeds, named for what they are: each template shape (both
// families, translation both ways, fixed and preserved sources, unicast and multicast,
// DSCP, TTL, DF), the MTU boundary on both sides, each buffer size, a sender without a
// checksum, a payload whose checksum computes to 0, and specs Make() must refuse.
// Linked into make_seeds only. Fuzz-only.
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "../test/frame_reader.h"
#include "frame_header_input.h"

namespace mcr::fuzz {
namespace {

using Seeds = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

void SetAddress(uint8_t* out, std::initializer_list<uint8_t> bytes) {
  std::memset(out, 0, 16);
  size_t i = 0;
  for (uint8_t b : bytes) out[i++] = b;
}

// 192.0.2.10:5000 -> 232.1.2.3:6000 out; the datagram 10.0.0.1:40000 -> 239.1.1.1:5004.
FrameHeaderInput V4() {
  FrameHeaderInput in;
  in.control = kDontFragment | (static_cast<uint8_t>(BufferChoice::kHeaderRoom) << kBufferShift);
  in.ttl = 16;
  in.dscp = 46;
  in.mtu = 1500;
  in.ip_id = 0x1234;
  in.ports[0] = 5000;
  in.ports[1] = 6000;
  in.ports[2] = 40000;
  in.ports[3] = 5004;
  SetAddress(in.addresses[0], {192, 0, 2, 10});
  SetAddress(in.addresses[1], {232, 1, 2, 3});
  SetAddress(in.addresses[2], {10, 0, 0, 1});
  SetAddress(in.addresses[3], {239, 1, 1, 1});
  const uint8_t dst_mac[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
  const uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  std::memcpy(in.dst_mac, dst_mac, 6);
  std::memcpy(in.src_mac, src_mac, 6);
  return in;
}

// 2001:db8::10 -> ff3e::8000:1 out; an IPv6 datagram 2001:db8::1 -> ff3e::1.
FrameHeaderInput V6() {
  FrameHeaderInput in = V4();
  in.control = static_cast<uint8_t>(in.control | kOutIpv6 | kInIpv6);
  SetAddress(in.addresses[0], {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10});
  SetAddress(in.addresses[1], {0xff, 0x3e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 1});
  SetAddress(in.addresses[2], {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  SetAddress(in.addresses[3], {0xff, 0x3e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  const uint8_t dst_mac[6] = {0x33, 0x33, 0x80, 0x00, 0x00, 0x01};
  std::memcpy(in.dst_mac, dst_mac, 6);
  return in;
}

std::vector<uint8_t> Payload(size_t len) {
  std::vector<uint8_t> payload;
  for (size_t i = 0; i < len; ++i) payload.push_back(static_cast<uint8_t>((i * 13 + 5) & 0xff));
  return payload;
}

FrameHeaderInput With(FrameHeaderInput in, uint8_t set, uint8_t clear = 0) {
  in.control = static_cast<uint8_t>((in.control | set) & ~clear);
  return in;
}

FrameHeaderInput Buffer(FrameHeaderInput in, BufferChoice choice) {
  in.control = static_cast<uint8_t>((in.control & ~(3u << kBufferShift)) |
                                    (static_cast<unsigned>(choice) << kBufferShift));
  return in;
}

}  // namespace

Seeds FrameHeaderSeeds() {
  Seeds seeds;
  auto add = [&seeds](const char* name, const FrameHeaderInput& in, size_t payload_len) {
    seeds.emplace_back(name, EncodeFrameHeaderInput(in, Payload(payload_len)));
  };
  const FrameHeaderInput v4 = V4();
  const FrameHeaderInput v6 = V6();
  add("v4-multicast-fixed-64", v4, 64);
  add("v4-multicast-fixed-1400", v4, 1400);
  add("v4-empty-payload", v4, 0);
  add("v4-odd-payload", v4, 33);
  FrameHeaderInput unicast = With(v4, 0, kDontFragment);
  SetAddress(unicast.addresses[1], {198, 51, 100, 7});
  unicast.dst_mac[0] = 0x02;
  unicast.ttl = 1;
  unicast.dscp = 0;
  add("v4-unicast-no-df-ttl-1", unicast, 200);
  add("v4-preserve", With(v4, kPreserveSource), 100);
  add("v6-multicast-fixed", v6, 64);
  add("v6-preserve", With(v6, kPreserveSource), 1000);
  add("v4-in-v6-out", With(v6, 0, kInIpv6), 64);
  add("v6-in-v4-out", With(v4, kInIpv6), 64);
  FrameHeaderInput v6_in_v4 = With(v4, kInIpv6);
  std::memcpy(v6_in_v4.addresses[2], v6.addresses[2], 16);
  std::memcpy(v6_in_v4.addresses[3], v6.addresses[3], 16);
  add("v6-in-v4-out-real-v6-addresses", v6_in_v4, 64);
  add("preserve-across-families", With(v6_in_v4, kPreserveSource), 64);
  add("no-incoming-checksum", With(v4, kNoIncomingChecksum), 64);

  FrameHeaderInput small = v4;
  small.mtu = 100;
  add("v4-exactly-mtu-100", small, 72);
  add("v4-one-over-mtu-100", small, 73);
  small.mtu = 68;
  add("v4-mtu-68-full", small, 40);
  FrameHeaderInput v6_min = v6;
  v6_min.mtu = 1280;
  add("v6-exactly-mtu-1280", v6_min, 1232);
  add("v6-one-over-mtu-1280", v6_min, 1233);
  add("jumbo-mtu", With(v4, kJumboMtu), 1400);

  add("buffer-exact", Buffer(v4, BufferChoice::kExact), 64);
  add("buffer-one-short", Buffer(v4, BufferChoice::kOneShort), 64);
  add("buffer-none", Buffer(v6, BufferChoice::kEmpty), 64);

  // The payload's last word set to the checksum it had as 0: the checksum computes to
  // 0 and must go out as 0xffff (the output's source is fixed, so only it matters).
  std::vector<uint8_t> payload = Payload(20);
  payload[18] = payload[19] = 0;
  const uint16_t checksum = test::ReferenceUdpChecksum(
      IpAddress::FromIpv4Bytes(v4.addresses[0]), v4.ports[0], IpAddress::FromIpv4Bytes(v4.addresses[1]),
      v4.ports[1], payload.data(), payload.size());
  payload[18] = static_cast<uint8_t>(checksum >> 8);
  payload[19] = static_cast<uint8_t>(checksum & 0xff);
  seeds.emplace_back("checksum-computes-to-zero", EncodeFrameHeaderInput(v4, payload));

  FrameHeaderInput bad = v4;
  bad.ttl = 0;
  add("bad-ttl-0", bad, 10);
  bad = v6;
  bad.dscp = 64;
  add("bad-dscp-64", bad, 10);
  bad = v4;
  bad.mtu = 67;
  add("bad-mtu-67", bad, 10);
  bad = v6;
  bad.mtu = 1279;
  add("bad-v6-mtu-1279", bad, 10);
  bad = v4;
  SetAddress(bad.addresses[1], {});
  add("bad-unspecified-destination", bad, 10);
  bad = v4;
  SetAddress(bad.addresses[0], {239, 0, 0, 1});
  add("bad-multicast-source", bad, 10);
  bad = v6;
  SetAddress(bad.addresses[1], {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 232, 1, 1, 1});
  add("bad-v4-mapped-destination-on-v6", bad, 10);
  return seeds;
}

}  // namespace mcr::fuzz
