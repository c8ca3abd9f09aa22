// Table tests for the egress frame header builder: every field of the frames it writes
// for a range of templates (both families, translation both ways, each source policy,
// DSCP, TTL, DF), the UDP checksum in each mode judged by an independent computation
// (frame_reader.h), and IPv4 frames read back by the ingress parser. Limits (MTU,
// buffer, allocation, bad specs) are in frame_header_limits_test.cc.
#include <cstring>
#include <memory>
#include <vector>

#include "egress_datagram.h"
#include "harness.h"
#include "parse_helpers.h"

namespace mcr::test {
namespace {

struct FieldCase {
  const char* name;
  FrameHeaderSpec spec;
  const char* in_src;  // the datagram as received
  uint16_t in_src_port;
  const char* in_dst;
  uint16_t in_dst_port;
  const char* want_src;  // the source the frame must carry
  uint16_t want_src_port;
};

FrameHeaderSpec With(FrameHeaderSpec spec, uint8_t dscp, uint8_t ttl, bool df) {
  spec.dscp = dscp;
  spec.ttl = ttl;
  spec.dont_fragment = df;
  return spec;
}

FrameHeaderSpec Preserving(FrameHeaderSpec spec) {
  spec.source = SourcePolicy::kPreserve;
  spec.src = IpAddress();
  spec.src_port = 0;
  return spec;
}

FrameHeaderSpec Unicast(FrameHeaderSpec spec) {
  spec.dst_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  return spec;
}

std::vector<FieldCase> FieldCases() {
  return {
      {"IPv4 multicast, fixed source, DSCP 46, TTL 16, DF",
       With(SpecV4("192.0.2.10", 5000, "232.1.2.3", 6000), 46, 16, true), "10.0.0.1", 40000,
       "239.1.1.1", 5004, "192.0.2.10", 5000},
      {"IPv4 unicast, fixed source, DSCP 0, TTL 1, no DF",
       Unicast(With(SpecV4("192.0.2.10", 5001, "198.51.100.7", 7000), 0, 1, false)), "10.0.0.1",
       40000, "239.1.1.1", 5004, "192.0.2.10", 5001},
      {"IPv4 preserving the sender's address and port, DSCP 63, TTL 255",
       Preserving(With(SpecV4("192.0.2.10", 5000, "232.1.2.3", 6000), 63, 255, true)), "10.9.8.7",
       40001, "239.1.1.1", 5004, "10.9.8.7", 40001},
      {"IPv6 multicast, fixed source, DSCP 10, hop limit 5",
       With(SpecV6("2001:db8::10", 5000, "ff3e::8000:1", 6000), 10, 5, true), "2001:db8::1", 40000,
       "ff3e::1", 5004, "2001:db8::10", 5000},
      {"IPv6 unicast, preserving the sender, DSCP 63",
       Unicast(Preserving(With(SpecV6("2001:db8::10", 1, "2001:db8:1::2", 6000), 63, 64, true))),
       "2001:db8::77", 1234, "ff3e::1", 9, "2001:db8::77", 1234},
      {"IPv4 in, IPv6 out (translated), fixed source",
       With(SpecV6("2001:db8::10", 5000, "ff3e::8000:1", 6000), 0, 32, true), "10.0.0.1", 40000,
       "239.1.1.1", 5004, "2001:db8::10", 5000},
      {"IPv6 in, IPv4 out (translated), fixed source",
       With(SpecV4("192.0.2.10", 5000, "232.1.2.3", 6000), 8, 2, true), "2001:db8::1", 40000,
       "ff3e::1", 5004, "192.0.2.10", 5000},
  };
}

const size_t kPayloadLengths[] = {0, 1, 2, 33, 64, 1400, 1401};

struct Built {
  FrameHeaderResult result;
  std::vector<uint8_t> frame;
};

Built BuildOne(const FrameHeaderTemplate& t, const UdpDatagram& d, uint16_t id, UdpChecksumMode mode) {
  uint8_t room[128];
  Built b;
  b.result = t.Build(d, id, mode, room, sizeof room);
  if (b.result.status == FrameHeaderStatus::kOk) b.frame = FrameOf(room, b.result.size, d);
  return b;
}

TEST("every header field is what the template and the datagram say, in both families") {
  uint16_t id = 0xfffe;  // wraps: any 16-bit value goes in as is
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    const char* why = FrameHeaderTemplate::Make(c.spec, &t);
    CHECK_MSG(why == nullptr, c.name << ": " << why);
    const bool v4 = c.spec.family == IpFamily::kIpv4;
    for (size_t len : kPayloadLengths) {
      auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, len);
      for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming}) {
        ++id;
        const Built b = BuildOne(t, in->d, id, mode);
        CHECK_MSG(b.result.status == FrameHeaderStatus::kOk, c.name << " len " << len);
        CHECK_MSG(b.result.size == (v4 ? 42 : 62), c.name);
        CHECK_MSG(b.result.csum_start == (v4 ? 34 : 54) && b.result.csum_offset == 6, c.name);
        CHECK_MSG(!b.result.device_completes_checksum, c.name);
        BuiltFrame f;
        if (!ReadBuiltFrame(b.frame.data(), b.frame.size(), &f)) {
          CHECK_MSG(false, c.name << " len " << len << ": not a well-formed frame");
          continue;
        }
        CHECK_MSG(std::memcmp(f.dst_mac, c.spec.dst_mac.data(), 6) == 0, c.name);
        CHECK_MSG(std::memcmp(f.src_mac, c.spec.src_mac.data(), 6) == 0, c.name);
        CHECK_MSG(f.family == c.spec.family, c.name);
        CHECK_MSG(f.dscp == c.spec.dscp && f.ecn == 0, c.name << ": dscp " << int{f.dscp});
        CHECK_MSG(f.ttl == c.spec.ttl, c.name << ": ttl " << int{f.ttl});
        CHECK_MSG(f.flow_label == 0, c.name);
        if (v4) {
          CHECK_MSG(f.dont_fragment == c.spec.dont_fragment && f.fragment_bits == 0, c.name);
          CHECK_MSG(f.ip_id == id, c.name << ": id " << f.ip_id);
        }
        CHECK_MSG(f.ip_checksum_ok, c.name << " len " << len);
        CHECK_MSG(f.src == Ip(c.want_src) && f.src_port == c.want_src_port, c.name);
        CHECK_MSG(f.dst == c.spec.dst && f.dst_port == c.spec.dst_port, c.name);
        CHECK_MSG(f.udp_checksum_ok, c.name << " len " << len << " mode " << int(mode)
                                            << ": checksum " << f.udp_checksum);
        CHECK_MSG(f.payload_len == len && f.payload_at == b.result.size, c.name);
        CHECK_MSG(len == 0 || std::memcmp(b.frame.data() + f.payload_at, in->payload.data(), len) == 0,
                  c.name << ": payload bytes");
      }
    }
  }
}

