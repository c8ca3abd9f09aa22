// Plain C++ descriptions of what the data plane is asked to do. The addon copies JS
// values into these at the boundary; from there on, no JS value is touched, and worker
// threads only ever see these structs (or what the control plane builds from them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../../core/address.h"
#include "../../core/failover.h"
#include "../../core/address_prefix.h"

namespace mcr {

enum class BackendChoice : uint8_t { kAuto, kIoUring, kSyscalls };

// What an output is (see egress/output.h); how it is sent is the backend's choice.
// kAuto is only asked for: the control plane opens a frame output on an Ethernet
// interface and a socket output elsewhere (tun, WireGuard, PPP, ipip).
enum class EgressKind : uint8_t { kSocket, kFrame, kAuto };

// Where a frame output's source address comes from.
enum class SourceChoice : uint8_t {
  kInterface,  // the output interface's primary address of the family (followed)
  kAddress,    // OutputSpec::source_address
  kPreserve,   // the original sender's address and port (same family only)
};

struct DataPlaneOptions {
  uint32_t workers = 1;
  std::vector<uint32_t> cpus;  // worker i is pinned to cpus[i % size]; empty: no pinning
  BackendChoice backend = BackendChoice::kAuto;
  uint32_t max_rules = 4096;      // counter slots, fixed for the data plane's life
  uint32_t max_outputs = 65536;
  // A TPACKET_V3 block is handed to user space when full or after the timeout,
  // whichever comes first, so the ring's depth in time is about block_count x timeout
  // for a slow stream (each block then holds a few datagrams) and block_count x
  // block_size bytes for a fast one. 256 KiB blocks hold a millisecond of up to about
  // 180,000 pps of 1,400-byte datagrams, so a fast stream wakes the worker once per
  // millisecond too (measured: fewer wake-ups cut relay-core CPU per datagram); 300 of
  // them give any stream up to that rate at least 300 ms of buffer for a descheduled
  // worker. A block must hold the largest frame: 256 KiB fits jumbo frames.
  uint32_t ring_block_size = 1u << 18;  // 256 KiB
  uint32_t ring_block_count = 300;      // 75 MiB of ring per ingress socket: ring_ms
  uint32_t ring_block_timeout_ms = 1;   // latency bound for a partly filled block
};

// Ports in host byte order.
struct OutputSpec {
  std::string key;        // identity within its rule (see outputKey in src/config/ruleset.ts)
  std::string interface;
  EgressKind egress = EgressKind::kSocket;
  IpAddress group;
  uint16_t port = 0;
  uint8_t ttl = 1;              // TTL or hop limit
  uint8_t dscp = 0;             // 0..63
  SourceChoice source = SourceChoice::kInterface;
  IpAddress source_address;     // kAddress only
  // group = "broadcast": sent to the directed broadcast of the interface's subnet (from
  // its address and prefix, followed like the source address); `group` is then
  // 255.255.255.255 and only says the family.
  bool directed = false;
};

// A reflector's checks on its flows (flow_policy.h); absent from ordinary rules.
struct PolicySpec {
  std::string group;  // the reflector: flows with equal specs share one window and buckets
  std::vector<AddressPrefix> allow;  // empty: every sender
  std::vector<AddressPrefix> deny;
  uint32_t rate_pps = 0;  // 0: no rate limit
  uint32_t rate_burst = 0;
  uint32_t loop_window_ms = 0;  // 0: no loop suppression
};

struct InputSpec {
  std::string interface;
  IpAddress group;
  uint16_t port = 0;
  IpAddress source;         // unspecified: any source
  uint32_t timeout_ms = 0;  // silent this long: the input is stalled; 0: not watched
};

// What a rule looks for in its payload (see health/rule_health.h).
enum class PayloadKind : uint8_t { kNone, kRtp, kMpegTs, kRtpMpegTs, kAuto };
// How a rule with several inputs chooses what to relay.
enum class Redundancy : uint8_t { kNone, kFailover, kMerge };
inline constexpr uint32_t kRevertNever = UINT32_MAX;

// A rule's stream-health settings, as workers need them. Equal specs mean a worker keeps
// the rule's analysis state across a change of its outputs.
struct HealthSpec {
  PayloadKind payload = PayloadKind::kNone;
  uint32_t clock_rate = 0;  // RTP clock in Hz; 0: the payload type's static rate
  Redundancy redundancy = Redundancy::kNone;
  uint32_t revert_after_ms = kRevertNever;
  uint32_t merge_window_ms = 0;
  uint32_t inputs = 1;
  uint32_t timeout_ms[kMaxRuleInputs] = {};  // per input, from InputSpec

  bool timed() const {
    for (uint32_t i = 0; i < inputs && i < kMaxRuleInputs; ++i) {
      if (timeout_ms[i] != 0) return true;
    }
    return false;
  }
  // Anything for a worker to do beyond relaying.
  bool active() const { return payload != PayloadKind::kNone || redundancy != Redundancy::kNone || timed(); }
  bool operator==(const HealthSpec& other) const {
    if (payload != other.payload || clock_rate != other.clock_rate || redundancy != other.redundancy ||
        revert_after_ms != other.revert_after_ms || merge_window_ms != other.merge_window_ms ||
        inputs != other.inputs) {
      return false;
    }
    for (uint32_t i = 0; i < kMaxRuleInputs; ++i) {
      if (timeout_ms[i] != other.timeout_ms[i]) return false;
    }
    return true;
  }
  bool operator!=(const HealthSpec& other) const { return !(*this == other); }
};

struct RuleSpec {
  std::string key;  // the rule's identity: its inputs
  std::vector<InputSpec> inputs;  // 1..kMaxRuleInputs; the first is the primary
  HealthSpec health;
  std::vector<OutputSpec> outputs;
  bool has_policy = false;
  PolicySpec policy;
};

}  // namespace mcr
