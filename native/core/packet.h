// Ingress frame parser: turns one Ethernet II frame, exactly as an AF_PACKET SOCK_RAW
// socket delivers it, into the IPv4 or IPv6 UDP datagram inside it, or into the one
// reason it is not one (packet.cc: Ethernet, VLAN tags, IPv4; packet_ipv6.cc: IPv6). It owns the definition of "a well-formed frame we can relay".
// It must not allocate, do I/O, keep state between calls, include Node headers, or
// read a single byte outside [frame, frame + len): its input is untrusted wire data.
#pragma once

#include <cstddef>
#include <cstdint>

#include "address.h"
#include "parse_results.h"

namespace mcr {

// ParseResult, kParseResultCount and the outcomes' names: one list, in parse_results.h.

// VLAN ids are 12 bits, so this can never be a real one. VID 0 (a priority-only tag)
// is recorded as 0, not as "no VLAN": the frame did carry a tag.
inline constexpr uint16_t kNoVlan = 0xffff;

struct UdpDatagram {
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;  // ports in host byte order
  uint16_t dst_port = 0;
  uint16_t vlan_id = kNoVlan;  // VID of the outermost in-band tag
  // The UDP checksum field as received, host order; 0: the sender computed none. Only
  // as trustworthy as the caller's verification (ParseOptions::verify_udp_checksum, or
  // the kernel's word for it), and only a partial sum on a CHECKSUM_PARTIAL frame.
  uint16_t udp_checksum = 0;
  // Set by the caller, not the parser: udp_checksum is the sender's complete checksum
  // and has been verified (by ParseFrame or the kernel), so it may be adjusted instead of
  // summing the payload again. False for a local sender's CHECKSUM_PARTIAL frame.
  bool udp_checksum_complete = false;
  uint8_t ttl = 0;             // IPv4 TTL, or IPv6 hop limit
  bool has_ip_options = false;  // IHL > 5; the options were skipped, not interpreted
  // Points into the caller's frame buffer and lives exactly as long as it does.
  const uint8_t* payload = nullptr;
  size_t payload_len = 0;  // UDP length - 8; may be less than the IP payload
};

struct ParseOptions {
  // Verify a non-zero UDP checksum over the pseudo-header, header and payload. The I/O
  // layer turns it off for frames whose checksum the kernel has already verified, or
  // has not filled in yet (a local sender's CHECKSUM_PARTIAL: the field holds only the
  // pseudo-header sum, so verifying it would reject good traffic).
  bool verify_udp_checksum = true;
  // Tags the kernel already took off the frame (VLAN RX offload, and the software
  // untagging every Linux device does: the outer tag is in tp_vlan_tci, not in the
  // bytes). They count toward the limit of two, so three tags on the wire are
  // too_many_vlan_tags whether or not the outer one was stripped.
  uint8_t stripped_vlan_tags = 0;
};

// Parses frame[0, len). Writes *out only when the result is kOk; on any other result
// *out is left untouched. frame may be null only when len is 0.
// The three-argument form uses the default ParseOptions: everything is verified.
//
// Only in-band VLAN tags are seen here. Linux strips the outer tag of every received
// frame (in hardware with VLAN RX offload, else in software) and reports it in
// PACKET_AUXDATA / tp_vlan_tci; the I/O layer must take vlan_id from there when the
// frame itself has no tag, and pass ParseOptions::stripped_vlan_tags.
ParseResult ParseFrame(const uint8_t* frame, size_t len, UdpDatagram* out);
ParseResult ParseFrame(const uint8_t* frame, size_t len, const ParseOptions& options,
                       UdpDatagram* out);

// The ones'-complement sum (RFC 1071) of data[0, len), folded to 16 bits, added to
// `initial`; an odd last byte counts as its high half. Exposed for the benchmark and
// tests; reads exactly len bytes.
uint16_t OnesComplementSum(const uint8_t* data, size_t len, uint32_t initial);

// Stable snake_case name for counters and logs ("ok", "not_ipv4", ...). Never null;
// a value outside the enum gives "unknown".
const char* ParseResultName(ParseResult result);

}  // namespace mcr
