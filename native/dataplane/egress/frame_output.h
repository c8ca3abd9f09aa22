// The frame output kind: mcr writes the whole frame (Ethernet, IPv4 or IPv6, UDP) from a
// per-output header template and hands it to the interface's packet socket, shared with
// the interface's other frame outputs so a worker sends all of them in one call. The
// socket takes a virtio_net_hdr in front of each frame, so the UDP checksum is left to
// the kernel or the NIC (no pass over the payload here), and a run of equal-size
// datagrams to one output goes as one frame that the kernel or the NIC cuts up (UDP
// segmentation offload): one send, one skb, for up to kMaxSegments datagrams. No IP
// routing, no UDP socket, no netfilter on the way out, no fragmentation: a datagram
// larger than the output's MTU is a counted drop. What the kernel would have looked up
// per packet (next hop, its MAC, the interface's MAC and address) the control plane
// looked up once (control/frame_paths.h) and baked into the template; when any of it
// changes, the control plane swaps in a new output.
#pragma once

#include <atomic>
#include <memory>

#include "../../core/frame_header.h"
#include "frame_channel.h"
#include "frame_path.h"
#include "output.h"

namespace mcr {

class FrameOutput final : public Output {
 public:
  // Resolves the output's path and builds its template; null with *error when it
  // cannot (*not_ethernet: because the interface has no Ethernet header).
  static std::unique_ptr<FrameOutput> Open(const OutputSpec& spec, int ifindex, uint32_t counter_slot,
                                           const OutputContext& context, bool* not_ethernet, std::string* error);

  EgressKind kind() const override { return EgressKind::kFrame; }
  int fd() const override { return channel_->fd(); }
  bool writes_headers() const override { return true; }
  bool waiting_for_neighbour() const override { return path_.waiting_for_neighbour; }
  bool Outdated(const OutputSpec& spec, int ifindex, KernelView* kernel) const override;
  PrepareResult Enqueue(const UdpDatagram& datagram, SendQueue* queue) const override;
  void Seal(OutgoingMessage& message) const override;

 private:
  FrameOutput(std::shared_ptr<FrameChannel> channel, const FramePath& path, const FrameHeaderTemplate& header,
              uint32_t counter_slot)
      : Output(counter_slot), channel_(std::move(channel)), path_(path), header_(header) {}

  std::shared_ptr<FrameChannel> channel_;
  FramePath path_;  // what the template was built from, to notice changes
  FrameHeaderTemplate header_;
  // Datagrams one send may carry. The kernel's UDP segmentation takes up to 128; 64 of
  // 1,400 bytes already fill an IP packet.
  static constexpr uint16_t kMaxSegments = SendQueue::kSegmentsPerMessage;

  // IPv4 identification. Shared by the workers that relay this output's flows, so an
  // atomic; with DF set it only needs to differ between nearby datagrams (RFC 6864).
  mutable std::atomic<uint16_t> next_id_{0};
};

}  // namespace mcr
