// The checks a reflector's flows make before a datagram is replicated, and the state
// they share: sender allow/deny prefixes, a token bucket per input interface, and one
// window of what the reflector relayed lately (loop suppression). It owns the verdict per
// datagram; it must not send, count (the worker counts the verdict) or allocate per
// datagram.
//
// Sharing: every flow of one reflector (one per input interface and family) holds the
// same PolicyState, so a datagram relayed from one interface is recognised when it comes
// back on another, whichever worker each copy lands on (PACKET_FANOUT spreads one
// interface's traffic over workers by flow hash, and a copy on another interface is
// another socket's). A mutex serialises the window and the buckets: held for a lookup and
// an insert, uncontended at discovery rates.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../../core/address_prefix.h"
#include "../../core/digest_window.h"
#include "../../core/packet.h"
#include "../../core/token_bucket.h"
#include "../control/specs.h"

namespace mcr {

enum class PolicyVerdict : uint8_t { kPass, kSourceDenied, kLoopSuppressed, kRateLimited };

// What one reflector's flows share.
class PolicyState {
 public:
  explicit PolicyState(const PolicySpec& spec);
  const PolicySpec& spec() const { return spec_; }

  // For a datagram that passed the source lists: suppressed if relayed within the
  // window, else limited if the input interface's bucket is empty, else recorded as
  // relayed now.
  PolicyVerdict Admit(const UdpDatagram& datagram, uint32_t bucket, uint64_t now_ns);
  // The bucket of an input interface (by name), made on first use; control plane only.
  uint32_t BucketFor(const std::string& interface);

 private:
  PolicySpec spec_;
  std::mutex mutex_;
  DigestWindow window_;
  // Reserved up front (control plane adds, workers index): never reallocated while in use.
  std::vector<TokenBucket> buckets_;
  std::map<std::string, uint32_t> bucket_of_;
};

// One flow's view: its shared state and its input interface's bucket.
class FlowPolicy {
 public:
  FlowPolicy(std::shared_ptr<PolicyState> state, uint32_t bucket) : state_(std::move(state)), bucket_(bucket) {}
  PolicyVerdict Check(const UdpDatagram& datagram, uint64_t now_ns) const;

 private:
  std::shared_ptr<PolicyState> state_;
  uint32_t bucket_;
};

// The control plane's registry: one PolicyState per reflector (and per set of settings,
// so a reload that changes them starts afresh), alive while a flow holds it.
class PolicyRegistry {
 public:
  std::shared_ptr<const FlowPolicy> For(const PolicySpec& spec, const std::string& interface);

 private:
  std::map<std::string, std::weak_ptr<PolicyState>> states_;
};

}  // namespace mcr
