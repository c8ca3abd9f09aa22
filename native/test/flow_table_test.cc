// Tests for FlowTable: the basic operations, the source-specific-over-any-source
// precedence as a table of cases, scale (20,000 keys), a long random run checked
// against std::map, and proof that the per-packet calls never allocate.
#include <map>
#include <ostream>
#include <tuple>
#include <utility>

#include "../core/flow_table.h"
#include "harness.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, FlowInsertResult r) {
  switch (r) {
    case FlowInsertResult::kInserted: return os << "inserted";
    case FlowInsertResult::kDuplicate: return os << "duplicate";
    case FlowInsertResult::kInvalidSlot: return os << "invalid_slot";
  }
  return os << "?";
}

namespace test {
namespace {

constexpr uint32_t kNone = FlowTable::kNoSlot;
constexpr uint32_t kEth0 = 2;
constexpr uint32_t kEth1 = 3;
constexpr uint32_t kGroup = 0xe8010203;  // 232.1.2.3
constexpr uint32_t kOtherGroup = 0xe8010204;
constexpr uint16_t kPort = 5004;
constexpr uint32_t kSrcA = 0x0a000001;
constexpr uint32_t kSrcB = 0x0a000002;

// The cases are written with IPv4 addresses as numbers; source 0 stands for "any".
IpAddress V4(uint32_t address) { return address == 0 ? FlowTable::kAnySource : IpAddress::FromIpv4(address); }
uint32_t Int(const IpAddress& address) { return address.ipv4(); }

FlowKey Key(uint32_t ifindex, uint32_t dst, uint16_t port, uint32_t src) {
  FlowKey key;
  key.ifindex = ifindex;
  key.dst = V4(dst);
  key.dst_port = port;
  key.src = V4(src);
  return key;
}

uint32_t Lookup(const FlowTable& table, uint32_t ifindex, uint32_t dst, uint16_t port, uint32_t src) {
  return table.Lookup(ifindex, V4(dst), port, V4(src));
}

TEST("an empty table finds nothing") {
  FlowTable table;
  CHECK_EQ(table.size(), size_t{0});
  CHECK_EQ(table.Find(Key(kEth0, kGroup, kPort, 0)), kNone);
  CHECK_EQ(Lookup(table, kEth0, kGroup, kPort, kSrcA), kNone);
  CHECK(!table.Erase(Key(kEth0, kGroup, kPort, 0)));
}

TEST("insert, find and erase one key; erase reports whether it was present") {
  FlowTable table;
  const FlowKey key = Key(kEth0, kGroup, kPort, 0);
  CHECK_EQ(table.Insert(key, 7), FlowInsertResult::kInserted);
  CHECK_EQ(table.size(), size_t{1});
  CHECK_EQ(table.Find(key), 7u);
  CHECK_EQ(Lookup(table, kEth0, kGroup, kPort, kSrcA), 7u);
  CHECK(table.Erase(key));
  CHECK(!table.Erase(key));
  CHECK_EQ(table.size(), size_t{0});
  CHECK_EQ(table.Find(key), kNone);
  CHECK_EQ(table.Insert(key, 8), FlowInsertResult::kInserted);
  CHECK_EQ(table.Find(key), 8u);
}

TEST("a duplicate insert is refused and keeps the original slot") {
  FlowTable table;
  const FlowKey key = Key(kEth0, kGroup, kPort, kSrcA);
  CHECK_EQ(table.Insert(key, 1), FlowInsertResult::kInserted);
  CHECK_EQ(table.Insert(key, 2), FlowInsertResult::kDuplicate);
  CHECK_EQ(table.Find(key), 1u);
  CHECK_EQ(table.size(), size_t{1});
}

TEST("the reserved none value cannot be inserted as a slot") {
  FlowTable table;
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, 0), kNone), FlowInsertResult::kInvalidSlot);
  CHECK_EQ(table.size(), size_t{0});
}

struct PrecedenceCase {
  const char* name;
  uint32_t ifindex;
  uint32_t dst;
  uint16_t port;
  uint32_t src;
  uint32_t want;
};

