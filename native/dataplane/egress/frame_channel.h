// The packet socket frame outputs on one interface write to: AF_PACKET, SOCK_RAW, bound
// to the interface with protocol 0, so it receives nothing and each frame's EtherType
// tells the kernel what it carries. Every frame output on the interface shares it,
// which is what lets a worker send all of them in one call. Opened by the control
// plane, closed when the last output using it is gone (outputs hold it by shared_ptr).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "../fd.h"

namespace mcr {

class FrameChannel {
 public:
  static std::shared_ptr<FrameChannel> Open(int ifindex, std::string* error);

  int fd() const { return fd_.get(); }
  int ifindex() const { return ifindex_; }

 private:
  FrameChannel(Fd fd, int ifindex) : fd_(std::move(fd)), ifindex_(ifindex) {}

  Fd fd_;
  int ifindex_;
};

// The open channels by interface: an output asks for its interface's, and the channel
// closes when the last output holding it is destroyed. Control-plane thread only.
class FrameChannels {
 public:
  std::shared_ptr<FrameChannel> Get(int ifindex, std::string* error);

 private:
  std::map<int, std::weak_ptr<FrameChannel>> open_;
};

}  // namespace mcr
