// Counters in memory shared with JavaScript. Each worker owns one block and is its only
// writer, so an increment is a relaxed load and store (a plain add on x86), and JS reads
// whole blocks through an ArrayBuffer with no system call. JS sums the blocks.
//
// Block layout, in uint64 words:
//   [0, kWorkerCounterCount)                      worker counters (WorkerCounter)
//   then max_rules   x kRuleCounterCount          per rule slot  (packets, bytes)
//   then max_outputs x kOutputCounterCount        per output slot (packets, bytes, errors, drops)
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace mcr {

enum WorkerCounter : uint32_t {
  kRxFrames,
  kRxBytes,
  kMatched,        // datagrams a rule took
  kNoMatch,        // well-formed UDP that no rule wants (group, port or source)
  kVlanTagged,     // tagged frames on an untagged interface: use the VLAN interface
  kNotIpv4,        // the parser's first outcomes, in ParseResult order after kOk
  kNotUdp,
  kFragment,
  kTruncated,
  kBadIpHeader,
  kBadIpChecksum,
  kBadIpLength,
  kBadUdpLength,
  kTooManyVlanTags,
  kRingDrops,      // PACKET_STATISTICS tp_drops: the ring was full
  kRingFreezes,    // PACKET_STATISTICS tp_freeze_q_cnt
  kEgressFull,     // a send found its socket buffer full: dropped, not retried
  kEgressErrors,   // any other send error (interface down, no route...)
  kBatches,        // ring blocks processed: packets per batch = kRxFrames / kBatches
  // Added later, so at the end: a counter's index never changes meaning.
  kBadUdpChecksum,  // ParseResult::kBadUdpChecksum
  kIpv6,            // ParseResult::kIpv6: IPv6 multicast UDP the kernel filter let through
  kWorkerCounterCount
};

enum RuleCounter : uint32_t { kRulePackets, kRuleBytes, kRuleCounterCount };
enum OutputCounter : uint32_t { kOutPackets, kOutBytes, kOutErrors, kOutDrops, kOutputCounterCount };

const char* WorkerCounterName(uint32_t index);
const char* RuleCounterName(uint32_t index);
const char* OutputCounterName(uint32_t index);

class CounterMemory {
 public:
  CounterMemory(uint32_t workers, uint32_t max_rules, uint32_t max_outputs);

  size_t block_words() const { return block_words_; }
  size_t size_bytes() const { return size_t{workers_} * block_words_ * sizeof(uint64_t); }
  void* data() { return words_.get(); }

  std::atomic<uint64_t>* Worker(uint32_t worker) { return words_.get() + size_t{worker} * block_words_; }
  std::atomic<uint64_t>* Rule(uint32_t worker, uint32_t slot) {
    return Worker(worker) + kWorkerCounterCount + size_t{slot} * kRuleCounterCount;
  }
  std::atomic<uint64_t>* Output(uint32_t worker, uint32_t slot) {
    return Worker(worker) + kWorkerCounterCount + size_t{max_rules_} * kRuleCounterCount +
           size_t{slot} * kOutputCounterCount;
  }

  // Zeroes a slot before reuse. Only called once no worker refers to the slot.
  void ClearRule(uint32_t slot);
  void ClearOutput(uint32_t slot);

 private:
  uint32_t workers_;
  uint32_t max_rules_;
  size_t block_words_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
};

// Single-writer add: the owner thread is the only writer of its block.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace mcr
