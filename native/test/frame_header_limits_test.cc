// The frame header builder at its edges: multicast MACs, specs Make() refuses, the MTU
// boundary, a buffer one byte short, preserve across families, and no allocation per
// datagram. Field-by-field content is in frame_header_test.cc.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "egress_datagram.h"
#include "harness.h"

namespace mcr::test {
namespace {

TEST("a group's MAC is 01:00:5e + its low 23 bits (IPv4) or 33:33 + its low 32 bits (IPv6)") {
  struct Case {
    const char* group;
    MacAddress want;
  } cases[] = {
      {"224.0.0.1", {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}},
      {"239.255.255.250", {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}},
      {"232.129.2.3", {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}},  // bit 23 is not in the MAC
      {"ff02::1", {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}},
      {"ff02::1:ff00:1234", {0x33, 0x33, 0xff, 0x00, 0x12, 0x34}},
      {"ff3e::8000:abcd", {0x33, 0x33, 0x80, 0x00, 0xab, 0xcd}},
  };
  for (const Case& c : cases) {
    MacAddress mac{};
    CHECK_MSG(MulticastMac(Ip(c.group), &mac) && mac == c.want, c.group);
  }
  for (const char* unicast : {"192.0.2.1", "10.0.0.1", "2001:db8::1", "fe80::1"}) {
    MacAddress mac = {1, 2, 3, 4, 5, 6};
    CHECK_MSG(!MulticastMac(Ip(unicast), &mac), unicast);
    CHECK_MSG((mac == MacAddress{1, 2, 3, 4, 5, 6}), unicast << ": left untouched");
  }
}

TEST("Make refuses a spec with a bad field, names it, and leaves the template as it was") {
  const FrameHeaderSpec v4 = SpecV4("192.0.2.1", 1, "232.1.1.1", 2);
  const FrameHeaderSpec v6 = SpecV6("2001:db8::1", 1, "ff3e::1", 2);
  struct Case {
    const char* name;
    FrameHeaderSpec spec;
    const char* want;  // a substring of the message
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, FrameHeaderSpec spec, const char* want) {
    cases.push_back({name, spec, want});
  };
  FrameHeaderSpec s = v4;
  s.ttl = 0;
  add("TTL 0", s, "ttl");
  s = v6;
  s.dscp = 64;
  add("DSCP 64", s, "dscp");
  s = v4;
  s.mtu = 67;
  add("IPv4 MTU 67", s, "mtu must be at least 68");
  s = v6;
  s.mtu = 1279;
  add("IPv6 MTU 1279", s, "mtu must be at least 1280");
  s = v4;
  s.dst = Ip("ff3e::1");
  add("an IPv6 destination on an IPv4 output", s, "destination");
  s = v6;
  s.dst = IpAddress();
  add("an unspecified destination", s, "destination");
  s = v6;
  s.src = Ip("192.0.2.1");
  add("an IPv4 fixed source on an IPv6 output", s, "source");
  s = v4;
  s.src = Ip("0.0.0.0");
  add("an unspecified fixed source", s, "source");
  s = v4;
  s.src = Ip("239.1.1.1");
  add("a multicast fixed source", s, "source");
  s = v4;
  s.family = static_cast<IpFamily>(5);
  add("family 5", s, "family");
  s = v4;
  s.source = static_cast<SourcePolicy>(2);
  add("source policy 2", s, "source policy");
  for (const Case& c : cases) {
    FrameHeaderTemplate t;
    const char* why = FrameHeaderTemplate::Make(c.spec, &t);
    CHECK_MSG(why != nullptr && std::string(why).find(c.want) != std::string::npos,
              c.name << ": " << (why ? why : "accepted"));
    CHECK_MSG(t.header_size() == 0, c.name << ": template changed");
  }
  // The edges that are fine, and a preserving spec needs no source at all.
  s = v4;
  s.mtu = 68;
  s.ttl = 255;
  s.dscp = 63;
  FrameHeaderTemplate t;
  CHECK(FrameHeaderTemplate::Make(s, &t) == nullptr);
  s = v6;
  s.mtu = 1280;
  s.source = SourcePolicy::kPreserve;
  s.src = IpAddress();
  CHECK(FrameHeaderTemplate::Make(s, &t) == nullptr);
}

TEST("a payload that makes the IP packet exactly the MTU fits; one byte more is too big") {
  struct Case {
    const char* name;
    FrameHeaderSpec spec;
    uint32_t mtu;
    size_t max_payload;
  } cases[] = {
      {"IPv4, MTU 1500", SpecV4("192.0.2.1", 1, "232.1.1.1", 2), 1500, 1472},
      {"IPv4, MTU 68", SpecV4("192.0.2.1", 1, "232.1.1.1", 2), 68, 40},
      {"IPv4, MTU 9000", SpecV4("192.0.2.1", 1, "232.1.1.1", 2), 9000, 8972},
      {"IPv4, MTU 70000 (total length caps it)", SpecV4("192.0.2.1", 1, "232.1.1.1", 2), 70000, 65507},
      {"IPv6, MTU 1500", SpecV6("2001:db8::1", 1, "ff3e::1", 2), 1500, 1452},
      {"IPv6, MTU 1280", SpecV6("2001:db8::1", 1, "ff3e::1", 2), 1280, 1232},
      {"IPv6, MTU 70000 (payload length caps it)", SpecV6("2001:db8::1", 1, "ff3e::1", 2), 70000, 65527},
  };
  for (Case& c : cases) {
    c.spec.mtu = c.mtu;
    FrameHeaderTemplate t;
    CHECK(FrameHeaderTemplate::Make(c.spec, &t) == nullptr);
    CHECK_MSG(t.max_payload() == c.max_payload, c.name << ": " << t.max_payload());
    for (size_t len : {c.max_payload, c.max_payload + 1}) {
      auto in = MakeDatagram("10.0.0.1", 3, "239.0.0.1", 4, len);
      uint8_t room[128];
      const FrameHeaderResult r = t.Build(in->d, 1, UdpChecksumMode::kSumPayload, room, sizeof room);
      const bool fits = len == c.max_payload;
      CHECK_MSG(r.status == (fits ? FrameHeaderStatus::kOk : FrameHeaderStatus::kTooBig),
                c.name << " payload " << len << ": " << r.status);
      if (fits && c.mtu < 70000) CHECK_MSG(r.size + len == c.mtu + 14, c.name << ": frame is MTU + 14");
      if (!fits) CHECK_MSG(r.size == 0, c.name);
    }
  }
}

TEST("a buffer one byte short of the header is refused and not written") {
  const FrameHeaderSpec specs[] = {SpecV4("192.0.2.1", 1, "232.1.1.1", 2),
                                   SpecV6("2001:db8::1", 1, "ff3e::1", 2)};
  auto in = MakeDatagram("10.0.0.1", 3, "239.0.0.1", 4, 100);
  for (const FrameHeaderSpec& spec : specs) {
    FrameHeaderTemplate t;
    FrameHeaderTemplate::Make(spec, &t);
    const size_t size = t.header_size();
    // Exactly sized heap buffers: ASan reports any byte written past them.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[size]);
    CHECK_EQ(t.Build(in->d, 1, UdpChecksumMode::kSumPayload, exact.get(), size).status,
             FrameHeaderStatus::kOk);
    std::unique_ptr<uint8_t[]> short_one(new uint8_t[size - 1]);
    std::memset(short_one.get(), 0xa5, size - 1);
    for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming,
                                 UdpChecksumMode::kDeviceCompletes}) {
      const FrameHeaderResult r = t.Build(in->d, 1, mode, short_one.get(), size - 1);
      CHECK_EQ(r.status, FrameHeaderStatus::kBufferTooSmall);
      CHECK_EQ(r.size, 0);
    }
    bool untouched = true;
    for (size_t i = 0; i < size - 1; ++i) untouched = untouched && short_one[i] == 0xa5;
    CHECK(untouched);
    CHECK_EQ(t.Build(in->d, 1, UdpChecksumMode::kSumPayload, nullptr, 0).status,
             FrameHeaderStatus::kBufferTooSmall);
  }
}

