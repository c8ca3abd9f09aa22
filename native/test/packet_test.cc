// Table tests for ParseFrame: well-formed frames and what the parser reports about
// them, then one mutated frame per way a frame can be wrong. Robustness (every
// truncation, random bytes, no allocation) lives in packet_robustness_test.cc.
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "frame_builder.h"
#include "harness.h"
#include "parse_helpers.h"

namespace mcr::test {
namespace {

struct GoodCase {
  const char* name;
  FrameSpec spec;
  uint16_t want_vlan;
};

FrameSpec Spec(size_t payload_len) {
  FrameSpec spec;
  spec.payload_len = payload_len;
  return spec;
}

FrameSpec WithTags(std::vector<VlanTag> tags) {
  FrameSpec spec;
  spec.vlan_tags = std::move(tags);
  return spec;
}

FrameSpec WithOptions(std::vector<uint8_t> options) {
  FrameSpec spec;
  spec.ip_options = std::move(options);
  return spec;
}

FrameSpec WithFlags(uint16_t flags_fragment) {
  FrameSpec spec;
  spec.flags_fragment = flags_fragment;
  return spec;
}

void CheckDatagram(const char* name, const FrameSpec& spec, const Frame& frame,
                   const uint8_t* base, const UdpDatagram& d, uint16_t want_vlan) {
  CHECK_MSG(d.src == IpAddress::FromIpv4(spec.src_ip), name);
  CHECK_MSG(d.dst == IpAddress::FromIpv4(spec.dst_ip), name);
  CHECK_MSG(d.src_port == spec.src_port, name);
  CHECK_MSG(d.dst_port == spec.dst_port, name);
  CHECK_MSG(d.ttl == spec.ttl, name);
  CHECK_MSG(d.vlan_id == want_vlan, name << ": vlan " << d.vlan_id);
  CHECK_MSG(d.has_ip_options == !spec.ip_options.empty(), name);
  CHECK_MSG(d.payload_len == spec.payload_len, name << ": payload_len " << d.payload_len);
  CHECK_MSG(d.payload == base + frame.payload_offset, name << ": payload pointer");
  bool same = true;
  for (size_t i = 0; i < d.payload_len && same; ++i) same = d.payload[i] == PayloadByte(i);
  CHECK_MSG(same, name << ": payload bytes");
}

TEST("well-formed IPv4/UDP frames parse ok with every field reported") {
  const GoodCase cases[] = {
      {"plain, 16-byte payload", Spec(16), kNoVlan},
      {"empty payload", Spec(0), kNoVlan},
      {"1-byte payload", Spec(1), kNoVlan},
      {"1472-byte payload (1500 MTU)", Spec(1472), kNoVlan},
      {"8972-byte payload (9000 MTU jumbo)", Spec(8972), kNoVlan},
      {"IPv4 options (router alert)", WithOptions({0x94, 0x04, 0x00, 0x00}), kNoVlan},
      {"40 bytes of IPv4 options (IHL 15)", WithOptions(std::vector<uint8_t>(40, 0x01)),
       kNoVlan},
      {"one 802.1Q tag", WithTags({{kTpid8021Q, 100}}), 100},
      {"802.1Q tag with PCP and DEI bits set", WithTags({{kTpid8021Q, 0xf064}}), 100},
      {"priority-only tag (VID 0)", WithTags({{kTpid8021Q, 0x6000}}), 0},
      {"QinQ 802.1ad outer + 802.1Q inner", WithTags({{kTpid8021ad, 200}, {kTpid8021Q, 300}}),
       200},
      {"double 802.1Q", WithTags({{kTpid8021Q, 7}, {kTpid8021Q, 4094}}), 7},
      {"DF set, no fragmentation", WithFlags(0x4000), kNoVlan},
      {"no flags at all", WithFlags(0), kNoVlan},
  };
  for (const GoodCase& c : cases) {
    const Frame frame = BuildUdpFrame(c.spec);
    std::unique_ptr<uint8_t[]> storage;
    UdpDatagram d;
    const ParseResult got = ParseCopy(frame.bytes, &storage, &d);
    CHECK_MSG(got == ParseResult::kOk, c.name << ": got " << got);
    if (got == ParseResult::kOk) {
      CheckDatagram(c.name, c.spec, frame, storage.get(), d, c.want_vlan);
    }
  }
}

TEST("a 0-byte payload padded to the 60-byte Ethernet minimum parses with payload_len 0") {
  FrameSpec spec = Spec(0);
  spec.eth_padding = 60 - (14 + 20 + 8);
  const Frame frame = BuildUdpFrame(spec);
  CHECK_EQ(frame.bytes.size(), size_t{60});
  std::unique_ptr<uint8_t[]> storage;
  UdpDatagram d;
  CHECK_EQ(ParseCopy(frame.bytes, &storage, &d), ParseResult::kOk);
  CHECK_EQ(d.payload_len, size_t{0});
  CHECK(d.payload == storage.get() + frame.payload_offset);
}

TEST("a UDP length shorter than the IP payload bounds the payload by the UDP length") {
  Frame frame = BuildUdpFrame(Spec(100));
  SetUdpLength(&frame, 8 + 40);
  std::unique_ptr<uint8_t[]> storage;
  UdpDatagram d;
  CHECK_EQ(ParseCopy(frame.bytes, &storage, &d), ParseResult::kOk);
  CHECK_EQ(d.payload_len, size_t{40});
}

TEST("a correct UDP checksum verifies: any payload length, options, tags, padding") {
  const size_t lengths[] = {0, 1, 2, 15, 16, 1472, 8972};
  for (size_t len : lengths) {
    FrameSpec spec = Spec(len);
    spec.udp_checksum = true;
    FrameSpec dressed = spec;
    dressed.ip_options = {0x94, 0x04, 0x00, 0x00};
    dressed.vlan_tags = {{kTpid8021ad, 1}, {kTpid8021Q, 2}};
    dressed.eth_padding = 7;
    for (const FrameSpec& s : {spec, dressed}) {
      const Frame frame = BuildUdpFrame(s);
      std::unique_ptr<uint8_t[]> storage;
      UdpDatagram d;
      const ParseResult got = ParseCopy(frame.bytes, &storage, &d);
      CHECK_MSG(got == ParseResult::kOk, "payload " << len << ": got " << got);
      CHECK_MSG(Get16(frame.bytes, frame.l4_offset + 6) != 0, "payload " << len);
    }
  }
}

TEST("a bad UDP checksum is ignored when the caller says the kernel settled it") {
  FrameSpec spec = Spec(16);
  spec.udp_checksum = true;
  Frame frame = BuildUdpFrame(spec);
  frame.bytes[frame.payload_offset] ^= 0xff;
  std::unique_ptr<uint8_t[]> storage(new uint8_t[frame.bytes.size()]);
  std::memcpy(storage.get(), frame.bytes.data(), frame.bytes.size());
  UdpDatagram d;
  CHECK_EQ(ParseFrame(storage.get(), frame.bytes.size(), &d), ParseResult::kBadUdpChecksum);
  ParseOptions trust;
  trust.verify_udp_checksum = false;
  CHECK_EQ(ParseFrame(storage.get(), frame.bytes.size(), trust, &d), ParseResult::kOk);
  CHECK_EQ(d.payload_len, size_t{16});
}

TEST("the ones'-complement sum matches RFC 1071's worked example") {
  // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK_EQ(OnesComplementSum(bytes, sizeof bytes, 0), uint16_t{0xddf2});
  CHECK_EQ(OnesComplementSum(bytes, 7, 0), uint16_t{0xdcfb});  // odd: f7 gone, f6 is a high byte
  CHECK_EQ(OnesComplementSum(nullptr, 0, 0x1234), uint16_t{0x1234});
  CHECK_EQ(OnesComplementSum(nullptr, 0, 0x1ffff), uint16_t{0x0001});
}

TEST("a tag the kernel stripped counts toward the limit of two") {
  ParseOptions stripped;
  stripped.stripped_vlan_tags = 1;
  const Frame one = BuildUdpFrame(WithTags({{kTpid8021Q, 7}}));
  const Frame two = BuildUdpFrame(WithTags({{kTpid8021Q, 7}, {kTpid8021Q, 8}}));
  const Frame none = BuildUdpFrame(Spec(16));
  UdpDatagram d;
  CHECK_EQ(ParseFrame(none.bytes.data(), none.bytes.size(), stripped, &d), ParseResult::kOk);
  CHECK_EQ(d.vlan_id, kNoVlan);  // the stripped tag's VID is the caller's to report
  CHECK_EQ(ParseFrame(one.bytes.data(), one.bytes.size(), stripped, &d), ParseResult::kOk);
  CHECK_EQ(d.vlan_id, uint16_t{7});
  CHECK_EQ(ParseFrame(two.bytes.data(), two.bytes.size(), stripped, &d),
           ParseResult::kTooManyVlanTags);
  ParseOptions absurd;
  absurd.stripped_vlan_tags = 200;  // more than the limit already: never a read, never ok
  CHECK_EQ(ParseFrame(one.bytes.data(), one.bytes.size(), absurd, &d),
           ParseResult::kTooManyVlanTags);
  CHECK_EQ(ParseFrame(none.bytes.data(), none.bytes.size(), absurd, &d), ParseResult::kOk);
}

struct BadCase {
  const char* name;
  Frame frame;
  ParseResult want;
};

Frame Mutated(const FrameSpec& spec, void (*mutate)(Frame*)) {
  Frame frame = BuildUdpFrame(spec);
  mutate(&frame);
  return frame;
}

std::vector<BadCase> BadCases() {
  FrameSpec tcp;
  tcp.protocol = kProtoTcp;
  tcp.payload_len = 20;
  FrameSpec icmp;
  icmp.protocol = kProtoIcmp;
  FrameSpec tcp_fragment = tcp;
  tcp_fragment.flags_fragment = 0x2000;
  const std::vector<uint8_t> ipv6_udp(48, 0x60);
  const std::vector<uint8_t> arp(28, 0x01);
  const FrameSpec plain = Spec(16);
  const FrameSpec padded = [] { FrameSpec s = Spec(4); s.eth_padding = 20; return s; }();
  const FrameSpec checksummed = [] { FrameSpec s = Spec(16); s.udp_checksum = true; return s; }();
  const FrameSpec odd_checksummed = [] { FrameSpec s = Spec(15); s.udp_checksum = true; return s; }();

  return {
      {"first fragment (MF=1, offset 0)", BuildUdpFrame(WithFlags(0x2000)),
       ParseResult::kFragment},
      {"middle fragment (MF=1, offset 185)", BuildUdpFrame(WithFlags(0x2000 | 185)),
       ParseResult::kFragment},
      {"last fragment (MF=0, offset 185)", BuildUdpFrame(WithFlags(185)), ParseResult::kFragment},
      {"last fragment, 1 byte, too short for a UDP header",
       Mutated(WithFlags(185), [](Frame* f) { SetIpTotalLength(f, 21); }), ParseResult::kFragment},
      {"TCP", BuildUdpFrame(tcp), ParseResult::kNotUdp},
      {"ICMP", BuildUdpFrame(icmp), ParseResult::kNotUdp},
      {"TCP fragment counts as not UDP", BuildUdpFrame(tcp_fragment), ParseResult::kNotUdp},
      // IPv6 has its own table (packet_ipv6_test.cc); these bytes (0x60 throughout) claim
      // a payload length of 0x6060.
      {"IPv6 claiming more payload than the frame holds", BuildRawFrame(plain, kEtherIpv6, ipv6_udp),
       ParseResult::kIpv6BadPayloadLength},
      {"the same inside a VLAN tag", BuildRawFrame(WithTags({{kTpid8021Q, 5}}), kEtherIpv6, ipv6_udp),
       ParseResult::kIpv6BadPayloadLength},
      {"IPv6 EtherType with nothing after it", BuildRawFrame(plain, kEtherIpv6, {}),
       ParseResult::kTruncated},
      {"UDP checksum off by one",
       Mutated(checksummed, [](Frame* f) { f->bytes[f->l4_offset + 7] ^= 0x01; }),
       ParseResult::kBadUdpChecksum},
      {"payload byte corrupted after the checksum was computed",
       Mutated(checksummed, [](Frame* f) { f->bytes[f->payload_offset + 3] ^= 0x40; }),
       ParseResult::kBadUdpChecksum},
      {"odd-length payload, last byte corrupted",
       Mutated(odd_checksummed, [](Frame* f) { f->bytes[f->payload_offset + 14] ^= 0x01; }),
       ParseResult::kBadUdpChecksum},
      {"UDP checksum 0xffff that does not verify",
       Mutated(plain, [](Frame* f) { Put16(&f->bytes, f->l4_offset + 6, 0xffff); }),
       ParseResult::kBadUdpChecksum},
      {"UDP length shortened after the checksum was computed",
       Mutated(checksummed, [](Frame* f) { SetUdpLength(f, 8 + 10); }),
       ParseResult::kBadUdpChecksum},
      {"ARP", BuildRawFrame(plain, kEtherArp, arp), ParseResult::kNotIpv4},
      {"802.3 length field instead of an EtherType", BuildRawFrame(plain, 0x05dc, arp),
       ParseResult::kNotIpv4},
      {"three VLAN tags",
       BuildUdpFrame(WithTags({{kTpid8021ad, 1}, {kTpid8021Q, 2}, {kTpid8021Q, 3}})),
       ParseResult::kTooManyVlanTags},
      {"two tags and a third TPID with nothing after it",
       BuildRawFrame(WithTags({{kTpid8021Q, 1}, {kTpid8021Q, 2}}), kTpid8021Q, {}),
       ParseResult::kTooManyVlanTags},
      {"IP version 6 under EtherType IPv4",
       Mutated(plain, [](Frame* f) { SetIpVersionIhl(f, 6, 5); }), ParseResult::kBadIpHeader},
      {"IHL 4", Mutated(plain, [](Frame* f) { SetIpVersionIhl(f, 4, 4); }),
       ParseResult::kBadIpHeader},
      {"IHL 0", Mutated(plain, [](Frame* f) { SetIpVersionIhl(f, 4, 0); }),
       ParseResult::kBadIpHeader},
      {"IHL 15 with only 36 bytes after the Ethernet header",
       Mutated(Spec(8), [](Frame* f) { SetIpVersionIhl(f, 4, 15); }), ParseResult::kBadIpHeader},
      {"header checksum off by one",
       Mutated(plain, [](Frame* f) { f->bytes[f->ip_offset + 11] ^= 0x01; }),
       ParseResult::kBadIpChecksum},
      {"header corrupted, checksum not updated",
       Mutated(plain, [](Frame* f) { f->bytes[f->ip_offset + 19] ^= 0x80; }),
       ParseResult::kBadIpChecksum},
      {"option byte corrupted, checksum not updated",
       Mutated(WithOptions({0x94, 0x04, 0, 0}), [](Frame* f) { f->bytes[f->ip_offset + 22] = 9; }),
       ParseResult::kBadIpChecksum},
      {"total length one byte beyond the frame",
       Mutated(plain, [](Frame* f) { SetIpTotalLength(f, 20 + 8 + 16 + 1); }),
       ParseResult::kBadIpLength},
      {"total length 65535",
       Mutated(plain, [](Frame* f) { SetIpTotalLength(f, 65535); }), ParseResult::kBadIpLength},
      {"total length beyond the frame even with padding present",
       Mutated(padded, [](Frame* f) { SetIpTotalLength(f, 20 + 8 + 4 + 21); }),
       ParseResult::kBadIpLength},
      {"total length smaller than the IP header",
       Mutated(plain, [](Frame* f) { SetIpTotalLength(f, 19); }), ParseResult::kBadIpLength},
      {"total length 0", Mutated(plain, [](Frame* f) { SetIpTotalLength(f, 0); }),
       ParseResult::kBadIpLength},
      {"total length leaves room for only 7 bytes of UDP header",
       Mutated(plain, [](Frame* f) { SetIpTotalLength(f, 27); }), ParseResult::kBadIpLength},
      {"UDP length 7", Mutated(plain, [](Frame* f) { SetUdpLength(f, 7); }),
       ParseResult::kBadUdpLength},
      {"UDP length 0", Mutated(plain, [](Frame* f) { SetUdpLength(f, 0); }),
       ParseResult::kBadUdpLength},
      {"UDP length one byte beyond the IP payload",
       Mutated(plain, [](Frame* f) { SetUdpLength(f, 8 + 16 + 1); }),
       ParseResult::kBadUdpLength},
      {"UDP length reaching into the Ethernet padding",
       Mutated(padded, [](Frame* f) { SetUdpLength(f, 8 + 4 + 10); }),
       ParseResult::kBadUdpLength},
      {"empty frame", Frame{}, ParseResult::kTruncated},
  };
}

TEST("each kind of malformed or unwanted frame gets its own outcome") {
  for (const BadCase& c : BadCases()) {
    std::unique_ptr<uint8_t[]> storage;
    UdpDatagram d;
    d.src_port = 4242;  // sentinel: *out must stay untouched on failure
    const ParseResult got = ParseCopy(c.frame.bytes, &storage, &d);
    CHECK_MSG(got == c.want, c.name << ": got " << got << ", want " << c.want);
    CHECK_MSG(d.src_port == 4242 && d.payload == nullptr, c.name << ": *out was written");
  }
}

TEST("result names are the stable snake_case counter names, one per outcome") {
  // The names shipped so far, by value: a value keeps its name (it is a counter's) forever.
  const char* shipped[] = {"ok", "not_ipv4", "not_udp", "fragment", "truncated", "bad_ip_header",
                           "bad_ip_checksum", "bad_ip_length", "bad_udp_length", "too_many_vlan_tags",
                           "bad_udp_checksum", "ipv6"};
  CHECK(kParseResultCount >= sizeof(shipped) / sizeof(shipped[0]));
  std::set<std::string> seen;
  for (size_t i = 0; i < kParseResultCount; ++i) {
    const std::string name = ParseResultName(static_cast<ParseResult>(i));
    if (i < sizeof(shipped) / sizeof(shipped[0])) CHECK_MSG(name == shipped[i], "value " << i << " is named " << name);
    const bool snake = !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos &&
                       name.front() != '_' && name.back() != '_' && name != "unknown";
    CHECK_MSG(snake, "value " << i << " is named \"" << name << "\"");
    seen.insert(name);
  }
  CHECK_EQ(seen.size(), kParseResultCount);
  CHECK_EQ(std::string(ParseResultName(static_cast<ParseResult>(kParseResultCount))),
           std::string("unknown"));
}

}  // namespace
}  // namespace mcr::test
