#include "counters.h"

namespace mcr {
namespace {

constexpr const char* kWorkerNames[kWorkerCounterCount] = {
    "rx_frames",     "rx_bytes",       "matched",        "no_match",           "vlan_tagged",
    "not_ipv4",      "not_udp",        "fragment",       "truncated",          "bad_ip_header",
    "bad_ip_checksum", "bad_ip_length", "bad_udp_length", "too_many_vlan_tags", "ring_drops",
    "ring_freezes",  "egress_full",    "egress_errors",  "batches",            "bad_udp_checksum",
    "ipv6",
};
constexpr const char* kRuleNames[kRuleCounterCount] = {"packets", "bytes"};
constexpr const char* kOutputNames[kOutputCounterCount] = {"packets", "bytes", "errors", "drops"};

}  // namespace

const char* WorkerCounterName(uint32_t index) {
  return index < kWorkerCounterCount ? kWorkerNames[index] : nullptr;
}
const char* RuleCounterName(uint32_t index) { return index < kRuleCounterCount ? kRuleNames[index] : nullptr; }
const char* OutputCounterName(uint32_t index) {
  return index < kOutputCounterCount ? kOutputNames[index] : nullptr;
}

CounterMemory::CounterMemory(uint32_t workers, uint32_t max_rules, uint32_t max_outputs)
    : workers_(workers),
      max_rules_(max_rules),
      block_words_(kWorkerCounterCount + size_t{max_rules} * kRuleCounterCount +
                   size_t{max_outputs} * kOutputCounterCount),
      words_(new std::atomic<uint64_t>[size_t{workers} * block_words_]) {
  for (size_t i = 0; i < size_t{workers} * block_words_; ++i) words_[i].store(0, std::memory_order_relaxed);
}

void CounterMemory::ClearRule(uint32_t slot) {
  for (uint32_t w = 0; w < workers_; ++w) {
    for (uint32_t i = 0; i < kRuleCounterCount; ++i) Rule(w, slot)[i].store(0, std::memory_order_relaxed);
  }
}

void CounterMemory::ClearOutput(uint32_t slot) {
  for (uint32_t w = 0; w < workers_; ++w) {
    for (uint32_t i = 0; i < kOutputCounterCount; ++i) Output(w, slot)[i].store(0, std::memory_order_relaxed);
  }
}

}  // namespace mcr