TEST("preserving the source refuses a datagram of the other family; a fixed source takes both") {
  FrameHeaderSpec v4 = SpecV4("192.0.2.1", 1, "232.1.1.1", 2);
  FrameHeaderSpec v6 = SpecV6("2001:db8::1", 1, "ff3e::1", 2);
  auto from_v4 = MakeDatagram("10.0.0.1", 3, "239.0.0.1", 4, 10);
  auto from_v6 = MakeDatagram("2001:db8::9", 3, "ff3e::9", 4, 10);
  struct Case {
    FrameHeaderSpec* spec;
    SourcePolicy source;
    const UdpDatagram* d;
    FrameHeaderStatus want;
  } cases[] = {
      {&v4, SourcePolicy::kPreserve, &from_v6->d, FrameHeaderStatus::kFamilyMismatch},
      {&v6, SourcePolicy::kPreserve, &from_v4->d, FrameHeaderStatus::kFamilyMismatch},
      {&v4, SourcePolicy::kPreserve, &from_v4->d, FrameHeaderStatus::kOk},
      {&v6, SourcePolicy::kPreserve, &from_v6->d, FrameHeaderStatus::kOk},
      {&v4, SourcePolicy::kFixed, &from_v6->d, FrameHeaderStatus::kOk},
      {&v6, SourcePolicy::kFixed, &from_v4->d, FrameHeaderStatus::kOk},
  };
  for (const Case& c : cases) {
    FrameHeaderSpec spec = *c.spec;
    spec.source = c.source;
    FrameHeaderTemplate t;
    CHECK(FrameHeaderTemplate::Make(spec, &t) == nullptr);
    uint8_t room[128];
    CHECK_EQ(t.Build(*c.d, 1, UdpChecksumMode::kSumPayload, room, sizeof room).status, c.want);
  }
}

