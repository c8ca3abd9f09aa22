// Implementation of seq_tracker.h.
#include "seq_tracker.h"

#include <algorithm>

namespace mcr::tools {

bool SeqTracker::TestAndSet(uint64_t seq) {
  const uint64_t word = seq / 64;
  if (word >= bits_.size()) {
    // Double to keep growth amortised, but never past the cap.
    const uint64_t cap_words = (seq_cap_ + 63) / 64;
    const uint64_t grown = std::max<uint64_t>(word + 1, bits_.size() * 2);
    bits_.resize(static_cast<size_t>(std::min(grown, cap_words)), 0);
  }
  const uint64_t mask = uint64_t{1} << (seq % 64);
  const bool was_set = (bits_[static_cast<size_t>(word)] & mask) != 0;
  bits_[static_cast<size_t>(word)] |= mask;
  return was_set;
}

bool SeqTracker::Record(uint64_t seq, size_t bytes, bool corrupted) {
  if (seq >= seq_cap_) return false;
  const bool first = stats_.received == 0;
  ++stats_.received;
  stats_.bytes += bytes;
  if (corrupted) ++stats_.corrupted;
  if (TestAndSet(seq)) {
    ++stats_.duplicated;
  } else {
    ++stats_.distinct;
    if (!first && seq < stats_.max_seq) ++stats_.reordered;
  }
  if (first) stats_.first_seq = seq;
  stats_.last_seq = seq;
  if (first || seq > stats_.max_seq) stats_.max_seq = seq;
  return true;
}

uint64_t SeqTracker::Lost(uint64_t expect_per_stream) const {
  const uint64_t seen_span = stats_.received == 0 ? 0 : stats_.max_seq + 1;
  return std::max(seen_span, expect_per_stream) - stats_.distinct;
}

}  // namespace mcr::tools
