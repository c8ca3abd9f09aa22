// Table tests for ParseFrame on IPv6: well-formed packets with and without extension
// headers and what the parser reports about them, one malformed packet per outcome,
// every truncation, seeded mutations, and no allocation.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "frame_builder_v6.h"
#include "harness.h"
#include "parse_helpers.h"

namespace mcr::test {
namespace {

constexpr uint8_t kPadN = 1;

Frame6Spec With(std::vector<Extension> extensions) {
  Frame6Spec spec;
  spec.extensions = std::move(extensions);
  return spec;
}

Extension HopByHop(std::vector<uint8_t> options = {}) { return OptionsHeader(kNextHopByHop, options); }
Extension Destination(std::vector<uint8_t> options = {}) { return OptionsHeader(kNextDestination, options); }

struct GoodCase {
  const char* name;
  Frame6Spec spec;
  uint16_t want_vlan;
};

std::vector<GoodCase> GoodCases() {
  const std::vector<uint8_t> router_alert = {5, 2, 0, 0};  // RFC 2711, as MLD carries it
  Frame6Spec tagged;
  tagged.vlan_tags = {{kTpid8021Q, 7}};
  Frame6Spec padded;
  padded.payload_len = 2;
  padded.eth_padding = 10;
  Frame6Spec link_local;
  link_local.src = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0xff, 0xfe, 0, 0, 0x01};
  link_local.dst = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb};
  link_local.hop_limit = 255;
  Frame6Spec empty;
  empty.payload_len = 0;
  Frame6Spec big;
  big.payload_len = 1452;
  Frame6Spec everything = With({HopByHop(router_alert), Destination({kPadN, 3, 0, 0, 0}), RoutingHeader(4, 0, 2),
                                FragmentHeader(0, false, 99), Destination()});
  everything.payload_len = 33;
  Frame6Spec eight = With(std::vector<Extension>(8, Destination()));
  return {
      {"plain", Frame6Spec{}, kNoVlan},
      {"link-local source to ff02::fb, hop limit 255", link_local, kNoVlan},
      {"empty payload", empty, kNoVlan},
      {"1452-byte payload (a full 1500 MTU)", big, kNoVlan},
      {"hop-by-hop with a router alert", With({HopByHop(router_alert)}), kNoVlan},
      {"destination options of Pad1 and PadN only", With({Destination({0, kPadN, 1, 0})}), kNoVlan},
      {"routing header, segments left 0", With({RoutingHeader(4, 0, 1)}), kNoVlan},
      {"an atomic fragment (offset 0, no more) is a whole packet", With({FragmentHeader(0, false, 7)}), kNoVlan},
      {"five extension headers of every walked kind", everything, kNoVlan},
      {"eight extension headers: the bound", eight, kNoVlan},
      {"one VLAN tag", tagged, 7},
      {"Ethernet padding after the packet", padded, kNoVlan},
  };
}

void CheckDatagram(const GoodCase& c, const Frame& frame, const uint8_t* base, const UdpDatagram& d) {
  CHECK_MSG(d.src == IpAddress::FromIpv6Bytes(c.spec.src.data()), c.name);
  CHECK_MSG(d.dst == IpAddress::FromIpv6Bytes(c.spec.dst.data()), c.name);
  CHECK_MSG(d.src_port == c.spec.src_port && d.dst_port == c.spec.dst_port, c.name);
  CHECK_MSG(d.ttl == c.spec.hop_limit, c.name << ": hop limit " << int{d.ttl});
  CHECK_MSG(d.vlan_id == c.want_vlan, c.name << ": vlan " << d.vlan_id);
  CHECK_MSG(d.has_ip_options == !c.spec.extensions.empty(), c.name << ": extension headers flag");
  CHECK_MSG(d.payload_len == c.spec.payload_len, c.name << ": payload_len " << d.payload_len);
  CHECK_MSG(d.payload == base + frame.payload_offset, c.name << ": payload pointer");
  CHECK_MSG(d.udp_checksum == Get16(frame.bytes, frame.l4_offset + 6), c.name << ": checksum as received");
  bool same = true;
  for (size_t i = 0; i < d.payload_len && same; ++i) same = d.payload[i] == PayloadByte(i);
  CHECK_MSG(same, c.name << ": payload bytes");
}

