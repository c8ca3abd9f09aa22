// libFuzzer target: one output template and one received datagram, both shaped by the
// input (frame_header_input.h), through FrameHeaderTemplate::Make and Build in each
// UDP checksum mode. What it checks, beyond "no sanitizer report":
//  - MulticastMac maps the destination to 01:00:5e or 33:33 exactly when it is a group;
//  - Make accepts exactly the specs an independent reading of the rules accepts, and a
//    refused spec leaves the template as it was;
//  - Build's verdict is the one it must be, in this order: family mismatch exactly when
//    the source is preserved across families, too big exactly when IP + UDP headers +
//    payload exceed the MTU (or the family's length field), buffer too small exactly
//    when the buffer is shorter than the header; nothing is written unless ok, and
//    never a byte past the buffer (it is heap-allocated to its exact size);
//  - every frame it makes, read independently (native/test/frame_reader.h), carries
//    the template's MACs, DSCP, TTL, DF, the caller's IPv4 ID, the right source
//    (fixed or the sender's), destination and ports, the payload byte for byte, a
//    valid IPv4 header checksum and a valid, non-zero UDP checksum; IPv4 frames also
//    parse back through ParseFrame, checksum verified, to the same datagram;
//  - the three modes agree: adjusting the sender's checksum writes the same bytes as
//    summing the payload, and the device form, finished as a device would, too; its
//    virtio_net_hdr asks for exactly that checksum.
#include <cstring>
#include <memory>
#include <vector>

#include "../core/frame_header.h"
#include "../core/packet.h"
#include "../test/frame_reader.h"
#include "frame_header_input.h"
#include "fuzz_check.h"

namespace mcr::fuzz {
namespace {

using test::BuiltFrame;

std::unique_ptr<uint8_t[]> HeapCopy(const uint8_t* data, size_t len) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[len]);
  if (len > 0) std::memcpy(copy.get(), data, len);
  return copy;
}

