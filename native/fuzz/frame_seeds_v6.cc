// The frame fuzzer's IPv6 seeds (see frame_seeds_v6.h), built with the parser tests'
// IPv6 frame builder (native/test/frame_builder_v6.h). Fuzz-only.
#include "frame_seeds_v6.h"

#include "../test/frame_builder_v6.h"

namespace mcr::fuzz {
namespace {

using test::BuildUdp6Frame;
using test::Extension;
using test::Frame;
using test::Frame6Spec;

Extension Destination(const std::vector<uint8_t>& options = {}) {
  return test::OptionsHeader(test::kNextDestination, options);
}
Extension HopByHop(const std::vector<uint8_t>& options = {}) {
  return test::OptionsHeader(test::kNextHopByHop, options);
}

std::vector<uint8_t> Cut(const Frame& frame, size_t len) {
  return std::vector<uint8_t>(frame.bytes.begin(), frame.bytes.begin() + static_cast<std::ptrdiff_t>(len));
}

}  // namespace

std::vector<FrameSeedBytes> Ipv6FrameSeeds() {
  std::vector<FrameSeedBytes> seeds;
  const auto add = [&seeds](const std::string& name, const std::vector<uint8_t>& frame, bool repair = false) {
    seeds.push_back({"ipv6-" + name, frame, repair});
  };
  const Frame6Spec plain;
  const Frame valid = BuildUdp6Frame(plain);
  add("plain", valid.bytes);

  Frame6Spec spec = plain;
  spec.dst = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb};  // ff02::fb
  spec.src = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0xff, 0xfe, 0, 0, 0x01};
  spec.dst_port = spec.src_port = 5353;
  add("mdns-link-local", BuildUdp6Frame(spec).bytes);
  spec = plain;
  spec.payload_len = 1452;
  add("full-1500-mtu", BuildUdp6Frame(spec).bytes);
  spec = plain;
  spec.payload_len = 0;
  spec.eth_padding = 6;
  add("empty-payload-padded", BuildUdp6Frame(spec).bytes);
  spec = plain;
  spec.payload_len = 33;  // odd: the last byte summed as a high half
  spec.traffic_class = 0xb8;
  add("odd-payload-traffic-class", BuildUdp6Frame(spec).bytes);
  spec = plain;
  spec.vlan_tags = {{test::kTpid8021Q, 100}};
  add("vlan-100", BuildUdp6Frame(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021ad, 10}, {test::kTpid8021Q, 20}};
  add("qinq", BuildUdp6Frame(spec).bytes);

  // Every header kind the parser walks, alone and together.
  spec = plain;
  spec.extensions = {HopByHop({0x05, 0x02, 0x00, 0x00})};  // router alert (MLD)
  add("hop-by-hop-router-alert", BuildUdp6Frame(spec).bytes);
  spec.extensions = {test::RoutingHeader(0, 0, 1)};
  add("routing-type-0-done", BuildUdp6Frame(spec).bytes);
  spec.extensions = {test::RoutingHeader(4, 1, 2)};
  add("routing-segments-left", BuildUdp6Frame(spec).bytes);
  spec.extensions = {Destination({0x1e, 0x03, 1, 2, 3})};
  add("destination-options", BuildUdp6Frame(spec).bytes);
  spec.extensions = {test::FragmentHeader(0, false, 7)};
  add("fragment-atomic", BuildUdp6Frame(spec).bytes);
  spec.extensions = {HopByHop(), test::RoutingHeader(0, 0, 1), Destination(), test::FragmentHeader(0, false, 9),
                     Destination()};
  add("every-header-kind", BuildUdp6Frame(spec).bytes);
  spec.extensions.assign(8, Destination());
  add("chain-of-8", BuildUdp6Frame(spec).bytes);
  spec.extensions.assign(9, Destination());
  add("chain-of-9-too-long", BuildUdp6Frame(spec).bytes);

  // Fragments: never relayed.
  spec = plain;
  spec.extensions = {test::FragmentHeader(0, true, 1)};
  add("fragment-first", BuildUdp6Frame(spec).bytes);
  spec.extensions = {test::FragmentHeader(185, false, 1)};
  add("fragment-last", BuildUdp6Frame(spec).bytes);
  spec.extensions = {HopByHop(), test::FragmentHeader(185, true, 1)};
  add("fragment-middle-after-hop-by-hop", BuildUdp6Frame(spec).bytes);

  // Chains that run past the packet or whose options do.
  spec = plain;
  spec.extensions = {HopByHop()};
  Frame overrun = BuildUdp6Frame(spec);
  overrun.bytes[overrun.ip_offset + 41] = 20;  // 168 bytes said
  add("hop-by-hop-past-the-packet", overrun.bytes);
  spec.extensions = {Extension{test::kNextDestination, {0, 0x1e, 200, 0, 0, 0, 0}}};
  add("option-past-its-header", BuildUdp6Frame(spec).bytes);
  spec.extensions = {Extension{test::kNextHopByHop, {0, 0, 0, 0, 0, 0, 0}}};  // Pad1 only
  add("hop-by-hop-pad1", BuildUdp6Frame(spec).bytes);

  // Jumbo Payload: payload length 0 with the option, and the option with a length.
  spec = plain;
  spec.extensions = {HopByHop(test::JumboOption(70000))};
  Frame jumbo = BuildUdp6Frame(spec);
  add("jumbo-option-with-length", jumbo.bytes);
  test::SetPayloadLength(&jumbo, 0);
  add("jumbogram", jumbo.bytes);

  // Payload lengths.
  Frame broken = valid;
  test::SetPayloadLength(&broken, 0);
  add("payload-length-0", broken.bytes);
  broken = valid;
  test::SetPayloadLength(&broken, 1000);
  add("payload-length-beyond-frame", broken.bytes);
  broken = valid;
  test::SetPayloadLength(&broken, 6);
  add("payload-length-short-of-udp", broken.bytes);
  broken = valid;
  test::SetPayloadLength(&broken, 20);
  add("payload-length-inside-udp-payload", broken.bytes);

  // Other upper layers, bad versions and addresses, checksums.
  spec = plain;
  spec.upper = test::kNextIcmpv6;
  spec.payload_len = 8;
  add("icmpv6", BuildUdp6Frame(spec).bytes);
  spec.extensions = {HopByHop()};
  spec.upper = test::kNextEsp;
  add("esp-after-hop-by-hop", BuildUdp6Frame(spec).bytes);
  spec.upper = test::kNextNone;
  add("no-next-header", BuildUdp6Frame(spec).bytes);
  broken = valid;
  broken.bytes[broken.ip_offset] = 0x40;
  add("version-4-in-ipv6", broken.bytes);
  spec = plain;
  spec.src = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 2};
  add("ipv4-mapped-source", BuildUdp6Frame(spec).bytes);
  spec = plain;
  spec.udp_checksum = false;
  add("udp-checksum-0", BuildUdp6Frame(spec).bytes);
  broken = valid;
  broken.bytes[broken.payload_offset + 3] ^= 0x20;
  add("udp-checksum-bad", broken.bytes);
  add("udp-checksum-bad-repaired", broken.bytes, true);
  spec = plain;
  spec.extensions = {HopByHop(), Destination()};
  broken = BuildUdp6Frame(spec);
  broken.bytes[broken.payload_offset] ^= 0x01;
  add("udp-checksum-bad-after-chain-repaired", broken.bytes, true);

  // Cuts.
  add("cut-inside-fixed-header", Cut(valid, valid.ip_offset + 30));
  add("cut-after-fixed-header", Cut(valid, valid.ip_offset + 40));
  add("cut-inside-udp-header", Cut(valid, valid.l4_offset + 5));
  add("cut-inside-payload", Cut(valid, valid.payload_offset + 3));
  spec = plain;
  spec.extensions = {test::RoutingHeader(0, 0, 2)};
  const Frame routed = BuildUdp6Frame(spec);
  add("cut-inside-routing-header", Cut(routed, routed.ip_offset + 40 + 12));
  return seeds;
}

}  // namespace mcr::fuzz
