// The flow table's contract written the slowest obvious way: a list of (key, slot)
// searched from start to end. The fuzz targets run every operation on FlowTable and on
// this, and any disagreement is a bug in one of them. Fuzz-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../core/flow_table.h"

namespace mcr::fuzz {

class ReferenceTable {
 public:
  FlowInsertResult Insert(const FlowKey& key, uint32_t slot) {
    if (slot == FlowTable::kNoSlot) return FlowInsertResult::kInvalidSlot;
    if (Find(key) != FlowTable::kNoSlot) return FlowInsertResult::kDuplicate;
    entries_.push_back({key, slot});
    return FlowInsertResult::kInserted;
  }

  bool Erase(const FlowKey& key) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].key == key) {
        entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    }
    return false;
  }

  uint32_t Find(const FlowKey& key) const {
    for (const Entry& entry : entries_) {
      if (entry.key == key) return entry.slot;
    }
    return FlowTable::kNoSlot;
  }

  // flow_table.h's precedence, read straight off its comment: the source-specific
  // entry, else the any-source one, else none.
  uint32_t Lookup(uint32_t ifindex, const IpAddress& dst, uint16_t dst_port,
                  const IpAddress& src) const {
    FlowKey key;
    key.ifindex = ifindex;
    key.dst = dst;
    key.dst_port = dst_port;
    if (src != FlowTable::kAnySource) {
      key.src = src;
      const uint32_t slot = Find(key);
      if (slot != FlowTable::kNoSlot) return slot;
    }
    key.src = FlowTable::kAnySource;
    return Find(key);
  }

  void Clear() { entries_.clear(); }

  struct Entry {
    FlowKey key;
    uint32_t slot;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace mcr::fuzz
