// What a worker does with one rule's datagrams beyond relaying them: it reads the
// payload the rule names (RTP sequence and jitter, MPEG-TS continuity), watches the
// inputs for silence (stalls), and for a rule with several inputs decides which
// datagrams are relayed (failover or SMPTE 2022-7 merge). Results go to the worker's own
// counter block for the rule and its paths.
//
// Every worker that may see the rule's datagrams has one (a single input's flow lands on
// one worker, which one the kernel's hash decides); only the rule's home worker watches
// silence, and a rule with several inputs has all of them steered to its home worker,
// so its decisions are made in one place. Everything is allocated by the constructor,
// when the rule is set: Admit and Tick allocate nothing. Used by one thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "../../core/failover.h"
#include "../../core/mpegts.h"
#include "../../core/rtp.h"
#include "../../core/seamless_merge.h"
#include "../control/specs.h"

namespace mcr {

// The worker's counter words for one rule (RuleCounter) and its paths (PathCounter).
struct HealthCounters {
  std::atomic<uint64_t>* rule = nullptr;
  std::atomic<uint64_t>* paths[kMaxRuleInputs] = {};
};

class RuleHealth {
 public:
  RuleHealth(const HealthSpec& spec, bool home, const HealthCounters& counters, uint64_t now_ns);
  RuleHealth(const RuleHealth&) = delete;
  RuleHealth& operator=(const RuleHealth&) = delete;

  // One datagram that arrived on input `input` (0 = the primary): arrival_ns is the
  // kernel's receive time (for jitter), now_ns the worker's monotonic clock (for
  // silence). True: relay it.
  bool Admit(uint32_t input, const uint8_t* payload, size_t len, uint64_t arrival_ns, uint64_t now_ns);

  // Between datagrams, on the home worker of a rule with timeouts: silence, stalls,
  // failover. `received` is the rule's datagrams so far on every worker.
  void Tick(uint64_t now_ns, uint64_t received);

  // Tick has something to do.
  bool timed() const { return home_ && spec_.timed(); }

 private:
  // What the payload turned out to be, for "auto" once the first datagram says.
  PayloadKind Detect(const uint8_t* payload, size_t len, const RtpHeader* rtp, bool is_rtp);
  // The relayed stream: sequence, jitter, TS.
  void Analyse(PayloadKind kind, const RtpHeader* rtp, const uint8_t* payload, size_t len, uint64_t arrival_ns);
  bool Decide(uint32_t input, const RtpHeader* rtp, uint64_t now_ns, uint64_t arrival_ns);
  bool Silent(uint32_t input, uint64_t now_ns) const;
  void SetStalled(bool stalled, uint64_t silent_since_ns, uint64_t now_ns);
  void PublishPaths(uint64_t now_ns);
  // Adds to counter `index` of the rule what `total` gained since the last call.
  void Publish(uint32_t index, uint64_t total, uint64_t* reported);

  HealthSpec spec_;
  bool home_;
  HealthCounters counters_;
  PayloadKind kind_;  // kAuto until detected

  RtpSequence sequence_;
  RtpJitter jitter_;
  uint32_t jitter_ssrc_ = 0;
  bool have_ssrc_ = false;
  std::unique_ptr<TsAnalyzer> ts_;

  std::unique_ptr<Failover> failover_;
  std::unique_ptr<SeamlessMerge> merge_;
  RtpSequence path_sequence_[kMaxRuleInputs];
  uint64_t path_last_ns_[kMaxRuleInputs] = {};

  // Silence of a rule whose input may land on any worker: when `received` last moved.
  uint64_t last_received_ = 0;
  uint64_t last_change_ns_ = 0;
  bool stalled_ = false;
  uint64_t stalled_ns_ = 0;     // total, since the rule was set
  uint64_t last_tick_ns_ = 0;

  struct Reported {
    uint64_t lost = 0, duplicates = 0, reordered = 0, restarts = 0;
    uint64_t cc = 0, tei = 0, sync = 0, switches = 0, stalled_ms = 0;
    uint64_t path_lost[kMaxRuleInputs] = {};
  } reported_;
};

}  // namespace mcr
