// Egress frame headers: the Ethernet + IPv4 or IPv6 + UDP header that a frame output
// puts in front of a relayed payload, so the frame can go straight to an AF_PACKET
// socket (no routing, no UDP socket, no netfilter, never fragmented). It owns the
// header layouts, the checksums and the "does it fit the MTU" rule; it must not do
// I/O, learn MACs or addresses (the caller resolves them), or allocate: a template is
// built once per output off the hot path, and Build() runs per datagram.
//
// Families: the output's family is the template's; the datagram may be of either
// (IPv4 in, IPv6 out and back is a translation: the payload is relayed byte for byte,
// every header is written fresh). Only the source policy kPreserve ties the two.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "address.h"
#include "packet.h"

namespace mcr {

inline constexpr size_t kEthernetHeaderSize = 14;
// Ethernet + IPv6 + UDP, the longest header Build() writes (Ethernet + IPv4 + UDP: 42).
inline constexpr size_t kMaxFrameHeaderSize = 62;
// struct virtio_net_hdr without num_buffers, as PACKET_VNET_HDR puts in front of a frame.
inline constexpr size_t kVirtioNetHeaderSize = 10;

using MacAddress = std::array<uint8_t, 6>;

// The Ethernet address a multicast group maps to: 01:00:5e and the group's low 23 bits
// (RFC 1112 6.4), or 33:33 and the low 32 bits for IPv6 (RFC 2464 7). False, *mac
// untouched, when group is not a multicast address: a unicast next hop's MAC comes
// from the kernel's neighbour table, not from its address.
bool MulticastMac(const IpAddress& group, MacAddress* mac);

enum class SourcePolicy : uint8_t {
  kFixed,     // FrameHeaderSpec::src and src_port, the same for every datagram
  // The original sender's address and port. Only for datagrams of the output's own
  // family: there is no IPv4 address to give an IPv6 sender. Build() refuses the others
  // with kFamilyMismatch; the configuration should refuse "preserve" on a translating
  // output before it gets that far.
  kPreserve,
};

// What an output's frames look like, everything but what changes per datagram.
struct FrameHeaderSpec {
  MacAddress dst_mac{};       // MulticastMac(dst), or the unicast next hop's
  MacAddress src_mac{};       // the output interface's
  IpFamily family = IpFamily::kIpv4;  // of the frames written, whatever the datagrams'
  SourcePolicy source = SourcePolicy::kFixed;
  IpAddress src;              // kFixed only: of `family`, not unspecified
  uint16_t src_port = 0;      // kFixed only; host order, like every port here
  IpAddress dst;              // of `family`, not unspecified
  uint16_t dst_port = 0;
  uint8_t ttl = 64;           // IPv4 TTL or IPv6 hop limit: 1..255
  uint8_t dscp = 0;           // 0..63; the two ECN bits are always written 0
  bool dont_fragment = true;  // IPv4 DF (IPv6 routers never fragment: no such bit)
  // The output interface's MTU: the largest IP packet it takes. At least 68 for IPv4
  // (RFC 791), 1280 for IPv6 (RFC 8200). Frames are at most mtu + 14 bytes.
  uint32_t mtu = 1500;
};

// How Build() fills the UDP checksum. Every mode yields a checksum receivers can
// verify (never 0, "none", which IPv4 would allow and IPv6 forbids).
enum class UdpChecksumMode : uint8_t {
  // Sums the payload: always right, costs one pass over it.
  kSumPayload,
  // The datagram's udp_checksum is the sender's complete checksum and is known to be
  // right (the parser verified it, or the kernel said TP_STATUS_CSUM_VALID; not a
  // TP_STATUS_CSUMNOTREADY frame, whose field holds only a partial sum). The payload's
  // sum is recovered from it in a few adds instead of a pass (RFC 1624 arithmetic), for
  // any source policy and across families. A payload corrupted after the sender summed
  // it stays detectably corrupt instead of getting a fresh, valid checksum. A datagram
  // sent without a checksum (0) has its payload summed.
  kAdjustIncoming,
  // Writes only the pseudo-header's sum (not complemented) in the checksum field, for
  // the kernel or NIC to finish: send with a virtio_net_hdr (WriteVirtioNetHeader) on
  // a PACKET_VNET_HDR socket. The payload is not read.
  kDeviceCompletes,
};

enum class FrameHeaderStatus : uint8_t {
  kOk,
  kTooBig,          // IP header + UDP header + payload > the MTU: a counted drop
  kBufferTooSmall,  // out_size < header size: a caller bug; nothing written
  kFamilyMismatch,  // kPreserve and the datagram is not of the output's family
};

struct FrameHeaderResult {
  FrameHeaderStatus status = FrameHeaderStatus::kBufferTooSmall;
  uint8_t size = 0;  // kOk: bytes written at out[0, size); the payload goes right after
  // kOk: where the UDP header starts in the frame and where its checksum is from there,
  // as a virtio_net_hdr's csum_start and csum_offset count them.
  uint8_t csum_start = 0;
  uint8_t csum_offset = 0;
  bool device_completes_checksum = false;  // built with kDeviceCompletes
};

class FrameHeaderTemplate {
 public:
  // Off the hot path. Null on success; otherwise a message naming the bad field, and
  // *out is left as it was.
  static const char* Make(const FrameHeaderSpec& spec, FrameHeaderTemplate* out);