TEST("building a header never allocates, in any mode or family") {
  FrameHeaderSpec preserve = SpecV6("2001:db8::1", 1, "ff3e::1", 2);
  preserve.source = SourcePolicy::kPreserve;
  const FrameHeaderSpec specs[] = {SpecV4("192.0.2.1", 1, "232.1.1.1", 2),
                                   SpecV6("2001:db8::1", 1, "ff3e::1", 2), preserve};
  FrameHeaderTemplate templates[3];
  for (size_t i = 0; i < 3; ++i) FrameHeaderTemplate::Make(specs[i], &templates[i]);
  auto from_v4 = MakeDatagram("10.0.0.1", 3, "239.0.0.1", 4, 1400);
  auto from_v6 = MakeDatagram("2001:db8::9", 3, "ff3e::9", 4, 1400);
  uint8_t room[128];
  uint8_t vnet[kVirtioNetHeaderSize];
  size_t written = 0;
  const size_t before = AllocationCount();
  for (uint16_t id = 0; id < 1000; ++id) {
    for (const FrameHeaderTemplate& t : templates) {
      for (const UdpDatagram* d : {&from_v4->d, &from_v6->d}) {
        for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming,
                                     UdpChecksumMode::kDeviceCompletes}) {
          const FrameHeaderResult r = t.Build(*d, id, mode, room, sizeof room);
          written += r.size;
          WriteVirtioNetHeader(r, vnet, sizeof vnet);
        }
      }
    }
  }
  CHECK_EQ(AllocationCount() - before, size_t{0});
  CHECK(written > 0);
}

}  // namespace
}  // namespace mcr::test

