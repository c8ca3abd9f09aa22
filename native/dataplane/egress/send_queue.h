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
  uint16_t iov_first = 0;          // into SendQueue::iovecs
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
  // Two iovecs per message on average (header and one payload); a segmented message
  // takes one per datagram.
  static constexpr uint32_t kIovCapacity = 2 * kCapacity;

  // Room for the largest header an output kind writes in front of a payload (a 10-byte
  // virtio_net_hdr, then Ethernet, IPv6 and UDP: 72 bytes).
  static constexpr uint32_t kHeaderRoom = 128;

  int fd = -1;        // owned by an output, which the control plane keeps open while queued
  uint32_t count = 0;
  uint32_t iov_used = 0;
  bool dirty = false; // on the worker's list of queues to flush
  std::array<OutgoingMessage, kCapacity> messages;
  std::array<mmsghdr, kCapacity> headers{};
  std::array<iovec, kIovCapacity> iovecs{};
  // kCapacity x kHeaderRoom bytes, only for queues of kinds that write headers: a
  // socket output's queue needs none, and there may be tens of thousands of those.
  std::unique_ptr<uint8_t[]> header_space;

  SendQueue(int descriptor, bool with_headers) : fd(descriptor) {
    if (with_headers) header_space.reset(new uint8_t[size_t{kCapacity} * kHeaderRoom]);
  }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // No room for one more message of up to two iovecs.
  bool full() const { return count == kCapacity || iov_used + 2 > kIovCapacity; }
  bool empty() const { return count == 0; }

  // The message queued last, to which its output may add a datagram; null when empty.
  OutgoingMessage* last() { return count == 0 ? nullptr : &messages[count - 1]; }
  bool can_extend() const { return iov_used < kIovCapacity; }

  // Starts a message for output; the caller adds its iovecs with Add. The queue must
  // not be full().
  OutgoingMessage& Start(const Output* output, uint32_t counter_slot) {
    OutgoingMessage& message = messages[count];
    message = OutgoingMessage{};
    message.output = output;
    message.counter_slot = counter_slot;
    message.iov_first = static_cast<uint16_t>(iov_used);
    if (header_space) message.header = header_space.get() + size_t{count} * kHeaderRoom;
    ++count;
    return message;
  }
  // Appends an iovec to the last message (can_extend() must hold).
  void Add(OutgoingMessage& message, const void* data, size_t length) {
    iovecs[iov_used++] = iovec{const_cast<void*>(data), length};
    ++message.iov_count;
  }
  // Takes back a message that was started and not filled.
  void Abandon() {
    iov_used = messages[count - 1].iov_first;
    --count;
  }
  // Points the system-call headers at the messages' iovecs, once the messages are
  // final (after sealing), before a flush.
  void Bind() {
    for (uint32_t i = 0; i < count; ++i) {
      headers[i].msg_hdr = msghdr{};
      headers[i].msg_hdr.msg_iov = &iovecs[messages[i].iov_first];
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
};

}  // namespace mcr
