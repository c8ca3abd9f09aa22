// SMPTE ST 2022-7 seamless protection, the decision half: two (or more) copies of one
// RTP stream arrive over separate paths; the first arrival of each sequence number is
// forwarded and later copies are dropped, within a bounded window. It owns that
// decision and nothing else (no I/O, no counters, no allocation after construction).
// One per rule, used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace mcr {

enum class MergeVerdict : uint8_t {
  kForward,    // the first copy of its sequence number: send it
  kDuplicate,  // a copy of one already sent, within the window: drop
  kLate,       // arrived after the window closed for its sequence number: drop
};

class SeamlessMerge {
 public:
  // Sequence numbers remembered: the window holds at most this many datagrams, so at
  // high rates it is shorter than window_ns (16,384 is 164 ms at 100,000 pps).
  static constexpr uint32_t kSlots = 16384;

  // window_ns: how long after a sequence number was first sent (or first found
  // missing) a copy of it is still expected. Allocates the slots.
  explicit SeamlessMerge(uint64_t window_ns);

  // now_ns need not grow from one call to the next (paths' receive stamps read in
  // turn): an earlier time than one seen counts as that one.
  MergeVerdict Offer(uint16_t sequence, uint64_t now_ns);

 private:
  enum State : uint8_t { kEmpty, kSent, kMissing };
  struct Slot {
    uint32_t extended = 0;  // low 32 bits of the extended sequence number
    uint32_t time_us = 0;   // when it was sent or found missing (wraps; compared by difference)
    State state = kEmpty;
  };

  Slot& SlotOf(uint64_t extended) { return slots_[extended % kSlots]; }
  bool Within(const Slot& slot, uint64_t now_ns) const;
  MergeVerdict Restart(uint16_t sequence, uint64_t now_ns);

  uint64_t window_ns_;
  std::unique_ptr<Slot[]> slots_;
  bool started_ = false;
  uint64_t highest_ = 0;  // extended: cycles << 16 | sequence, started one cycle up
  uint64_t last_forward_ns_ = 0;
  uint64_t latest_ns_ = 0;  // the latest time offered: times are taken as never going back
};

}  // namespace mcr
