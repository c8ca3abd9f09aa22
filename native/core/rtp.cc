#include "rtp.h"

namespace mcr {
namespace {

constexpr size_t kFixedHeader = 12;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// GCC and Clang both have it; __extension__ keeps -Wpedantic builds quiet.
__extension__ typedef unsigned __int128 Wide;

}  // namespace

bool ParseRtp(const uint8_t* data, size_t len, RtpHeader* out) {
  if (data == nullptr || len < kFixedHeader) return false;
  if ((data[0] >> 6) != 2) return false;
  const bool padding = (data[0] & 0x20) != 0;
  const bool extension = (data[0] & 0x10) != 0;
  const size_t csrcs = data[0] & 0x0f;
  size_t offset = kFixedHeader + csrcs * 4;
  if (offset > len) return false;
  if (extension) {
    // A 4-byte extension header (profile, length in 32-bit words), then its words.
    if (len - offset < 4) return false;
    const size_t words = Be16(data + offset + 2);
    offset += 4;
    if (words * 4 > len - offset) return false;
    offset += words * 4;
  }
  size_t end = len;
  if (padding) {
    // The last byte counts the padding, itself included: at least 1, never into the header.
    const size_t pad = data[len - 1];
    if (pad == 0 || pad > len - offset) return false;
    end -= pad;
  }
  out->payload_type = data[1] & 0x7f;
  out->marker = (data[1] & 0x80) != 0;
  out->sequence = Be16(data + 2);
  out->timestamp = Be32(data + 4);
  out->ssrc = Be32(data + 8);
  out->payload_offset = offset;
  out->payload_len = end - offset;
  return true;
}

uint32_t StaticClockRate(uint8_t payload_type) {
  switch (payload_type) {
    case 0: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 13: case 15: case 18:
      return 8000;
    case 6: return 16000;
    case 10: case 11: return 44100;
    case 16: return 11025;
    case 17: return 22050;
    case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
      return 90000;
    default:
      return 0;
  }
}

bool RtpSequence::Seen(uint64_t extended) const {
  const uint64_t bit = extended % kWindow;
  return (seen_[bit / 64] >> (bit % 64)) & 1u;
}

void RtpSequence::Mark(uint64_t extended) {
  const uint64_t bit = extended % kWindow;
  seen_[bit / 64] |= uint64_t{1} << (bit % 64);
}

void RtpSequence::Advance(uint64_t extended) {
  // Each step frees the bit of the sequence number kWindow behind the new one: unseen,
  // it was lost. A step of a whole window or more clears every bit, each unseen one lost.
  const uint64_t steps = extended - highest_;
  if (steps >= kWindow) {
    uint64_t seen = 0;
    for (uint64_t word : seen_) seen += static_cast<uint64_t>(__builtin_popcountll(word));
    lost_ += (kWindow - seen) + (steps - kWindow);
    for (uint64_t& word : seen_) word = 0;
  } else {
    for (uint64_t s = highest_ + 1; s <= extended; ++s) {
      // Bit s % kWindow now belongs to s; it held s - kWindow, which leaves the window.
      if (!Seen(s)) ++lost_;
      const uint64_t bit = s % kWindow;
      seen_[bit / 64] &= ~(uint64_t{1} << (bit % 64));
    }
  }
  highest_ = extended;
  Mark(extended);
}

void RtpSequence::Start(uint16_t sequence) {
  // Every bit of the window stands for a sequence number before the first: mark them
  // all seen, so that starting does not count the window as lost.
  for (uint64_t& word : seen_) word = ~uint64_t{0};
  // One cycle up, so that a reordered datagram from just before the first still has an
  // extended number above 0.
  highest_ = (uint64_t{1} << 16) | sequence;
  first_ = highest_;
  started_ = true;
  probation_ = false;
}

RtpVerdict RtpSequence::Observe(uint16_t sequence) {
  if (!started_) {
    Start(sequence);
    return RtpVerdict::kFirst;
  }
  const uint16_t newest = static_cast<uint16_t>(highest_);
  const uint16_t ahead = static_cast<uint16_t>(sequence - newest);
  if (ahead == 0) {
    ++duplicates_;
    return RtpVerdict::kDuplicate;
  }
  if (ahead < kMaxDropout) {
    probation_ = false;
    Advance(highest_ + ahead);
    return RtpVerdict::kNext;
  }
  const uint32_t behind = 65536u - ahead;
  if (behind < kWindow) {
    probation_ = false;
    const uint64_t extended = highest_ - behind;
    if (extended < first_) {
      // From before the first datagram seen: late, but nothing was counted for it.
      ++reordered_;
      return RtpVerdict::kReordered;
    }
    if (Seen(extended)) {
      ++duplicates_;
      return RtpVerdict::kDuplicate;
    }
    Mark(extended);
    ++reordered_;
    return RtpVerdict::kReordered;
  }
  if (behind <= kMaxDropout) {
    // Older than the window but not far: a very late datagram whose gap was already
    // counted lost. It is not a restart.
    ++reordered_;
    return RtpVerdict::kTooOld;
  }
  // A jump. RFC 3550: if the next datagram follows it, the sender restarted.
  if (probation_ && sequence == bad_sequence_) {
    // The missing numbers still in the window are lost with the old stream.
    uint64_t seen = 0;
    for (uint64_t word : seen_) seen += static_cast<uint64_t>(__builtin_popcountll(word));
    lost_ += kWindow - seen;
    ++restarts_;
    Start(static_cast<uint16_t>(sequence - 1));
    Mark(highest_);
    Advance(highest_ + 1);
    return RtpVerdict::kRestart;
  }
  probation_ = true;
  bad_sequence_ = static_cast<uint16_t>(sequence + 1);
  return RtpVerdict::kProbation;
}

void RtpJitter::Observe(uint32_t rtp_timestamp, uint64_t arrival_ns, uint32_t clock_rate) {
  if (clock_rate == 0) return;
  if (clock_rate != clock_rate_) {
    clock_rate_ = clock_rate;
    have_transit_ = false;
    jitter_ = 0;
  }
  // The arrival in timestamp units, modulo 2^32 like the timestamp itself.
  const uint32_t arrival = static_cast<uint32_t>(static_cast<Wide>(arrival_ns) * clock_rate / 1000000000u);
  const int64_t transit = static_cast<int32_t>(arrival - rtp_timestamp);
  if (have_transit_) {
    int64_t d = static_cast<int32_t>(static_cast<uint32_t>(transit - transit_));
    if (d < 0) d = -d;
    jitter_ += (static_cast<double>(d) - jitter_) / 16.0;
  }
  transit_ = transit;
  have_transit_ = true;
}

uint64_t RtpJitter::microseconds() const {
  if (clock_rate_ == 0) return 0;
  return static_cast<uint64_t>(jitter_ * 1e6 / clock_rate_ + 0.5);
}

}  // namespace mcr
