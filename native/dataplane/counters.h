// Counters in memory shared with JavaScript. Each worker owns one block and is its only
// writer, so an increment is a relaxed load and store (a plain add on x86), and JS reads
// whole blocks through an ArrayBuffer with no system call. JS combines the blocks.
//
// Block layout, in uint64 words:
//   [0, kWorkerCounterCount)                      worker counters (WorkerCounter)
//   then max_rules   x kRuleCounterCount          per rule slot  (RuleCounter)
//   then max_outputs x kOutputCounterCount        per output slot (OutputCounter)
//   then max_rules x kMaxRuleInputs x kPathCounterCount
//                                                 per input of a rule slot (PathCounter),
//                                                 used by rules with several inputs
//
// The counters themselves, their names and their order, come from the one counter list,
// src/counter-list.js, which the build turns into mcr_generated/counter_list.h
// (native/gen-headers.mjs): one X(kIdentifier, "name") per counter. What each one
// counts is in docs/stats.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "../core/failover.h"
#include "mcr_generated/counter_list.h"

namespace mcr {

#define MCR_COUNTER_ENUMERATOR(id, name) id,
#define MCR_COUNTER_NAME(id, name) name,
enum WorkerCounter : uint32_t { MCR_WORKER_COUNTERS(MCR_COUNTER_ENUMERATOR) kWorkerCounterCount };
enum RuleCounter : uint32_t { MCR_RULE_COUNTERS(MCR_COUNTER_ENUMERATOR) kRuleCounterCount };
enum OutputCounter : uint32_t { MCR_OUTPUT_COUNTERS(MCR_COUNTER_ENUMERATOR) kOutputCounterCount };
enum PathCounter : uint32_t { MCR_PATH_COUNTERS(MCR_COUNTER_ENUMERATOR) kPathCounterCount };

// Indexed by the enums above: a counter and its name come from one line of the list.
inline constexpr const char* kWorkerCounterNames[] = {MCR_WORKER_COUNTERS(MCR_COUNTER_NAME)};
inline constexpr const char* kRuleCounterNames[] = {MCR_RULE_COUNTERS(MCR_COUNTER_NAME)};
inline constexpr const char* kOutputCounterNames[] = {MCR_OUTPUT_COUNTERS(MCR_COUNTER_NAME)};
inline constexpr const char* kPathCounterNames[] = {MCR_PATH_COUNTERS(MCR_COUNTER_NAME)};
#undef MCR_COUNTER_ENUMERATOR
#undef MCR_COUNTER_NAME

// The index of the counter called `name` in names[0, count), or count when there is none.
// constexpr, so that a table keyed by name (worker.cc's parser outcomes) is checked by
// the compiler.
constexpr uint32_t CounterIndex(const char* const* names, uint32_t count, const char* name) {
  for (uint32_t i = 0; i < count; ++i) {
    const char* a = names[i];
    const char* b = name;
    while (*a != '\0' && *a == *b) {
      ++a;
      ++b;
    }
    if (*a == *b) return i;
  }
  return count;
}

const char* WorkerCounterName(uint32_t index);
const char* RuleCounterName(uint32_t index);
const char* OutputCounterName(uint32_t index);
const char* PathCounterName(uint32_t index);

class CounterMemory {
 public:
  CounterMemory(uint32_t workers, uint32_t max_rules, uint32_t max_outputs);

  size_t block_words() const { return block_words_; }
  size_t size_bytes() const { return size_t{workers_} * block_words_ * sizeof(uint64_t); }
  uint32_t workers() const { return workers_; }
  uint32_t max_outputs() const { return max_outputs_; }
  void* data() { return words_.get(); }

  std::atomic<uint64_t>* Worker(uint32_t worker) { return words_.get() + size_t{worker} * block_words_; }
  std::atomic<uint64_t>* Rule(uint32_t worker, uint32_t slot) {
    return Worker(worker) + kWorkerCounterCount + size_t{slot} * kRuleCounterCount;
  }
  std::atomic<uint64_t>* Output(uint32_t worker, uint32_t slot) {
    return Worker(worker) + kWorkerCounterCount + size_t{max_rules_} * kRuleCounterCount +
           size_t{slot} * kOutputCounterCount;
  }
  // Input `input` (0 = the primary) of the rule in `slot`.
  std::atomic<uint64_t>* Path(uint32_t worker, uint32_t slot, uint32_t input) {
    return Output(worker, max_outputs_) + (size_t{slot} * kMaxRuleInputs + input) * kPathCounterCount;
  }

  // Zeroes a slot (a rule's with its paths) before reuse. Only called once no worker
  // refers to the slot.
  void ClearRule(uint32_t slot);
  void ClearOutput(uint32_t slot);

 private:
  uint32_t workers_;
  uint32_t max_rules_;
  uint32_t max_outputs_;
  size_t block_words_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
};

// Single-writer add: the owner thread is the only writer of its block.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace mcr
