// mcr-sink's socket: opening it (bind, joins, buffer sizes), IPv4 or IPv6 as its groups
// are, and receiving in batches with each datagram's destination address (IP_PKTINFO,
// IPV6_PKTINFO) and the kernel's drop count (SO_RXQ_OVFL). It knows nothing about the payload format.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/address.h"

namespace mcr::tools {

struct SinkSocketConfig {
  std::vector<IpAddress> groups;  // all multicast, or exactly one unicast; one family
  uint16_t port = 0;
  std::string interface;  // empty: any
  unsigned ifindex = 0;
  IpAddress source;  // unspecified: any-source join
  int rcvbuf = 32 << 20;
};

// Opens, binds and joins, or ends the process with a message saying what failed.
int OpenSinkSocket(const char* prog, const SinkSocketConfig& config);

// The kernel's count of datagrams dropped on this socket for lack of buffer space
// (SO_MEMINFO), or -1 if this kernel cannot tell.
int64_t SocketDrops(int fd);

class BatchReceiver {
 public:
  static constexpr size_t kBatch = 64;
  static constexpr size_t kBufferSize = 65536;  // above the largest UDP payload

  BatchReceiver();
  // One non-blocking recvmmsg. Returns the number of datagrams (0 when none is
  // waiting), or -1 with errno set on another error.
  int Receive(int fd);
  const uint8_t* Data(size_t i) const { return buffers_.data() + i * kBufferSize; }
  size_t Length(size_t i) const { return msgs_[i].msg_len; }
  bool Truncated(size_t i) const { return (msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
  const IpAddress& Destination(size_t i) const { return dests_[i]; }  // unspecified if unknown
  // The most recent SO_RXQ_OVFL value seen: drops on this socket so far.
  uint32_t overflow_drops() const { return overflow_drops_; }

 private:
  static constexpr size_t kControlSize = 128;
  std::vector<uint8_t> buffers_;
  std::vector<uint8_t> control_;
  std::vector<iovec> iovs_;
  std::vector<mmsghdr> msgs_;
  std::vector<IpAddress> dests_;
  uint32_t overflow_drops_ = 0;
};

}  // namespace mcr::tools
