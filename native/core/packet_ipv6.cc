// The IPv6 half of the ingress parser (see packet.h): the fixed header, a bounded walk
// along the extension-header chain to the UDP header, and the UDP datagram. Owns the
// order in which an IPv6 packet is judged, so each bad one lands in exactly one counter.
// Same rules as packet.cc: no allocation, no state, every read through ByteReader.
//
// What is walked: hop-by-hop options, routing and destination options headers (skipped:
// their options are checked for shape, not acted on; a routing header's segments are
// not followed, the destination field is the address the packet is relayed as) and the
// fragment header. Anything else before UDP (AH, ESP, ICMPv6, "no next header") makes
// the packet not_udp: mcr relays UDP only.
#include <cstring>

#include "packet_parts.h"

namespace mcr::packet_detail {
namespace {

constexpr size_t kIpv6HeaderLen = 40;
// Extension headers walked before giving up. RFC 8200's recommended order has at most
// six before the upper layer (destination options twice); two more of slack, and the
// walk is bounded by a constant whatever the packet says.
constexpr size_t kMaxExtensionHeaders = 8;

constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kDestinationOptions = 60;

constexpr size_t kFragmentHeaderLen = 8;
constexpr uint16_t kFragmentOffsetMask = 0xfff8;
constexpr uint16_t kMoreFragments = 0x0001;

constexpr uint8_t kPad1 = 0;
constexpr uint8_t kJumboPayload = 0xc2;  // RFC 2675

struct Ipv6Fields {
  uint8_t version = 0;
  uint16_t payload_length = 0;
  uint8_t next_header = 0;
  uint8_t hop_limit = 0;
};

bool ReadIpv6Fields(const ByteReader& ip, Ipv6Fields* f) {
  uint8_t first = 0;
  if (!ip.U8(0, &first) || !ip.U16(4, &f->payload_length) || !ip.U8(6, &f->next_header) ||
      !ip.U8(7, &f->hop_limit)) {
    return false;
  }
  f->version = static_cast<uint8_t>(first >> 4);
  return true;
}

bool IsWalkedHeader(uint8_t next_header) {
  return next_header == kHopByHop || next_header == kRouting || next_header == kDestinationOptions ||
         next_header == kFragment;
}

// ::ffff:0:0/96 never appears in an IPv6 header (RFC 4291 2.5.5.2); taken as it came,
// it would read as an IPv4 address and could match an IPv4 rule.
bool IsIpv4Mapped(const ByteReader& ip, size_t at) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(ip.data() + at, kPrefix, sizeof kPrefix) == 0;
}

// The TLV options of a hop-by-hop or destination options header, after its first two
// bytes. kOk when every option lies inside the header; kIpv6Jumbogram when a hop-by-hop
// header carries a Jumbo Payload option (never on an Ethernet MTU, and its length is not
// the header's: refused whatever it says).
ParseResult CheckOptions(const ByteReader& header, bool hop_by_hop) {
  size_t at = 2;
  while (at < header.size()) {
    uint8_t type = 0;
    header.U8(at, &type);  // cannot fail: at < size
    if (type == kPad1) {
      ++at;
      continue;
    }
    uint8_t length = 0;
    if (!header.U8(at + 1, &length) || !header.Has(at + 2, length)) return ParseResult::kIpv6ExtensionOverrun;
    if (hop_by_hop && type == kJumboPayload) return ParseResult::kIpv6Jumbogram;
    at += 2 + size_t{length};
  }
  return ParseResult::kOk;
}

// A packet whose payload length is 0 is a jumbogram when its first header is hop-by-hop
// with a Jumbo Payload option (read as far as the frame goes), and malformed otherwise.
ParseResult ZeroPayloadLength(const ByteReader& ip, uint8_t next_header) {
  uint8_t units = 0;
  ByteReader header;
  if (next_header == kHopByHop && ip.U8(kIpv6HeaderLen + 1, &units) &&
      ip.Window(kIpv6HeaderLen, (size_t{units} + 1) * 8, &header) &&
      CheckOptions(header, true) == ParseResult::kIpv6Jumbogram) {
    return ParseResult::kIpv6Jumbogram;
  }
  return ParseResult::kIpv6BadPayloadLength;
}

// Walks from the first header after the fixed one to the upper-layer header. kOk with
// *udp_at where UDP starts and *walked the headers passed, or why the packet stops.
ParseResult WalkExtensions(const ByteReader& packet, uint8_t next_header, size_t* udp_at, size_t* walked) {
  size_t at = kIpv6HeaderLen;
  for (size_t count = 0;; ++count) {
    if (next_header == kIpProtoUdp) {
      *udp_at = at;
      *walked = count;
      return ParseResult::kOk;
    }
    if (!IsWalkedHeader(next_header)) return ParseResult::kNotUdp;
    if (count == kMaxExtensionHeaders) return ParseResult::kIpv6ChainTooLong;
    if (next_header == kFragment) {
      uint16_t offset_flags = 0;
      if (!packet.U8(at, &next_header) || !packet.U16(at + 2, &offset_flags) ||
          !packet.Has(at, kFragmentHeaderLen)) {
        return ParseResult::kIpv6ExtensionOverrun;
      }
      // An atomic fragment (offset 0, no more to come; RFC 6946) is a whole packet that
      // happens to carry the header: it goes on. A real fragment is not reassembled.
      // As for IPv4, a fragment of something that is not UDP is not_udp.
      if ((offset_flags & (kFragmentOffsetMask | kMoreFragments)) != 0) {
        return next_header == kIpProtoUdp || IsWalkedHeader(next_header) ? ParseResult::kFragment
                                                                         : ParseResult::kNotUdp;
      }
      at += kFragmentHeaderLen;
      continue;
    }
    // Hop-by-hop, routing, destination options: next header, length in 8-byte units
    // not counting the first 8.
    const uint8_t type = next_header;
    uint8_t units = 0;
    ByteReader header;
    if (!packet.U8(at, &next_header) || !packet.U8(at + 1, &units) ||
        !packet.Window(at, (size_t{units} + 1) * 8, &header)) {
      return ParseResult::kIpv6ExtensionOverrun;
    }
    if (type != kRouting) {
      const ParseResult options = CheckOptions(header, type == kHopByHop);
      if (options != ParseResult::kOk) return options;
    }
    at += header.size();
  }
}

// RFC 8200 8.1: the pseudo-header is the source, the destination, the upper-layer
// length as 32 bits and the next header value (17); as for IPv4, a valid datagram
// summed with its stored checksum folds to 0xffff.
bool Udp6ChecksumOk(const ByteReader& ip, const ByteReader& datagram) {
  const size_t length = datagram.size();
  const uint32_t pseudo = OnesComplementSum(ip.data() + 8, 32, 0) + static_cast<uint32_t>(length >> 16) +
                          static_cast<uint32_t>(length & 0xffff) + kIpProtoUdp;
  return OnesComplementSum(datagram.data(), length, pseudo) == 0xffff;
}

}  // namespace

