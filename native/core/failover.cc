#include "failover.h"

namespace mcr {
namespace {

// A sequence number this far behind the last one sent, or less, is a copy of what was
// sent; farther, the new input carries another stream (its own numbering) and is sent
// from its first datagram. RFC 3550's MAX_DROPOUT.
constexpr int32_t kSameStream = 3000;

}  // namespace

Failover::Failover(const FailoverConfig& config, uint64_t start_ns) : config_(config) {
  if (config_.inputs == 0 || config_.inputs > kMaxRuleInputs) config_.inputs = kMaxRuleInputs;
  for (uint32_t i = 0; i < kMaxRuleInputs; ++i) {
    last_arrival_ns_[i] = start_ns;
    alive_since_ns_[i] = start_ns;
  }
}

bool Failover::Silent(uint32_t input, uint64_t now_ns) const {
  if (input >= config_.inputs) return true;
  return now_ns - last_arrival_ns_[input] > config_.timeout_ns[input];
}

void Failover::Choose(uint64_t now_ns) {
  uint32_t next = active_;
  // Back to an earlier input once it has been alive long enough.
  if (config_.revert_after_ns != kNeverRevert) {
    for (uint32_t i = 0; i < active_; ++i) {
      if (!Silent(i, now_ns) && now_ns - alive_since_ns_[i] >= config_.revert_after_ns) {
        next = i;
        break;
      }
    }
  }
  // Away from a silent one, to the first that is not.
  if (next == active_ && Silent(active_, now_ns)) {
    for (uint32_t i = 0; i < config_.inputs; ++i) {
      if (i != active_ && !Silent(i, now_ns)) {
        next = i;
        break;
      }
    }
  }
  if (next == active_) return;
  previous_ = active_;
  active_ = next;
  ++switches_;
  at_boundary_ = have_last_sent_;
}

void Failover::Tick(uint64_t now_ns) { Choose(now_ns); }

bool Failover::Offer(uint32_t input, bool has_sequence, uint16_t sequence, uint64_t now_ns) {
  if (input >= config_.inputs) return false;
  if (!heard_) {
    // The rule's first datagram: the stream starts now, on every input alike. Counting
    // from when the rule was set, every input would be silent already, and whichever
    // copy won the race to the relay would be taken for the only one alive.
    heard_ = true;
    for (uint32_t i = 0; i < kMaxRuleInputs; ++i) last_arrival_ns_[i] = alive_since_ns_[i] = now_ns;
  }
  // A datagram after a silence starts the input's time alive afresh.
  if (Silent(input, now_ns)) alive_since_ns_[input] = now_ns;
  last_arrival_ns_[input] = now_ns;
  Choose(now_ns);
  if (input != active_) {
    // Just after a switch the input left may still bring the next number before the
    // new one does (both alive, as at a revert): it is sent, so the switch skips
    // nothing, and the new input's copy of it is dropped as sent.
    if (at_boundary_ && has_sequence && input == previous_ && static_cast<uint16_t>(sequence - last_sent_) == 1) {
      last_sent_ = sequence;
      return true;
    }
    return false;
  }
  if (!has_sequence) {
    // Without sequence numbers there is no boundary to find: the switch is here.
    at_boundary_ = false;
    return true;
  }
  if (at_boundary_) {
    const int32_t ahead = static_cast<int16_t>(static_cast<uint16_t>(sequence - last_sent_));
    if (ahead <= 0 && ahead > -kSameStream) return false;
    at_boundary_ = false;
  }
  last_sent_ = sequence;
  have_last_sent_ = true;
  return true;
}

}  // namespace mcr
