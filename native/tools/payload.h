// The test payload that mcr-gen writes and mcr-sink checks: it owns the byte layout
// and the pure encode/classify functions, shared so both tools agree by construction.
// No I/O, no allocation, no Node headers; Classify reads only [data, data + len).
//
// Layout of one UDP payload of `size` bytes (all integers big-endian):
//   offset  0  u32  magic     0x4D435231, "MCR1"
//   offset  4  u32  stream    stream id (mcr-gen: --first-stream + k for group base+k)
//   offset  8  u64  sequence  0-based, per stream
//   offset 16  u32  size      the whole UDP payload size, header included
//   offset 20  u32  checksum  FNV-1a (32-bit) of bytes 0..19
//   offset 24  fill          byte i (i >= 24) = FillByte(Seed(stream, seq), i)
//
// The fill depends on stream, sequence and position, so a byte from another datagram,
// a shifted copy or a flipped bit all show. It is a table lookup so that the sender can
// memcpy it and the receiver memcmp it at line rate.
//
// Payloads smaller than the header (size 0..23) carry the first `size` bytes of the
// header that a full datagram would have. They cannot be attributed to a stream or a
// sequence (the sequence and checksum are cut off), so the sink counts them apart, as
// "short", and per destination group only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mcr::tools {

inline constexpr uint32_t kMagic = 0x4D435231;  // "MCR1"
inline constexpr size_t kHeaderSize = 24;
inline constexpr size_t kMaxPayload = 65507;  // largest IPv4 UDP payload

struct Header {
  uint32_t stream = 0;
  uint64_t seq = 0;
  uint32_t size = 0;
};

inline void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

inline uint32_t GetBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline uint32_t Fnv1a(const uint8_t* p, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

// 0..255: where in the fill table this datagram's fill starts.
inline uint32_t Seed(uint32_t stream, uint64_t seq) {
  const uint32_t lo = static_cast<uint32_t>(seq);
  const uint32_t hi = static_cast<uint32_t>(seq >> 32);
  return (stream * 0x9E3779B1u + lo * 0x85EBCA77u + hi * 0xC2B2AE3Du) >> 24;
}

// The fill table: T[k] = (k + 131 * (k / 256)) mod 256. Byte i of a payload with seed
// s is T[s + i]. The k / 256 term makes blocks 256 bytes apart differ.
inline constexpr size_t kFillTableSize = 256 + kMaxPayload + 1;
inline uint8_t FillTableByte(size_t k) { return static_cast<uint8_t>(k + 131 * (k >> 8)); }
inline uint8_t FillByte(uint32_t seed, size_t i) { return FillTableByte(seed + i); }

// A filled table of kFillTableSize bytes, built once per process.
inline const uint8_t* FillTable() {
  static uint8_t table[kFillTableSize];
  static const bool built = [] {
    for (size_t k = 0; k < kFillTableSize; ++k) table[k] = FillTableByte(k);
    return true;
  }();
  (void)built;
  return table;
}

inline void EncodeHeader(const Header& h, uint8_t out[kHeaderSize]) {
  PutBe32(out, kMagic);
  PutBe32(out + 4, h.stream);
  PutBe32(out + 8, static_cast<uint32_t>(h.seq >> 32));
  PutBe32(out + 12, static_cast<uint32_t>(h.seq));
  PutBe32(out + 16, h.size);
  PutBe32(out + 20, Fnv1a(out, 20));
}

// Writes the whole payload of h.size bytes (h.size <= kMaxPayload) into out.
inline void EncodePayload(const Header& h, uint8_t* out) {
  uint8_t header[kHeaderSize];
  EncodeHeader(h, header);
  const size_t size = h.size;
  if (size == 0) return;  // out may be null then
  std::memcpy(out, header, size < kHeaderSize ? size : kHeaderSize);
  if (size > kHeaderSize) {
    const uint32_t seed = Seed(h.stream, h.seq);
    std::memcpy(out + kHeaderSize, FillTable() + seed + kHeaderSize, size - kHeaderSize);
  }
}

enum class Verdict {
  kIntact,     // header valid, size as declared, every fill byte right
  kCorrupted,  // header valid (so attributable) but size or a fill byte wrong
  kShort,      // fewer bytes than a header: cannot be attributed
  kForeign,    // no magic: not ours
  kBadHeader,  // magic but the checksum fails: ours, but stream/seq cannot be trusted
};

// Classifies data[0, len). *out is written for kIntact and kCorrupted only.
inline Verdict Classify(const uint8_t* data, size_t len, Header* out) {
  if (len < kHeaderSize) return Verdict::kShort;
  if (GetBe32(data) != kMagic) return Verdict::kForeign;
  if (GetBe32(data + 20) != Fnv1a(data, 20)) return Verdict::kBadHeader;
  Header h;
  h.stream = GetBe32(data + 4);
  h.seq = (uint64_t{GetBe32(data + 8)} << 32) | GetBe32(data + 12);
  h.size = GetBe32(data + 16);
  *out = h;
  if (h.size != len || len > kMaxPayload) return Verdict::kCorrupted;
  const uint8_t* expected = FillTable() + Seed(h.stream, h.seq) + kHeaderSize;
  if (std::memcmp(data + kHeaderSize, expected, len - kHeaderSize) != 0) return Verdict::kCorrupted;
  return Verdict::kIntact;
}

}  // namespace mcr::tools