TEST("well-formed IPv6 UDP frames parse into their datagram, past every walked extension header") {
  for (const GoodCase& c : GoodCases()) {
    const Frame frame = BuildUdp6Frame(c.spec);
    std::unique_ptr<uint8_t[]> storage;
    UdpDatagram d;
    const ParseResult got = ParseCopy(frame.bytes, &storage, &d);
    CHECK_MSG(got == ParseResult::kOk, c.name << ": " << got);
    if (got == ParseResult::kOk) CheckDatagram(c, frame, storage.get(), d);
  }
}

TEST("an IPv6 UDP checksum is verified over the IPv6 pseudo-header, and 0 is never accepted") {
  Frame frame = BuildUdp6Frame(Frame6Spec{});
  std::unique_ptr<uint8_t[]> storage;
  UdpDatagram d;
  CHECK_EQ(ParseCopy(frame.bytes, &storage, &d), ParseResult::kOk);
  // A changed destination (not covered by the IPv4 pseudo-header's layout) must fail.
  Frame moved = frame;
  moved.bytes[moved.ip_offset + 39] ^= 0x02;
  CHECK_EQ(ParseCopy(moved.bytes, &storage, &d), ParseResult::kBadUdpChecksum);
  Frame zero = frame;
  Put16(&zero.bytes, zero.l4_offset + 6, 0);
  CHECK_EQ(ParseCopy(zero.bytes, &storage, &d), ParseResult::kBadUdpChecksum);
  // Not verified (the kernel vouches for it, or a local sender left it to offload): a
  // wrong one passes, a zero one still does not.
  ParseOptions trusted;
  trusted.verify_udp_checksum = false;
  CHECK_EQ(ParseFrame(moved.bytes.data(), moved.bytes.size(), trusted, &d), ParseResult::kOk);
  CHECK_EQ(ParseFrame(zero.bytes.data(), zero.bytes.size(), trusted, &d), ParseResult::kBadUdpChecksum);
}

struct BadCase {
  std::string name;
  Frame frame;
  ParseResult want;
};

