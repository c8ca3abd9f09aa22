// The socket output kind: a UDP socket of the destination's family, bound to its
// interface, connected to its destination, non-blocking. The kernel does routing,
// neighbour resolution, fragmentation, tunnels and netfilter, which is what interfaces
// without an Ethernet header (tun, WireGuard, PPP) need and what an operator who wants
// the host firewall to see relayed traffic asks for. A full send buffer is a counted
// drop, never a stall.
#pragma once

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
  PrepareResult Enqueue(const UdpDatagram& datagram, SendQueue* queue) const override {
    // The socket writes every header; the payload goes as it came, without a copy.
    OutgoingMessage& message = queue->Start(this, counter_slot());
    queue->Add(message, datagram.payload, datagram.payload_len);
    message.segments = 1;
    message.payload_bytes = static_cast<uint32_t>(datagram.payload_len);
    return PrepareResult::kSend;
  }

 private:
  SocketOutput(Fd fd, uint32_t counter_slot) : Output(counter_slot), fd_(std::move(fd)) {}

  Fd fd_;
};

}  // namespace mcr
