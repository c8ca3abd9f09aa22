// Unit tests of the traffic tools' pure parts (payload format, sequence accounting,
// hex frame parsing, pacing arithmetic), built with ASan and UBSan by
// test/tools/native-units.test.ts so that an out-of-bounds read on a hostile payload
// fails loudly. Prints "ok - NAME" / "not ok - NAME" per test and "N passed, N failed".
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../hex_frames.h"
#include "../pacing.h"
#include "../payload.h"
#include "../seq_tracker.h"

using namespace mcr::tools;

namespace {

int g_failures = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                        \
    }                                                                      \
  } while (0)

std::vector<uint8_t> Encode(uint32_t stream, uint64_t seq, uint32_t size) {
  // Exactly `size` bytes on the heap, so ASan sees any read past the payload.
  std::vector<uint8_t> out(size);
  EncodePayload(Header{stream, seq, size}, out.data());
  return out;
}

Verdict ClassifyHeap(const std::vector<uint8_t>& bytes, Header* h) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  return Classify(copy.get(), bytes.size(), h);
}

void PayloadRoundTrip() {
  for (uint32_t size : {24u, 25u, 100u, 255u, 256u, 257u, 1472u, 8972u, 65507u}) {
    Header h;
    CHECK(ClassifyHeap(Encode(7, 123456789012ull, size), &h) == Verdict::kIntact);
    CHECK(h.stream == 7 && h.seq == 123456789012ull && h.size == size);
  }
}

void PayloadShortSizes() {
  for (uint32_t size = 0; size < kHeaderSize; ++size) {
    Header h;
    const std::vector<uint8_t> bytes = Encode(1, 2, size);
    CHECK(ClassifyHeap(bytes, &h) == Verdict::kShort);
    // The bytes that exist are the full header's first bytes.
    const std::vector<uint8_t> full = Encode(1, 2, kHeaderSize);
    CHECK(size < 16 || std::memcmp(bytes.data(), full.data(), 16) == 0);
  }
}

void PayloadEveryFlippedByteIsCaught() {
  const std::vector<uint8_t> good = Encode(3, 99, 600);
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x01;
    Header h;
    const Verdict v = ClassifyHeap(bad, &h);
    if (i < 4) {
      CHECK(v == Verdict::kForeign);
    } else if (i < kHeaderSize) {
      CHECK(v == Verdict::kBadHeader);
    } else {
      CHECK(v == Verdict::kCorrupted);
    }
  }
}

void PayloadSizeMismatchIsCorrupted() {
  std::vector<uint8_t> cut = Encode(0, 5, 500);
  cut.resize(400);
  Header h;
  CHECK(ClassifyHeap(cut, &h) == Verdict::kCorrupted);
  CHECK(h.seq == 5 && h.size == 500);
  std::vector<uint8_t> longer = Encode(0, 5, 500);
  longer.push_back(0);
  CHECK(ClassifyHeap(longer, &h) == Verdict::kCorrupted);
}

void PayloadFillDiffersBetweenDatagrams() {
  // Swapping in a neighbour's fill must not pass: seeds of consecutive seqs differ.
  int same = 0;
  for (uint64_t seq = 0; seq < 256; ++seq) same += Seed(0, seq) == Seed(0, seq + 1);
  CHECK(same < 8);
  CHECK(FillByte(0, 24) != FillByte(0, 24 + 256));
}

void PayloadRandomBytesNeverCrash() {
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    const size_t len = rng() % 200;
    std::vector<uint8_t> bytes(len);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (len >= 4 && (rng() & 1)) PutBe32(bytes.data(), kMagic);  // get past the magic
    if (len >= 24 && (rng() & 1)) {
      PutBe32(bytes.data() + 16, static_cast<uint32_t>(rng()));  // any declared size
      PutBe32(bytes.data() + 20, Fnv1a(bytes.data(), 20));
    }
    Header h;
    ClassifyHeap(bytes, &h);
  }
}

