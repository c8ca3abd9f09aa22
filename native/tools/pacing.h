// mcr-gen's clock: when each datagram is due. Datagram j (0-based, over all streams)
// is due at t0 + j / rate, so the average rate is exact over any span and a late
// wake-up is made up by a burst instead of drifting. Integer nanoseconds throughout
// (128-bit intermediates), so nothing accumulates rounding error over long runs.
#pragma once

#include <cstdint>
#include <ctime>

namespace mcr::tools {

// GCC and Clang both have it; __extension__ keeps -Wpedantic builds quiet.
__extension__ typedef unsigned __int128 PacingWide;

// How many datagrams are due `elapsed_ns` after t0 (datagram 0 is due at once).
inline uint64_t DueCount(uint64_t elapsed_ns, uint64_t rate) {
  return static_cast<uint64_t>(static_cast<PacingWide>(elapsed_ns) * rate / 1000000000u) + 1;
}

// Nanoseconds after t0 when datagram `index` is due.
inline uint64_t DueTime(uint64_t index, uint64_t rate) {
  return static_cast<uint64_t>(static_cast<PacingWide>(index) * 1000000000u / rate);
}

// Sleeps until an absolute CLOCK_MONOTONIC time; a signal ends it early (the caller
// re-checks the clock and its stop flag).
inline void SleepUntil(uint64_t nanos) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(nanos / 1000000000u);
  ts.tv_nsec = static_cast<long>(nanos % 1000000000u);
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

}  // namespace mcr::tools