// The order of checks decides which counter a packet with several faults lands in:
// the fixed header's shape, its payload length against the frame, the addresses, the
// extension chain (each header in turn: inside the packet, its options whole, no jumbo,
// not a fragment, not too many), then the UDP header and its checksum.
ParseResult ParseIpv6Udp(const ByteReader& ip, uint16_t vlan_id, const ParseOptions& options,
                         UdpDatagram* out) {
  Ipv6Fields f;
  if (!ip.Has(0, kIpv6HeaderLen) || !ReadIpv6Fields(ip, &f)) return ParseResult::kTruncated;
  if (f.version != 6) return ParseResult::kBadIpHeader;
  if (f.payload_length == 0) return ZeroPayloadLength(ip, f.next_header);
  // As for IPv4, the frame may be longer than the packet (Ethernet padding, a trailing
  // FCS): from here on only the payload length's bytes count.
  ByteReader packet;
  if (!ip.Window(0, kIpv6HeaderLen + f.payload_length, &packet)) return ParseResult::kIpv6BadPayloadLength;
  if (IsIpv4Mapped(ip, 8) || IsIpv4Mapped(ip, 24)) return ParseResult::kBadIpHeader;

  size_t udp_at = 0;
  size_t walked = 0;
  const ParseResult chain = WalkExtensions(packet, f.next_header, &udp_at, &walked);
  if (chain != ParseResult::kOk) return chain;

  ByteReader udp;
  UdpFields u;
  ByteReader datagram;
  ByteReader payload;
  packet.Window(udp_at, packet.size() - udp_at, &udp);  // cannot fail: the walk stayed inside
  const ParseResult udp_result = ReadUdpDatagram(udp, &u, &datagram, &payload);
  // The payload length ends before a whole UDP header: the length is what is wrong.
  if (udp_result == ParseResult::kBadIpLength) return ParseResult::kIpv6BadPayloadLength;
  if (udp_result != ParseResult::kOk) return udp_result;
  // Checksum 0 is not "none" in IPv6 (RFC 8200 8.1: receivers discard it), whatever the
  // caller asked: a partial sum left for offload is never 0 either (it includes the
  // next header value), so this refuses nothing the kernel would accept.
  if (u.checksum == 0 || (options.verify_udp_checksum && !Udp6ChecksumOk(ip, datagram))) {
    return ParseResult::kBadUdpChecksum;
  }

  out->src = IpAddress::FromIpv6Bytes(ip.data() + 8);
  out->dst = IpAddress::FromIpv6Bytes(ip.data() + 24);
  out->src_port = u.src_port;
  out->dst_port = u.dst_port;
  out->vlan_id = vlan_id;
  out->ttl = f.hop_limit;
  out->udp_checksum = u.checksum;
  out->has_ip_options = walked > 0;
  out->payload = payload.data();
  out->payload_len = payload.size();
  return ParseResult::kOk;
}

}  // namespace mcr::packet_detail
