// Writes the fuzz targets' seed corpus: named inputs covering each frame shape the
// parser knows (VLAN, QinQ, options, fragments, other protocols, every kind of cut and
// bad length; IPv6 with every extension header kind, frame_seeds_v6.cc) with rule sets
// that hit and miss, and flow-table operation sequences that grow, shrink, move and
// refill the table, and the frame header target's templates and datagrams (frame_header_seeds.cc). Run once by make-seeds.sh; the files
// are committed, so the seeds never change under a fuzz run. Frames come from the
// parser tests' own builder (native/test/frame_builder.h). Fuzz-only.
#include <cstdio>
#include <string>
#include <vector>

#include "../test/frame_builder.h"
#include "frame_header_input.h"
#include "frame_input.h"
#include "frame_seeds_v6.h"

namespace mcr::fuzz {
namespace {

using test::BuildRawFrame;
using test::BuildUdpFrame;
using test::Frame;
using test::FrameSpec;

std::string g_dir;
int g_written = 0;

void Write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = g_dir + "/" + target + "/" + name;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() ||
      std::fclose(file) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ++g_written;
}

constexpr uint8_t kHit = kSameInterface | kSameGroup | kSamePort;

RuleSpec Rule(uint8_t shape, SourceChoice source, uint16_t slot, uint8_t tweak = 0) {
  RuleSpec rule;
  rule.shape = static_cast<uint8_t>(shape | (static_cast<uint8_t>(source) << kSourceShift));
  rule.tweak = tweak;
  rule.slot = slot;
  return rule;
}

// Both rules of the same group that could take the datagram, and near misses.
std::vector<RuleSpec> MixedRules() {
  return {Rule(kHit, SourceChoice::kAny, 1),
          Rule(kHit, SourceChoice::kSame, 2),
          Rule(kSameInterface | kSameGroup, SourceChoice::kAny, 3, 4),   // another port
          Rule(kSameInterface | kSamePort, SourceChoice::kSame, 4, 9),   // another group
          Rule(kSameGroup | kSamePort, SourceChoice::kAny, 5, 1),        // another interface
          Rule(kHit, SourceChoice::kOther, 6, 2)};                       // another source
}

void FrameSeed(const std::string& name, const std::vector<uint8_t>& frame,
               std::vector<RuleSpec> rules = MixedRules(), uint8_t flags = 0) {
  Write("frame_fuzzer", name, EncodeFrameInput(frame, rules, flags));
}

Frame Udp(const FrameSpec& spec) { return BuildUdpFrame(spec); }

void FrameSeeds() {
  FrameSpec plain;
  FrameSeed("plain", Udp(plain).bytes);
  FrameSeed("plain-no-rules", Udp(plain).bytes, {});
  FrameSeed("plain-second-interface", Udp(plain).bytes, MixedRules(), kSecondInterface);
  FrameSeed("plain-any-source-only", Udp(plain).bytes, {Rule(kHit, SourceChoice::kAny, 9)});
  // The source-specific rule erased again: the any-source one must take over.
  FrameSeed("plain-specific-erased", Udp(plain).bytes,
            {Rule(kHit, SourceChoice::kAny, 1), Rule(kHit | kEraseAfterInserts, SourceChoice::kSame, 2),
             Rule(kHit | kInsertTwice, SourceChoice::kAnyToo, 3), Rule(kHit, SourceChoice::kSame, 0xffff)});
  std::vector<RuleSpec> many;
  for (uint8_t i = 0; i < 40; ++i) {
    const uint8_t shape = static_cast<uint8_t>((i % 8) | ((i % 5 == 0) ? kEraseAfterInserts : 0));
    many.push_back(Rule(shape, static_cast<SourceChoice>(i % 4), i, static_cast<uint8_t>(i * 7)));
  }
  FrameSeed("plain-40-rules", Udp(plain).bytes, many);

  FrameSpec spec = plain;
  spec.payload_len = 0;
  FrameSeed("empty-payload", Udp(spec).bytes);
  spec.eth_padding = 60 - 14 - 28;
  FrameSeed("empty-payload-padded-to-60", Udp(spec).bytes);
  spec = plain;
  spec.payload_len = 1472;
  FrameSeed("full-1500-mtu", Udp(spec).bytes);
  spec = plain;
  spec.flags_fragment = 0;
  FrameSeed("no-df", Udp(spec).bytes);

  spec = plain;
  spec.vlan_tags = {{test::kTpid8021Q, 100}};
  FrameSeed("vlan-100", Udp(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021Q, 0xe000}};
  FrameSeed("vlan-priority-tag-vid-0", Udp(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021ad, 10}, {test::kTpid8021Q, 20}};
  FrameSeed("qinq-8021ad-8021q", Udp(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021Q, 10}, {test::kTpid8021Q, 20}};
  FrameSeed("qinq-8021q-8021q", Udp(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021ad, 1}, {test::kTpid8021Q, 2}, {test::kTpid8021Q, 3}};
  FrameSeed("three-vlan-tags", Udp(spec).bytes);

  spec = plain;
  spec.ip_options = {0x94, 0x04, 0x00, 0x00};  // router alert
  FrameSeed("ip-options-router-alert", Udp(spec).bytes);
  spec.ip_options.assign(40, 0x01);  // 40 bytes of NOP: IHL 15
  FrameSeed("ip-options-ihl-15", Udp(spec).bytes);
  spec.vlan_tags = {{test::kTpid8021ad, 10}, {test::kTpid8021Q, 20}};
  FrameSeed("qinq-with-options", Udp(spec).bytes);

  spec = plain;
  spec.flags_fragment = 0x2000;
  FrameSeed("fragment-first", Udp(spec).bytes);
  spec.flags_fragment = 0x2010;
  FrameSeed("fragment-middle", Udp(spec).bytes);
  spec.flags_fragment = 0x0020;
  FrameSeed("fragment-last", Udp(spec).bytes);

  spec = plain;
  spec.protocol = test::kProtoTcp;
  spec.payload_len = 20;
  FrameSeed("tcp", Udp(spec).bytes);
  spec.protocol = test::kProtoIcmp;
  spec.payload_len = 8;
  FrameSeed("icmp", Udp(spec).bytes);
  FrameSeed("ipv6-junk", BuildRawFrame(plain, test::kEtherIpv6, std::vector<uint8_t>(48, 0x60)).bytes);
  FrameSeed("arp", BuildRawFrame(plain, test::kEtherArp, std::vector<uint8_t>(28, 0x01)).bytes);

  const Frame valid = Udp(plain);
  spec = plain;
  spec.vlan_tags = {{test::kTpid8021Q, 100}};
  const Frame tagged = Udp(spec);
  const std::vector<std::pair<const char*, size_t>> cuts = {
      {"cut-0-empty", 0},
      {"cut-6-inside-mac", 6},
      {"cut-13-inside-ethertype", 13},
      {"cut-14-ethernet-only", 14},
      {"cut-20-inside-ip-header", 20},
      {"cut-38-inside-udp-header", valid.l4_offset + 4},
      {"cut-inside-payload", valid.payload_offset + 5}};
  for (const auto& [name, len] : cuts) {
    FrameSeed(name, std::vector<uint8_t>(valid.bytes.begin(), valid.bytes.begin() + static_cast<std::ptrdiff_t>(len)));
  }
  FrameSeed("cut-inside-vlan-tag", std::vector<uint8_t>(tagged.bytes.begin(), tagged.bytes.begin() + 16));

  spec = plain;
  spec.udp_checksum = true;
  spec.payload_len = 101;  // odd: the last byte is summed as a high half
  const Frame summed = Udp(spec);
  FrameSeed("udp-checksum-valid", summed.bytes);
  Frame corrupted = summed;
  corrupted.bytes[corrupted.payload_offset + 7] ^= 0x01;
  FrameSeed("udp-checksum-bad-payload", corrupted.bytes);
  FrameSeed("udp-checksum-bad-repaired", corrupted.bytes, MixedRules(), kRepairChecksum);

  Frame broken = valid;
  broken.bytes[broken.ip_offset + 10] ^= 0x5a;
  FrameSeed("bad-checksum", broken.bytes);
  FrameSeed("bad-checksum-repaired", broken.bytes, MixedRules(), kRepairChecksum);
  broken = valid;
  test::SetIpVersionIhl(&broken, 6, 5);
  FrameSeed("bad-version-6", broken.bytes);
  broken = valid;
  test::SetIpVersionIhl(&broken, 4, 4);
  FrameSeed("bad-ihl-4", broken.bytes);
  broken = valid;
  broken.bytes.resize(broken.ip_offset + 30);
  test::SetIpVersionIhl(&broken, 4, 15);
  FrameSeed("bad-ihl-beyond-frame", broken.bytes);
  broken = valid;
  test::SetIpTotalLength(&broken, 1400);
  FrameSeed("bad-total-length-beyond-frame", broken.bytes);
  broken = valid;
  test::SetIpTotalLength(&broken, 16);
  FrameSeed("bad-total-length-below-header", broken.bytes);
  broken = valid;
  test::SetIpTotalLength(&broken, 24);
  FrameSeed("bad-total-length-no-room-for-udp", broken.bytes);
  broken = valid;
  test::SetUdpLength(&broken, 7);
  FrameSeed("bad-udp-length-7", broken.bytes);
  broken = valid;
  test::SetUdpLength(&broken, 200);
  FrameSeed("bad-udp-length-beyond-ip", broken.bytes);
  broken = valid;
  test::SetUdpLength(&broken, 10);
  FrameSeed("udp-length-shorter-than-ip-payload", broken.bytes);

  for (const FrameSeedBytes& seed : Ipv6FrameSeeds()) {
    FrameSeed(seed.name, seed.frame, MixedRules(), seed.repair ? kRepairChecksum : 0);
  }
}

// Table operations: see flow_table_fuzzer.cc for the encoding.
enum Op : uint8_t { kInsert = 0, kInsertNoSlot = 1, kErase = 2, kFind = 3, kLookup = 4,
                    kReserve = 5, kMove = 6, kCheck = 7 };

void Add(std::vector<uint8_t>* ops, Op op, uint8_t key) {
  ops->push_back(op);
  ops->push_back(static_cast<uint8_t>(key & 0x7f));
}

void AddWide(std::vector<uint8_t>* ops, Op op, uint8_t key, uint16_t group_low) {
  ops->push_back(op);
  ops->push_back(static_cast<uint8_t>(key | 0x80));
  ops->push_back(static_cast<uint8_t>(group_low >> 8));
  ops->push_back(static_cast<uint8_t>(group_low & 0xff));
}

void TableSeeds() {
  std::vector<uint8_t> ops;
  for (uint8_t k = 0; k < 12; ++k) Add(&ops, kInsert, k);  // past 8 entries: one rehash
  for (uint8_t k = 0; k < 12; ++k) Add(&ops, kLookup, k);
  for (uint8_t k = 0; k < 12; k += 2) Add(&ops, kErase, k);
  Add(&ops, kCheck, 0);
  Write("flow_table_fuzzer", "grow-then-erase-half", ops);

  ops.clear();
  for (uint8_t k = 0; k < 128; ++k) Add(&ops, kInsert, k);
  Add(&ops, kCheck, 0);
  for (uint8_t k = 128; k-- > 0;) Add(&ops, kErase, k);
  Add(&ops, kCheck, 0);
  Write("flow_table_fuzzer", "whole-universe-in-and-out", ops);

  ops.clear();
  // Source-specific and any-source entries of one group, the specific ones removed.
  for (uint8_t source = 0; source < 4; ++source) Add(&ops, kInsert, static_cast<uint8_t>(source << 5));
  for (uint8_t source = 0; source < 4; ++source) Add(&ops, kLookup, static_cast<uint8_t>(source << 5));
  for (uint8_t source = 1; source < 4; ++source) Add(&ops, kErase, static_cast<uint8_t>(source << 5));
  for (uint8_t source = 0; source < 4; ++source) Add(&ops, kLookup, static_cast<uint8_t>(source << 5));
  Write("flow_table_fuzzer", "source-specific-beside-any", ops);

  ops.clear();
  for (uint8_t round = 0; round < 20; ++round) {
    Add(&ops, kInsert, 3);
    Add(&ops, kInsert, 3);  // duplicate
    Add(&ops, kInsertNoSlot, 4);
    Add(&ops, kErase, 3);
    Add(&ops, kErase, 3);  // already gone
  }
  Write("flow_table_fuzzer", "churn-one-key", ops);

  ops.clear();
  Add(&ops, kReserve, 0x7f);
  for (uint16_t g = 0; g < 40; ++g) AddWide(&ops, kInsert, static_cast<uint8_t>(g & 0x61), static_cast<uint16_t>(g * 257));
  Add(&ops, kMove, 0);
  for (uint16_t g = 0; g < 40; g += 3) AddWide(&ops, kErase, static_cast<uint8_t>(g & 0x61), static_cast<uint16_t>(g * 257));
  Add(&ops, kMove, 1);
  for (uint16_t g = 0; g < 40; ++g) AddWide(&ops, kFind, static_cast<uint8_t>(g & 0x61), static_cast<uint16_t>(g * 257));
  Add(&ops, kCheck, 0);
  Write("flow_table_fuzzer", "wide-keys-reserve-move", ops);
}

}  // namespace
}  // namespace mcr::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (with a directory per target)\n", argv[0]);
    return 64;
  }
  mcr::fuzz::g_dir = argv[1];
  mcr::fuzz::FrameSeeds();
  mcr::fuzz::TableSeeds();
  for (const auto& [name, bytes] : mcr::fuzz::FrameHeaderSeeds()) {
    mcr::fuzz::Write("frame_header_fuzzer", name, bytes);
  }
  std::printf("%d seeds written\n", mcr::fuzz::g_written);
  return 0;
}