void TrackerDefinitions() {
  SeqTracker t(1000);
  for (uint64_t seq : {0, 1, 2, 4, 5, 3, 3, 7}) CHECK(t.Record(seq, 10, false));
  const StreamStats& s = t.stats();
  CHECK(s.received == 8 && s.distinct == 7 && s.duplicated == 1 && s.reordered == 1);
  CHECK(s.first_seq == 0 && s.last_seq == 7 && s.max_seq == 7 && s.bytes == 80);
  CHECK(t.Lost(0) == 1);
  CHECK(t.Lost(10) == 3);
  CHECK(t.Lost(5) == 1);  // fewer expected than seen: the seen span wins
}

void TrackerCapAndGrowth() {
  SeqTracker t(100000);
  CHECK(!t.Record(100000, 1, false));
  CHECK(t.stats().received == 0);
  CHECK(t.Record(99999, 1, true));
  CHECK(t.Record(0, 1, false));
  CHECK(t.stats().reordered == 1 && t.stats().corrupted == 1);
  CHECK(t.Lost(0) == 99998);
  SeqTracker empty(10);
  CHECK(empty.Lost(0) == 0 && empty.Lost(4) == 4);
}

void HexFramesParse() {
  const HexFrames ok = ParseHexFrames("# comment\n01 02\tff\n\n  AbCd # trailing\n0");
  CHECK(!ok.error.empty());  // the last line has an odd digit count
  const HexFrames good = ParseHexFrames("# comment\n01 02\tff\r\n\n  AbCd # trailing\n");
  CHECK(good.error.empty());
  CHECK(good.frames.size() == 2);
  CHECK(good.frames[0] == (std::vector<uint8_t>{0x01, 0x02, 0xff}));
  CHECK(good.frames[1] == (std::vector<uint8_t>{0xab, 0xcd}));
  const HexFrames bad = ParseHexFrames("0102\n01zz\n");
  CHECK(bad.error == "line 2: 'z' is not a hex digit");
  const HexFrames split = ParseHexFrames("0 1 0\n");
  CHECK(split.error == "line 1: odd number of hex digits");
  const HexFrames huge = ParseHexFrames(std::string(2 * (kMaxFrame + 1), 'a'));
  CHECK(huge.error.find("longer than") != std::string::npos);
  CHECK(ParseHexFrames(std::string(2 * kMaxFrame, 'a')).frames.size() == 1);
  CHECK(ParseHexFrames("").frames.empty());
}

void PacingArithmetic() {
  CHECK(DueCount(0, 1000) == 1);
  CHECK(DueCount(999999, 1000) == 1);
  CHECK(DueCount(1000000, 1000) == 2);
  CHECK(DueTime(1000, 1000) == 1000000000u);
  CHECK(DueTime(1, 3) == 333333333u);
  // A day at 100 Mpps does not overflow the intermediate.
  CHECK(DueCount(86400ull * 1000000000u, 100000000) == 8640000000001ull);
}

}  // namespace

int main() {
  const std::vector<std::pair<const char*, std::function<void()>>> tests = {
      {"payload round-trips at every size class", PayloadRoundTrip},
      {"payloads under 24 bytes are short", PayloadShortSizes},
      {"every flipped byte is caught", PayloadEveryFlippedByteIsCaught},
      {"a size other than declared is corrupted", PayloadSizeMismatchIsCorrupted},
      {"fills differ between datagrams", PayloadFillDiffersBetweenDatagrams},
      {"random bytes never read out of bounds", PayloadRandomBytesNeverCrash},
      {"tracker: lost, duplicated, reordered definitions", TrackerDefinitions},
      {"tracker: cap and growth", TrackerCapAndGrowth},
      {"hex frames: comments, whitespace, errors, limits", HexFramesParse},
      {"pacing arithmetic", PacingArithmetic},
  };
  int passed = 0;
  int failed = 0;
  for (const auto& [name, fn] : tests) {
    const int before = g_failures;
    fn();
    const bool ok = g_failures == before;
    std::printf("%s - %s\n", ok ? "ok" : "not ok", name);
    (ok ? passed : failed) += 1;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
