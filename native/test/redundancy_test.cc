// Tests for the redundancy decisions: SMPTE 2022-7 merging (seamless_merge.h) as
// tables of arrivals on two paths, and failover (failover.h) through silence, the
// sequence boundary and revert, on a clock the test drives.
#include <cstdint>
#include <ostream>
#include <vector>

#include "../core/failover.h"
#include "../core/seamless_merge.h"
#include "harness.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, MergeVerdict v) {
  switch (v) {
    case MergeVerdict::kForward: return os << "forward";
    case MergeVerdict::kDuplicate: return os << "duplicate";
    case MergeVerdict::kLate: return os << "late";
  }
  return os << "?";
}

namespace test {
namespace {

constexpr uint64_t kMs = 1'000'000;

struct Arrival {
  uint16_t seq;
  uint64_t at_ms;
  MergeVerdict want;
};

TEST("merge: the first copy of each number is sent, the second dropped") {
  SeamlessMerge m(50 * kMs);
  const std::vector<Arrival> arrivals = {
      {10, 0, MergeVerdict::kForward},    {10, 1, MergeVerdict::kDuplicate}, {11, 2, MergeVerdict::kForward},
      {12, 3, MergeVerdict::kForward},    {11, 3, MergeVerdict::kDuplicate}, {12, 4, MergeVerdict::kDuplicate},
      {14, 5, MergeVerdict::kForward},    // 13 lost on the fast path...
      {13, 7, MergeVerdict::kForward},    // ...and brought by the slow one: sent late
      {14, 8, MergeVerdict::kDuplicate},  {13, 9, MergeVerdict::kDuplicate},
  };
  for (const Arrival& a : arrivals) {
    const MergeVerdict got = m.Offer(a.seq, a.at_ms * kMs);
    CHECK_MSG(got == a.want, "seq " << a.seq << " at " << a.at_ms << " ms: " << got << ", want " << a.want);
  }
}

TEST("merge: a copy after the window is late, whether the number was sent or missing") {
  SeamlessMerge m(20 * kMs);
  CHECK_EQ(m.Offer(100, 0), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(102, 1 * kMs), MergeVerdict::kForward);  // 101 missing from 1 ms
  CHECK_EQ(m.Offer(103, 30 * kMs), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(101, 30 * kMs), MergeVerdict::kLate);
  CHECK_EQ(m.Offer(100, 30 * kMs), MergeVerdict::kLate);
  CHECK_EQ(m.Offer(103, 45 * kMs), MergeVerdict::kDuplicate);
}

TEST("merge: receive times that go back a little (paths read in turn) send nothing twice") {
  SeamlessMerge m(100 * kMs);
  // Path A's copies stamped 1 ms after path B's, but A's block is read first; B lost 7.
  uint64_t t = 1000 * kMs;
  for (uint16_t seq = 0; seq < 20; ++seq) {
    CHECK_EQ(m.Offer(seq, t + kMs), MergeVerdict::kForward);
    if (seq != 7) CHECK_EQ(m.Offer(seq, t), MergeVerdict::kDuplicate);
    t += kMs / 10;
  }
  // A number A lost, brought by B with an earlier stamp than A's newest: sent once.
  CHECK_EQ(m.Offer(21, t + kMs), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(20, t), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(21, t), MergeVerdict::kDuplicate);
  CHECK_EQ(m.Offer(20, t + kMs), MergeVerdict::kDuplicate);
}

TEST("merge: numbers wrap from 65535 to 0 on both paths") {
  SeamlessMerge m(50 * kMs);
  uint64_t t = 0;
  int forwarded = 0;
  int dropped = 0;
  for (uint32_t i = 65000; i < 67000; ++i) {
    const uint16_t seq = static_cast<uint16_t>(i);
    t += kMs / 10;
    forwarded += m.Offer(seq, t) == MergeVerdict::kForward;
    dropped += m.Offer(seq, t + kMs / 20) == MergeVerdict::kDuplicate;
  }
  CHECK_EQ(forwarded, 2000);
  CHECK_EQ(dropped, 2000);
}

TEST("merge: each path losing different numbers costs the output nothing") {
  SeamlessMerge m(50 * kMs);
  std::vector<uint16_t> out;
  for (uint16_t seq = 0; seq < 1000; ++seq) {
    const uint64_t t = seq * kMs / 10;
    // Path A loses every 7th, path B every 11th and lags 2 ms; both lose multiples of 77.
    if (seq % 7 != 0 && m.Offer(seq, t) == MergeVerdict::kForward) out.push_back(seq);
    if (seq % 11 != 0 && m.Offer(seq, t + 2 * kMs) == MergeVerdict::kForward) out.push_back(seq);
  }
  // Path B's copies arrive after later numbers from A, so out is not strictly in order;
  // each number must be there once, except those both lost.
  std::vector<int> count(1000, 0);
  for (uint16_t seq : out) ++count[seq];
  int missing = 0;
  for (int seq = 0; seq < 1000; ++seq) {
    CHECK_MSG(count[seq] <= 1, "seq " << seq << " sent " << count[seq] << " times");
    if (count[seq] == 0) {
      ++missing;
      CHECK_MSG(seq % 77 == 0, "seq " << seq << " missing though one path had it");
    }
  }
  CHECK_EQ(missing, 13);  // 0, 77, ..., 924
}

TEST("merge: when every path jumps back (a restarted sender), it follows after a window") {
  SeamlessMerge m(20 * kMs);
  for (uint16_t seq = 5000; seq < 5100; ++seq) CHECK_EQ(m.Offer(seq, seq * kMs / 10), MergeVerdict::kForward);
  // The sender restarts at 100: far behind, so late at first...
  CHECK_EQ(m.Offer(100, 510 * kMs), MergeVerdict::kLate);
  CHECK_EQ(m.Offer(101, 520 * kMs), MergeVerdict::kLate);
  // ...until nothing has been sent for a whole window: then it is the stream.
  CHECK_EQ(m.Offer(102, 531 * kMs), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(103, 532 * kMs), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(103, 533 * kMs), MergeVerdict::kDuplicate);
}

TEST("merge: a forward jump past the remembered numbers starts afresh") {
  SeamlessMerge m(50 * kMs);
  CHECK_EQ(m.Offer(1, 0), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(30000, kMs), MergeVerdict::kForward);
  CHECK_EQ(m.Offer(30000, 2 * kMs), MergeVerdict::kDuplicate);
  CHECK_EQ(m.Offer(30001, 3 * kMs), MergeVerdict::kForward);
}

TEST("merging allocates nothing after construction") {
  SeamlessMerge m(50 * kMs);
  const size_t before = AllocationCount();
  for (uint32_t i = 0; i < 100000; ++i) m.Offer(static_cast<uint16_t>(i), i * kMs / 10);
  CHECK_EQ(AllocationCount(), before);
}

FailoverConfig TwoInputs(uint64_t timeout_ms, uint64_t revert_ms) {
  FailoverConfig c;
  c.inputs = 2;
  c.timeout_ns[0] = timeout_ms * kMs;
  c.timeout_ns[1] = timeout_ms * kMs;
  c.revert_after_ns = revert_ms == 0 ? kNeverRevert : revert_ms * kMs;
  return c;
}

TEST("failover: the primary is relayed and the backup dropped while both are alive") {
  Failover f(TwoInputs(100, 1000), 0);
  for (uint16_t seq = 0; seq < 50; ++seq) {
    CHECK(f.Offer(0, true, seq, seq * kMs));
    CHECK(!f.Offer(1, true, seq, seq * kMs + kMs / 2));
  }
  CHECK_EQ(f.active(), 0u);
  CHECK_EQ(f.switches(), uint64_t{0});
}

TEST("failover: a stream that starts long after the rule keeps the primary, whichever copy comes first") {
  Failover f(TwoInputs(100, 1000), 0);
  // The first datagrams arrive a second after the rule was set, the backup's first.
  CHECK(!f.Offer(1, true, 0, 1000 * kMs));
  CHECK(f.Offer(0, true, 0, 1000 * kMs + 10'000));
  CHECK(!f.Offer(1, true, 1, 1001 * kMs));
  CHECK(f.Offer(0, true, 1, 1001 * kMs + 10'000));
  CHECK_EQ(f.active(), 0u);
  CHECK_EQ(f.switches(), uint64_t{0});
}

TEST("failover: a silent primary hands over at the sequence boundary: nothing twice, nothing skipped") {
  Failover f(TwoInputs(100, 0), 0);
  // The backup lags 5 numbers behind the primary. The primary sends 0..99, then stops.
  for (uint16_t seq = 0; seq < 100; ++seq) {
    CHECK(f.Offer(0, true, seq, seq * kMs));
    if (seq >= 5) CHECK(!f.Offer(1, true, static_cast<uint16_t>(seq - 5), seq * kMs));
  }
  std::vector<uint16_t> sent;
  for (uint16_t seq = 100; seq < 400; ++seq) {
    const uint16_t backup = static_cast<uint16_t>(seq - 5);
    if (f.Offer(1, true, backup, seq * kMs)) sent.push_back(backup);
  }
  CHECK_EQ(f.active(), 1u);
  CHECK_EQ(f.switches(), uint64_t{1});
  // The switch happens once the primary has been silent for 100 ms (at 200 ms): the
  // backup is then at 195, and everything from 100 (the first the primary did not send)
  // that the backup delivers from the switch on is sent.
  CHECK(!sent.empty());
  CHECK_EQ(sent.front(), uint16_t{195});
  for (size_t i = 1; i < sent.size(); ++i) CHECK_EQ(sent[i], static_cast<uint16_t>(sent[i - 1] + 1));
}

TEST("failover: a backup that is behind sends nothing twice after the switch") {
  Failover f(TwoInputs(10, 0), 0);
  for (uint16_t seq = 0; seq < 100; ++seq) CHECK(f.Offer(0, true, seq, seq * kMs / 10));
  // Primary silent from 9.9 ms; the backup arrives at 25 ms but carries 60..: all sent
  // already, so dropped until 100.
  std::vector<uint16_t> sent;
  for (uint16_t seq = 60; seq < 130; ++seq) {
    if (f.Offer(1, true, seq, 25 * kMs + seq * kMs / 10)) sent.push_back(seq);
  }
  CHECK_EQ(sent.front(), uint16_t{100});
  CHECK_EQ(sent.size(), size_t{30});
}

TEST("failover: another stream on the backup (its own numbering) is sent from the switch") {
  Failover f(TwoInputs(10, 0), 0);
  for (uint16_t seq = 0; seq < 10; ++seq) CHECK(f.Offer(0, true, seq, seq * kMs));
  CHECK(f.Offer(1, true, 40000, 30 * kMs));
  CHECK(f.Offer(1, true, 40001, 31 * kMs));
}

TEST("failover: back to the primary once it has been alive for revert_after, at the boundary") {
  Failover f(TwoInputs(50, 300), 0);
  uint16_t seq = 0;
  uint64_t t = 0;
  auto tick = [&](bool primary, bool backup, std::vector<int>& from) {
    t += kMs;
    if (primary && f.Offer(0, true, seq, t)) from.push_back(0);
    if (backup && f.Offer(1, true, seq, t)) from.push_back(1);
    ++seq;
  };
  std::vector<int> from;
  for (int i = 0; i < 100; ++i) tick(true, true, from);
  for (int i = 0; i < 200; ++i) tick(false, true, from);  // primary down 200 ms
  CHECK_EQ(f.active(), 1u);
  const size_t before_revert = from.size();
  for (int i = 0; i < 299; ++i) tick(true, true, from);  // primary back: not yet 300 ms
  CHECK_EQ(f.active(), 1u);
  for (int i = 0; i < 5; ++i) tick(true, true, from);
  CHECK_EQ(f.active(), 0u);
  CHECK_EQ(f.switches(), uint64_t{2});
  // Exactly one datagram per number throughout.
  CHECK_EQ(from.size(), size_t{100 + 200 - 50 + 299 + 5});
  (void)before_revert;
}

TEST("failover: a revert decided between the primary's copy of a number and the backup's skips nothing") {
  Failover f(TwoInputs(50, 300), 0);
  uint16_t seq = 0;
  uint64_t t = 0;
  for (; seq < 100; ++seq) f.Offer(1, true, seq, t += kMs);  // only the backup, so it is relayed
  CHECK_EQ(f.active(), 1u);
  std::vector<uint16_t> sent;
  // The primary comes back; each number arrives on the primary first, then the backup.
  // The revert falls due between the two copies of one number.
  for (; seq < 500; ++seq) {
    t += kMs;
    if (f.Offer(0, true, seq, t)) sent.push_back(seq);
    f.Tick(t + kMs / 2);
    if (f.Offer(1, true, seq, t + kMs / 2)) sent.push_back(seq);
  }
  CHECK_EQ(f.active(), 0u);
  CHECK_EQ(f.switches(), uint64_t{2});  // to the backup (the primary was silent), and back
  CHECK_EQ(sent.size(), size_t{400});
  for (size_t i = 0; i < sent.size(); ++i) CHECK_EQ(sent[i], static_cast<uint16_t>(100 + i));
}

TEST("failover: revert_after = never stays on the backup until it fails") {
  Failover f(TwoInputs(50, 0), 0);
  uint64_t t = 0;
  for (uint16_t seq = 0; seq < 100; ++seq) f.Offer(0, true, seq, t += kMs);
  for (uint16_t seq = 100; seq < 300; ++seq) f.Offer(1, true, seq, t += kMs);
  CHECK_EQ(f.active(), 1u);
  for (uint16_t seq = 300; seq < 2300; ++seq) {
    f.Offer(0, true, seq, t += kMs);
    f.Offer(1, true, seq, t);
  }
  CHECK_EQ(f.active(), 1u);
  for (uint16_t seq = 2300; seq < 2400; ++seq) f.Offer(0, true, seq, t += kMs);  // backup stops
  CHECK_EQ(f.active(), 0u);
}

TEST("failover: Tick switches on silence with no datagram to carry it, and never to a silent input") {
  Failover f(TwoInputs(50, 0), 0);
  f.Offer(0, false, 0, 10 * kMs);
  f.Offer(1, false, 0, 40 * kMs);
  f.Tick(70 * kMs);  // primary silent 60 ms, backup 30 ms
  CHECK_EQ(f.active(), 1u);
  f.Tick(500 * kMs);  // both silent: stays
  CHECK_EQ(f.active(), 1u);
  CHECK(f.Silent(0, 500 * kMs));
  CHECK(f.Silent(1, 500 * kMs));
}

}  // namespace
}  // namespace test
}  // namespace mcr
