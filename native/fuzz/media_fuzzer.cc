// libFuzzer target: untrusted payloads through the stream-health core, as a rule with
// payload = "rtp-mpegts" and redundancy sees them. The first bytes choose the merge
// window and failover timeouts; the rest is a run of records, each a path number, a time
// step and one datagram's bytes. What it checks, beyond "no sanitizer report":
//  - ParseRtp: an accepted header's payload window lies inside the datagram, and a
//    refused one leaves *out untouched;
//  - RtpSequence: its counters never go down, and a datagram is never both new and a
//    duplicate;
//  - TsAnalyzer: its counters never go down, and it sees no more packets than whole
//    188-byte steps of what it was given;
//  - SeamlessMerge: a number offered again at once is never forwarded a second time;
//  - Failover: the input whose datagram is relayed is the active one, or the one left at
//    the last switch bringing the very next number.
// Datagrams are copied to exactly-sized heap buffers, so ASan sees any read past the end.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <algorithm>

#include "../core/failover.h"
#include "../core/mpegts.h"
#include "../core/rtp.h"
#include "../core/seamless_merge.h"
#include "fuzz_check.h"

namespace {

constexpr uint64_t kMs = 1'000'000;

struct Reader {
  const uint8_t* data;
  size_t len;
  size_t at = 0;
  bool Has(size_t n) const { return at + n <= len; }
  uint8_t Byte() { return Has(1) ? data[at++] : 0; }
  uint16_t Word() { return static_cast<uint16_t>((Byte() << 8) | Byte()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  const uint64_t window_ns = (uint64_t{in.Byte()} + 1) * kMs;
  mcr::FailoverConfig config;
  config.inputs = 2;
  config.timeout_ns[0] = (uint64_t{in.Byte()} + 1) * kMs;
  config.timeout_ns[1] = (uint64_t{in.Byte()} + 1) * kMs;
  const uint8_t revert = in.Byte();
  config.revert_after_ns = revert == 255 ? mcr::kNeverRevert : uint64_t{revert} * kMs;

  mcr::SeamlessMerge merge(window_ns);
  mcr::Failover failover(config, 0);
  mcr::RtpSequence sequence;
  mcr::TsAnalyzer ts;
  uint16_t last_relayed = 0;
  bool have_relayed = false;
  uint64_t now = 0;
  uint64_t ts_bytes = 0;
  mcr::TsCounts before_ts;
  uint64_t lost = 0, duplicates = 0, reordered = 0, restarts = 0;

  while (in.Has(4)) {
    const uint8_t head = in.Byte();
    const uint32_t path = head & 1;
    now += uint64_t{in.Byte()} * kMs / 8;
    const size_t len = std::min<size_t>(in.Word(), in.len - in.at);
    std::unique_ptr<uint8_t[]> copy(new uint8_t[len == 0 ? 1 : len]);
    if (len > 0) std::memcpy(copy.get(), in.data + in.at, len);
    in.at += len;

    mcr::RtpHeader rtp;
    rtp.payload_offset = 12345;
    const bool is_rtp = mcr::ParseRtp(copy.get(), len, &rtp);
    if (!is_rtp) {
      FUZZ_CHECK(rtp.payload_offset == 12345, "a refused header leaves *out untouched");
      failover.Offer(path, false, 0, now);
      continue;
    }
    FUZZ_CHECK(rtp.payload_offset <= len && rtp.payload_len <= len - rtp.payload_offset, "the payload lies inside the datagram");

    const mcr::RtpVerdict verdict = sequence.Observe(rtp.sequence);
    FUZZ_CHECK(sequence.lost() >= lost && sequence.duplicates() >= duplicates && sequence.reordered() >= reordered &&
                   sequence.restarts() >= restarts,
               "sequence counters only grow");
    if (verdict == mcr::RtpVerdict::kDuplicate) FUZZ_CHECK(sequence.duplicates() == duplicates + 1, "a duplicate is counted once");
    lost = sequence.lost();
    duplicates = sequence.duplicates();
    reordered = sequence.reordered();
    restarts = sequence.restarts();

    ts.Observe(copy.get() + rtp.payload_offset, rtp.payload_len);
    ts_bytes += rtp.payload_len;
    const mcr::TsCounts& c = ts.counts();
    FUZZ_CHECK(c.packets >= before_ts.packets && c.cc_errors >= before_ts.cc_errors && c.tei >= before_ts.tei &&
                   c.sync_loss >= before_ts.sync_loss && c.pids >= before_ts.pids,
               "TS counters only grow");
    FUZZ_CHECK(c.packets <= ts_bytes / mcr::kTsPacketSize, "no more packets than whole 188-byte steps");
    FUZZ_CHECK(c.pids <= mcr::kTsPidCount, "at most 8,192 PIDs");
    before_ts = c;

    const mcr::MergeVerdict first = merge.Offer(rtp.sequence, now);
    if (head & 2) {
      // The same number again at once: a copy, never forwarded a second time.
      FUZZ_CHECK(merge.Offer(rtp.sequence, now) != mcr::MergeVerdict::kForward, "a number is not forwarded twice at once");
    }
    (void)first;
    if (failover.Offer(path, true, rtp.sequence, now)) {
      // The active input, or the one left at the switch bringing the very next number.
      FUZZ_CHECK(path == failover.active() || (have_relayed && rtp.sequence == static_cast<uint16_t>(last_relayed + 1)),
                 "only the active input, or the next number from the one just left, is relayed");
      last_relayed = rtp.sequence;
      have_relayed = true;
    }
  }
  return 0;
}
