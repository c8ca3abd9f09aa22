// Demux table (see flow_table.h): open addressing with linear probing over a
// power-of-two array of buckets, and backward-shift deletion.
// Owns the hashing and probing; must not allocate outside Insert/Reserve/Rehash and
// must never grow or rehash during Find or Lookup.
#include "flow_table.h"

#include <utility>

namespace mcr {
namespace {

constexpr size_t kMinCapacity = 16;

// At most half the buckets are in use. The common packet has no source-specific rule,
// so Lookup's first probe misses; with linear probing a miss costs about
// (1 + 1/(1-load)^2)/2 buckets: 2.5 at one half, 8.5 at three quarters.
size_t CapacityFor(size_t entries) {
  size_t capacity = kMinCapacity;
  while (capacity / 2 < entries) capacity *= 2;
  return capacity;
}

// A 64-bit finalizer in the style of MurmurHash3's fmix64: every input bit affects
// every output bit, so masking to the low bits is fine even for keys that differ only
// in the port or the last octet of a group. Keys are inserted from the config, not
// from packets, so an attacker controls only what is looked up, not how clusters form;
// no secret seed is needed.
uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t HashKey(const FlowKey& key) {
  const uint64_t where = (uint64_t{key.ifindex} << 16) | key.dst_port;
  return Mix64(where ^ key.dst.Hash() ^ Mix64(key.src.Hash() + 0x9e3779b97f4a7c15ULL));
}

}  // namespace

FlowTable::FlowTable(size_t expected_entries)
    : entries_(CapacityFor(expected_entries)) {}

FlowTable::FlowTable(FlowTable&& other) noexcept
    : entries_(std::move(other.entries_)),
      size_(std::exchange(other.size_, 0)),
      source_specific_(std::exchange(other.source_specific_, 0)) {
  other.entries_.clear();
}

FlowTable& FlowTable::operator=(FlowTable&& other) noexcept {
  if (this != &other) {
    entries_ = std::move(other.entries_);
    size_ = std::exchange(other.size_, 0);
    source_specific_ = std::exchange(other.source_specific_, 0);
    other.entries_.clear();
  }
  return *this;
}

size_t FlowTable::Probe(const FlowKey& key) const {
  // Callers guarantee entries_ is non-empty and never full (load <= 1/2), so the loop
  // always meets the key or an empty bucket.
  const size_t mask = entries_.size() - 1;
  size_t i = static_cast<size_t>(HashKey(key)) & mask;
  while (entries_[i].slot != kNoSlot && entries_[i].key != key) i = (i + 1) & mask;
  return i;
}

uint32_t FlowTable::Find(const FlowKey& key) const {
  if (entries_.empty()) return kNoSlot;  // only after a move
  return entries_[Probe(key)].slot;      // an empty bucket holds kNoSlot
}

uint32_t FlowTable::Lookup(uint32_t ifindex, const IpAddress& dst, uint16_t dst_port,
                           const IpAddress& src) const {
  FlowKey key;
  key.ifindex = ifindex;
  key.dst = dst;
  key.dst_port = dst_port;
  if (source_specific_ != 0 && src != kAnySource) {
    key.src = src;
    const uint32_t slot = Find(key);
    if (slot != kNoSlot) return slot;
  }
  key.src = kAnySource;
  return Find(key);
}

FlowInsertResult FlowTable::Insert(const FlowKey& key, uint32_t slot) {
  if (slot == kNoSlot) return FlowInsertResult::kInvalidSlot;
  // Check for a duplicate before growing, so a refused insert never allocates.
  if (Find(key) != kNoSlot) return FlowInsertResult::kDuplicate;
  if (size_ + 1 > entries_.size() / 2) Rehash(CapacityFor(size_ + 1));
  Entry& bucket = entries_[Probe(key)];
  bucket.key = key;
  bucket.slot = slot;
  ++size_;
  if (key.src != kAnySource) ++source_specific_;
  return FlowInsertResult::kInserted;
}

bool FlowTable::Erase(const FlowKey& key) {
  if (entries_.empty()) return false;
  const size_t mask = entries_.size() - 1;
  size_t hole = Probe(key);
  if (entries_[hole].slot == kNoSlot) return false;

  // Backward-shift deletion instead of tombstones: rules are replaced on every reload,
  // and tombstones would lengthen every later probe until the next rehash. Walk the
  // cluster after the hole; an entry may move back into the hole only if its home
  // bucket is not inside (hole, here], or it would become unreachable.
  for (size_t here = (hole + 1) & mask; entries_[here].slot != kNoSlot;
       here = (here + 1) & mask) {
    const size_t home = static_cast<size_t>(HashKey(entries_[here].key)) & mask;
    if (((here - home) & mask) >= ((here - hole) & mask)) {
      entries_[hole] = entries_[here];
      hole = here;
    }
  }
  entries_[hole] = Entry{};
  --size_;
  if (key.src != kAnySource) --source_specific_;
  return true;
}

void FlowTable::Reserve(size_t entries) {
  const size_t capacity = CapacityFor(entries);
  if (capacity > entries_.size()) Rehash(capacity);
}

void FlowTable::Rehash(size_t new_capacity) {
  std::vector<Entry> old(new_capacity);
  old.swap(entries_);
  for (const Entry& entry : old) {
    if (entry.slot != kNoSlot) entries_[Probe(entry.key)] = entry;
  }
}

}  // namespace mcr