namespace mcr::test {
namespace {

// A datagram cut by segmentation offload must carry, as one large datagram, exactly the
// header Build() writes for that large datagram in kDeviceCompletes mode: same lengths,
// same IPv4 checksum, the same pseudo-header sum in the UDP checksum field.
TEST("a header resized for segmentation equals the one built for the whole payload, in both families") {
  const FrameHeaderSpec specs[] = {SpecV4("192.0.2.10", 5000, "232.1.2.3", 6000),
                                   SpecV6("2001:db8::10", 5000, "ff3e::8000:1", 6000)};
  const size_t cases[][2] = {{1, 7}, {64, 64 * 20}, {1400, 1400 * 46}, {1, 60000}};
  for (FrameHeaderSpec spec : specs) {
    spec.mtu = 9000;
    FrameHeaderTemplate t;
    CHECK(FrameHeaderTemplate::Make(spec, &t) == nullptr);
    for (const auto& c : cases) {
      const size_t first = c[0];
      const size_t total = c[1];
      auto small = MakeDatagram("10.0.0.1", 40000, "239.1.1.1", 5004, first);
      uint8_t resized[kMaxFrameHeaderSize];
      const FrameHeaderResult built = t.Build(small->d, 77, UdpChecksumMode::kDeviceCompletes, resized, sizeof resized);
      CHECK_EQ(built.status, FrameHeaderStatus::kOk);
      CHECK_MSG(t.Resize(resized, first, total), "resize " << first << " -> " << total);
      // The reference: the whole payload built in one go (past the MTU, so through a
      // template whose MTU admits it).
      FrameHeaderSpec wide = spec;
      wide.mtu = 65535;
      FrameHeaderTemplate w;
      CHECK(FrameHeaderTemplate::Make(wide, &w) == nullptr);
      auto large = MakeDatagram("10.0.0.1", 40000, "239.1.1.1", 5004, 0);
      large->d.payload_len = total;  // only the lengths are read in this mode
      uint8_t direct[kMaxFrameHeaderSize];
      CHECK_EQ(w.Build(large->d, 77, UdpChecksumMode::kDeviceCompletes, direct, sizeof direct).status,
               FrameHeaderStatus::kOk);
      CHECK_MSG(std::memcmp(resized, direct, t.header_size()) == 0, "header for " << first << " -> " << total);
    }
    uint8_t header[kMaxFrameHeaderSize];
    auto small = MakeDatagram("10.0.0.1", 40000, "239.1.1.1", 5004, 100);
    t.Build(small->d, 1, UdpChecksumMode::kDeviceCompletes, header, sizeof header);
    uint8_t before[kMaxFrameHeaderSize];
    std::memcpy(before, header, sizeof header);
    CHECK(!t.Resize(header, 100, kMaxSegmentedPayload + 1));
    CHECK(!t.Resize(header, 100, 99));
    CHECK(std::memcmp(before, header, sizeof header) == 0);
  }
}

TEST("the virtio header asks for UDP segmentation only with a device-completed checksum") {
  FrameHeaderResult result;
  result.status = FrameHeaderStatus::kOk;
  result.size = 42;
  result.csum_start = 34;
  result.csum_offset = 6;
  result.device_completes_checksum = true;
  uint8_t out[kVirtioNetHeaderSize] = {};
  CHECK(WriteVirtioNetHeader(result, out, sizeof out, 1400));
  uint16_t halves[4];
  std::memcpy(halves, out + 2, sizeof halves);
  CHECK_EQ(out[0], 1);  // NEEDS_CSUM
  CHECK_EQ(out[1], 5);  // GSO_UDP_L4
  CHECK_EQ(halves[0], 42);
  CHECK_EQ(halves[1], 1400);
  CHECK_EQ(halves[2], 34);
  CHECK_EQ(halves[3], 6);
  result.device_completes_checksum = false;
  CHECK(!WriteVirtioNetHeader(result, out, sizeof out, 1400));
}

}  // namespace
}  // namespace mcr::test
