// Tests for the MPEG-TS checks (mpegts.h): continuity counters per PID as a table of
// packet sequences (ISO/IEC 13818-1's adaptation-only and duplicate-packet rules, the
// discontinuity indicator, the null PID), the transport error indicator, sync loss,
// PIDs seen, and proof that observing allocates nothing.
#include <cstdint>
#include <vector>

#include "../core/mpegts.h"
#include "harness.h"

namespace mcr::test {
namespace {

enum Afc : uint8_t { kReserved = 0, kPayload = 1, kAdaptationOnly = 2, kBoth = 3 };

struct Ts {
  uint16_t pid;
  uint8_t cc;
  Afc afc = kPayload;
  bool discontinuity = false;
  bool tei = false;
};

std::vector<uint8_t> Packet(const Ts& t) {
  std::vector<uint8_t> p(kTsPacketSize, 0xFF);
  p[0] = kTsSyncByte;
  p[1] = static_cast<uint8_t>((t.tei ? 0x80 : 0) | ((t.pid >> 8) & 0x1f));
  p[2] = static_cast<uint8_t>(t.pid);
  p[3] = static_cast<uint8_t>((t.afc << 4) | (t.cc & 0xf));
  if (t.afc & 2) {
    p[4] = 1;  // adaptation field length
    p[5] = t.discontinuity ? 0x80 : 0x00;
  }
  return p;
}

std::vector<uint8_t> Datagram(const std::vector<Ts>& packets) {
  std::vector<uint8_t> out;
  for (const Ts& t : packets) {
    const std::vector<uint8_t> p = Packet(t);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

uint64_t Errors(const std::vector<Ts>& packets) {
  TsAnalyzer a;
  // One packet per datagram, so the cases also prove state carries across datagrams.
  for (const Ts& t : packets) {
    const std::vector<uint8_t> p = Packet(t);
    a.Observe(p.data(), p.size());
  }
  return a.counts().cc_errors;
}

TEST("continuity: each rule of ISO/IEC 13818-1 2.4.3.3, case by case") {
  struct Case {
    const char* name;
    std::vector<Ts> packets;
    uint64_t errors;
  };
  const std::vector<Case> cases = {
      {"counting up", {{256, 0}, {256, 1}, {256, 2}, {256, 3}}, 0},
      {"wrapping 15 to 0", {{256, 14}, {256, 15}, {256, 0}, {256, 1}}, 0},
      {"one packet lost", {{256, 0}, {256, 1}, {256, 3}}, 1},
      {"seven lost (one datagram)", {{256, 0}, {256, 8}, {256, 9}}, 1},
      {"sixteen lost: the counter comes round, not detectable", {{256, 0}, {256, 1}}, 0},
      {"backwards", {{256, 5}, {256, 4}}, 1},
      {"a duplicate packet is allowed once", {{256, 0}, {256, 1}, {256, 1}, {256, 2}}, 0},
      {"a second duplicate is an error", {{256, 0}, {256, 1}, {256, 1}, {256, 1}, {256, 2}}, 1},
      {"adaptation only: the counter stays", {{256, 3}, {256, 3, kAdaptationOnly}, {256, 4}}, 0},
      {"adaptation only: the counter moved", {{256, 3}, {256, 4, kAdaptationOnly}, {256, 5}}, 1},
      {"adaptation and payload counts up", {{256, 3}, {256, 4, kBoth}, {256, 5}}, 0},
      {"discontinuity indicator allows a jump", {{256, 3}, {256, 9, kBoth, true}, {256, 10}}, 0},
      {"discontinuity on an adaptation-only packet", {{256, 3}, {256, 12, kAdaptationOnly, true}, {256, 13}}, 0},
      {"reserved adaptation control is ignored", {{256, 3}, {256, 9, kReserved}, {256, 4}}, 0},
      {"the null PID is not checked", {{0x1fff, 0}, {0x1fff, 0}, {0x1fff, 7}}, 0},
      {"PIDs are independent", {{256, 0}, {257, 9}, {256, 1}, {257, 10}, {256, 2}}, 0},
      {"a loss on each of two PIDs", {{256, 0}, {257, 0}, {256, 2}, {257, 5}}, 2},
      {"after an error the new counter is the reference", {{256, 0}, {256, 5}, {256, 6}}, 1},
      {"a damaged packet (TEI) is not compared", {{256, 0}, {256, 9, kPayload, false, true}, {256, 1}}, 0},
  };
  for (const Case& c : cases) {
    const uint64_t got = Errors(c.packets);
    CHECK_MSG(got == c.errors, c.name << ": " << got << " errors, want " << c.errors);
  }
}

TEST("TEI packets, PIDs seen and packets are counted") {
  TsAnalyzer a;
  const std::vector<uint8_t> d = Datagram({{0, 0}, {256, 0}, {256, 1, kPayload, false, true}, {0x1fff, 0}, {4096, 3},
                                           {256, 1}, {256, 2}});
  a.Observe(d.data(), d.size());
  CHECK_EQ(a.counts().packets, uint64_t{7});
  CHECK_EQ(a.counts().tei, uint64_t{1});
  CHECK_EQ(a.counts().pids, 4u);
  CHECK_EQ(a.counts().cc_errors, uint64_t{0});
  CHECK_EQ(a.counts().sync_loss, uint64_t{0});
}

TEST("sync loss: a datagram of partial packets or a missing sync byte counts once") {
  TsAnalyzer a;
  std::vector<uint8_t> d = Datagram({{256, 0}, {256, 1}, {256, 2}});
  std::vector<uint8_t> cut(d.begin(), d.end() - 1);
  a.Observe(cut.data(), cut.size());
  CHECK_EQ(a.counts().sync_loss, uint64_t{1});
  CHECK_EQ(a.counts().packets, uint64_t{2});  // the whole packets before the cut were read
  std::vector<uint8_t> bad = Datagram({{256, 3}, {256, 4}});
  bad[kTsPacketSize] = 0x48;
  a.Observe(bad.data(), bad.size());
  CHECK_EQ(a.counts().sync_loss, uint64_t{2});
  CHECK_EQ(a.counts().packets, uint64_t{3});
  CHECK_EQ(a.counts().cc_errors, uint64_t{1});  // 1 -> 3: packet 2 was in the cut datagram
}

TEST("LooksLikeTs wants whole packets each starting with 0x47") {
  const std::vector<uint8_t> d = Datagram({{256, 0}, {256, 1}});
  CHECK(LooksLikeTs(d.data(), d.size()));
  CHECK(!LooksLikeTs(d.data(), d.size() - 1));
  CHECK(!LooksLikeTs(nullptr, 0));
  std::vector<uint8_t> bad = d;
  bad[kTsPacketSize] = 0;
  CHECK(!LooksLikeTs(bad.data(), bad.size()));
}

TEST("observing TS packets allocates nothing") {
  TsAnalyzer a;
  const std::vector<uint8_t> d = Datagram({{256, 0}, {257, 0}, {258, 0}, {259, 0}, {260, 0}, {261, 0}, {262, 0}});
  const size_t before = AllocationCount();
  for (int i = 0; i < 10000; ++i) a.Observe(d.data(), d.size());
  CHECK_EQ(AllocationCount(), before);
}

}  // namespace
}  // namespace mcr::test
