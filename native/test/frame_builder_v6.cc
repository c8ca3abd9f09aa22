// IPv6 frame construction for the parser tests (see frame_builder_v6.h).
#include "frame_builder_v6.h"

namespace mcr::test {
namespace {

constexpr size_t kFixedHeader = 40;

void Push16(std::vector<uint8_t>* bytes, uint16_t value) {
  bytes->push_back(static_cast<uint8_t>(value >> 8));
  bytes->push_back(static_cast<uint8_t>(value & 0xff));
}

uint32_t Sum16(const std::vector<uint8_t>& b, size_t at, size_t len, uint32_t sum) {
  for (size_t i = 0; i < len; i += 2) {
    const uint32_t high = b[at + i];
    const uint32_t low = i + 1 < len ? b[at + i + 1] : 0;
    sum += (high << 8) | low;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return sum;
}

}  // namespace

Extension OptionsHeader(uint8_t type, const std::vector<uint8_t>& options) {
  Extension header{type, {0}};  // the length byte, set below
  header.rest.insert(header.rest.end(), options.begin(), options.end());
  const size_t pad = (8 - (1 + header.rest.size()) % 8) % 8;
  if (pad == 1) {
    header.rest.push_back(0);  // Pad1
  } else if (pad >= 2) {
    header.rest.push_back(1);  // PadN
    header.rest.push_back(static_cast<uint8_t>(pad - 2));
    header.rest.insert(header.rest.end(), pad - 2, 0);
  }
  header.rest[0] = static_cast<uint8_t>((1 + header.rest.size()) / 8 - 1);
  return header;
}

Extension RoutingHeader(uint8_t routing_type, uint8_t segments_left, size_t addresses) {
  Extension header{kNextRouting, {static_cast<uint8_t>(2 * addresses), routing_type, segments_left, 0, 0, 0, 0}};
  for (size_t i = 0; i < addresses; ++i) {
    header.rest.insert(header.rest.end(), {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                           static_cast<uint8_t>(i + 1)});
  }
  return header;
}

Extension FragmentHeader(uint16_t offset_units, bool more, uint32_t id) {
  const uint16_t field = static_cast<uint16_t>((offset_units << 3) | (more ? 1 : 0));
  return Extension{kNextFragment,
                   {0, static_cast<uint8_t>(field >> 8), static_cast<uint8_t>(field & 0xff),
                    static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
                    static_cast<uint8_t>(id)}};
}

std::vector<uint8_t> JumboOption(uint32_t length) {
  return {0xc2, 4, static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
          static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}

Frame BuildUdp6Frame(const Frame6Spec& spec) {
  FrameSpec ethernet;
  ethernet.vlan_tags = spec.vlan_tags;
  Frame frame = BuildRawFrame(ethernet, kEtherIpv6, {});
  // RFC 2464 7: 33:33 and the group's last four bytes.
  const uint8_t mac[6] = {0x33, 0x33, spec.dst[12], spec.dst[13], spec.dst[14], spec.dst[15]};
  for (size_t i = 0; i < 6; ++i) frame.bytes[i] = mac[i];
  std::vector<uint8_t>& b = frame.bytes;
  frame.ip_offset = b.size();
  b.push_back(static_cast<uint8_t>(0x60 | (spec.traffic_class >> 4)));
  b.push_back(static_cast<uint8_t>((spec.traffic_class & 0x0f) << 4));
  Push16(&b, 0);  // flow label's low bits
  Push16(&b, 0);  // payload length, below
  b.push_back(spec.extensions.empty() ? spec.upper : spec.extensions.front().type);
  b.push_back(spec.hop_limit);
  b.insert(b.end(), spec.src.begin(), spec.src.end());
  b.insert(b.end(), spec.dst.begin(), spec.dst.end());
  for (size_t i = 0; i < spec.extensions.size(); ++i) {
    b.push_back(i + 1 < spec.extensions.size() ? spec.extensions[i + 1].type : spec.upper);
    b.insert(b.end(), spec.extensions[i].rest.begin(), spec.extensions[i].rest.end());
  }
  frame.l4_offset = b.size();
  if (spec.upper == kProtoUdp) {
    Push16(&b, spec.src_port);
    Push16(&b, spec.dst_port);
    Push16(&b, static_cast<uint16_t>(8 + spec.payload_len));
    Push16(&b, 0);
  }
  frame.payload_offset = b.size();
  for (size_t i = 0; i < spec.payload_len; ++i) b.push_back(PayloadByte(i));
  Put16(&b, frame.ip_offset + 4, static_cast<uint16_t>(b.size() - frame.ip_offset - kFixedHeader));
  if (spec.upper == kProtoUdp && spec.udp_checksum) FixUdp6Checksum(&frame);
  b.insert(b.end(), spec.eth_padding, 0);
  return frame;
}

void SetPayloadLength(Frame* frame, uint16_t payload_length) {
  Put16(&frame->bytes, frame->ip_offset + 4, payload_length);
}

void FixUdp6Checksum(Frame* frame) {
  std::vector<uint8_t>& b = frame->bytes;
  const size_t udp = frame->l4_offset;
  const size_t udp_len = Get16(b, udp + 4);
  Put16(&b, udp + 6, 0);
  // Pseudo-header (RFC 8200 8.1): source, destination, 32-bit length, next header.
  uint32_t sum = Sum16(b, frame->ip_offset + 8, 32, 0);
  sum += static_cast<uint32_t>(udp_len >> 16) + static_cast<uint32_t>(udp_len & 0xffff) + kProtoUdp;
  sum = Sum16(b, udp, udp_len, sum);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const uint16_t checksum = static_cast<uint16_t>(~sum & 0xffff);
  Put16(&b, udp + 6, checksum == 0 ? 0xffff : checksum);
}

}  // namespace mcr::test
