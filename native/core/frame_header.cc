// Egress frame headers (see frame_header.h). The work is split so that Build() does as
// little as possible: Make() writes every constant byte into the template and sums
// every constant 16-bit word of the IPv4 header, the UDP pseudo-header and the UDP
// header; Build() copies the bytes, writes the few that vary (lengths, ID, the source
// when preserved) and finishes the sums with them.
//
// Ones'-complement sums are kept unfolded in 32 or 64 bits and folded once at the end:
// a sum is only ever taken modulo 0xffff, so where a word is added does not matter.
#include "frame_header.h"

#include <cstring>

namespace mcr {
namespace {

constexpr size_t kIpv4HeaderSize = 20;
constexpr size_t kIpv6HeaderSize = 40;
constexpr size_t kUdpHeaderSize = 8;
constexpr uint32_t kMaxIpLength = 0xffff;  // IPv4 total length, IPv6 payload length
constexpr uint32_t kMinMtuIpv4 = 68;       // RFC 791
constexpr uint32_t kMinMtuIpv6 = 1280;     // RFC 8200
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr uint16_t kIpv4DontFragment = 0x4000;
constexpr uint8_t kUdpChecksumAt = 6;
constexpr uint8_t kVirtioNeedsChecksum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
constexpr uint8_t kVirtioNoGso = 0;          // VIRTIO_NET_HDR_GSO_NONE
constexpr uint8_t kVirtioGsoUdpL4 = 5;       // VIRTIO_NET_HDR_GSO_UDP_L4

void Put16(uint8_t* at, uint32_t value) {
  at[0] = static_cast<uint8_t>((value >> 8) & 0xff);
  at[1] = static_cast<uint8_t>(value & 0xff);
}

uint32_t Get16(const uint8_t* at) { return (uint32_t{at[0]} << 8) | at[1]; }

uint16_t Fold(uint64_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// The checksum a header carries: the complement of the folded sum. For UDP a result of
// 0 is sent as 0xffff, its other ones'-complement spelling: 0 would mean "no checksum"
// (RFC 768), which IPv6 forbids (RFC 8200 8.1) and would stop IPv4 receivers checking.
uint16_t UdpChecksumOf(uint64_t sum) {
  const uint16_t checksum = static_cast<uint16_t>(~Fold(sum));
  return checksum == 0 ? 0xffff : checksum;
}

// An address's words for a pseudo-header, either family, without a branch: an IPv4
// address is held mapped (::ffff:a.b.c.d), whose extra words sum to 0xffff, which is
// ones'-complement zero, so the sum is that of the four bytes on the wire.
uint32_t AddressSum(const IpAddress& address) {
  const uint8_t* b = address.bytes();
  uint32_t sum = 0;
  for (size_t i = 0; i < IpAddress::kSize; i += 2) sum += Get16(b + i);
  return sum;
}

FrameHeaderResult Refusal(FrameHeaderStatus status) {
  FrameHeaderResult result;
  result.status = status;
  return result;
}

const char* CheckSpec(const FrameHeaderSpec& spec) {
  if (spec.family != IpFamily::kIpv4 && spec.family != IpFamily::kIpv6) {
    return "family must be IPv4 or IPv6";
  }
  if (spec.source != SourcePolicy::kFixed && spec.source != SourcePolicy::kPreserve) {
    return "source policy must be fixed or preserve";
  }
  if (spec.dst.family() != spec.family || spec.dst.IsUnspecified()) {
    return "destination address must be a specified address of the output's family";
  }
  if (spec.source == SourcePolicy::kFixed &&
      (spec.src.family() != spec.family || spec.src.IsUnspecified() || spec.src.IsMulticast())) {
    return "source address must be a unicast address of the output's family";
  }
  if (spec.ttl == 0) return "ttl must be 1..255";
  if (spec.dscp > 63) return "dscp must be 0..63";
  const uint32_t min_mtu = spec.family == IpFamily::kIpv4 ? kMinMtuIpv4 : kMinMtuIpv6;
  if (spec.mtu < min_mtu) {
    return spec.family == IpFamily::kIpv4 ? "mtu must be at least 68 for IPv4"
                                          : "mtu must be at least 1280 for IPv6";
  }
  return nullptr;
}

}  // namespace

bool MulticastMac(const IpAddress& group, MacAddress* mac) {
  if (!group.IsMulticast()) return false;
  if (group.is_ipv4()) {
    const uint8_t* b = group.ipv4_bytes();
    *mac = {0x01, 0x00, 0x5e, static_cast<uint8_t>(b[1] & 0x7f), b[2], b[3]};
  } else {
    const uint8_t* b = group.bytes();
    *mac = {0x33, 0x33, b[12], b[13], b[14], b[15]};
  }
  return true;
}

const char* FrameHeaderTemplate::Make(const FrameHeaderSpec& spec, FrameHeaderTemplate* out) {
  if (const char* why = CheckSpec(spec)) return why;
  const bool v4 = spec.family == IpFamily::kIpv4;
  const bool fixed = spec.source == SourcePolicy::kFixed;
  const size_t ip_size = v4 ? kIpv4HeaderSize : kIpv6HeaderSize;
  FrameHeaderTemplate t;
  t.family_ = spec.family;
  t.source_ = spec.source;
  t.ip_at_ = kEthernetHeaderSize;
  t.udp_at_ = static_cast<uint8_t>(kEthernetHeaderSize + ip_size);
  t.header_size_ = static_cast<uint8_t>(t.udp_at_ + kUdpHeaderSize);
  // IPv4's total length covers its header; IPv6's payload length does not.
  const uint32_t ip_limit = v4 ? kMaxIpLength : kMaxIpLength + kIpv6HeaderSize;
  t.max_payload_ = (spec.mtu < ip_limit ? spec.mtu : ip_limit) - ip_size - kUdpHeaderSize;

  uint8_t* b = t.bytes_.data();
  std::memcpy(b, spec.dst_mac.data(), spec.dst_mac.size());
  std::memcpy(b + 6, spec.src_mac.data(), spec.src_mac.size());
  Put16(b + 12, v4 ? kEtherTypeIpv4 : kEtherTypeIpv6);
  uint8_t* ip = b + t.ip_at_;
  const uint32_t traffic_class = uint32_t{spec.dscp} << 2;  // ECN bits 0: not ECN-capable
  if (v4) {
    // Total length (2), ID (4) and the checksum (10) are Build()'s.
    Put16(ip, 0x4500 | traffic_class);
    Put16(ip + 6, spec.dont_fragment ? kIpv4DontFragment : 0);
    ip[8] = spec.ttl;
    ip[9] = kIpProtoUdp;
    if (fixed) std::memcpy(ip + 12, spec.src.ipv4_bytes(), 4);
    std::memcpy(ip + 16, spec.dst.ipv4_bytes(), 4);
    for (size_t i = 0; i < kIpv4HeaderSize; i += 2) t.ip_sum_ += Get16(ip + i);
  } else {
    // Version 6, traffic class, flow label 0; the payload length (4) is Build()'s.
    Put16(ip, 0x6000 | (traffic_class << 4));
    ip[6] = kIpProtoUdp;
    ip[7] = spec.ttl;
    if (fixed) std::memcpy(ip + 8, spec.src.bytes(), IpAddress::kSize);
    std::memcpy(ip + 24, spec.dst.bytes(), IpAddress::kSize);
  }
  uint8_t* udp = b + t.udp_at_;
  if (fixed) Put16(udp, spec.src_port);
  Put16(udp + 2, spec.dst_port);
  // The pseudo-header (RFC 768, RFC 8200 8.1) has the same words in both families:
  // the addresses, the protocol, the UDP length (Build()'s).
  t.pseudo_sum_ = (fixed ? AddressSum(spec.src) : 0) + AddressSum(spec.dst) + kIpProtoUdp;
  t.ports_sum_ = Get16(udp) + Get16(udp + 2);
  *out = t;
  return nullptr;
}

FrameHeaderResult FrameHeaderTemplate::Build(const UdpDatagram& datagram, uint16_t ip_id,
                                             UdpChecksumMode mode, uint8_t* out,
                                             size_t out_size) const {
  const bool preserve = source_ == SourcePolicy::kPreserve;
  if (preserve && datagram.src.family() != family_) return Refusal(FrameHeaderStatus::kFamilyMismatch);
  if (datagram.payload_len > max_payload_) return Refusal(FrameHeaderStatus::kTooBig);
  if (out == nullptr || out_size < header_size_) return Refusal(FrameHeaderStatus::kBufferTooSmall);

  // Constant sizes, so the copy is a few vector moves instead of a call to memcpy.
  const bool v4 = family_ == IpFamily::kIpv4;
  if (v4) {
    std::memcpy(out, bytes_.data(), kEthernetHeaderSize + kIpv4HeaderSize + kUdpHeaderSize);
  } else {
    std::memcpy(out, bytes_.data(), kEthernetHeaderSize + kIpv6HeaderSize + kUdpHeaderSize);
  }
  uint8_t* ip = out + ip_at_;
  uint8_t* udp = out + udp_at_;
  const uint32_t udp_length = static_cast<uint32_t>(datagram.payload_len + kUdpHeaderSize);
  uint32_t pseudo = pseudo_sum_ + udp_length;
  uint32_t header = ports_sum_ + udp_length;
  if (preserve) {
    Put16(udp, datagram.src_port);
    pseudo += AddressSum(datagram.src);
    header += datagram.src_port;
  }
  if (v4) {
    const uint32_t total_length = static_cast<uint32_t>(kIpv4HeaderSize) + udp_length;
    Put16(ip + 2, total_length);
    Put16(ip + 4, ip_id);
    uint32_t ip_sum = ip_sum_ + total_length + ip_id;
    if (preserve) {
      std::memcpy(ip + 12, datagram.src.ipv4_bytes(), 4);
      ip_sum += Get16(ip + 12) + Get16(ip + 14);
    }
    Put16(ip + 10, static_cast<uint16_t>(~Fold(ip_sum)));
  } else {
    Put16(ip + 4, udp_length);
    if (preserve) std::memcpy(ip + 8, datagram.src.bytes(), IpAddress::kSize);
  }
  Put16(udp + 4, udp_length);

  uint16_t checksum = 0;
  if (mode == UdpChecksumMode::kDeviceCompletes) {
    // The device sums from the UDP header to the end and complements; this field is
    // summed with it, so it carries what the device cannot see: the pseudo-header.
    checksum = Fold(pseudo);
  } else if (mode == UdpChecksumMode::kAdjustIncoming && datagram.udp_checksum != 0) {
    // A right checksum makes pseudo-header + header + checksum + payload sum to
    // (ones'-complement) zero, so the payload's sum is minus the rest, and minus is
    // complement. The UDP length is the same as ours (same payload) and counts twice:
    // once in the pseudo-header, once in the header. TTL is in neither.
    const uint64_t rest = uint64_t{AddressSum(datagram.src)} + AddressSum(datagram.dst) +
                          kIpProtoUdp + udp_length + datagram.src_port + datagram.dst_port +
                          udp_length + datagram.udp_checksum;
    const uint16_t payload_sum = static_cast<uint16_t>(~Fold(rest));
    checksum = UdpChecksumOf(uint64_t{pseudo} + header + payload_sum);
  } else {
    checksum = UdpChecksumOf(OnesComplementSum(datagram.payload, datagram.payload_len,
                                               Fold(uint64_t{pseudo} + header)));
  }
  Put16(udp + kUdpChecksumAt, checksum);

  return FrameHeaderResult{FrameHeaderStatus::kOk, header_size_, udp_at_, kUdpChecksumAt,
                           mode == UdpChecksumMode::kDeviceCompletes};
}

bool FrameHeaderTemplate::Resize(uint8_t* header, size_t first_payload, size_t total_payload) const {
  if (header == nullptr || total_payload > kMaxSegmentedPayload || total_payload < first_payload) return false;
  const uint32_t old_udp = static_cast<uint32_t>(first_payload + kUdpHeaderSize);
  const uint32_t new_udp = static_cast<uint32_t>(total_payload + kUdpHeaderSize);
  uint8_t* ip = header + ip_at_;
  uint8_t* udp = header + udp_at_;
  if (family_ == IpFamily::kIpv4) {
    // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for the total length word.
    const uint32_t old_total = static_cast<uint32_t>(kIpv4HeaderSize) + old_udp;
    const uint32_t new_total = static_cast<uint32_t>(kIpv4HeaderSize) + new_udp;
    const uint32_t adjusted = (~Get16(ip + 10) & 0xffff) + (~old_total & 0xffff) + new_total;
    Put16(ip + 2, new_total);
    Put16(ip + 10, static_cast<uint16_t>(~Fold(adjusted)));
  } else {
    Put16(ip + 4, new_udp);
  }
  Put16(udp + 4, new_udp);
  // The field holds the pseudo-header's sum (kDeviceCompletes), which counts the UDP
  // length once: take the old one out and put the new one in. The kernel, cutting the
  // datagram, adjusts it the same way for each piece.
  const uint32_t partial = Get16(udp + kUdpChecksumAt) + (~old_udp & 0xffff) + new_udp;
  Put16(udp + kUdpChecksumAt, Fold(partial));
  return true;
}

bool WriteVirtioNetHeader(const FrameHeaderResult& header, uint8_t* out, size_t out_size,
                          uint16_t segment_size) {
  if (out == nullptr || out_size < kVirtioNetHeaderSize || header.status != FrameHeaderStatus::kOk) {
    return false;
  }
  const bool needs = header.device_completes_checksum;
  if (segment_size != 0 && !needs) return false;
  // struct virtio_net_hdr: flags, gso_type, then hdr_len, gso_size, csum_start and
  // csum_offset as 16-bit values. hdr_len tells the kernel how much to keep linear.
  const uint16_t halves[4] = {header.size, segment_size, static_cast<uint16_t>(needs ? header.csum_start : 0),
                              static_cast<uint16_t>(needs ? header.csum_offset : 0)};
  out[0] = needs ? kVirtioNeedsChecksum : 0;
  out[1] = segment_size != 0 ? kVirtioGsoUdpL4 : kVirtioNoGso;
  std::memcpy(out + 2, halves, sizeof halves);
  return true;
}

}  // namespace mcr
