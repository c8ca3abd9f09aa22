// Shared glue for the parser tests: parse a frame from an exactly-sized heap copy (so
// AddressSanitizer flags any read even one byte past the end), and print ParseResult
// by name in failure messages. Test-only.
#pragma once

#include <cstring>
#include <memory>
#include <ostream>
#include <vector>

#include "../core/packet.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, ParseResult result) {
  return os << ParseResultName(result);
}

namespace test {

// A std::vector's buffer may be larger than its size, which would hide an over-read
// from ASan; new[] of exactly len bytes does not. The copy lives in *storage, so a
// returned payload pointer stays valid until the caller drops it.
inline ParseResult ParseCopy(const std::vector<uint8_t>& bytes, size_t len,
                             std::unique_ptr<uint8_t[]>* storage, UdpDatagram* out) {
  storage->reset(new uint8_t[len]);
  if (len > 0) std::memcpy(storage->get(), bytes.data(), len);
  return ParseFrame(storage->get(), len, out);
}

inline ParseResult ParseCopy(const std::vector<uint8_t>& bytes,
                             std::unique_ptr<uint8_t[]>* storage, UdpDatagram* out) {
  return ParseCopy(bytes, bytes.size(), storage, out);
}

}  // namespace test
}  // namespace mcr