Frame Mutated(const Frame6Spec& spec, void (*mutate)(Frame*)) {
  Frame frame = BuildUdp6Frame(spec);
  mutate(&frame);
  return frame;
}

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases = {
      {"first fragment", BuildUdp6Frame(With({FragmentHeader(0, true, 1)})), ParseResult::kFragment},
      {"middle fragment", BuildUdp6Frame(With({FragmentHeader(185, true, 1)})), ParseResult::kFragment},
      {"last fragment", BuildUdp6Frame(With({FragmentHeader(185, false, 1)})), ParseResult::kFragment},
      {"a fragment after hop-by-hop and destination options",
       BuildUdp6Frame(With({HopByHop(), Destination(), FragmentHeader(0, true, 1)})), ParseResult::kFragment},
      {"a fragment of ICMPv6 is not UDP",
       [] {
         Frame6Spec s = With({FragmentHeader(0, true, 1)});
         s.upper = kNextIcmpv6;
         return BuildUdp6Frame(s);
       }(),
       ParseResult::kNotUdp},
      {"ICMPv6", [] { Frame6Spec s; s.upper = kNextIcmpv6; return BuildUdp6Frame(s); }(), ParseResult::kNotUdp},
      {"ESP after hop-by-hop", [] { Frame6Spec s = With({HopByHop()}); s.upper = kNextEsp; return BuildUdp6Frame(s); }(),
       ParseResult::kNotUdp},
      {"no next header", [] { Frame6Spec s; s.upper = kNextNone; return BuildUdp6Frame(s); }(), ParseResult::kNotUdp},
      {"nine extension headers: one past the bound", BuildUdp6Frame(With(std::vector<Extension>(9, Destination()))),
       ParseResult::kIpv6ChainTooLong},
      {"a chain of 40 hop-by-hop headers", BuildUdp6Frame(With(std::vector<Extension>(40, HopByHop()))),
       ParseResult::kIpv6ChainTooLong},
      {"a destination options header whose length runs past the packet",
       Mutated(With({Destination()}), [](Frame* f) { f->bytes[f->ip_offset + 41] = 200; }),
       ParseResult::kIpv6ExtensionOverrun},
      {"a routing header cut by the payload length",
       Mutated(With({RoutingHeader(4, 0, 2)}), [](Frame* f) { SetPayloadLength(f, 20); }),
       ParseResult::kIpv6ExtensionOverrun},
      {"a fragment header cut by the payload length",
       Mutated(With({FragmentHeader(0, false, 1)}), [](Frame* f) { SetPayloadLength(f, 4); }),
       ParseResult::kIpv6ExtensionOverrun},
      {"an option whose length runs past its header",
       Mutated(With({HopByHop({kPadN, 4, 0, 0, 0, 0})}), [](Frame* f) { f->bytes[f->ip_offset + 43] = 5; }),
       ParseResult::kIpv6ExtensionOverrun},
      {"payload length one byte beyond the frame",
       Mutated(Frame6Spec{}, [](Frame* f) { SetPayloadLength(f, static_cast<uint16_t>(8 + 16 + 1)); }),
       ParseResult::kIpv6BadPayloadLength},
      {"payload length 65535", Mutated(Frame6Spec{}, [](Frame* f) { SetPayloadLength(f, 65535); }),
       ParseResult::kIpv6BadPayloadLength},
      {"payload length 0 without a jumbo option", Mutated(Frame6Spec{}, [](Frame* f) { SetPayloadLength(f, 0); }),
       ParseResult::kIpv6BadPayloadLength},
      {"payload length leaving 7 bytes of UDP header",
       Mutated(Frame6Spec{}, [](Frame* f) { SetPayloadLength(f, 7); }), ParseResult::kIpv6BadPayloadLength},
      {"a jumbogram: payload length 0 and a Jumbo Payload option",
       Mutated(With({HopByHop(JumboOption(70000))}), [](Frame* f) { SetPayloadLength(f, 0); }),
       ParseResult::kIpv6Jumbogram},
      {"a Jumbo Payload option beside a non-zero payload length", BuildUdp6Frame(With({HopByHop(JumboOption(70000))})),
       ParseResult::kIpv6Jumbogram},
      {"UDP length 7", Mutated(Frame6Spec{}, [](Frame* f) { Put16(&f->bytes, f->l4_offset + 4, 7); }),
       ParseResult::kBadUdpLength},
      {"UDP length 0 (a jumbo UDP length without a jumbogram)",
       Mutated(Frame6Spec{}, [](Frame* f) { Put16(&f->bytes, f->l4_offset + 4, 0); }), ParseResult::kBadUdpLength},
      {"UDP length one byte beyond the payload length",
       Mutated(Frame6Spec{}, [](Frame* f) { Put16(&f->bytes, f->l4_offset + 4, 8 + 16 + 1); }),
       ParseResult::kBadUdpLength},
      {"version 4 under EtherType IPv6", Mutated(Frame6Spec{}, [](Frame* f) { f->bytes[f->ip_offset] = 0x40; }),
       ParseResult::kBadIpHeader},
      {"an IPv4-mapped source",
       [] {
         Frame6Spec s;
         s.src = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 2};
         return BuildUdp6Frame(s);
       }(),
       ParseResult::kBadIpHeader},
      {"an IPv4-mapped destination",
       [] {
         Frame6Spec s;
         s.dst = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 239, 1, 1, 1};
         return BuildUdp6Frame(s);
       }(),
       ParseResult::kBadIpHeader},
      {"payload corrupted after the checksum", Mutated(Frame6Spec{}, [](Frame* f) { f->bytes[f->payload_offset] ^= 1; }),
       ParseResult::kBadUdpChecksum},
      {"UDP checksum 0", [] { Frame6Spec s; s.udp_checksum = false; return BuildUdp6Frame(s); }(),
       ParseResult::kBadUdpChecksum},
  };
  Frame header_only = BuildUdp6Frame(Frame6Spec{});
  header_only.bytes.resize(header_only.ip_offset + 39);
  cases.push_back({"the frame ends inside the 40-byte header", header_only, ParseResult::kTruncated});
  return cases;
}

TEST("each kind of malformed or unwanted IPv6 frame gets its own outcome, and ipv6 is never one") {
  for (const BadCase& c : BadCases()) {
    std::unique_ptr<uint8_t[]> storage;
    UdpDatagram d;
    d.src_port = 4242;
    const ParseResult got = ParseCopy(c.frame.bytes, &storage, &d);
    CHECK_MSG(got == c.want, c.name << ": got " << got << ", want " << c.want);
    CHECK_MSG(d.src_port == 4242 && d.payload == nullptr, c.name << ": *out was written");
  }
}

// What a valid frame cut to `len` bytes must be: inside Ethernet or the fixed header ->
// truncated; anywhere after it the payload length claims more than there is.
ParseResult ExpectedForCut(const Frame& frame, size_t len) {
  return len < frame.ip_offset + 40 ? ParseResult::kTruncated : ParseResult::kIpv6BadPayloadLength;
}