TEST("adjusting a correct incoming checksum writes the same bytes as summing the payload") {
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    for (size_t len : kPayloadLengths) {
      auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, len);
      const Built summed = BuildOne(t, in->d, 7, UdpChecksumMode::kSumPayload);
      const Built adjusted = BuildOne(t, in->d, 7, UdpChecksumMode::kAdjustIncoming);
      CHECK_MSG(summed.frame == adjusted.frame, c.name << " len " << len);
    }
  }
}

TEST("a UDP checksum that comes out 0 is sent as 0xffff, never as 0") {
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, 20);
    // With the last payload word 0 the checksum is C; a word w adds w to the sum, and
    // w = C (= ~sum) makes the sum ones'-complement zero: the checksum computes to 0.
    in->payload[18] = in->payload[19] = 0;
    in->Sign();
    const Built before = BuildOne(t, in->d, 1, UdpChecksumMode::kSumPayload);
    const size_t field = before.result.csum_start + 6u;
    in->payload[18] = before.frame[field];
    in->payload[19] = before.frame[field + 1];
    in->Sign();
    for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming}) {
      const Built b = BuildOne(t, in->d, 1, mode);
      CHECK_MSG(ReadBe16(b.frame.data() + field) == 0xffff, c.name << " mode " << int(mode));
      BuiltFrame f;
      CHECK_MSG(ReadBuiltFrame(b.frame.data(), b.frame.size(), &f) && f.udp_checksum_ok, c.name);
    }
  }
}

TEST("adjusting carries a corrupted payload's bad checksum through; summing does not") {
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, 100);
    in->payload[50] ^= 0x10;  // after the sender signed it
    BuiltFrame adjusted;
    BuiltFrame summed;
    const Built a = BuildOne(t, in->d, 1, UdpChecksumMode::kAdjustIncoming);
    const Built s = BuildOne(t, in->d, 1, UdpChecksumMode::kSumPayload);
    CHECK_MSG(ReadBuiltFrame(a.frame.data(), a.frame.size(), &adjusted) && !adjusted.udp_checksum_ok,
              c.name);
    CHECK_MSG(ReadBuiltFrame(s.frame.data(), s.frame.size(), &summed) && summed.udp_checksum_ok, c.name);
  }
}

TEST("adjusting a datagram that came without a checksum (0) sums its payload instead") {
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, 77);
    in->d.udp_checksum = 0;
    const Built b = BuildOne(t, in->d, 1, UdpChecksumMode::kAdjustIncoming);
    BuiltFrame f;
    CHECK_MSG(ReadBuiltFrame(b.frame.data(), b.frame.size(), &f) && f.udp_checksum_ok, c.name);
  }
}

