#include "flow_policy.h"

#include <time.h>

#include <iterator>
#include <utility>

namespace mcr {
namespace {

constexpr uint64_t kNsPerMs = 1'000'000ull;

bool AnyContains(const std::vector<AddressPrefix>& prefixes, const IpAddress& address) {
  for (const AddressPrefix& prefix : prefixes) {
    if (prefix.Contains(address)) return true;
  }
  return false;
}

// Equal settings, equal text: the registry's key.
std::string Identity(const PolicySpec& spec) {
  std::string key = spec.group;
  auto add = [&key](const std::vector<AddressPrefix>& list, char tag) {
    for (const AddressPrefix& prefix : list) key += tag + prefix.address.ToString() + "/" + std::to_string(prefix.bits);
  };
  add(spec.allow, '+');
  add(spec.deny, '-');
  key += "|" + std::to_string(spec.rate_pps) + "/" + std::to_string(spec.rate_burst) + "|" +
         std::to_string(spec.loop_window_ms);
  return key;
}

uint64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

PolicyState::PolicyState(const PolicySpec& spec) : spec_(spec) {}

uint32_t PolicyState::BucketFor(const std::string& interface) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = bucket_of_.find(interface);
  if (found != bucket_of_.end()) return found->second;
  const uint32_t index = static_cast<uint32_t>(buckets_.size());
  buckets_.emplace_back(spec_.rate_pps, spec_.rate_burst, NowNs());
  bucket_of_.emplace(interface, index);
  return index;
}

PolicyVerdict PolicyState::Admit(const UdpDatagram& datagram, uint32_t bucket, uint64_t now_ns) {
  const uint64_t window_ns = static_cast<uint64_t>(spec_.loop_window_ms) * kNsPerMs;
  const uint64_t digest =
      window_ns == 0 ? 0
                     : DatagramDigest(datagram.src, datagram.src_port, datagram.dst, datagram.dst_port,
                                      datagram.payload, datagram.payload_len);
  std::lock_guard<std::mutex> lock(mutex_);
  if (window_ns != 0 && window_.Contains(digest, now_ns, window_ns)) return PolicyVerdict::kLoopSuppressed;
  if (spec_.rate_pps != 0 && bucket < buckets_.size() && !buckets_[bucket].Take(now_ns)) {
    return PolicyVerdict::kRateLimited;
  }
  if (window_ns != 0) window_.Record(digest, now_ns, window_ns);
  return PolicyVerdict::kPass;
}

PolicyVerdict FlowPolicy::Check(const UdpDatagram& datagram, uint64_t now_ns) const {
  const PolicySpec& spec = state_->spec();
  if (AnyContains(spec.deny, datagram.src)) return PolicyVerdict::kSourceDenied;
  if (!spec.allow.empty() && !AnyContains(spec.allow, datagram.src)) return PolicyVerdict::kSourceDenied;
  return state_->Admit(datagram, bucket_, now_ns);
}

std::shared_ptr<const FlowPolicy> PolicyRegistry::For(const PolicySpec& spec, const std::string& interface) {
  const std::string key = Identity(spec);
  // Reflectors removed by earlier reloads leave expired entries: drop them here.
  for (auto it = states_.begin(); it != states_.end();) it = it->second.expired() && it->first != key ? states_.erase(it) : std::next(it);
  std::shared_ptr<PolicyState> state = states_[key].lock();
  if (!state) {
    state = std::make_shared<PolicyState>(spec);
    states_[key] = state;
  }
  const uint32_t bucket = state->BucketFor(interface);
  return std::make_shared<const FlowPolicy>(std::move(state), bucket);
}

}  // namespace mcr