TEST("a valid IPv6 frame cut at every shorter length is never ok and never over-read") {
  for (const GoodCase& c : GoodCases()) {
    const Frame frame = BuildUdp6Frame(c.spec);
    const size_t end = frame.bytes.size() - c.spec.eth_padding;
    for (size_t len = 0; len < end; ++len) {
      std::unique_ptr<uint8_t[]> storage;
      UdpDatagram d;
      const ParseResult got = ParseCopy(frame.bytes, len, &storage, &d);
      CHECK_MSG(got == ExpectedForCut(frame, len), c.name << " cut to " << len << ": got " << got);
    }
  }
}

// xorshift64*, as in packet_robustness_test.cc: the same frames everywhere.
uint64_t Next(uint64_t* state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 0x2545f4914f6cdd1dULL;
}

TEST("thousands of seeded mutations of IPv6 frames reach every IPv6 outcome without crashing") {
  uint64_t state = 0x6d63722d69707636ULL;
  std::vector<Frame6Spec> specs;
  for (const GoodCase& c : GoodCases()) specs.push_back(c.spec);
  specs.push_back(With({HopByHop(JumboOption(70000))}));
  std::array<size_t, kParseResultCount> seen{};
  // The next-header values worth planting: the walked ones, UDP and a few others.
  const uint8_t planted[] = {kNextHopByHop, kNextRouting, kNextFragment, kNextDestination, kProtoUdp, kNextIcmpv6};
  for (int i = 0; i < 8000; ++i) {
    Frame frame = BuildUdp6Frame(specs[Next(&state) % specs.size()]);
    std::vector<uint8_t>& b = frame.bytes;
    const size_t flips = 1 + Next(&state) % 3;
    for (size_t k = 0; k < flips; ++k) {
      const size_t at = frame.ip_offset + Next(&state) % (b.size() - frame.ip_offset);
      b[at] = i % 3 == 0 ? planted[Next(&state) % sizeof planted] : static_cast<uint8_t>(Next(&state) >> 56);
    }
    // Most of the time keep the checksum right, so mutations reach past it (where the
    // UDP length still fits the frame: the builder's fixer trusts it).
    if (i % 4 != 0 && frame.l4_offset + 8 <= b.size() && frame.l4_offset + Get16(b, frame.l4_offset + 4) <= b.size() &&
        Get16(b, frame.l4_offset + 4) >= 8) {
      FixUdp6Checksum(&frame);
    }
    if (i % 5 == 0) b.resize(Next(&state) % (b.size() + 1));
    std::unique_ptr<uint8_t[]> storage;
    UdpDatagram d;
    const ParseResult got = ParseCopy(b, &storage, &d);
    const size_t index = static_cast<size_t>(got);
    CHECK(index < kParseResultCount);
    if (index < kParseResultCount) ++seen[index];
    if (got == ParseResult::kOk) {
      CHECK(d.payload >= storage.get() + 14 + 40 + 8 && static_cast<size_t>(d.payload - storage.get()) + d.payload_len <= b.size());
    }
  }
  const ParseResult wanted[] = {ParseResult::kOk, ParseResult::kNotUdp, ParseResult::kFragment,
                                ParseResult::kTruncated, ParseResult::kBadIpHeader, ParseResult::kBadUdpLength,
                                ParseResult::kBadUdpChecksum, ParseResult::kIpv6ChainTooLong,
                                ParseResult::kIpv6ExtensionOverrun, ParseResult::kIpv6BadPayloadLength,
                                ParseResult::kIpv6Jumbogram};
  for (ParseResult result : wanted) CHECK_MSG(seen[static_cast<size_t>(result)] > 0, result << " never seen");
  CHECK_EQ(seen[static_cast<size_t>(ParseResult::kIpv6)], size_t{0});
}

TEST("parsing IPv6 never allocates, whatever the outcome") {
  std::vector<Frame> frames;
  for (const GoodCase& c : GoodCases()) frames.push_back(BuildUdp6Frame(c.spec));
  for (const BadCase& c : BadCases()) frames.push_back(c.frame);
  const size_t before = AllocationCount();
  size_t ok = 0;
  for (const Frame& frame : frames) {
    UdpDatagram d;
    ok += ParseFrame(frame.bytes.data(), frame.bytes.size(), &d) == ParseResult::kOk ? 1 : 0;
  }
  CHECK_EQ(AllocationCount(), before);
  CHECK_EQ(ok, GoodCases().size());
}

}  // namespace
}  // namespace mcr::test
