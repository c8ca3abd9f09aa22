// The demux table one worker owns: which rule slot gets a parsed datagram, keyed by
// (ifindex, destination group, destination port, source-or-any).
// It is single-threaded on purpose: only the owning worker reads and writes it (rule
// changes reach the worker as commands), so there are no locks or atomics. Lookup and
// Find sit on the per-packet path and must never allocate, grow or block; only Insert
// and Reserve allocate, and they run when a rule is applied, never per packet.
// No Node headers, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "address.h"

namespace mcr {

// Addresses as ParseFrame reports them, port in host byte order.
struct FlowKey {
  uint32_t ifindex = 0;
  uint16_t dst_port = 0;
  IpAddress dst;
  IpAddress src;  // FlowTable::kAnySource (::) = every source
};

inline bool operator==(const FlowKey& a, const FlowKey& b) {
  return a.ifindex == b.ifindex && a.dst_port == b.dst_port && a.dst == b.dst && a.src == b.src;
}
inline bool operator!=(const FlowKey& a, const FlowKey& b) { return !(a == b); }

enum class FlowInsertResult : uint8_t {
  kInserted,
  kDuplicate,    // the key is already present; its slot is unchanged
  kInvalidSlot,  // slot was FlowTable::kNoSlot, which is reserved for "not found"
};

class FlowTable {
 public:
  static constexpr uint32_t kNoSlot = 0xffffffffu;
  // The unspecified address (::) is never a source ParseFrame reports (an IPv4
  // 0.0.0.0 is ::ffff:0.0.0.0), so it can mean "any".
  static constexpr IpAddress kAnySource{};

  // Sized so that expected_entries fit without growing.
  explicit FlowTable(size_t expected_entries = 0);

  // A table belongs to one worker: moving it is allowed (the source is left empty and
  // usable), copying it is a mistake the compiler should catch.
  FlowTable(FlowTable&& other) noexcept;
  FlowTable& operator=(FlowTable&& other) noexcept;
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;
  ~FlowTable() = default;

  // May grow the table (allocates; std::bad_alloc is not caught here).
  FlowInsertResult Insert(const FlowKey& key, uint32_t slot);
  // Returns whether the key was present.
  bool Erase(const FlowKey& key);
  // Exact match only (kAnySource finds only the any-source entry). kNoSlot if absent.
  uint32_t Find(const FlowKey& key) const;

  // The per-packet question: which rule gets a datagram from src to (dst, dst_port)
  // that arrived on ifindex?
  // Precedence: the source-specific entry (ifindex, dst, port, src) if there is one,
  // otherwise the any-source entry (ifindex, dst, port, 0), otherwise kNoSlot. Exactly
  // one rule gets a packet, never both: an any-source rule receives only the sources
  // no specific rule claims, like an SSM join beside an ASM join on the same group.
  uint32_t Lookup(uint32_t ifindex, const IpAddress& dst, uint16_t dst_port,
                  const IpAddress& src) const;

  // Makes room for `entries` keys in total, so that many inserts will not allocate.
  void Reserve(size_t entries);

  size_t size() const { return size_; }
  size_t capacity() const { return entries_.size(); }

 private:
  struct Entry {
    FlowKey key;
    uint32_t slot = kNoSlot;  // kNoSlot marks an empty bucket
  };

  // Bucket holding key, or the empty bucket where the key would go.
  size_t Probe(const FlowKey& key) const;
  void Rehash(size_t new_capacity);

  std::vector<Entry> entries_;  // size is 0 or a power of two
  size_t size_ = 0;
  size_t source_specific_ = 0;  // entries with a source; lets Lookup skip a probe
};

}  // namespace mcr