  // Per datagram: writes the header for `datagram` at out[0, size) and returns its
  // size, or why not (nothing written then). ip_id is the IPv4 identification, a
  // per-output counter kept by the caller (ignored for IPv6). The checks, in order:
  // family (kPreserve only), MTU, buffer. Never allocates; reads the payload only in
  // kSumPayload mode, or kAdjustIncoming without an incoming checksum.
  FrameHeaderResult Build(const UdpDatagram& datagram, uint16_t ip_id, UdpChecksumMode mode,
                          uint8_t* out, size_t out_size) const;

  // Segmentation offload: turns the header Build() wrote at header[0, header_size())
  // in kDeviceCompletes mode, for a datagram of first_payload bytes, into the header of
  // one large datagram carrying total_payload bytes (that datagram and others of the
  // same size after it), for the kernel or the NIC to cut into datagrams of
  // first_payload bytes each (UDP GSO; see WriteVirtioNetHeader). Rewrites the lengths
  // and the checksums that cover them. False, nothing changed, when total_payload would
  // not fit one IP packet (kMaxSegmentedPayload).
  bool Resize(uint8_t* header, size_t first_payload, size_t total_payload) const;

  IpFamily family() const { return family_; }
  size_t header_size() const { return header_size_; }
  // Where the UDP header starts in the frame (a virtio_net_hdr's csum_start).
  size_t udp_offset() const { return udp_at_; }
  // The longest payload a frame of this output carries.
  size_t max_payload() const { return max_payload_; }

 private:
  std::array<uint8_t, kMaxFrameHeaderSize> bytes_{};  // every constant byte, in place
  IpFamily family_ = IpFamily::kIpv4;
  SourcePolicy source_ = SourcePolicy::kFixed;
  uint8_t header_size_ = 0;
  uint8_t ip_at_ = kEthernetHeaderSize;
  uint8_t udp_at_ = 0;
  size_t max_payload_ = 0;
  // Unfolded ones'-complement partial sums of what never changes: the IPv4 header
  // without total length, ID (and source, when preserved); the UDP pseudo-header
  // without the length (and source); the UDP header's ports (without the source's).
  uint32_t ip_sum_ = 0;
  uint32_t pseudo_sum_ = 0;
  uint32_t ports_sum_ = 0;
};

// The most payload one segmented datagram may carry: an IP packet is at most 65,535
// bytes (the IPv4 total length, the IPv6 payload length), less the headers inside it.
inline constexpr size_t kMaxSegmentedPayload = 65535 - 20 - 8;

// Fills the 10-byte struct virtio_net_hdr that goes in front of a frame on a
// PACKET_VNET_HDR socket: with kDeviceCompletes, NEEDS_CSUM and the result's
// csum_start/csum_offset, else flags 0 (the checksum is already complete); with
// segment_size > 0 (a header Resize()d for segmentation, kDeviceCompletes only), UDP
// segmentation into datagrams of segment_size payload bytes. Fields are in the host's
// byte order, as the kernel reads them for packet sockets (legacy virtio endianness).
// False, nothing written, if out_size < 10, header.status is not kOk, or segmentation
// is asked without kDeviceCompletes.
bool WriteVirtioNetHeader(const FrameHeaderResult& header, uint8_t* out, size_t out_size,
                          uint16_t segment_size = 0);

}  // namespace mcr
