// One AF_PACKET socket with a TPACKET_V3 receive ring, bound to one interface and (with
// its siblings for the other workers) in one PACKET_FANOUT group. The kernel fills ring
// blocks; the worker reads whole blocks with no system call and hands each back when
// every datagram in it has been sent. Created by the control plane, read by one worker.
#pragma once

#include <linux/filter.h>
#include <linux/if_packet.h>

#include <cstddef>
#include <cstring>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../fd.h"

namespace mcr {

struct RingGeometry {
  uint32_t block_size = 0;
  uint32_t block_count = 0;
  uint32_t block_timeout_ms = 0;
};

// One received frame, pointing into the ring: valid until its block is released.
struct RingFrame {
  const uint8_t* data = nullptr;
  size_t length = 0;
  bool vlan_offloaded = false;  // the NIC stripped a tag (TP_STATUS_VLAN_VALID)
  // The kernel vouches for the L4 checksum (TP_STATUS_CSUM_VALID: the NIC or a driver
  // verified it) or it is not filled in yet (TP_STATUS_CSUMNOTREADY: a local sender's
  // checksum offload, as on veth). Either way the parser must not verify it.
  bool checksum_settled = false;
  // TP_STATUS_CSUMNOTREADY alone: the UDP checksum field holds only the pseudo-header's
  // partial sum, so it cannot stand for the payload's sum on the way out.
  bool checksum_partial = false;
  // A segmentation-offload frame (a local sender's UDP_SEGMENT, or a relay's frame
  // output, handed over a veth uncut): its UDP payload is several datagrams of
  // segment_size bytes each, the last maybe shorter. 0: one datagram.
  uint16_t segment_size = 0;
  // When the kernel received it (CLOCK_REALTIME, ns): RTP jitter is measured on it.
  uint64_t timestamp_ns = 0;
};

// The kernel's struct virtio_net_hdr, in front of each frame with PACKET_VNET_HDR:
// flags, gso_type, then hdr_len, gso_size, csum_start, csum_offset (host order).
inline constexpr size_t kVnetHeaderSize = 10;
inline constexpr uint8_t kVnetGsoUdpL4 = 5;  // VIRTIO_NET_HDR_GSO_UDP_L4

// gso_size of a UDP segmentation frame, else 0.
inline uint16_t SegmentSize(const uint8_t* vnet) {
  if (vnet[1] != kVnetGsoUdpL4) return 0;
  uint16_t size = 0;
  std::memcpy(&size, vnet + 4, sizeof size);  // unaligned, host order
  return size;
}

class PacketRing {
 public:
  ~PacketRing();
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  // Opens, maps and binds the socket with a filter that drops everything, so that no
  // frame reaches it before it is in its fanout group and has its real filter.
  static std::unique_ptr<PacketRing> Open(int ifindex, const RingGeometry& geometry, std::string* error);

  // Joins a fanout group; fanout_id < 0 creates a new group with a kernel-chosen id. With
  // `programmed`, the group's sockets are chosen by a classic BPF program
  // (PACKET_FANOUT_CBPF, see SetFanoutProgram) instead of the kernel's flow hash.
  bool JoinFanout(int fanout_id, bool programmed, std::string* error);
  int fanout_id() const { return fanout_id_; }
  // The group's program (PACKET_FANOUT_DATA): one call sets it for every member.
  bool SetFanoutProgram(const std::vector<sock_filter>& program, std::string* error);
  bool SetFilter(const std::vector<sock_filter>& program, std::string* error);

  int fd() const { return fd_.get(); }
  int ifindex() const { return ifindex_; }
  // Frames carry a virtio_net_hdr (PACKET_VNET_HDR), which tells segmentation frames.
  bool has_vnet_header() const { return vnet_header_; }

  // The block the kernel handed to user space next, or null when none is ready.
  tpacket_block_desc* ReadyBlock();
  // Moves past the block ReadyBlock() returned, keeping it: its frames stay valid until
  // ReleaseBlock hands it back, so a worker can send from several blocks at once.
  void Advance();
  // Calls visit(RingFrame) for each frame of the block; frames whose offsets fall
  // outside the block are skipped and counted in *malformed.
  template <typename Visit>
  void ForEachFrame(tpacket_block_desc* block, Visit&& visit, uint64_t* malformed) const;
  // Hands a block back to the kernel; blocks taken with Advance() are released in the
  // order they were taken.
  void ReleaseBlock(tpacket_block_desc* block);

  // Ring drops and queue freezes since the previous call (the kernel resets them).
  bool ReadStatistics(uint64_t* drops, uint64_t* freezes);

 private:
  PacketRing(Fd fd, int ifindex, uint8_t* map, size_t map_size, RingGeometry geometry)
      : fd_(std::move(fd)), ifindex_(ifindex), map_(map), map_size_(map_size), geometry_(geometry) {}

  Fd fd_;
  int ifindex_;
  uint8_t* map_;
  size_t map_size_;
  RingGeometry geometry_;
  uint32_t next_block_ = 0;
  int fanout_id_ = -1;
  bool vnet_header_ = false;
};

template <typename Visit>
void PacketRing::ForEachFrame(tpacket_block_desc* block, Visit&& visit, uint64_t* malformed) const {
  const auto* base = reinterpret_cast<const uint8_t*>(block);
  const size_t limit = geometry_.block_size;
  size_t offset = block->hdr.bh1.offset_to_first_pkt;
  for (uint32_t i = 0; i < block->hdr.bh1.num_pkts; ++i) {
    // The kernel writes these offsets, but a bug there must not become a read outside
    // the block here: check each one against the block size.
    if (offset + sizeof(tpacket3_hdr) > limit) {
      ++*malformed;
      return;
    }
    const auto* header = reinterpret_cast<const tpacket3_hdr*>(base + offset);
    const size_t start = offset + header->tp_mac;
    const size_t before = sizeof(tpacket3_hdr) + (vnet_header_ ? kVnetHeaderSize : 0);
    if (header->tp_mac < before || start > limit || header->tp_snaplen > limit - start) {
      ++*malformed;
    } else {
      const uint32_t status = header->tp_status;
      RingFrame frame{base + start, header->tp_snaplen, (status & TP_STATUS_VLAN_VALID) != 0,
                      (status & (TP_STATUS_CSUM_VALID | TP_STATUS_CSUMNOTREADY)) != 0,
                      (status & TP_STATUS_CSUMNOTREADY) != 0, 0, 0};
      if (vnet_header_) frame.segment_size = SegmentSize(base + start - kVnetHeaderSize);
      frame.timestamp_ns = uint64_t{header->tp_sec} * 1'000'000'000u + header->tp_nsec;
      visit(frame);
    }
    if (header->tp_next_offset == 0) return;
    offset += header->tp_next_offset;
  }
}

}  // namespace mcr