bool AllZero(const uint8_t* bytes, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

// An IPv6 side whose 16 bytes are ::ffff:a.b.c.d is an IPv4 address (RFC 4291 2.5.5.2).
bool LooksMapped(const uint8_t* b) { return AllZero(b, 10) && b[10] == 0xff && b[11] == 0xff; }

struct Side {
  bool v6 = false;
  IpAddress address;
};

Side Address(const uint8_t* bytes, bool v6) {
  Side side;
  side.v6 = v6 && !LooksMapped(bytes);
  side.address = v6 ? IpAddress::FromIpv6Bytes(bytes) : IpAddress::FromIpv4Bytes(bytes);
  return side;
}

bool Unspecified(const uint8_t* bytes, bool v6) { return AllZero(bytes, v6 ? 16 : 4); }
bool Multicast(const uint8_t* bytes, bool v6) { return v6 ? bytes[0] == 0xff : (bytes[0] >> 4) == 0xe; }

// The spec rules of frame_header.h, read off the input bytes.
bool SpecIsValid(const FrameHeaderInput& in) {
  const bool v6 = (in.control & kOutIpv6) != 0;
  const uint8_t* src = in.addresses[0];
  const uint8_t* dst = in.addresses[1];
  if ((v6 && LooksMapped(dst)) || Unspecified(dst, v6)) return false;
  if (!(in.control & kPreserveSource) &&
      ((v6 && LooksMapped(src)) || Unspecified(src, v6) || Multicast(src, v6))) {
    return false;
  }
  return in.ttl != 0 && in.dscp <= 63 && in.full_mtu() >= (v6 ? 1280u : 68u);
}

FrameHeaderSpec SpecFor(const FrameHeaderInput& in) {
  FrameHeaderSpec spec;
  const bool v6 = (in.control & kOutIpv6) != 0;
  std::memcpy(spec.dst_mac.data(), in.dst_mac, 6);
  std::memcpy(spec.src_mac.data(), in.src_mac, 6);
  spec.family = v6 ? IpFamily::kIpv6 : IpFamily::kIpv4;
  spec.source = (in.control & kPreserveSource) ? SourcePolicy::kPreserve : SourcePolicy::kFixed;
  spec.src = Address(in.addresses[0], v6).address;
  spec.src_port = in.ports[0];
  spec.dst = Address(in.addresses[1], v6).address;
  spec.dst_port = in.ports[1];
  spec.ttl = in.ttl;
  spec.dscp = in.dscp;
  spec.dont_fragment = (in.control & kDontFragment) != 0;
  spec.mtu = in.full_mtu();
  return spec;
}

// RFC 1112 6.4 and RFC 2464 7, for the output's destination.
void CheckMulticastMac(const FrameHeaderInput& in, const IpAddress& dst) {
  const uint8_t* b = in.addresses[1];
  const bool v6 = (in.control & kOutIpv6) && !LooksMapped(b);
  const uint8_t* v4 = (in.control & kOutIpv6) ? b + 12 : b;
  const bool multicast = v6 ? b[0] == 0xff : (v4[0] >> 4) == 0xe;
  MacAddress mac = {7, 7, 7, 7, 7, 7};
  FUZZ_CHECK(MulticastMac(dst, &mac) == multicast, "a MAC exactly for a multicast group");
  const MacAddress want = !multicast ? MacAddress{7, 7, 7, 7, 7, 7}
                          : v6       ? MacAddress{0x33, 0x33, b[12], b[13], b[14], b[15]}
                                     : MacAddress{0x01, 0x00, 0x5e, static_cast<uint8_t>(v4[1] & 0x7f), v4[2], v4[3]};
  FUZZ_CHECK(mac == want, "the group's MAC, or untouched");
}

FrameHeaderStatus ExpectedStatus(const FrameHeaderInput& in, bool in_v6, size_t buffer_size) {
  const bool out_v6 = (in.control & kOutIpv6) != 0;
  if ((in.control & kPreserveSource) && in_v6 != out_v6) return FrameHeaderStatus::kFamilyMismatch;
  const size_t ip_header = out_v6 ? 40 : 20;
  const size_t length_cap = out_v6 ? 65535 + 40 : 65535;  // what the length field can say
  const size_t limit = in.full_mtu() < length_cap ? in.full_mtu() : length_cap;
  if (ip_header + 8 + in.payload_len > limit) return FrameHeaderStatus::kTooBig;
  if (buffer_size < 14 + ip_header + 8) return FrameHeaderStatus::kBufferTooSmall;
  return FrameHeaderStatus::kOk;
}

void CheckFrame(const FrameHeaderInput& in, const FrameHeaderSpec& spec, const UdpDatagram& d,
                const std::vector<uint8_t>& frame) {
  BuiltFrame f;
  FUZZ_CHECK(test::ReadBuiltFrame(frame.data(), frame.size(), &f), "a well-formed frame");
  const bool preserve = spec.source == SourcePolicy::kPreserve;
  FUZZ_CHECK(std::memcmp(f.dst_mac, in.dst_mac, 6) == 0 && std::memcmp(f.src_mac, in.src_mac, 6) == 0,
             "MACs");
  FUZZ_CHECK(f.family == spec.family, "family");
  FUZZ_CHECK(f.dscp == in.dscp && f.ecn == 0 && f.flow_label == 0, "DSCP, ECN 0, flow label 0");
  FUZZ_CHECK(f.ttl == in.ttl, "TTL");
  if (spec.family == IpFamily::kIpv4) {
    FUZZ_CHECK(f.dont_fragment == spec.dont_fragment && f.fragment_bits == 0, "DF, no MF/offset");
    FUZZ_CHECK(f.ip_id == in.ip_id, "IPv4 ID");
  }
  FUZZ_CHECK(f.ip_checksum_ok, "IPv4 header checksum");
  FUZZ_CHECK(f.src == (preserve ? d.src : spec.src), "source address");
  FUZZ_CHECK(f.src_port == (preserve ? d.src_port : spec.src_port), "source port");
  FUZZ_CHECK(f.dst == spec.dst && f.dst_port == spec.dst_port, "destination");
  FUZZ_CHECK(f.udp_checksum_ok, "UDP checksum non-zero and valid");
  FUZZ_CHECK(f.payload_len == d.payload_len &&
                 (d.payload_len == 0 || std::memcmp(frame.data() + f.payload_at, d.payload, d.payload_len) == 0),
             "payload byte for byte");
  if (spec.family != IpFamily::kIpv4) return;

  auto copy = HeapCopy(frame.data(), frame.size());
  UdpDatagram back;
  FUZZ_CHECK(ParseFrame(copy.get(), frame.size(), &back) == ParseResult::kOk, "parses, checksum verified");
  FUZZ_CHECK(back.src == f.src && back.dst == f.dst && back.src_port == f.src_port &&
                 back.dst_port == f.dst_port && back.ttl == f.ttl && back.udp_checksum == f.udp_checksum,
             "parses back to the same addresses, ports, TTL and checksum");
  FUZZ_CHECK(back.payload == copy.get() + f.payload_at && back.payload_len == d.payload_len,
             "parses back to the same payload");
}

}  // namespace
}  // namespace mcr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcr;
  using namespace mcr::fuzz;
  const FrameHeaderInput in = DecodeFrameHeaderInput(data, size);
  const FrameHeaderSpec spec = SpecFor(in);
  CheckMulticastMac(in, spec.dst);
  FrameHeaderTemplate t;
  const char* why = FrameHeaderTemplate::Make(spec, &t);
  FUZZ_CHECK((why == nullptr) == SpecIsValid(in), "Make accepts exactly the valid specs");
  if (why != nullptr) {
    FUZZ_CHECK(t.header_size() == 0, "a refused spec leaves the template alone");
    return 0;
  }

  // The datagram as the parser would hand it over, payload in an exact heap copy.
  const bool in_v6_bit = (in.control & kInIpv6) != 0;
  const Side in_src = Address(in.addresses[2], in_v6_bit);
  auto payload = HeapCopy(in.payload, in.payload_len);
  UdpDatagram d;
  d.src = in_src.address;
  d.dst = Address(in.addresses[3], in_v6_bit).address;
  d.src_port = in.ports[2];
  d.dst_port = in.ports[3];
  d.ttl = 1;
  d.payload = payload.get();
  d.payload_len = in.payload_len;
  d.udp_checksum = (in.control & kNoIncomingChecksum)
                       ? 0
                       : test::ReferenceUdpChecksum(d.src, d.src_port, d.dst, d.dst_port, d.payload, d.payload_len);

  const size_t header_size = t.header_size();
  size_t buffer_size = 0;
  switch (in.buffer()) {
    case BufferChoice::kExact: buffer_size = header_size; break;
    case BufferChoice::kOneShort: buffer_size = header_size - 1; break;
    case BufferChoice::kHeaderRoom: buffer_size = 128; break;
    case BufferChoice::kEmpty: buffer_size = 0; break;
  }
  const FrameHeaderStatus want = ExpectedStatus(in, in_src.v6, buffer_size);
  std::vector<uint8_t> summed;
  for (UdpChecksumMode mode : {UdpChecksumMode::kSumPayload, UdpChecksumMode::kAdjustIncoming,
                               UdpChecksumMode::kDeviceCompletes}) {
    std::unique_ptr<uint8_t[]> buffer(buffer_size == 0 ? nullptr : new uint8_t[buffer_size]);
    if (buffer_size > 0) std::memset(buffer.get(), 0x5a, buffer_size);
    const FrameHeaderResult r = t.Build(d, in.ip_id, mode, buffer.get(), buffer_size);
    FUZZ_CHECK(r.status == want, "the verdict it must be");
    uint8_t vnet[kVirtioNetHeaderSize];
    FUZZ_CHECK(WriteVirtioNetHeader(r, vnet, sizeof vnet) == (want == FrameHeaderStatus::kOk),
               "a virtio_net_hdr for a built header only");
    if (r.status != FrameHeaderStatus::kOk) {
      bool untouched = r.size == 0;
      for (size_t i = 0; i < buffer_size; ++i) untouched = untouched && buffer[i] == 0x5a;
      FUZZ_CHECK(untouched, "nothing written unless ok");
      continue;
    }
    FUZZ_CHECK(r.size == header_size && r.csum_start == header_size - 8 && r.csum_offset == 6,
               "header size and checksum offsets");
    std::vector<uint8_t> frame(buffer.get(), buffer.get() + r.size);
    frame.insert(frame.end(), d.payload, d.payload + d.payload_len);
    const bool device = mode == UdpChecksumMode::kDeviceCompletes;
    FUZZ_CHECK(r.device_completes_checksum == device && vnet[0] == (device ? 1 : 0) && vnet[1] == 0,
               "virtio_net_hdr flags");
    if (device) {
      uint16_t halves[4];
      std::memcpy(halves, vnet + 2, sizeof halves);
      FUZZ_CHECK(halves[0] == r.size && halves[1] == 0 && halves[2] == r.csum_start && halves[3] == 6,
                 "virtio_net_hdr lengths and offsets");
      test::FinishDeviceChecksum(&frame, r.csum_start, r.csum_offset);
    }
    CheckFrame(in, spec, d, frame);
    if (mode == UdpChecksumMode::kSumPayload) {
      summed = frame;
    } else {
      FUZZ_CHECK(frame == summed, "every mode writes the summed frame's bytes");
    }
  }
  return 0;
}
