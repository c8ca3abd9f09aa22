// The datagrams waiting to go out through one descriptor during one worker turn. A
// worker owns one queue per descriptor its outputs write to: a socket output has its
// own; outputs that share a descriptor (several frame outputs on one interface) share a
// queue, so one system call or one submission carries all of them. Messages point into
// the ring (no payload copy) and into the message's own header space; the queue is
// flushed, in order, before the ring block is handed back to the kernel.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <memory>

namespace mcr {

struct OutgoingMessage {
  std::array<iovec, 2> iov{};  // [header,] payload: the payload is always the last
  uint8_t iov_count = 0;
  uint32_t counter_slot = 0;   // the output whose counters this send's result goes to
};

struct SendQueue {
  // A batch big enough to amortise a call, small enough to stay in cache.
  static constexpr uint32_t kCapacity = 64;

  // Room for the largest header an output kind writes in front of a payload
  // (Ethernet, IPv6 and UDP are 62 bytes; two VLAN tags and options fit too).
  static constexpr uint32_t kHeaderRoom = 128;

  int fd = -1;        // owned by an output, which the control plane keeps open while queued
  uint32_t count = 0;
  bool dirty = false; // on the worker's list of queues to flush
  std::array<OutgoingMessage, kCapacity> messages;
  std::array<mmsghdr, kCapacity> headers{};
  // kCapacity x kHeaderRoom bytes, only for queues of kinds that write headers: a
  // socket output's queue needs none, and there may be tens of thousands of those.
  std::unique_ptr<uint8_t[]> header_space;

  SendQueue(int descriptor, bool with_headers) : fd(descriptor) {
    // The arrays never move again, so each header points at its message's iovecs once.
    for (uint32_t i = 0; i < kCapacity; ++i) headers[i].msg_hdr.msg_iov = messages[i].iov.data();
    if (with_headers) header_space.reset(new uint8_t[size_t{kCapacity} * kHeaderRoom]);
  }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  bool full() const { return count == kCapacity; }
  // The next free message, and its header room (null without header space); it is
  // queued only by Commit().
  OutgoingMessage& Next() { return messages[count]; }
  uint8_t* NextHeaderRoom() { return header_space ? header_space.get() + size_t{count} * kHeaderRoom : nullptr; }
  void Commit() {
    headers[count].msg_hdr.msg_iovlen = messages[count].iov_count;
    ++count;
  }
  void Clear() {
    count = 0;
    dirty = false;
  }
};

}  // namespace mcr
