#include "seamless_merge.h"

namespace mcr {
namespace {

uint32_t Microseconds(uint64_t ns) { return static_cast<uint32_t>(ns / 1000); }

}  // namespace

SeamlessMerge::SeamlessMerge(uint64_t window_ns) : window_ns_(window_ns), slots_(new Slot[kSlots]()) {}

bool SeamlessMerge::Within(const Slot& slot, uint64_t now_ns) const {
  // Differences of wrapping microsecond stamps: right for windows under an hour.
  return uint64_t{static_cast<uint32_t>(Microseconds(now_ns) - slot.time_us)} * 1000 <= window_ns_;
}

MergeVerdict SeamlessMerge::Restart(uint16_t sequence, uint64_t now_ns) {
  for (uint32_t i = 0; i < kSlots; ++i) slots_[i] = Slot{};
  started_ = true;
  highest_ = (uint64_t{1} << 16) | sequence;
  SlotOf(highest_) = Slot{static_cast<uint32_t>(highest_), Microseconds(now_ns), kSent};
  last_forward_ns_ = now_ns;
  return MergeVerdict::kForward;
}

MergeVerdict SeamlessMerge::Offer(uint16_t sequence, uint64_t now_ns) {
  // Times come from the paths' own receive stamps, read path by path: one may be a
  // little behind another. Time never goes back here, or a copy would look older than
  // its twin by a wrapped difference.
  if (now_ns < latest_ns_) now_ns = latest_ns_;
  latest_ns_ = now_ns;
  if (!started_) return Restart(sequence, now_ns);
  // Both paths carry one sequence space: extend the number to the one nearest the
  // newest sent, whichever path delivered that.
  const int16_t offset = static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
  const uint64_t extended = highest_ + static_cast<uint64_t>(static_cast<int64_t>(offset));
  if (extended > highest_) {
    const uint64_t steps = extended - highest_;
    // A jump past everything remembered is a new start (a restarted sender, or more
    // loss on every path than the window holds).
    if (steps >= kSlots) return Restart(sequence, now_ns);
    const uint32_t now_us = Microseconds(now_ns);
    // What was skipped is missing from now on: another path may still bring it.
    for (uint64_t s = highest_ + 1; s < extended; ++s) SlotOf(s) = Slot{static_cast<uint32_t>(s), now_us, kMissing};
    SlotOf(extended) = Slot{static_cast<uint32_t>(extended), now_us, kSent};
    highest_ = extended;
    last_forward_ns_ = now_ns;
    return MergeVerdict::kForward;
  }
  Slot& slot = SlotOf(extended);
  const bool known = highest_ - extended < kSlots && slot.extended == static_cast<uint32_t>(extended) && slot.state != kEmpty;
  if (known && slot.state == kSent) return Within(slot, now_ns) ? MergeVerdict::kDuplicate : MergeVerdict::kLate;
  if (known && slot.state == kMissing && Within(slot, now_ns)) {
    slot.state = kSent;
    slot.time_us = Microseconds(now_ns);
    last_forward_ns_ = now_ns;
    return MergeVerdict::kForward;
  }
  // Too old to forward. But if nothing at all was forwarded for a whole window, every
  // path has moved back (a sender restarted lower): follow it rather than drop forever.
  if (now_ns - last_forward_ns_ > window_ns_) return Restart(sequence, now_ns);
  return MergeVerdict::kLate;
}

}  // namespace mcr
