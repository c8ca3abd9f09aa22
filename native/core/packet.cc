// Ingress frame parser (see packet.h). Owns the order in which a frame is judged, so
// each bad frame lands in exactly one counter. Must not allocate, keep state, or read
// outside the frame: every byte goes through ByteReader, which checks bounds first.
#include "packet.h"

#include <cstring>

#include "packet_parts.h"

namespace mcr {
namespace packet_detail {
namespace {

constexpr size_t kEthernetHeaderLen = 14;
constexpr size_t kEtherTypeOffset = 12;
constexpr size_t kVlanTagLen = 4;
constexpr size_t kMaxVlanTags = 2;
constexpr size_t kIpv4MinHeaderLen = 20;

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr uint16_t kTpidCustomerVlan = 0x8100;  // 802.1Q
constexpr uint16_t kTpidServiceVlan = 0x88a8;   // 802.1ad (QinQ outer tag)
constexpr uint16_t kVlanIdMask = 0x0fff;        // the TCI's top 4 bits are PCP and DEI

constexpr uint16_t kIpMoreFragments = 0x2000;
constexpr uint16_t kIpFragmentOffsetMask = 0x1fff;

struct Ipv4Fields {
  uint8_t version_ihl = 0;
  uint16_t total_length = 0;
  uint16_t flags_fragment = 0;
  uint8_t ttl = 0;
  uint8_t protocol = 0;
  uint32_t src = 0;
  uint32_t dst = 0;
};

bool ReadIpv4Fields(const ByteReader& ip, Ipv4Fields* f) {
  return ip.U8(0, &f->version_ihl) && ip.U16(2, &f->total_length) &&
         ip.U16(6, &f->flags_fragment) && ip.U8(8, &f->ttl) && ip.U8(9, &f->protocol) &&
         ip.U32(12, &f->src) && ip.U32(16, &f->dst);
}

// Why verify at all: AF_PACKET hands us the frame before ip_rcv() has checked the
// header checksum, so without this a corrupted header (wrong group, port or length)
// would be relayed where the kernel itself would have dropped it. It costs ten 16-bit
// adds over bytes already in cache. Summing the stored checksum too, a valid header
// folds to 0xffff (either ones'-complement zero is accepted in the field).
bool Ipv4ChecksumOk(const ByteReader& header) {
  uint32_t sum = 0;
  for (size_t offset = 0; offset + 1 < header.size(); offset += 2) {
    uint16_t word = 0;
    if (!header.U16(offset, &word)) return false;
    sum += word;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// The UDP checksum covers a pseudo-header (addresses, protocol, UDP length), the UDP
// header and the payload; `datagram` is exactly the UDP length's bytes. As for the IP
// header, summing the stored checksum too makes a valid datagram fold to 0xffff.
bool UdpChecksumOk(uint32_t src, uint32_t dst, const ByteReader& datagram) {
  const uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
                          kIpProtoUdp + static_cast<uint32_t>(datagram.size());
  return OnesComplementSum(datagram.data(), datagram.size(), pseudo) == 0xffff;
}

bool IsVlanTpid(uint16_t ethertype) {
  // QinQ is accepted in either spelling: 802.1ad outer + 802.1Q inner, or the common
  // 802.1Q-in-802.1Q. The legacy 0x9100 TPID is not: it is pre-standard.
  return ethertype == kTpidCustomerVlan || ethertype == kTpidServiceVlan;
}

}  // namespace

ParseResult ReadUdpDatagram(const ByteReader& after_ip, UdpFields* fields, ByteReader* datagram,
                            ByteReader* payload) {
  if (!after_ip.U16(0, &fields->src_port) || !after_ip.U16(2, &fields->dst_port) ||
      !after_ip.U16(4, &fields->length) || !after_ip.U16(6, &fields->checksum)) {
    return ParseResult::kBadIpLength;
  }
  if (fields->length < kUdpHeaderLen || !after_ip.Window(0, fields->length, datagram) ||
      !datagram->Window(kUdpHeaderLen, fields->length - kUdpHeaderLen, payload)) {
    return ParseResult::kBadUdpLength;
  }
  return ParseResult::kOk;
}

// The order of checks decides which counter a frame with several faults lands in:
// header shape, then checksum (nothing else in a corrupt header is worth trusting),
// then IP length, then protocol and fragmentation, then the UDP header.
ParseResult ParseIpv4Udp(const ByteReader& ip, uint16_t vlan_id, const ParseOptions& options,
                         UdpDatagram* out) {
  Ipv4Fields f;
  if (!ip.Has(0, kIpv4MinHeaderLen) || !ReadIpv4Fields(ip, &f)) {
    return ParseResult::kTruncated;
  }
  if ((f.version_ihl >> 4) != 4) return ParseResult::kBadIpHeader;
  const size_t header_len = size_t{4} * (f.version_ihl & 0x0fu);
  if (header_len < kIpv4MinHeaderLen) return ParseResult::kBadIpHeader;

  ByteReader header;
  if (!ip.Window(0, header_len, &header)) return ParseResult::kBadIpHeader;
  if (!Ipv4ChecksumOk(header)) return ParseResult::kBadIpChecksum;

  // Ethernet pads short frames to 60 bytes (and some NICs leave the FCS on), so the
  // frame may be longer than the packet: from here on only total_length bytes count.
  ByteReader packet;
  if (f.total_length < header_len || !ip.Window(0, f.total_length, &packet)) {
    return ParseResult::kBadIpLength;
  }
  // Protocol before fragmentation: a non-UDP fragment is noise for a UDP relay, while
  // the fragment counter should mean "a UDP flow is being fragmented and dropped".
  if (f.protocol != kIpProtoUdp) return ParseResult::kNotUdp;
  if ((f.flags_fragment & (kIpMoreFragments | kIpFragmentOffsetMask)) != 0) {
    return ParseResult::kFragment;
  }

  ByteReader udp;
  UdpFields u;
  ByteReader datagram;
  ByteReader payload;
  packet.Window(header_len, packet.size() - header_len, &udp);  // cannot fail: header_len <= size
  const ParseResult udp_result = ReadUdpDatagram(udp, &u, &datagram, &payload);
  if (udp_result != ParseResult::kOk) return udp_result;
  // Why verify: mcr re-originates each datagram from its own socket, which writes a
  // fresh checksum, so a payload corrupted on the way in would leave mcr looking valid
  // and reach receivers that can no longer tell. Checksum 0 means "not computed"
  // (legal in IPv4) and is passed. The cost is one pass over bytes just received,
  // measured in docs/dataplane.md; the caller skips it when the kernel already knows.
  if (options.verify_udp_checksum && u.checksum != 0 && !UdpChecksumOk(f.src, f.dst, datagram)) {
    return ParseResult::kBadUdpChecksum;
  }

  out->src = IpAddress::FromIpv4(f.src);
  out->dst = IpAddress::FromIpv4(f.dst);
  out->src_port = u.src_port;
  out->dst_port = u.dst_port;
  out->vlan_id = vlan_id;
  out->ttl = f.ttl;
  out->udp_checksum = u.checksum;
  out->has_ip_options = header_len > kIpv4MinHeaderLen;
  out->payload = payload.data();
  out->payload_len = payload.size();
  return ParseResult::kOk;
}

}  // namespace packet_detail

uint16_t OnesComplementSum(const uint8_t* data, size_t len, uint32_t initial) {
  // Eight bytes per step, in host byte order: the ones'-complement sum does not depend
  // on byte order except for a final swap (RFC 1071 2(B)), and 2^16 = 1 modulo 0xffff,
  // so adding 32-bit halves sums their 16-bit words. The 64-bit accumulator cannot
  // overflow for any frame, so carries are folded once, at the end. memcpy is the
  // defined way to load unaligned bytes; compilers make it one load.
  uint64_t wide = 0;
  size_t i = 0;
  for (; len - i >= 8; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, data + i, sizeof word);
    wide += (word & 0xffffffffu) + (word >> 32);
  }
  while (wide > 0xffff) wide = (wide & 0xffff) + (wide >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  wide = ((wide & 0xff) << 8) | (wide >> 8);
#endif
  uint64_t sum = initial + wide;
  // The rest (fewer than 8 bytes) two at a time in network order; i is even here.
  for (; len - i >= 2; i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (i < len) sum += uint32_t{data[i]} << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

ParseResult ParseFrame(const uint8_t* frame, size_t len, UdpDatagram* out) {
  return ParseFrame(frame, len, ParseOptions{}, out);
}

ParseResult ParseFrame(const uint8_t* frame, size_t len, const ParseOptions& options,
                       UdpDatagram* out) {
  using namespace packet_detail;
  const ByteReader eth(frame, len);
  uint16_t ethertype = 0;
  if (!eth.U16(kEtherTypeOffset, &ethertype)) return ParseResult::kTruncated;

  size_t offset = kEthernetHeaderLen;
  size_t tags = options.stripped_vlan_tags;
  uint16_t vlan_id = kNoVlan;
  while (IsVlanTpid(ethertype)) {
    if (tags >= kMaxVlanTags) return ParseResult::kTooManyVlanTags;
    uint16_t tci = 0;
    if (!eth.U16(offset, &tci) || !eth.U16(offset + 2, &ethertype)) {
      return ParseResult::kTruncated;
    }
    // The outer in-band tag is the one the relay's interface (or its VLAN
    // sub-interface) sees, when the kernel did not strip it already.
    if (vlan_id == kNoVlan) vlan_id = static_cast<uint16_t>(tci & kVlanIdMask);
    ++tags;
    offset += kVlanTagLen;
  }
  if (ethertype != kEtherTypeIpv4 && ethertype != kEtherTypeIpv6) return ParseResult::kNotIpv4;

  ByteReader ip;
  if (!eth.Window(offset, len - offset, &ip)) return ParseResult::kTruncated;
  return ethertype == kEtherTypeIpv4 ? ParseIpv4Udp(ip, vlan_id, options, out)
                                     : ParseIpv6Udp(ip, vlan_id, options, out);
}

const char* ParseResultName(ParseResult result) {
  const auto index = static_cast<size_t>(result);
  return index < kParseResultCount ? kParseResultNames[index] : "unknown";
}

}  // namespace mcr
