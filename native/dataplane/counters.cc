#include "counters.h"

namespace mcr {
namespace {

// Names are what JavaScript keys every counter by (stats file, Prometheus): each family's
// must be non-empty and distinct. They come from the same X-macro line as the enumerator,
// so a counter without a name cannot be written; this catches an empty or repeated one.
constexpr bool NamesAreDistinct(const char* const* names, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    if (names[i] == nullptr || names[i][0] == '\0') return false;
    if (CounterIndex(names, i, names[i]) != i) return false;  // met before i
  }
  return true;
}

static_assert(sizeof(kWorkerCounterNames) / sizeof(kWorkerCounterNames[0]) == kWorkerCounterCount);
static_assert(sizeof(kRuleCounterNames) / sizeof(kRuleCounterNames[0]) == kRuleCounterCount);
static_assert(sizeof(kOutputCounterNames) / sizeof(kOutputCounterNames[0]) == kOutputCounterCount);
static_assert(NamesAreDistinct(kWorkerCounterNames, kWorkerCounterCount), "worker counter names: empty or repeated");
static_assert(NamesAreDistinct(kRuleCounterNames, kRuleCounterCount), "rule counter names: empty or repeated");
static_assert(NamesAreDistinct(kOutputCounterNames, kOutputCounterCount), "output counter names: empty or repeated");
static_assert(sizeof(kPathCounterNames) / sizeof(kPathCounterNames[0]) == kPathCounterCount);
static_assert(NamesAreDistinct(kPathCounterNames, kPathCounterCount), "path counter names: empty or repeated");

}  // namespace

const char* WorkerCounterName(uint32_t index) {
  return index < kWorkerCounterCount ? kWorkerCounterNames[index] : nullptr;
}
const char* RuleCounterName(uint32_t index) { return index < kRuleCounterCount ? kRuleCounterNames[index] : nullptr; }
const char* OutputCounterName(uint32_t index) {
  return index < kOutputCounterCount ? kOutputCounterNames[index] : nullptr;
}
const char* PathCounterName(uint32_t index) { return index < kPathCounterCount ? kPathCounterNames[index] : nullptr; }

CounterMemory::CounterMemory(uint32_t workers, uint32_t max_rules, uint32_t max_outputs)
    : workers_(workers),
      max_rules_(max_rules),
      max_outputs_(max_outputs),
      block_words_(kWorkerCounterCount + size_t{max_rules} * kRuleCounterCount +
                   size_t{max_outputs} * kOutputCounterCount +
                   size_t{max_rules} * kMaxRuleInputs * kPathCounterCount),
      words_(new std::atomic<uint64_t>[size_t{workers} * block_words_]) {
  for (size_t i = 0; i < size_t{workers} * block_words_; ++i) words_[i].store(0, std::memory_order_relaxed);
}

void CounterMemory::ClearRule(uint32_t slot) {
  for (uint32_t w = 0; w < workers_; ++w) {
    for (uint32_t i = 0; i < kRuleCounterCount; ++i) Rule(w, slot)[i].store(0, std::memory_order_relaxed);
    for (uint32_t i = 0; i < kMaxRuleInputs * kPathCounterCount; ++i) {
      Path(w, slot, 0)[i].store(0, std::memory_order_relaxed);
    }
  }
}

void CounterMemory::ClearOutput(uint32_t slot) {
  for (uint32_t w = 0; w < workers_; ++w) {
    for (uint32_t i = 0; i < kOutputCounterCount; ++i) Output(w, slot)[i].store(0, std::memory_order_relaxed);
  }
}

}  // namespace mcr
