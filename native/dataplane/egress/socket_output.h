// The socket output kind: a UDP socket of the destination's family, bound to its
// interface, connected to its destination, non-blocking. The kernel does routing,
// neighbour resolution, fragmentation, tunnels and netfilter, which is what interfaces
// without an Ethernet header (tun, WireGuard, PPP) need and what an operator who wants
// the host firewall to see relayed traffic asks for. A full send buffer is a counted
// drop, never a stall. A run of equal-size datagrams that fit the interface's MTU goes
// as one send with UDP_SEGMENT (the kernel, or the NIC, cuts it): measured, that
// halves the relay core's time per datagram.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "../fd.h"
#include "output.h"

namespace mcr {

class SocketOutput final : public Output {
 public:
  static std::unique_ptr<SocketOutput> Open(const OutputSpec& spec, int ifindex, uint32_t counter_slot,
                                            std::string* error);

  EgressKind kind() const override { return EgressKind::kSocket; }
  int fd() const override { return fd_.get(); }
  bool writes_headers() const override { return false; }
  PrepareResult Enqueue(const UdpDatagram& datagram, SendQueue* queue) const override;
  void Seal(OutgoingMessage& message) const override;
  void SendFailed(const OutgoingMessage& message, int error) const override;

 private:
  // The kernel takes at most 64 KiB in one send, and cuts at most 128 pieces.
  static constexpr uint16_t kMaxSegments = 64;

  SocketOutput(Fd fd, size_t segment_limit, uint32_t counter_slot)
      : Output(counter_slot), fd_(std::move(fd)), segment_limit_(segment_limit) {}

  Fd fd_;
  // The largest payload a segmented send may be cut into: what fits the interface's
  // MTU (a larger datagram goes alone, and the kernel fragments it).
  size_t segment_limit_;
  // Cleared for good if the kernel refuses a segmented send on this path (a route with
  // a smaller MTU than the interface, IPsec): the datagrams then go one by one.
  mutable std::atomic<bool> segmenting_{true};
};

}  // namespace mcr
