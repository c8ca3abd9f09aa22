// RTP (RFC 3550) as a relay sees it: the fixed header of one datagram, the sequence
// accounting of one stream (extended sequence numbers, loss, duplicates, reordering,
// a restarted sender), and the interarrival jitter estimate. It owns the definitions
// of those counts; it must not allocate, do I/O, or read outside [data, data + len):
// the bytes are untrusted payload. One RtpSequence or RtpJitter per stream, used by one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mcr {

struct RtpHeader {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  // Where the RTP payload starts (after CSRCs and any header extension) and how long
  // it is (padding removed).
  size_t payload_offset = 0;
  size_t payload_len = 0;
};

// Reads an RTP version 2 header from data[0, len). False (and *out untouched) when the
// datagram is not one: too short, another version, CSRCs, an extension or padding that
// run past the end.
bool ParseRtp(const uint8_t* data, size_t len, RtpHeader* out);

// The clock rate of a static payload type (RFC 3551, table 4 and 5), or 0 for a
// dynamic or unassigned one (96-127 carry their rate out of band: the rule says it).
uint32_t StaticClockRate(uint8_t payload_type);

// What one datagram's sequence number meant for its stream.
enum class RtpVerdict : uint8_t {
  kFirst,      // the stream's first datagram (or the first after a restart)
  kNext,       // newer than any before; a gap before it may later be declared lost
  kDuplicate,  // its sequence number had arrived already
  kReordered,  // older than the newest, not seen before: it filled a gap late
  kTooOld,     // older than the window: its gap was already counted lost
  kProbation,  // a jump far from the stream: held until the next datagram says
               // whether the sender restarted (RFC 3550 A.1's bad_seq)
  kRestart,    // the datagram after a jump continued it: a new stream, counted again
};

// Sequence accounting per RFC 3550 appendix A.1, with a window of the last kWindow
// sequence numbers to tell duplicates from late arrivals. A missing sequence number is
// counted lost only once kWindow newer ones have arrived (or the sender restarts):
// until then it may still arrive, as reordered. So counters only ever grow.
class RtpSequence {
 public:
  static constexpr uint32_t kWindow = 1024;
  // A forward jump of this much or more, or a backward one beyond the window, is not
  // taken at face value (RFC 3550's MAX_DROPOUT).
  static constexpr uint32_t kMaxDropout = 3000;

  RtpVerdict Observe(uint16_t sequence);

  uint64_t lost() const { return lost_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }
  uint64_t restarts() const { return restarts_; }
  // The newest extended sequence number (cycles << 16 | sequence); 0 before the first.
  uint64_t highest() const { return highest_; }
  bool started() const { return started_; }

 private:
  static constexpr uint32_t kWords = kWindow / 64;
  bool Seen(uint64_t extended) const;
  void Mark(uint64_t extended);
  // Moves the newest to `extended`, counting as lost what leaves the window unseen.
  void Advance(uint64_t extended);
  void Start(uint16_t sequence);

  bool started_ = false;
  bool probation_ = false;
  uint16_t bad_sequence_ = 0;
  uint64_t highest_ = 0;
  uint64_t first_ = 0;  // the extended number of the first datagram (after a restart too)
  // Bit (s % kWindow) is set when extended sequence s, within the window, arrived.
  uint64_t seen_[kWords] = {};
  uint64_t lost_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t reordered_ = 0;
  uint64_t restarts_ = 0;
};

// Interarrival jitter (RFC 3550 section 6.4.1 and A.8): the mean deviation of the
// transit time, smoothed over 16 datagrams, from the RTP timestamp and the arrival time.
class RtpJitter {
 public:
  // arrival_ns on any clock that does not jump (differences are what count).
  void Observe(uint32_t rtp_timestamp, uint64_t arrival_ns, uint32_t clock_rate);
  // Forgets the previous transit time (a restarted sender has another timestamp base).
  void Reset() { have_transit_ = false; }
  // The estimate in microseconds (0 before two datagrams).
  uint64_t microseconds() const;

 private:
  bool have_transit_ = false;
  uint32_t clock_rate_ = 0;
  int64_t transit_ = 0;   // arrival - timestamp, in timestamp units
  double jitter_ = 0;     // in timestamp units
};

}  // namespace mcr
