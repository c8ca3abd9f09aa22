// Frame construction for the parser tests (see frame_builder.h). Written from the
// header layouts in RFC 791, RFC 768 and IEEE 802.1Q, independently of packet.cc, so a
// misreading in the parser is not mirrored here.
#include "frame_builder.h"

namespace mcr::test {
namespace {

constexpr size_t kIpChecksumOffset = 10;

void Push16(std::vector<uint8_t>* bytes, uint16_t value) {
  bytes->push_back(static_cast<uint8_t>(value >> 8));
  bytes->push_back(static_cast<uint8_t>(value & 0xff));
}

void Push32(std::vector<uint8_t>* bytes, uint32_t value) {
  Push16(bytes, static_cast<uint16_t>(value >> 16));
  Push16(bytes, static_cast<uint16_t>(value & 0xffff));
}

Frame StartFrame(const FrameSpec& spec, uint16_t ethertype) {
  Frame frame;
  // Destination: the multicast MAC for the group; source: a locally administered MAC.
  const uint8_t dst_mac[6] = {0x01, 0x00, 0x5e,
                              static_cast<uint8_t>((spec.dst_ip >> 16) & 0x7f),
                              static_cast<uint8_t>(spec.dst_ip >> 8),
                              static_cast<uint8_t>(spec.dst_ip)};
  const uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  frame.bytes.insert(frame.bytes.end(), dst_mac, dst_mac + 6);
  frame.bytes.insert(frame.bytes.end(), src_mac, src_mac + 6);
  for (const VlanTag& tag : spec.vlan_tags) {
    Push16(&frame.bytes, tag.tpid);
    Push16(&frame.bytes, tag.tci);
  }
  Push16(&frame.bytes, ethertype);
  frame.ip_offset = frame.bytes.size();
  return frame;
}

}  // namespace

uint8_t PayloadByte(size_t i) { return static_cast<uint8_t>((i * 7 + 3) & 0xff); }

void Put16(std::vector<uint8_t>* bytes, size_t offset, uint16_t value) {
  (*bytes)[offset] = static_cast<uint8_t>(value >> 8);
  (*bytes)[offset + 1] = static_cast<uint8_t>(value & 0xff);
}

uint16_t Get16(const std::vector<uint8_t>& bytes, size_t offset) {
  return static_cast<uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

Frame BuildUdpFrame(const FrameSpec& spec) {
  Frame frame = StartFrame(spec, kEtherIpv4);
  std::vector<uint8_t> options = spec.ip_options;
  while (options.size() % 4 != 0) options.push_back(0);
  const size_t header_len = 20 + options.size();
  const size_t l4_header_len = spec.protocol == kProtoUdp ? 8 : 0;
  const size_t total_len = header_len + l4_header_len + spec.payload_len;

  std::vector<uint8_t>& b = frame.bytes;
  b.push_back(static_cast<uint8_t>(0x40 | (header_len / 4)));
  b.push_back(0);  // DSCP/ECN
  Push16(&b, static_cast<uint16_t>(total_len));
  Push16(&b, 0x1234);  // identification
  Push16(&b, spec.flags_fragment);
  b.push_back(spec.ttl);
  b.push_back(spec.protocol);
  Push16(&b, 0);  // checksum, filled in below
  Push32(&b, spec.src_ip);
  Push32(&b, spec.dst_ip);
  b.insert(b.end(), options.begin(), options.end());

  frame.l4_offset = b.size();
  if (spec.protocol == kProtoUdp) {
    Push16(&b, spec.src_port);
    Push16(&b, spec.dst_port);
    Push16(&b, static_cast<uint16_t>(8 + spec.payload_len));
    Push16(&b, 0);  // no UDP checksum: legal in IPv4, and the parser ignores it anyway
  }
  frame.payload_offset = b.size();
  for (size_t i = 0; i < spec.payload_len; ++i) b.push_back(PayloadByte(i));
  b.insert(b.end(), spec.eth_padding, 0);
  FixIpChecksum(&frame);
  if (spec.protocol == kProtoUdp && spec.udp_checksum) FixUdpChecksum(&frame);
  return frame;
}

Frame BuildRawFrame(const FrameSpec& spec, uint16_t ethertype,
                    const std::vector<uint8_t>& body) {
  Frame frame = StartFrame(spec, ethertype);
  frame.bytes.insert(frame.bytes.end(), body.begin(), body.end());
  frame.l4_offset = frame.payload_offset = frame.bytes.size();
  return frame;
}

void FixIpChecksum(Frame* frame) {
  std::vector<uint8_t>& b = frame->bytes;
  const size_t header_len = size_t{4} * (b[frame->ip_offset] & 0x0fu);
  Put16(&b, frame->ip_offset + kIpChecksumOffset, 0);
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header_len && frame->ip_offset + i + 1 < b.size(); i += 2) {
    sum += Get16(b, frame->ip_offset + i);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  Put16(&b, frame->ip_offset + kIpChecksumOffset, static_cast<uint16_t>(~sum & 0xffff));
}

void SetIpTotalLength(Frame* frame, uint16_t total_length) {
  Put16(&frame->bytes, frame->ip_offset + 2, total_length);
  FixIpChecksum(frame);
}

void SetIpVersionIhl(Frame* frame, uint8_t version, uint8_t ihl) {
  frame->bytes[frame->ip_offset] = static_cast<uint8_t>((version << 4) | (ihl & 0x0f));
  FixIpChecksum(frame);
}

void SetFlagsFragment(Frame* frame, uint16_t flags_fragment) {
  Put16(&frame->bytes, frame->ip_offset + 6, flags_fragment);
  FixIpChecksum(frame);
}

void SetUdpLength(Frame* frame, uint16_t udp_length) {
  Put16(&frame->bytes, frame->l4_offset + 4, udp_length);
}

void FixUdpChecksum(Frame* frame) {
  std::vector<uint8_t>& b = frame->bytes;
  const size_t udp = frame->l4_offset;
  const size_t udp_len = Get16(b, udp + 4);
  Put16(&b, udp + 6, 0);
  // Pseudo-header: source and destination address, zero + protocol, UDP length.
  uint32_t sum = 0;
  for (size_t i = 12; i < 20; i += 2) sum += Get16(b, frame->ip_offset + i);
  sum += kProtoUdp;
  sum += static_cast<uint32_t>(udp_len);
  for (size_t i = 0; i < udp_len; i += 2) {
    const uint32_t high = b[udp + i];
    const uint32_t low = i + 1 < udp_len ? b[udp + i + 1] : 0;
    sum += (high << 8) | low;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const uint16_t checksum = static_cast<uint16_t>(~sum & 0xffff);
  Put16(&b, udp + 6, checksum == 0 ? 0xffff : checksum);
}

}  // namespace mcr::test
