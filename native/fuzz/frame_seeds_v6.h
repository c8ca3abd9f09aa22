// The frame fuzzer's IPv6 seeds (frame_seeds_v6.cc), for make_seeds.cc. Fuzz-only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mcr::fuzz {

// A named frame and whether its checksums are to be repaired first (kRepairChecksum).
struct FrameSeedBytes {
  std::string name;
  std::vector<uint8_t> frame;
  bool repair = false;
};

// One seed per IPv6 shape the parser knows: every extension header kind it walks, each
// way a chain can go wrong, fragments, jumbo options, payload lengths, cuts, tags.
std::vector<FrameSeedBytes> Ipv6FrameSeeds();

}  // namespace mcr::fuzz
