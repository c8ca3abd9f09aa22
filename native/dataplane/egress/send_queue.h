// The datagrams waiting to go out through one descriptor during one worker turn. A
// worker owns one queue per descriptor its outputs write to: a socket output has its
// own; outputs that share a descriptor (several frame outputs on one interface) share a
// queue, so one system call or one submission carries all of them. Messages point into
// the ring (no payload copy) and into the queue's header room; the queue is flushed, in
// order, before the ring blocks its payloads point into are handed back to the kernel.
//
// A message may carry several datagrams of one output (segmentation offload: the
// kernel or the NIC cuts it into equal-size datagrams), which is what makes a run of
// equal-size datagrams to one output cost one send instead of one each. Its iovecs are
// a contiguous range of the queue's pool: [header,] payload, payload...
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <memory>

namespace mcr {

class Output;

struct OutgoingMessage {
  const Output* output = nullptr;  // who queued it: its counters, and who seals it
  uint32_t counter_slot = 0;       // the output whose counters this send's result goes to
  uint16_t iov_first = 0;          // into the queue's iovecs

  uint16_t iov_count = 0;
  uint16_t segments = 0;           // datagrams carried (1 without segmentation)
  uint32_t payload_bytes = 0;      // their UDP payload bytes, together
  uint8_t* header = nullptr;       // the header room, for kinds that write one
  uint16_t header_size = 0;
  // Ancillary data for the send (a socket output's UDP_SEGMENT), when control_size > 0.
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))];
  uint8_t control_size = 0;
};

struct SendQueue {
  // A batch big enough to amortise a call, small enough to stay in cache.
  static constexpr uint32_t kCapacity = 64;
  // A queue of its own output: two iovecs per message on average (header and one
  // payload), shared out in order, so only the last message can take more.
  static constexpr uint32_t kIovCapacity = 2 * kCapacity;
  // A queue several outputs share (frame outputs on one interface): datagrams of
  // different outputs interleave, so each message gets its own run of iovecs, room for
  // a header and kSegmentsPerMessage payloads, and any message may take more.
  static constexpr uint32_t kSegmentsPerMessage = 64;
  static constexpr uint32_t kSlab = kSegmentsPerMessage + 1;
  // How far back a shared queue looks for a message of the same output to add to: as
  // many outputs as one interface usually carries; past that, a datagram starts its own.
  static constexpr uint32_t kLookBack = 32;

  // Room for the largest header an output kind writes in front of a payload (a 10-byte
  // virtio_net_hdr, then Ethernet, IPv6 and UDP: 72 bytes).
  static constexpr uint32_t kHeaderRoom = 128;

  int fd = -1;        // owned by an output, which the control plane keeps open while queued
  uint32_t count = 0;
  uint32_t iov_used = 0;  // own-output layout only
  bool dirty = false; // on the worker's list of queues to flush
  std::array<OutgoingMessage, kCapacity> messages;
  std::array<mmsghdr, kCapacity> headers{};

  // shared: the layout for a queue several outputs write to (with header room for the
  // kinds that write headers); a socket output's own queue needs neither, and there
  // may be tens of thousands of those.
  SendQueue(int descriptor, bool shared)
      : fd(descriptor), shared_(shared), iovecs_(new iovec[shared ? size_t{kCapacity} * kSlab : kIovCapacity]) {
    if (shared) header_space_.reset(new uint8_t[size_t{kCapacity} * kHeaderRoom]);
  }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // No room for one more message of up to two iovecs.
  bool full() const { return count == kCapacity || (!shared_ && iov_used + 2 > kIovCapacity); }
  bool empty() const { return count == 0; }

  // The message of `output` a datagram may be added to: the last one of the queue, or
  // in a shared queue the output's latest among the last kLookBack; null if none has
  // room.
  OutgoingMessage* Open(const Output* output) {
    const uint32_t reach = shared_ ? kLookBack : 1;
    for (uint32_t i = count; i > 0 && count - i < reach; --i) {
      OutgoingMessage& message = messages[i - 1];
      if (message.output != output) continue;
      const bool room = shared_ ? message.iov_count < kSlab : iov_used < kIovCapacity;
      return room ? &message : nullptr;
    }
    return nullptr;
  }

  // Starts a message for output; the caller adds its iovecs with Add. The queue must
  // not be full().
  OutgoingMessage& Start(const Output* output, uint32_t counter_slot) {
    OutgoingMessage& message = messages[count];
    message = OutgoingMessage{};
    message.output = output;
    message.counter_slot = counter_slot;
    message.iov_first = static_cast<uint16_t>(shared_ ? count * kSlab : iov_used);
    if (header_space_) message.header = header_space_.get() + size_t{count} * kHeaderRoom;
    ++count;
    return message;
  }
  // Appends an iovec to a message: the last one, or any in a shared queue (Open() or
  // Start() said there is room).
  void Add(OutgoingMessage& message, const void* data, size_t length) {
    iovecs_[message.iov_first + message.iov_count] = iovec{const_cast<void*>(data), length};
    ++message.iov_count;
    if (!shared_) ++iov_used;
  }
  // Takes back the last message, started and not filled.
  void Abandon() {
    if (!shared_) iov_used = messages[count - 1].iov_first;
    --count;
  }
  const iovec& iov(const OutgoingMessage& message, uint32_t i) const { return iovecs_[message.iov_first + i]; }
  // Points the system-call headers at the messages' iovecs, once the messages are
  // final (after sealing), before a flush.
  void Bind() {
    for (uint32_t i = 0; i < count; ++i) {
      headers[i].msg_hdr = msghdr{};
      headers[i].msg_hdr.msg_iov = &iovecs_[messages[i].iov_first];
      headers[i].msg_hdr.msg_iovlen = messages[i].iov_count;
      if (messages[i].control_size > 0) {
        headers[i].msg_hdr.msg_control = messages[i].control;
        headers[i].msg_hdr.msg_controllen = messages[i].control_size;
      }
    }
  }
  void Clear() {
    count = 0;
    iov_used = 0;
    dirty = false;
  }

 private:
  bool shared_;
  std::unique_ptr<iovec[]> iovecs_;
  std::unique_ptr<uint8_t[]> header_space_;
};

}  // namespace mcr
