// How the frame target reads its input, and how the seed generator writes one:
//
//   [ frame bytes ... ][ rule spec 0 ] ... [ rule spec N-1 ][ control ]
//
// The control byte is last and the rule specs sit before it, so the frame always starts
// at byte 0: when a mutation changes N, the frame only gains or loses bytes at its end
// (which a parser must treat as Ethernet padding anyway) instead of shifting.
// Rule specs say how each rule relates to the datagram the frame parses into (same
// group or another, this source or any...), so that lookups can actually hit: rules
// drawn from raw bytes would almost never match a parsed datagram. Fuzz-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcr::fuzz {

// Control byte: bits 2-7 are the number of rule specs.
inline constexpr uint8_t kRepairChecksum = 1 << 0;  // fix the UDP and IPv4 checksums first
inline constexpr uint8_t kSecondInterface = 1 << 1;  // the frame arrived on ifindex 2, not 1
inline constexpr unsigned kRuleCountShift = 2;
inline constexpr size_t kMaxRules = 0xff >> kRuleCountShift;

// Rule spec, 4 bytes: shape, tweak, slot (big-endian; 0xffff means FlowTable::kNoSlot,
// which Insert must refuse).
inline constexpr size_t kRuleSpecLen = 4;
inline constexpr uint8_t kSameInterface = 1 << 0;
inline constexpr uint8_t kSameGroup = 1 << 1;
inline constexpr uint8_t kSamePort = 1 << 2;
inline constexpr unsigned kSourceShift = 3;  // 2 bits, a SourceChoice
inline constexpr uint8_t kEraseAfterInserts = 1 << 5;
inline constexpr uint8_t kInsertTwice = 1 << 6;

enum class SourceChoice : uint8_t { kAny = 0, kSame = 1, kOther = 2, kAnyToo = 3 };

struct RuleSpec {
  uint8_t shape = 0;
  uint8_t tweak = 0;  // how a "different" field differs
  uint16_t slot = 0;

  SourceChoice source() const {
    return static_cast<SourceChoice>((shape >> kSourceShift) & 3u);
  }
};

struct FrameInput {
  const uint8_t* frame = nullptr;
  size_t frame_len = 0;
  uint8_t control = 0;
  std::vector<RuleSpec> rules;
};

inline FrameInput DecodeFrameInput(const uint8_t* data, size_t size) {
  FrameInput in;
  if (size == 0) return in;
  in.control = data[size - 1];
  size_t count = in.control >> kRuleCountShift;
  if (count > (size - 1) / kRuleSpecLen) count = (size - 1) / kRuleSpecLen;
  const size_t rules_at = size - 1 - count * kRuleSpecLen;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* spec = data + rules_at + i * kRuleSpecLen;
    RuleSpec rule;
    rule.shape = spec[0];
    rule.tweak = spec[1];
    rule.slot = static_cast<uint16_t>((spec[2] << 8) | spec[3]);
    in.rules.push_back(rule);
  }
  in.frame = data;
  in.frame_len = rules_at;
  return in;
}

// flags: kRepairChecksum and/or kSecondInterface. At most kMaxRules rules are kept.
inline std::vector<uint8_t> EncodeFrameInput(const std::vector<uint8_t>& frame,
                                             const std::vector<RuleSpec>& rules,
                                             uint8_t flags) {
  std::vector<uint8_t> out = frame;
  const size_t count = rules.size() < kMaxRules ? rules.size() : kMaxRules;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(rules[i].shape);
    out.push_back(rules[i].tweak);
    out.push_back(static_cast<uint8_t>(rules[i].slot >> 8));
    out.push_back(static_cast<uint8_t>(rules[i].slot & 0xff));
  }
  out.push_back(static_cast<uint8_t>((count << kRuleCountShift) | (flags & 3u)));
  return out;
}

}  // namespace mcr::fuzz
