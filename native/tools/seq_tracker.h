// Per-stream sequence accounting for mcr-sink: which sequence numbers arrived, and the
// loss, duplicate and reorder counts that follow. Pure bookkeeping, no I/O.
//
// Definitions (per stream; "received" counts every attributed datagram):
//   distinct    sequence numbers seen at least once
//   duplicated  datagrams whose sequence number had already been seen
//   reordered   datagrams, not duplicates, whose sequence number is lower than the
//               highest seen before them (each late datagram counts once, however late)
//   expected    max(highest sequence seen + 1, expect_per_stream); expect_per_stream
//               (mcr-sink --expect-per-stream) is how many the sender sent, so that
//               losses at the end of the stream count too
//   lost        expected - distinct
//   corrupted   datagrams with a valid header but a wrong size or fill; they still
//               count as received and their sequence number as seen (the header's
//               checksum vouches for it)
// Memory: one bit per sequence number, grown on demand up to seq_cap bits; a sequence
// number at or above seq_cap is refused (the caller counts it out of range).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcr::tools {

struct StreamStats {
  uint64_t received = 0;
  uint64_t distinct = 0;
  uint64_t duplicated = 0;
  uint64_t reordered = 0;
  uint64_t corrupted = 0;
  uint64_t bytes = 0;
  uint64_t first_seq = 0;  // of the first datagram to arrive
  uint64_t last_seq = 0;   // of the last datagram to arrive
  uint64_t max_seq = 0;    // highest seen
};

class SeqTracker {
 public:
  explicit SeqTracker(uint64_t seq_cap) : seq_cap_(seq_cap) {}

  // Records one datagram. Returns false (and records nothing) if seq >= seq_cap.
  bool Record(uint64_t seq, size_t bytes, bool corrupted);

  const StreamStats& stats() const { return stats_; }
  uint64_t Lost(uint64_t expect_per_stream) const;

 private:
  bool TestAndSet(uint64_t seq);

  uint64_t seq_cap_;
  std::vector<uint64_t> bits_;
  StreamStats stats_;
};

}  // namespace mcr::tools
