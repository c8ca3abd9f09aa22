// Tests for the RTP reader (rtp.h): the header parser's bounds, the sequence accounting
// as tables of arrival orders (gaps, duplicates, reordering, wrap-around, a restarted
// sender, far jumps), the jitter estimate against a hand-worked case, and proof that
// observing allocates nothing.
#include <cstdint>
#include <ostream>
#include <vector>

#include "../core/rtp.h"
#include "harness.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, RtpVerdict v) {
  switch (v) {
    case RtpVerdict::kFirst: return os << "first";
    case RtpVerdict::kNext: return os << "next";
    case RtpVerdict::kDuplicate: return os << "duplicate";
    case RtpVerdict::kReordered: return os << "reordered";
    case RtpVerdict::kTooOld: return os << "too_old";
    case RtpVerdict::kProbation: return os << "probation";
    case RtpVerdict::kRestart: return os << "restart";
  }
  return os << "?";
}

namespace test {
namespace {

std::vector<uint8_t> Rtp(uint16_t seq, uint32_t ts, uint8_t first = 0x80, size_t payload = 4) {
  std::vector<uint8_t> p = {first, 33, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
                            static_cast<uint8_t>(ts >> 24), static_cast<uint8_t>(ts >> 16),
                            static_cast<uint8_t>(ts >> 8), static_cast<uint8_t>(ts), 1, 2, 3, 4};
  p.resize(12 + payload, 0xAB);
  return p;
}

TEST("an RTP version 2 header is read: type, sequence, timestamp, SSRC, payload") {
  const std::vector<uint8_t> p = Rtp(0x1234, 0xDEADBEEF);
  RtpHeader h;
  CHECK(ParseRtp(p.data(), p.size(), &h));
  CHECK_EQ(h.payload_type, uint8_t{33});
  CHECK_EQ(h.sequence, uint16_t{0x1234});
  CHECK_EQ(h.timestamp, 0xDEADBEEFu);
  CHECK_EQ(h.ssrc, 0x01020304u);
  CHECK_EQ(h.payload_offset, size_t{12});
  CHECK_EQ(h.payload_len, size_t{4});
}

TEST("CSRCs, a header extension and padding move and shorten the payload") {
  // Two CSRCs (8 bytes), an extension of one word (4 + 4 bytes), 8 bytes of payload of
  // which the last 3 are padding.
  std::vector<uint8_t> p = Rtp(1, 1, 0x80 | 0x20 | 0x10 | 2, 0);
  p.insert(p.end(), {0, 0, 0, 1, 0, 0, 0, 2});        // CSRCs
  p.insert(p.end(), {0xBE, 0xDE, 0, 1, 9, 9, 9, 9});  // extension: 1 word
  p.insert(p.end(), {7, 7, 7, 7, 7, 0, 0, 3});        // payload, padding count 3
  RtpHeader h;
  CHECK(ParseRtp(p.data(), p.size(), &h));
  CHECK_EQ(h.payload_offset, size_t{28});
  CHECK_EQ(h.payload_len, size_t{5});
}

TEST("a header that is not RTP version 2, or runs past its datagram, is refused") {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
  };
  std::vector<uint8_t> csrc_past_end = Rtp(1, 1, 0x80 | 15, 0);
  std::vector<uint8_t> extension_past_end = Rtp(1, 1, 0x90, 0);
  extension_past_end.insert(extension_past_end.end(), {0, 0, 0, 5});
  std::vector<uint8_t> padding_zero = Rtp(1, 1, 0xA0, 4);
  padding_zero.back() = 0;
  std::vector<uint8_t> padding_into_header = Rtp(1, 1, 0xA0, 4);
  padding_into_header.back() = 5;
  const std::vector<Case> cases = {
      {"empty", {}},
      {"11 bytes", std::vector<uint8_t>(11, 0x80)},
      {"version 1 (an MPEG-TS sync byte)", Rtp(1, 1, 0x47)},
      {"version 0", Rtp(1, 1, 0x00)},
      {"15 CSRCs in a 12-byte datagram", csrc_past_end},
      {"extension header cut", Rtp(1, 1, 0x90, 2)},
      {"extension words past the end", extension_past_end},
      {"padding count 0", padding_zero},
      {"padding into the header", padding_into_header},
  };
  for (const Case& c : cases) {
    RtpHeader h;
    h.sequence = 77;
    CHECK_MSG(!ParseRtp(c.bytes.empty() ? nullptr : c.bytes.data(), c.bytes.size(), &h), c.name);
    CHECK_MSG(h.sequence == 77, c.name << ": the header was written");
  }
}

TEST("static payload types have their RFC 3551 clock rates; dynamic ones have none") {
  CHECK_EQ(StaticClockRate(0), 8000u);
  CHECK_EQ(StaticClockRate(10), 44100u);
  CHECK_EQ(StaticClockRate(33), 90000u);
  CHECK_EQ(StaticClockRate(34), 90000u);
  CHECK_EQ(StaticClockRate(96), 0u);
  CHECK_EQ(StaticClockRate(127), 0u);
}

struct Counts {
  uint64_t lost, duplicates, reordered, restarts;
};

Counts Run(RtpSequence& s, const std::vector<uint16_t>& arrivals) {
  for (uint16_t seq : arrivals) s.Observe(seq);
  return {s.lost(), s.duplicates(), s.reordered(), s.restarts()};
}

std::vector<uint16_t> Range(uint32_t from, uint32_t count) {
  std::vector<uint16_t> out;
  for (uint32_t i = 0; i < count; ++i) out.push_back(static_cast<uint16_t>(from + i));
  return out;
}

// Appends enough later numbers for every gap before them to leave the window.
std::vector<uint16_t> Settled(std::vector<uint16_t> arrivals) {
  const uint16_t last = arrivals.back();
  for (uint32_t i = 1; i <= RtpSequence::kWindow; ++i) arrivals.push_back(static_cast<uint16_t>(last + i));
  return arrivals;
}

TEST("sequence accounting: gaps, duplicates and late arrivals, each counted once") {
  struct Case {
    const char* name;
    std::vector<uint16_t> arrivals;
    Counts want;
  };
  const std::vector<Case> cases = {
      {"in order", Settled(Range(100, 50)), {0, 0, 0, 0}},
      {"one missing", Settled({1, 2, 3, 5, 6}), {1, 0, 0, 0}},
      {"three missing in one gap", Settled({1, 2, 6, 7}), {3, 0, 0, 0}},
      {"two gaps", Settled({1, 3, 4, 7}), {3, 0, 0, 0}},
      {"a duplicate of the newest", Settled({1, 2, 2, 3}), {0, 1, 0, 0}},
      {"a duplicate of an older one", Settled({1, 2, 3, 4, 2, 5}), {0, 1, 0, 0}},
      {"swapped pair: late, not lost", Settled({1, 3, 2, 4}), {0, 0, 1, 0}},
      {"late then duplicated", Settled({1, 3, 2, 2, 4}), {0, 1, 1, 0}},
      {"a gap filled late, another not", Settled({1, 4, 2, 5}), {1, 0, 1, 0}},
      {"wrap-around in order", Settled(Range(65530, 12)), {0, 0, 0, 0}},
      {"a loss across the wrap", Settled({65534, 65535, 1, 2}), {1, 0, 0, 0}},
      {"late across the wrap", Settled({65535, 1, 0, 2}), {0, 0, 1, 0}},
      {"just before the first: late, nothing lost", Settled({10, 9, 11}), {0, 0, 1, 0}},
  };
  for (const Case& c : cases) {
    RtpSequence s;
    const Counts got = Run(s, c.arrivals);
    CHECK_MSG(got.lost == c.want.lost, c.name << ": lost " << got.lost << " want " << c.want.lost);
    CHECK_MSG(got.duplicates == c.want.duplicates, c.name << ": duplicates " << got.duplicates);
    CHECK_MSG(got.reordered == c.want.reordered, c.name << ": reordered " << got.reordered);
    CHECK_MSG(got.restarts == c.want.restarts, c.name << ": restarts " << got.restarts);
  }
}

TEST("a missing number is counted lost only once it leaves the window") {
  RtpSequence s;
  Run(s, {1, 2, 4});
  CHECK_EQ(s.lost(), uint64_t{0});
  for (uint32_t i = 5; i < 4 + RtpSequence::kWindow - 2; ++i) s.Observe(static_cast<uint16_t>(i));
  CHECK_EQ(s.lost(), uint64_t{0});
  CHECK_EQ(s.Observe(3), RtpVerdict::kReordered);  // still in time
  RtpSequence t;
  Run(t, {1, 2, 4});
  for (uint32_t i = 5; i < 5 + RtpSequence::kWindow; ++i) t.Observe(static_cast<uint16_t>(i));
  CHECK_EQ(t.lost(), uint64_t{1});
  CHECK_EQ(t.Observe(3), RtpVerdict::kTooOld);
  CHECK_EQ(t.lost(), uint64_t{1});
}

TEST("a gap wider than the window is lost at once beyond the window, the rest later") {
  RtpSequence s;
  Run(s, {0, 2001});  // 2000 missing
  CHECK_EQ(s.lost(), uint64_t{2000 - (RtpSequence::kWindow - 1)});
  Run(s, Range(2002, RtpSequence::kWindow));
  CHECK_EQ(s.lost(), uint64_t{2000});
}

TEST("a far jump is held on probation; the next number after it means a restart") {
  RtpSequence s;
  Run(s, Range(1000, 10));
  CHECK_EQ(s.Observe(40000), RtpVerdict::kProbation);
  CHECK_EQ(s.Observe(40001), RtpVerdict::kRestart);
  CHECK_EQ(s.restarts(), uint64_t{1});
  CHECK_EQ(s.Observe(40002), RtpVerdict::kNext);
  Run(s, Settled(Range(40003, 5)));
  CHECK_EQ(s.lost(), uint64_t{0});
  CHECK_EQ(s.duplicates(), uint64_t{0});
}

TEST("a single stray far number is ignored; the stream goes on uncounted") {
  RtpSequence s;
  Run(s, Range(1000, 10));
  CHECK_EQ(s.Observe(30000), RtpVerdict::kProbation);
  CHECK_EQ(s.Observe(1010), RtpVerdict::kNext);
  Run(s, Settled(Range(1011, 5)));
  CHECK_EQ(s.lost(), uint64_t{0});
  CHECK_EQ(s.restarts(), uint64_t{0});
}

TEST("jitter: constant transit gives 0; one datagram 20 ms late gives 20/16 ms, then decays") {
  RtpJitter j;
  const uint32_t rate = 90000;
  for (uint32_t i = 0; i < 10; ++i) j.Observe(i * 900, 1'000'000'000ull + i * 10'000'000ull, rate);
  CHECK_EQ(j.microseconds(), uint64_t{0});
  // Datagram 10 arrives 20 ms late: |D| = 1800 units (20 ms) once; J = 1800 / 16.
  j.Observe(10 * 900, 1'000'000'000ull + 10 * 10'000'000ull + 20'000'000ull, rate);
  CHECK_EQ(j.microseconds(), uint64_t{1250});
  // Datagram 11 on time again: |D| = 1800 again; J = 112.5 + (1800 - 112.5) / 16.
  j.Observe(11 * 900, 1'000'000'000ull + 11 * 10'000'000ull, rate);
  CHECK_EQ(j.microseconds(), uint64_t{2422});
  for (uint32_t i = 12; i < 200; ++i) j.Observe(i * 900, 1'000'000'000ull + i * 10'000'000ull, rate);
  CHECK(j.microseconds() < 10);
}

TEST("jitter copes with the RTP timestamp wrapping and needs a clock rate") {
  RtpJitter j;
  for (uint32_t i = 0; i < 20; ++i) j.Observe(0xFFFFF000u + i * 900, 5'000'000'000ull + i * 10'000'000ull, 90000);
  CHECK_EQ(j.microseconds(), uint64_t{0});
  RtpJitter none;
  none.Observe(0, 0, 0);
  none.Observe(900, 30'000'000, 0);
  CHECK_EQ(none.microseconds(), uint64_t{0});
}

TEST("observing sequence numbers and jitter allocates nothing") {
  RtpSequence s;
  RtpJitter j;
  const size_t before = AllocationCount();
  for (uint32_t i = 0; i < 100000; ++i) {
    s.Observe(static_cast<uint16_t>(i * 7 % 65536));
    j.Observe(i * 900, i * 10'000'000ull, 90000);
  }
  CHECK_EQ(AllocationCount(), before);
}

}  // namespace
}  // namespace test
}  // namespace mcr