TEST("source-specific entries win over any-source; every packet gets exactly one rule") {
  FlowTable table;
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, 0), 1), FlowInsertResult::kInserted);
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, kSrcA), 2), FlowInsertResult::kInserted);
  CHECK_EQ(table.Insert(Key(kEth1, kGroup, kPort, kSrcB), 3), FlowInsertResult::kInserted);
  const PrecedenceCase cases[] = {
      {"specific source on eth0 goes to its own rule", kEth0, kGroup, kPort, kSrcA, 2},
      {"another source on eth0 falls to any-source", kEth0, kGroup, kPort, kSrcB, 1},
      {"source 0.0.0.0 on eth0 is any-source", kEth0, kGroup, kPort, 0, 1},
      {"specific-only rule on eth1 matches its source", kEth1, kGroup, kPort, kSrcB, 3},
      {"specific-only rule on eth1 ignores other sources", kEth1, kGroup, kPort, kSrcA, kNone},
      {"other port misses", kEth0, kGroup, kPort + 1, kSrcA, kNone},
      {"other group misses", kEth0, kOtherGroup, kPort, kSrcA, kNone},
      {"other interface misses", 99, kGroup, kPort, kSrcA, kNone},
  };
  for (const PrecedenceCase& c : cases) {
    const uint32_t got = Lookup(table, c.ifindex, c.dst, c.port, c.src);
    CHECK_MSG(got == c.want, c.name << ": got " << got << ", want " << c.want);
  }
}

TEST("erasing a source-specific entry falls back to the any-source one, and back") {
  FlowTable table;
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, 0), 1), FlowInsertResult::kInserted);
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, kSrcA), 2), FlowInsertResult::kInserted);
  CHECK(table.Erase(Key(kEth0, kGroup, kPort, kSrcA)));
  CHECK_EQ(Lookup(table, kEth0, kGroup, kPort, kSrcA), 1u);
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, kSrcA), 2), FlowInsertResult::kInserted);
  CHECK(table.Erase(Key(kEth0, kGroup, kPort, 0)));
  CHECK_EQ(Lookup(table, kEth0, kGroup, kPort, kSrcA), 2u);
  CHECK_EQ(Lookup(table, kEth0, kGroup, kPort, kSrcB), kNone);
}

// Keys that differ in every field, including neighbours that differ only in the port
// or the last octet, which a weak hash would cluster.
FlowKey ManyKey(uint32_t i) {
  return Key(1 + i % 5, 0xe8000000 | (i / 7), static_cast<uint16_t>(5000 + i % 7),
             i % 3 == 0 ? 0 : 0x0a000000 | i);
}

TEST("20,000 keys: all found, and after erasing half the rest still are") {
  constexpr uint32_t kCount = 20000;
  FlowTable table;
  for (uint32_t i = 0; i < kCount; ++i) {
    CHECK_MSG(table.Insert(ManyKey(i), i) == FlowInsertResult::kInserted, "key " << i);
  }
  CHECK_EQ(table.size(), size_t{kCount});
  CHECK((table.capacity() & (table.capacity() - 1)) == 0);
  CHECK(table.capacity() >= 2 * table.size());
  for (uint32_t i = 0; i < kCount; ++i) CHECK_MSG(table.Find(ManyKey(i)) == i, "key " << i);
  for (uint32_t i = 0; i < kCount; i += 2) CHECK_MSG(table.Erase(ManyKey(i)), "erase " << i);
  CHECK_EQ(table.size(), size_t{kCount / 2});
  for (uint32_t i = 0; i < kCount; ++i) {
    const FlowKey key = ManyKey(i);
    CHECK_MSG(table.Find(key) == (i % 2 == 0 ? kNone : i), "key " << i);
    // Lookup must agree with the precedence rule applied to what is left.
    const uint32_t specific = key.src != FlowTable::kAnySource ? table.Find(key) : kNone;
    const uint32_t any = table.Find(Key(key.ifindex, Int(key.dst), key.dst_port, 0));
    const uint32_t want = specific != kNone ? specific : any;
    CHECK_MSG(Lookup(table, key.ifindex, Int(key.dst), key.dst_port, Int(key.src)) == want,
              "lookup " << i);
  }
  for (uint32_t i = kCount; i < kCount + 1000; ++i) {
    CHECK_MSG(table.Find(ManyKey(i)) == kNone, "missing key " << i);
  }
}

TEST("a long random run of inserts and erases agrees with std::map") {
  // A small key space on a small table: constant collisions, clusters that wrap
  // around the end of the array, and backward shifts across them.
  using Tuple = std::tuple<uint32_t, uint32_t, uint16_t, uint32_t>;
  std::map<Tuple, uint32_t> model;
  FlowTable table;
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<uint32_t>(state >> 32);
  };
  for (uint32_t step = 0; step < 60000; ++step) {
    const uint32_t r = next();
    const FlowKey key = Key(r % 3, 0xef000000 | ((r >> 2) % 40),
                            static_cast<uint16_t>(r >> 30), (r >> 8) % 4 == 0 ? 0 : (r >> 10) % 5);
    const Tuple t{key.ifindex, Int(key.dst), key.dst_port, Int(key.src)};
    if (next() % 3 == 0) {
      CHECK_MSG(table.Erase(key) == (model.erase(t) == 1), "erase at step " << step);
    } else {
      const bool fresh = model.emplace(t, step).second;
      const FlowInsertResult want =
          fresh ? FlowInsertResult::kInserted : FlowInsertResult::kDuplicate;
      CHECK_MSG(table.Insert(key, step) == want, "insert at step " << step);
    }
    CHECK_EQ(table.size(), model.size());
    if (step % 1000 == 0 || step + 1 == 60000) {
      for (uint32_t i = 0; i < 3 * 40 * 4 * 5; ++i) {
        const FlowKey k = Key(i % 3, 0xef000000 | ((i / 3) % 40),
                              static_cast<uint16_t>((i / 120) % 4), (i / 480) % 5);
        const auto it = model.find(Tuple{k.ifindex, Int(k.dst), k.dst_port, Int(k.src)});
        CHECK_MSG(table.Find(k) == (it == model.end() ? kNone : it->second), "sweep " << step);
      }
    }
  }
}

