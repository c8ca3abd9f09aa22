// The datagrams waiting to go out of one output during one ring block. A worker owns
// one queue per rule output it serves; it points into the ring (no copy) and is flushed,
// in arrival order, before the block is handed back to the kernel.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>

namespace mcr {

struct OutputQueue {
  // sendmmsg's batch: big enough to amortise the call, small enough to stay in cache.
  static constexpr uint32_t kCapacity = 64;

  int fd = -1;          // owned by the control plane, which only sends open sockets
  uint32_t slot = 0;    // counter slot
  uint32_t count = 0;
  bool dirty = false;   // on the worker's list of queues to flush
  std::array<iovec, kCapacity> iov{};
  std::array<mmsghdr, kCapacity> messages{};
};

}  // namespace mcr
