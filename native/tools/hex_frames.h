// Parses mcr-inject's input: Ethernet frames written as hex, one frame per line.
// Whitespace anywhere is ignored, "#" starts a comment to the end of the line, and a
// line with no hex digits is skipped. Pure: text in, frames or the first error out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mcr::tools {

// The largest IPv4 packet behind an Ethernet header and two VLAN tags.
inline constexpr size_t kMaxFrame = 14 + 8 + 65535;

struct HexFrames {
  std::vector<std::vector<uint8_t>> frames;
  std::string error;  // empty on success, else "line N: what is wrong"
};

HexFrames ParseHexFrames(const std::string& text);

}  // namespace mcr::tools