TEST("the device form holds the pseudo-header sum; finishing it gives the summed frame") {
  for (const FieldCase& c : FieldCases()) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    for (size_t len : kPayloadLengths) {
      auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, len);
      Built device = BuildOne(t, in->d, 3, UdpChecksumMode::kDeviceCompletes);
      CHECK_MSG(device.result.status == FrameHeaderStatus::kOk && device.result.device_completes_checksum,
                c.name);
      const size_t field = size_t{device.result.csum_start} + device.result.csum_offset;
      // The pseudo-header's sum: its bytes followed by a zeroed UDP segment.
      const std::vector<uint8_t> zeros(8 + len, 0);
      const FrameHeaderSpec& s = c.spec;
      const IpAddress src = s.source == SourcePolicy::kFixed ? s.src : in->d.src;
      CHECK_MSG(ReadBe16(device.frame.data() + field) ==
                    FoldedWordSum(ChecksummedBytes(src, s.dst, zeros.data(), zeros.size())),
                c.name << " len " << len);
      FinishDeviceChecksum(&device.frame, device.result.csum_start, device.result.csum_offset);
      CHECK_MSG(device.frame == BuildOne(t, in->d, 3, UdpChecksumMode::kSumPayload).frame,
                c.name << " len " << len);
    }
  }
}

TEST("the virtio_net_hdr asks for the checksum only for the device form") {
  FrameHeaderTemplate v4;
  FrameHeaderTemplate::Make(SpecV4("192.0.2.1", 1, "232.1.1.1", 2), &v4);
  FrameHeaderTemplate v6;
  FrameHeaderTemplate::Make(SpecV6("2001:db8::1", 1, "ff3e::1", 2), &v6);
  auto in = MakeDatagram("10.0.0.1", 3, "239.0.0.1", 4, 10);
  struct Case {
    const FrameHeaderTemplate* t;
    UdpChecksumMode mode;
    uint8_t flags;
    uint16_t halves[4];  // hdr_len, gso_size, csum_start, csum_offset
  } cases[] = {
      {&v4, UdpChecksumMode::kDeviceCompletes, 1, {42, 0, 34, 6}},
      {&v6, UdpChecksumMode::kDeviceCompletes, 1, {62, 0, 54, 6}},
      {&v4, UdpChecksumMode::kSumPayload, 0, {42, 0, 0, 0}},
      {&v6, UdpChecksumMode::kAdjustIncoming, 0, {62, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    uint8_t room[128];
    const FrameHeaderResult r = c.t->Build(in->d, 1, c.mode, room, sizeof room);
    uint8_t vnet[kVirtioNetHeaderSize + 1];
    std::memset(vnet, 0xee, sizeof vnet);
    CHECK(WriteVirtioNetHeader(r, vnet, kVirtioNetHeaderSize));
    CHECK_EQ(vnet[0], c.flags);
    CHECK_EQ(vnet[1], 0);  // VIRTIO_NET_HDR_GSO_NONE
    uint16_t halves[4];
    std::memcpy(halves, vnet + 2, sizeof halves);  // the host's byte order
    for (size_t i = 0; i < 4; ++i) CHECK_MSG(halves[i] == c.halves[i], "half " << i << ": " << halves[i]);
    CHECK_EQ(vnet[kVirtioNetHeaderSize], 0xee);
  }
  uint8_t vnet[kVirtioNetHeaderSize];
  std::memset(vnet, 0xee, sizeof vnet);
  const FrameHeaderResult ok = v4.Build(in->d, 1, UdpChecksumMode::kDeviceCompletes, vnet, 0);
  CHECK(!WriteVirtioNetHeader(ok, vnet, sizeof vnet));  // the build failed (no room)
  FrameHeaderResult good;
  good.status = FrameHeaderStatus::kOk;
  CHECK(!WriteVirtioNetHeader(good, vnet, kVirtioNetHeaderSize - 1));
  CHECK_EQ(vnet[0], 0xee);
}

TEST("an IPv4 frame parses back to the same datagram with its UDP checksum verified") {
  for (const FieldCase& c : FieldCases()) {
    if (c.spec.family != IpFamily::kIpv4) continue;  // the parser relays IPv4 only
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(c.spec, &t);
    for (size_t len : kPayloadLengths) {
      auto in = MakeDatagram(c.in_src, c.in_src_port, c.in_dst, c.in_dst_port, len);
      for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming,
                                   UdpChecksumMode::kDeviceCompletes}) {
        Built b = BuildOne(t, in->d, 1, mode);
        if (mode == UdpChecksumMode::kDeviceCompletes) {
          FinishDeviceChecksum(&b.frame, b.result.csum_start, b.result.csum_offset);
        }
        std::unique_ptr<uint8_t[]> storage;
        UdpDatagram out;
        const ParseResult got = ParseCopy(b.frame, &storage, &out);
        CHECK_MSG(got == ParseResult::kOk, c.name << " len " << len << ": " << got);
        if (got != ParseResult::kOk) continue;
        CHECK_MSG(out.src == Ip(c.want_src) && out.src_port == c.want_src_port, c.name);
        CHECK_MSG(out.dst == c.spec.dst && out.dst_port == c.spec.dst_port, c.name);
        CHECK_MSG(out.ttl == c.spec.ttl && out.vlan_id == kNoVlan && !out.has_ip_options, c.name);
        CHECK_MSG(out.udp_checksum == ReadBe16(b.frame.data() + 40) && out.udp_checksum != 0, c.name);
        CHECK_MSG(out.payload_len == len && out.payload == storage.get() + 42, c.name);
        CHECK_MSG(len == 0 || std::memcmp(out.payload, in->payload.data(), len) == 0, c.name);
      }
    }
  }
}

}  // namespace
}  // namespace mcr::test
