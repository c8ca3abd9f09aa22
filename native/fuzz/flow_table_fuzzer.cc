// libFuzzer target: arbitrary sequences of FlowTable operations (insert, erase, find,
// lookup, reserve, move), each checked against the brute-force ReferenceTable. This is
// where probing and backward-shift deletion get hammered: keys come from a small
// universe (two interfaces, eight groups, two ports, four sources) so that clusters,
// wrap-around at the end of the bucket array and erase-then-reinsert happen all the
// time, and a wide-key form reaches the rest of the key space.
//
// Input: a sequence of operations, each one op byte and one key byte, plus two bytes
// more when the key byte asks for a wide key:
//   op & 7:  0 Insert   1 Insert with kNoSlot (must be refused)   2 Erase   3 Find
//            4 Lookup   5 Reserve(key byte)   6 move to a new table and back
//            7 check every present key
//   key byte: bit 0 interface 1 or 2; bits 1-3 group 239.0.0.0-7; bit 4 port 5000 or
//            5001; bits 5-6 source any, 10.0.0.1, 10.0.0.2 or 10.0.0.3; bit 7 wide:
//            the next two bytes replace the group's low 16 bits.
// Slots are numbered by a counter, so each insert's slot is distinct.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "../core/flow_table.h"
#include "fuzz_check.h"
#include "reference_table.h"

namespace mcr::fuzz {
namespace {

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool Byte(uint8_t* out) {
    if (at_ >= size_) return false;
    *out = data_[at_++];
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// A group from two bytes: 239.0.hi.lo, or ff0e::hi:lo when hi's top bit is set, so
// both families meet in one table, including IPv6 groups whose low bytes equal an
// IPv4 group's.
IpAddress Group(uint8_t hi, uint8_t lo) {
  if ((hi & 0x80) == 0) return IpAddress::FromIpv4(0xef000000u | (uint32_t{hi} << 8) | lo);
  uint8_t bytes[IpAddress::kSize] = {0xff, 0x0e};
  bytes[12] = 0xef;
  bytes[14] = static_cast<uint8_t>(hi & 0x7f);
  bytes[15] = lo;
  return IpAddress::FromIpv6Bytes(bytes);
}

IpAddress Source(unsigned index) {
  static constexpr uint8_t kIpv6Source[IpAddress::kSize] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                            0,    0,    0,    0,    0, 0, 0, 3};
  switch (index) {
    case 1: return IpAddress::FromIpv4(0x0a000001);
    case 2: return IpAddress::FromIpv4(0x0a000002);
    case 3: return IpAddress::FromIpv6Bytes(kIpv6Source);
    default: return FlowTable::kAnySource;
  }
}

bool ReadKey(Reader* in, FlowKey* key) {
  uint8_t b = 0;
  if (!in->Byte(&b)) return false;
  key->ifindex = 1u + (b & 1u);
  // Groups 0-5 are IPv4, 6 and 7 IPv6 (ff0e::ef00:6 and :7).
  const uint8_t group = static_cast<uint8_t>((b >> 1) & 7u);
  key->dst = Group(group >= 6 ? 0x80 : 0, group);
  key->dst_port = static_cast<uint16_t>(5000 + ((b >> 4) & 1));
  key->src = Source((b >> 5) & 3u);
  if (b & 0x80) {
    uint8_t hi = 0;
    uint8_t lo = 0;
    if (!in->Byte(&hi) || !in->Byte(&lo)) return false;
    key->dst = Group(hi, lo);
  }
  return true;
}

// Every key the reference holds is found with its slot, and the sizes agree: cheap
// enough to run after any operation.
void CheckPresent(const FlowTable& table, const ReferenceTable& ref) {
  FUZZ_CHECK(table.size() == ref.size(), "size");
  FUZZ_CHECK(table.size() <= table.capacity() / 2 || table.capacity() == 0,
             "load stays at or below one half");
  for (const ReferenceTable::Entry& entry : ref.entries()) {
    FUZZ_CHECK(table.Find(entry.key) == entry.slot, "Find of a present key");
  }
}

// And every key of the small universe, present or not, gives the reference's answer
// to Find and Lookup: run once, at the end of the input.
void CheckUniverse(const FlowTable& table, const ReferenceTable& ref) {
  CheckPresent(table, ref);
  for (unsigned b = 0; b < 128; ++b) {
    const uint8_t byte = static_cast<uint8_t>(b);
    Reader one(&byte, 1);
    FlowKey key;
    ReadKey(&one, &key);
    FUZZ_CHECK(table.Find(key) == ref.Find(key), "Find over the key universe");
    FUZZ_CHECK(table.Lookup(key.ifindex, key.dst, key.dst_port, key.src) ==
                   ref.Lookup(key.ifindex, key.dst, key.dst_port, key.src),
               "Lookup over the key universe");
  }
}

}  // namespace
}  // namespace mcr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcr;
  using namespace mcr::fuzz;
  Reader in(data, size);
  FlowTable table;
  ReferenceTable ref;
  uint32_t next_slot = 0;
  uint8_t op = 0;
  FlowKey key;
  while (in.Byte(&op) && ReadKey(&in, &key)) {
    switch (op & 7) {
      case 0: {
        const uint32_t slot = next_slot++;
        FUZZ_CHECK(table.Insert(key, slot) == ref.Insert(key, slot), "Insert agrees");
        break;
      }
      case 1:
        FUZZ_CHECK(table.Insert(key, FlowTable::kNoSlot) == FlowInsertResult::kInvalidSlot,
                   "kNoSlot is refused");
        break;
      case 2:
        FUZZ_CHECK(table.Erase(key) == ref.Erase(key), "Erase agrees");
        break;
      case 3:
        FUZZ_CHECK(table.Find(key) == ref.Find(key), "Find agrees");
        break;
      case 4:
        FUZZ_CHECK(table.Lookup(key.ifindex, key.dst, key.dst_port, key.src) ==
                       ref.Lookup(key.ifindex, key.dst, key.dst_port, key.src),
                   "Lookup agrees");
        break;
      case 5: {
        const size_t before = table.capacity();
        const size_t wanted = key.dst.bytes()[15];
        table.Reserve(wanted);
        FUZZ_CHECK(table.capacity() >= before, "Reserve never shrinks");
        FUZZ_CHECK(table.capacity() / 2 >= wanted, "Reserve makes room");
        break;
      }
      case 6: {
        FlowTable moved(std::move(table));
        FUZZ_CHECK(table.size() == 0 && table.Find(key) == FlowTable::kNoSlot,
                   "a moved-from table is empty");
        table = std::move(moved);
        break;
      }
      default:
        CheckPresent(table, ref);
        break;
    }
  }
  CheckUniverse(table, ref);
  return 0;
}
