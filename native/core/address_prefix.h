// An address prefix (CIDR), as a reflector's allow and deny lists hold them, and the one
// question asked of it per datagram: does it contain this sender? An IPv4 prefix is held
// like its addresses, IPv4-mapped, with its length counted over the 128 bits (a /24 is
// 96 + 24), so one comparison serves both families and an IPv4 prefix never contains an
// IPv6 address. Pure: no allocation, no I/O.
#pragma once

#include <cstdint>

#include "address.h"

namespace mcr {

struct AddressPrefix {
  IpAddress address;
  uint8_t bits = 0;  // 0 to 128, over the 16-byte form

  // length as written: 0-32 for an IPv4 address, 0-128 for IPv6. False when out of range.
  static bool Make(const IpAddress& address, uint32_t length, AddressPrefix* out) {
    const uint32_t limit = address.is_ipv4() ? 32 : 128;
    if (length > limit) return false;
    out->address = address;
    out->bits = static_cast<uint8_t>(address.is_ipv4() ? 96 + length : length);
    return true;
  }

  // Only addresses of the prefix's own family: ::/0 is every IPv6 sender, not IPv4's too.
  bool Contains(const IpAddress& candidate) const {
    if (candidate.is_ipv4() != address.is_ipv4()) return false;
    const uint8_t* a = address.bytes();
    const uint8_t* b = candidate.bytes();
    uint32_t left = bits;
    for (uint32_t i = 0; i < IpAddress::kSize && left > 0; ++i) {
      const uint32_t take = left < 8 ? left : 8;
      const uint8_t mask = static_cast<uint8_t>(0xff00u >> take);
      if (((a[i] ^ b[i]) & mask) != 0) return false;
      left -= take;
    }
    return true;
  }
};

}  // namespace mcr
