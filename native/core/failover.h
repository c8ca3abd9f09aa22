// Failover between a rule's inputs, the decision half: relay the first input (the
// primary) while it is alive; when the one relayed goes silent for its timeout, relay
// the first input that is not silent; go back to an earlier input once it has been
// alive for revert_after. With RTP the switch happens at a sequence boundary: the new
// input's datagrams up to the last one sent are dropped, so none is sent twice, and
// every later one it delivers is sent. It owns that decision; no I/O, no allocation,
// no counters. One per rule, used by one thread.
#pragma once

#include <cstdint>

namespace mcr {

inline constexpr uint32_t kMaxRuleInputs = 4;
inline constexpr uint64_t kNeverRevert = UINT64_MAX;

struct FailoverConfig {
  uint32_t inputs = 2;  // 1..kMaxRuleInputs
  uint64_t timeout_ns[kMaxRuleInputs] = {};
  uint64_t revert_after_ns = kNeverRevert;
};

class Failover {
 public:
  // Inputs count as heard from at start_ns, and again at the rule's first datagram on
  // any input: one that never sends goes silent a timeout after the stream started.
  Failover(const FailoverConfig& config, uint64_t start_ns);

  // One datagram on `input`: true to send it. `sequence` is its RTP sequence number
  // when has_sequence.
  bool Offer(uint32_t input, bool has_sequence, uint16_t sequence, uint64_t now_ns);
  // Looks again at which input to relay (silence, revert); called between datagrams.
  void Tick(uint64_t now_ns);

  uint32_t active() const { return active_; }
  // Nothing arrived on the input for longer than its timeout.
  bool Silent(uint32_t input, uint64_t now_ns) const;
  uint64_t switches() const { return switches_; }

 private:
  void Choose(uint64_t now_ns);

  FailoverConfig config_;
  uint32_t active_ = 0;
  uint64_t last_arrival_ns_[kMaxRuleInputs] = {};
  uint64_t alive_since_ns_[kMaxRuleInputs] = {};  // first arrival after its last silence
  uint64_t switches_ = 0;
  bool heard_ = false;  // a datagram has arrived on some input
  uint32_t previous_ = 0;  // the input relayed before the last switch
  // Set by a switch: the new input's datagrams at or before last_sent_ are copies of what
  // the old one sent. Cleared by the first one after it.
  bool at_boundary_ = false;
  bool have_last_sent_ = false;
  uint16_t last_sent_ = 0;
};

}  // namespace mcr
