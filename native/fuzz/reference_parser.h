// The frame fuzzer's reference model of the ingress parser: which frames ParseFrame must
// accept, and where an accepted one's fields lie, read from the header layouts (802.1Q,
// RFC 791, RFC 768, RFC 8200, RFC 2675) and packet.h's contract, written without looking
// at how packet.cc and packet_ipv6.cc order their checks; and a checksum repair, so that
// mutated frames still reach the checks after the checksums. Only accept/refuse and the
// layout: which refusal a frame earns is the unit tests' business. Fuzz-only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/packet.h"

namespace mcr::fuzz {

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline constexpr size_t kIpv4MinHeader = 20;
inline constexpr size_t kIpv6Header = 40;
inline constexpr size_t kUdpHeader = 8;
// RFC 8200's header order has at most six extension headers; the parser walks eight.
inline constexpr size_t kExtensionBound = 8;

// Where the bytes say the IP header starts: after the Ethernet header and at most two
// 802.1Q/802.1ad tags (counting those the kernel stripped), and which family it is.
struct EthernetLayout {
  size_t ip_at = 0;
  size_t tags = 0;
  uint16_t outer_tci = 0;
  bool ipv6 = false;
};

inline bool ReadEthernet(const uint8_t* f, size_t len, size_t stripped_tags, EthernetLayout* eth) {
  size_t type_at = 12;
  for (;;) {
    if (type_at + 2 > len) return false;
    const uint16_t type = Be16(f + type_at);
    if (type == 0x0800 || type == 0x86dd) {
      eth->ipv6 = type == 0x86dd;
      break;
    }
    if (type != 0x8100 && type != 0x88a8) return false;
    if (stripped_tags + eth->tags >= 2 || type_at + 4 > len) return false;
    if (eth->tags == 0) eth->outer_tci = Be16(f + type_at + 2);
    ++eth->tags;
    type_at += 4;
  }
  eth->ip_at = type_at + 2;
  return true;
}

// The ones'-complement sum of len bytes (an odd last byte as the high half), folded.
inline uint16_t Fold(const uint8_t* bytes, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i < len; i += 2) {
    sum += i + 1 < len ? Be16(bytes + i) : uint32_t{bytes[i]} << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

// The UDP sum with its pseudo-header (RFC 768 for IPv4, RFC 8200 8.1 for IPv6): a valid
// datagram with its stored checksum folds to 0xffff.
inline uint16_t UdpFoldedSum(const uint8_t* ip, bool ipv6, const uint8_t* datagram, size_t len) {
  const uint32_t pseudo = (ipv6 ? Fold(ip + 8, 32) : Fold(ip + 12, 8)) + 17u + static_cast<uint32_t>(len);
  return Fold(datagram, len, pseudo);
}

// An accepted frame's layout. ip_header_len runs from the IP header to UDP (IPv4: IHL*4;
// IPv6: 40 and every extension header); ip_total_len is the packet as its header sizes
// it (IPv4: total length; IPv6: 40 + payload length).
struct Accepted {
  EthernetLayout eth;
  size_t ip_header_len = 0;
  size_t ip_total_len = 0;
  size_t udp_len = 0;
  size_t extension_headers = 0;
};

// The options of a hop-by-hop or destination options header (its bytes from 2 to len):
// each option inside the header, and no Jumbo Payload option in a hop-by-hop one.
inline bool OptionsHold(const uint8_t* header, size_t len, bool hop_by_hop) {
  size_t at = 2;
  while (at < len) {
    if (header[at] == 0) {  // Pad1: one byte, no length
      ++at;
      continue;
    }
    if (at + 2 > len || at + 2 + header[at + 1] > len) return false;
    if (hop_by_hop && header[at] == 0xc2) return false;
    at += 2 + size_t{header[at + 1]};
  }
  return true;
}

// From the first next header to UDP, inside `end` bytes of packet: true with *udp_at and
// *count when UDP is reached through at most kExtensionBound walkable headers (a
// fragment header only when atomic: offset 0, no more fragments).
inline bool WalkToUdp(const uint8_t* packet, size_t end, size_t* udp_at, size_t* count) {
  uint8_t next = packet[6];
  size_t at = kIpv6Header;
  for (*count = 0; next != 17; ++*count) {
    if (*count == kExtensionBound) return false;
    if (next == 44) {
      if (at + 8 > end || (Be16(packet + at + 2) & 0xfff9) != 0) return false;
      next = packet[at];
      at += 8;
      continue;
    }
    if (next != 0 && next != 43 && next != 60) return false;
    if (at + 2 > end) return false;
    const size_t len = (size_t{packet[at + 1]} + 1) * 8;
    if (at + len > end) return false;
    if (next != 43 && !OptionsHold(packet + at, len, next == 0)) return false;
    next = packet[at];
    at += len;
  }
  *udp_at = at;
  return true;
}

inline bool IsIpv4Mapped(const uint8_t* address) {
  for (size_t i = 0; i < 10; ++i) {
    if (address[i] != 0) return false;
  }
  return address[10] == 0xff && address[11] == 0xff;
}

inline bool ReferenceAcceptsIpv6(const uint8_t* h, size_t available, const ParseOptions& options, Accepted* a) {
  if (available < kIpv6Header || (h[0] >> 4) != 6) return false;
  const size_t payload_length = Be16(h + 4);
  // 0 is a jumbogram's or nonsense; neither is relayed.
  if (payload_length == 0 || kIpv6Header + payload_length > available) return false;
  if (IsIpv4Mapped(h + 8) || IsIpv4Mapped(h + 24)) return false;
  a->ip_total_len = kIpv6Header + payload_length;
  size_t udp_at = 0;
  if (!WalkToUdp(h, a->ip_total_len, &udp_at, &a->extension_headers)) return false;
  if (udp_at + kUdpHeader > a->ip_total_len) return false;
  a->ip_header_len = udp_at;
  a->udp_len = Be16(h + udp_at + 4);
  if (a->udp_len < kUdpHeader || udp_at + a->udp_len > a->ip_total_len) return false;
  // The checksum is mandatory in IPv6: 0 never passes, verified or not.
  if (Be16(h + udp_at + 6) == 0) return false;
  return !options.verify_udp_checksum || UdpFoldedSum(h, true, h + udp_at, a->udp_len) == 0xffff;
}

inline bool ReferenceAcceptsIpv4(const uint8_t* h, size_t available, const ParseOptions& options, Accepted* a) {
  if (available < kIpv4MinHeader) return false;
  a->ip_header_len = size_t{4} * (h[0] & 0x0fu);
  a->ip_total_len = Be16(h + 2);
  if ((h[0] >> 4) != 4 || a->ip_header_len < kIpv4MinHeader || a->ip_header_len > available) return false;
  if (Fold(h, a->ip_header_len) != 0xffff) return false;
  if (a->ip_total_len < a->ip_header_len + kUdpHeader || a->ip_total_len > available) return false;
  if (h[9] != 17) return false;                    // UDP
  if ((Be16(h + 6) & 0x3fff) != 0) return false;  // MF or an offset: a fragment
  const uint8_t* udp = h + a->ip_header_len;
  a->udp_len = Be16(udp + 4);
  if (a->udp_len < kUdpHeader || a->udp_len > a->ip_total_len - a->ip_header_len) return false;
  // 0: the sender computed none, legal in IPv4.
  return !options.verify_udp_checksum || Be16(udp + 6) == 0 || UdpFoldedSum(h, false, udp, a->udp_len) == 0xffff;
}

// The whole acceptance rule.
inline bool ReferenceAccepts(const uint8_t* f, size_t len, const ParseOptions& options, Accepted* a) {
  if (!ReadEthernet(f, len, options.stripped_vlan_tags, &a->eth)) return false;
  const uint8_t* h = f + a->eth.ip_at;
  const size_t available = len - a->eth.ip_at;
  return a->eth.ipv6 ? ReferenceAcceptsIpv6(h, available, options, a) : ReferenceAcceptsIpv4(h, available, options, a);
}

// Makes a stored non-zero UDP checksum right where the datagram fits, then (IPv4) the
// header checksum, which the UDP one does not cover.
inline void RepairChecksums(uint8_t* f, size_t len) {
  EthernetLayout eth;
  if (!ReadEthernet(f, len, 0, &eth)) return;
  uint8_t* h = f + eth.ip_at;
  const size_t available = len - eth.ip_at;
  size_t udp_at = 0;
  if (eth.ipv6) {
    size_t count = 0;
    if (available < kIpv6Header || !WalkToUdp(h, available, &udp_at, &count)) return;
  } else {
    if (available < kIpv4MinHeader) return;
    udp_at = size_t{4} * (h[0] & 0x0fu);
    if (udp_at < kIpv4MinHeader || udp_at > available) return;
  }
  if (udp_at + kUdpHeader <= available) {
    uint8_t* udp = h + udp_at;
    const size_t udp_len = Be16(udp + 4);
    if (udp_len >= kUdpHeader && udp_at + udp_len <= available && Be16(udp + 6) != 0) {
      udp[6] = udp[7] = 0;
      uint16_t checksum = static_cast<uint16_t>(~UdpFoldedSum(h, eth.ipv6, udp, udp_len));
      if (checksum == 0) checksum = 0xffff;  // 0 would mean "none"
      udp[6] = static_cast<uint8_t>(checksum >> 8);
      udp[7] = static_cast<uint8_t>(checksum & 0xff);
    }
  }
  if (eth.ipv6) return;
  h[10] = h[11] = 0;
  const uint16_t checksum = static_cast<uint16_t>(~Fold(h, udp_at));
  h[10] = static_cast<uint8_t>(checksum >> 8);
  h[11] = static_cast<uint8_t>(checksum & 0xff);
}

}  // namespace mcr::fuzz