TEST("IPv6 keys work beside IPv4 keys whose last four bytes are the same") {
  IpAddress group6;
  IpAddress mapped_lookalike;
  IpAddress source6;
  CHECK(IpAddress::Parse("ff0e::e801:203", &group6));  // ends like 232.1.2.3
  CHECK(IpAddress::Parse("::ffff:232.1.2.3", &mapped_lookalike));
  CHECK(IpAddress::Parse("2001:db8::7", &source6));
  FlowTable table;
  FlowKey v6;
  v6.ifindex = kEth0;
  v6.dst = group6;
  v6.dst_port = kPort;
  CHECK_EQ(table.Insert(v6, 1), FlowInsertResult::kInserted);
  CHECK_EQ(table.Insert(Key(kEth0, kGroup, kPort, 0), 2), FlowInsertResult::kInserted);
  v6.src = source6;
  CHECK_EQ(table.Insert(v6, 3), FlowInsertResult::kInserted);
  CHECK_EQ(table.Lookup(kEth0, group6, kPort, FlowTable::kAnySource), 1u);
  CHECK_EQ(table.Lookup(kEth0, group6, kPort, source6), 3u);
  CHECK_EQ(table.Lookup(kEth0, group6, kPort, IpAddress::FromIpv4(kSrcA)), 1u);
  // An IPv4 group is held IPv4-mapped, so the mapped text form is the same flow.
  CHECK_EQ(table.Lookup(kEth0, mapped_lookalike, kPort, source6), 2u);
  CHECK(table.Erase(v6));
  CHECK_EQ(table.Lookup(kEth0, group6, kPort, source6), 1u);
}

TEST("find and lookup never allocate or grow the table; Reserve pre-sizes inserts") {
  FlowTable table(1000);
  const size_t capacity = table.capacity();
  const size_t before_inserts = AllocationCount();
  for (uint32_t i = 0; i < 1000; ++i) table.Insert(ManyKey(i), i);
  CHECK_EQ(AllocationCount(), before_inserts);
  CHECK_EQ(table.capacity(), capacity);

  const size_t before_lookups = AllocationCount();
  uint32_t hits = 0;
  for (uint32_t i = 0; i < 5000; ++i) {
    const FlowKey key = ManyKey(i);
    hits += Lookup(table, key.ifindex, Int(key.dst), key.dst_port, Int(key.src)) != kNone ? 1 : 0;
    hits += table.Find(key) != kNone ? 1 : 0;
  }
  CHECK_EQ(AllocationCount(), before_lookups);
  CHECK_EQ(table.capacity(), capacity);
  CHECK(hits >= 2000);

  table.Reserve(100000);
  CHECK(table.capacity() >= 200000);
  for (uint32_t i = 0; i < 1000; ++i) {
    CHECK_MSG(table.Find(ManyKey(i)) == i, "after reserve " << i);
  }
}

TEST("a moved-from table is empty and still usable") {
  FlowTable a;
  CHECK_EQ(a.Insert(Key(kEth0, kGroup, kPort, kSrcA), 5), FlowInsertResult::kInserted);
  FlowTable b(std::move(a));
  CHECK_EQ(Lookup(b, kEth0, kGroup, kPort, kSrcA), 5u);
  CHECK_EQ(a.size(), size_t{0});  // NOLINT(bugprone-use-after-move): that is the test
  CHECK_EQ(Lookup(a, kEth0, kGroup, kPort, kSrcA), kNone);
  CHECK(!a.Erase(Key(kEth0, kGroup, kPort, kSrcA)));
  CHECK_EQ(a.Insert(Key(kEth0, kGroup, kPort, 0), 6), FlowInsertResult::kInserted);
  CHECK_EQ(Lookup(a, kEth0, kGroup, kPort, kSrcA), 6u);
  FlowTable c;
  c = std::move(b);
  CHECK_EQ(Lookup(c, kEth0, kGroup, kPort, kSrcA), 5u);
  CHECK_EQ(b.Find(Key(kEth0, kGroup, kPort, kSrcA)), kNone);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace test
}  // namespace mcr
