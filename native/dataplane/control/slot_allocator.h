// Hands out counter slots (indexes into CounterMemory) and takes them back. A slot is
// returned only after every worker has stopped using it, so its counters can be zeroed
// without a race.
#pragma once

#include <cstdint>
#include <vector>

namespace mcr {

class SlotAllocator {
 public:
  explicit SlotAllocator(uint32_t capacity) {
    free_.reserve(capacity);
    for (uint32_t slot = capacity; slot > 0; --slot) free_.push_back(slot - 1);
  }
  bool Take(uint32_t* slot) {
    if (free_.empty()) return false;
    *slot = free_.back();
    free_.pop_back();
    return true;
  }
  void Give(uint32_t slot) { free_.push_back(slot); }
  size_t available() const { return free_.size(); }

 private:
  std::vector<uint32_t> free_;
};

}  // namespace mcr
