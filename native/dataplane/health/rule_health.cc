#include "rule_health.h"

#include "../counters.h"

namespace mcr {
namespace {

constexpr uint64_t kNsPerMs = 1'000'000;

bool HasRtp(PayloadKind kind) { return kind == PayloadKind::kRtp || kind == PayloadKind::kRtpMpegTs; }
bool HasTs(PayloadKind kind) { return kind == PayloadKind::kMpegTs || kind == PayloadKind::kRtpMpegTs; }

void Set(std::atomic<uint64_t>& word, uint64_t value) { word.store(value, std::memory_order_relaxed); }

}  // namespace

RuleHealth::RuleHealth(const HealthSpec& spec, bool home, const HealthCounters& counters, uint64_t now_ns)
    : spec_(spec), home_(home), counters_(counters), kind_(spec.payload) {
  if (spec_.inputs == 0 || spec_.inputs > kMaxRuleInputs) spec_.inputs = 1;
  if (kind_ == PayloadKind::kAuto || HasTs(kind_)) ts_ = std::make_unique<TsAnalyzer>();
  if (home_ && spec_.redundancy == Redundancy::kFailover) {
    FailoverConfig config;
    config.inputs = spec_.inputs;
    for (uint32_t i = 0; i < kMaxRuleInputs; ++i) config.timeout_ns[i] = uint64_t{spec_.timeout_ms[i]} * kNsPerMs;
    config.revert_after_ns = spec_.revert_after_ms == kRevertNever ? kNeverRevert : uint64_t{spec_.revert_after_ms} * kNsPerMs;
    failover_ = std::make_unique<Failover>(config, now_ns);
  }
  if (home_ && spec_.redundancy == Redundancy::kMerge) {
    merge_ = std::make_unique<SeamlessMerge>(uint64_t{spec_.merge_window_ms} * kNsPerMs);
  }
  for (uint64_t& last : path_last_ns_) last = now_ns;
  last_change_ns_ = now_ns;
  last_tick_ns_ = now_ns;
  if (home_ && counters_.rule != nullptr) Set(counters_.rule[kRuleStalled], 0);
}

PayloadKind RuleHealth::Detect(const uint8_t* payload, size_t len, const RtpHeader* rtp, bool is_rtp) {
  if (kind_ != PayloadKind::kAuto) return kind_;
  // RTP version 2 and a TS sync byte never share a first byte (0x80.. against 0x47), so
  // the order of these tests only matters for TS inside RTP.
  if (is_rtp && LooksLikeTs(payload + rtp->payload_offset, rtp->payload_len)) kind_ = PayloadKind::kRtpMpegTs;
  else if (LooksLikeTs(payload, len)) kind_ = PayloadKind::kMpegTs;
  else if (is_rtp) kind_ = PayloadKind::kRtp;
  return kind_;
}

bool RuleHealth::Admit(uint32_t input, const uint8_t* payload, size_t len, uint64_t arrival_ns, uint64_t now_ns) {
  if (input >= spec_.inputs) return false;
  RtpHeader header;
  const bool wants_rtp = spec_.payload != PayloadKind::kNone && spec_.payload != PayloadKind::kMpegTs;
  const bool is_rtp = wants_rtp && ParseRtp(payload, len, &header);
  const RtpHeader* rtp = is_rtp ? &header : nullptr;
  const PayloadKind kind = Detect(payload, len, &header, is_rtp);
  const bool several = spec_.inputs > 1;
  if (several) {
    path_last_ns_[input] = now_ns;
    if (std::atomic<uint64_t>* path = counters_.paths[input]) Bump(path[kPathReceived]);
    if (rtp != nullptr && HasRtp(kind)) {
      path_sequence_[input].Observe(rtp->sequence);
      const uint64_t lost = path_sequence_[input].lost();
      if (std::atomic<uint64_t>* path = counters_.paths[input]; path != nullptr && lost != reported_.path_lost[input]) {
        Bump(path[kPathLost], lost - reported_.path_lost[input]);
        reported_.path_lost[input] = lost;
      }
    }
  }
  // The merge window runs on the kernel's receive times: a worker that was held up and
  // reads a backlog must not take it for a silence of every path.
  const bool relay = Decide(input, HasRtp(kind) ? rtp : nullptr, now_ns, arrival_ns != 0 ? arrival_ns : now_ns);
  if (relay) Analyse(kind, rtp, payload, len, arrival_ns);
  return relay;
}

bool RuleHealth::Decide(uint32_t input, const RtpHeader* rtp, uint64_t now_ns, uint64_t arrival_ns) {
  if (spec_.inputs <= 1 || spec_.redundancy == Redundancy::kNone) return true;
  std::atomic<uint64_t>* path = counters_.paths[input];
  bool relay = false;
  if (failover_) {
    const uint64_t before = failover_->switches();
    relay = failover_->Offer(input, rtp != nullptr, rtp != nullptr ? rtp->sequence : 0, now_ns);
    if (failover_->switches() != before) PublishPaths(now_ns);
    if (!relay && path != nullptr) Bump(path[kPathDuplicate]);
  } else if (merge_) {
    if (rtp == nullptr) {
      // Without a sequence number there is nothing to merge on: the primary's is relayed.
      relay = input == 0;
      if (!relay && path != nullptr) Bump(path[kPathDuplicate]);
    } else {
      const MergeVerdict verdict = merge_->Offer(rtp->sequence, arrival_ns);
      relay = verdict == MergeVerdict::kForward;
      if (path != nullptr && verdict == MergeVerdict::kDuplicate) Bump(path[kPathDuplicate]);
      if (path != nullptr && verdict == MergeVerdict::kLate) Bump(path[kPathLate]);
    }
  } else {
    // Not the home worker: it never gets these inputs (they are steered home), but
    // if one strays here it must not be relayed twice.
    relay = input == 0;
  }
  if (relay && path != nullptr) Bump(path[kPathUsed]);
  return relay;
}

void RuleHealth::Analyse(PayloadKind kind, const RtpHeader* rtp, const uint8_t* payload, size_t len,
                         uint64_t arrival_ns) {
  std::atomic<uint64_t>* c = counters_.rule;
  if (c == nullptr || kind == PayloadKind::kNone) return;
  // Not (yet) recognised, or not the RTP the rule names. A datagram that is not whole TS
  // packets counts as TS sync loss instead.
  if (kind == PayloadKind::kAuto || (HasRtp(kind) && rtp == nullptr)) {
    Bump(c[kRulePayloadUnrecognised]);
    return;
  }
  if (HasRtp(kind)) {
    // A new SSRC is a new sender: its timestamps have another base.
    if (!have_ssrc_ || rtp->ssrc != jitter_ssrc_) {
      jitter_.Reset();
      jitter_ssrc_ = rtp->ssrc;
      have_ssrc_ = true;
    }
    const RtpVerdict verdict = sequence_.Observe(rtp->sequence);
    if (verdict == RtpVerdict::kRestart) jitter_.Reset();
    const uint32_t rate = spec_.clock_rate != 0 ? spec_.clock_rate : StaticClockRate(rtp->payload_type);
    jitter_.Observe(rtp->timestamp, arrival_ns, rate);
    Publish(kRuleRtpLost, sequence_.lost(), &reported_.lost);
    Publish(kRuleRtpDuplicates, sequence_.duplicates(), &reported_.duplicates);
    Publish(kRuleRtpReordered, sequence_.reordered(), &reported_.reordered);
    Publish(kRuleRtpRestarts, sequence_.restarts(), &reported_.restarts);
    Set(c[kRuleRtpJitterUs], jitter_.microseconds());
  }
  if (HasTs(kind) && ts_) {
    const uint8_t* ts = kind == PayloadKind::kRtpMpegTs ? payload + rtp->payload_offset : payload;
    ts_->Observe(ts, kind == PayloadKind::kRtpMpegTs ? rtp->payload_len : len);
    const TsCounts& counts = ts_->counts();
    Publish(kRuleTsCcErrors, counts.cc_errors, &reported_.cc);
    Publish(kRuleTsTei, counts.tei, &reported_.tei);
    Publish(kRuleTsSyncLoss, counts.sync_loss, &reported_.sync);
    Set(c[kRuleTsPids], counts.pids);
  }
}

void RuleHealth::Publish(uint32_t index, uint64_t total, uint64_t* reported) {
  if (total == *reported) return;
  Bump(counters_.rule[index], total - *reported);
  *reported = total;
}

bool RuleHealth::Silent(uint32_t input, uint64_t now_ns) const {
  const uint32_t timeout = spec_.timeout_ms[input];
  return timeout != 0 && now_ns - path_last_ns_[input] > uint64_t{timeout} * kNsPerMs;
}

void RuleHealth::PublishPaths(uint64_t now_ns) {
  for (uint32_t i = 0; i < spec_.inputs; ++i) {
    std::atomic<uint64_t>* path = counters_.paths[i];
    if (path == nullptr) continue;
    const bool silent = Silent(i, now_ns);
    const bool active = failover_ ? failover_->active() == i : !silent;
    Set(path[kPathActive], active ? 1 : 0);
    Set(path[kPathStalled], silent ? 1 : 0);
  }
  if (failover_) Publish(kRuleSwitches, failover_->switches(), &reported_.switches);
}

void RuleHealth::SetStalled(bool stalled, uint64_t silent_since_ns, uint64_t now_ns) {
  std::atomic<uint64_t>* c = counters_.rule;
  if (stalled && !stalled_) {
    // The stall's time runs from the last datagram, not from when it was noticed.
    Bump(c[kRuleStalls]);
    stalled_ns_ += now_ns - silent_since_ns;
  } else if (stalled) {
    stalled_ns_ += now_ns - last_tick_ns_;
  }
  stalled_ = stalled;
  Set(c[kRuleStalled], stalled ? 1 : 0);
  Publish(kRuleStalledMs, stalled_ns_ / kNsPerMs, &reported_.stalled_ms);
}

void RuleHealth::Tick(uint64_t now_ns, uint64_t received) {
  if (!timed() || counters_.rule == nullptr) return;
  bool stalled = true;
  uint64_t silent_since = 0;
  if (spec_.inputs > 1) {
    if (failover_) failover_->Tick(now_ns);
    PublishPaths(now_ns);
    for (uint32_t i = 0; i < spec_.inputs; ++i) {
      if (!Silent(i, now_ns)) stalled = false;
      if (path_last_ns_[i] > silent_since) silent_since = path_last_ns_[i];
    }
  } else {
    // One input may land on any worker: its datagrams show as the rule's count moving.
    if (received != last_received_) {
      last_received_ = received;
      last_change_ns_ = now_ns;
    }
    stalled = spec_.timeout_ms[0] != 0 && now_ns - last_change_ns_ > uint64_t{spec_.timeout_ms[0]} * kNsPerMs;
    silent_since = last_change_ns_;
  }
  SetStalled(stalled, silent_since, now_ns);
  last_tick_ns_ = now_ns;
}

}  // namespace mcr
