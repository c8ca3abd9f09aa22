// A token bucket that decides, datagram by datagram, whether a rate limit lets one more
// through: `rate` tokens a second flow in, at most `burst` are kept, each datagram takes
// one. It owns the arithmetic only: the clock is the caller's (a time in nanoseconds,
// passed in), so tests drive it with made-up times; it must not read a clock, lock,
// allocate or do I/O. Callers that share one bucket between threads serialise access.
//
// Tokens are kept in units of 1/1e9 of a token, so a refill of elapsed_ns x rate adds
// whole units without rounding away slow rates; elapsed time is capped at the time a
// full refill takes, which keeps the product far from overflow (burst <= 1e7 gives at
// most 1e16 units).
#pragma once

#include <cstdint>

namespace mcr {

class TokenBucket {
 public:
  static constexpr uint64_t kUnitsPerToken = 1'000'000'000ull;
  static constexpr uint32_t kMaxBurst = 10'000'000;

  TokenBucket() = default;
  // Starts full: a quiet source may send a burst at once. rate and burst are at least 1
  // (a 0 is taken as 1) and burst at most kMaxBurst.
  TokenBucket(uint32_t rate_per_second, uint32_t burst, uint64_t now_ns)
      : rate_(rate_per_second == 0 ? 1 : rate_per_second),
        capacity_(static_cast<uint64_t>(Clamp(burst)) * kUnitsPerToken),
        units_(capacity_),
        last_ns_(now_ns) {}

  // One token if there is one (refilled up to now first): true when the datagram may go.
  bool Take(uint64_t now_ns) {
    Refill(now_ns);
    if (units_ < kUnitsPerToken) return false;
    units_ -= kUnitsPerToken;
    return true;
  }

  // Whole tokens held at now_ns (refills first); for tests and diagnostics.
  uint64_t Tokens(uint64_t now_ns) {
    Refill(now_ns);
    return units_ / kUnitsPerToken;
  }

 private:
  static uint32_t Clamp(uint32_t burst) { return burst == 0 ? 1 : burst > kMaxBurst ? kMaxBurst : burst; }

  void Refill(uint64_t now_ns) {
    // A clock that went backwards (another thread's older reading) adds nothing.
    if (now_ns <= last_ns_) return;
    const uint64_t full_after_ns = capacity_ / rate_ + 1;
    const uint64_t elapsed = now_ns - last_ns_ < full_after_ns ? now_ns - last_ns_ : full_after_ns;
    const uint64_t added = elapsed * rate_;
    units_ = capacity_ - units_ <= added ? capacity_ : units_ + added;
    last_ns_ = now_ns;
  }

  uint64_t rate_ = 1;
  uint64_t capacity_ = kUnitsPerToken;
  uint64_t units_ = kUnitsPerToken;
  uint64_t last_ns_ = 0;
};

}  // namespace mcr
