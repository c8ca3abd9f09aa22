// One address type for both IP families, from the addon's argument checks to the flow
// table, the parser's output and the sockets. It owns the representation and the
// classification of an address; it must not do I/O or know about interfaces (a
// link-scope address gets its scope, an interface index, where it is used on one).
//
// Representation: 16 bytes in network order. An IPv4 address is held IPv4-mapped
// (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so one compare and one hash serve both families
// and the flow table needs no second key shape. All-zero (::) is the unspecified
// address, which the flow table also uses for "any source"; IPv4's 0.0.0.0 maps to
// ::ffff:0.0.0.0, a different value, so a packet from 0.0.0.0 never reads as "any".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mcr {

enum class IpFamily : uint8_t { kIpv4 = 4, kIpv6 = 6 };

// RFC 7346 multicast scopes. IPv4 has no scope field: 224.0.0.0/24 is link-local by
// RFC 5771 and 239.0.0.0/8 administratively scoped by RFC 2365; the rest is global.
enum class MulticastScope : uint8_t {
  kNone = 0,  // not a multicast address (or IPv6 scope 0, which is reserved)
  kInterface = 1,
  kLink = 2,
  kRealm = 3,
  kAdmin = 4,
  kSite = 5,
  kOrganization = 8,
  kGlobal = 14,
};

class IpAddress {
 public:
  static constexpr size_t kSize = 16;
  // Longest text Format() writes, with its terminating NUL (INET6_ADDRSTRLEN).
  static constexpr size_t kTextSize = 46;

  constexpr IpAddress() = default;  // ::, the unspecified address

  // host_order: 0xc0000201 is 192.0.2.1.
  static IpAddress FromIpv4(uint32_t host_order);
  // Four bytes in network order, as they appear in an IPv4 header.
  static IpAddress FromIpv4Bytes(const uint8_t* four);
  // Sixteen bytes in network order, as they appear in an IPv6 header.
  static IpAddress FromIpv6Bytes(const uint8_t* sixteen);
  // A dotted quad or any RFC 4291 text form of IPv6 (without a %zone, which names an
  // interface and is resolved by the caller). False, *out untouched, if text is not one.
  static bool Parse(const char* text, IpAddress* out);

  IpFamily family() const { return IsIpv4Mapped() ? IpFamily::kIpv4 : IpFamily::kIpv6; }
  bool is_ipv4() const { return IsIpv4Mapped(); }
  // The IPv4 address in host order; 0 for an IPv6 address.
  uint32_t ipv4() const;
  // 16 bytes, network order. For IPv4, ipv4_bytes() are the 4 that go on the wire.
  const uint8_t* bytes() const { return bytes_; }
  const uint8_t* ipv4_bytes() const { return bytes_ + 12; }

  // :: or 0.0.0.0.
  bool IsUnspecified() const;
  bool IsMulticast() const;
  MulticastScope multicast_scope() const;
  // Only meaningful on the interface it was received on or is sent out of: fe80::/10,
  // ff02::/16 (and ff01:: interface-local), 169.254.0.0/16, 224.0.0.0/24.
  bool IsLinkScope() const;

  // Canonical text: dotted quad, or RFC 5952 for IPv6. size >= kTextSize always fits;
  // a smaller buffer gets a truncated, NUL-terminated string.
  void Format(char* text, size_t size) const;
  std::string ToString() const;

  // Mixes all 16 bytes; equal addresses hash equal.
  uint64_t Hash() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return std::memcmp(a.bytes_, b.bytes_, kSize) == 0;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    return std::memcmp(a.bytes_, b.bytes_, kSize) < 0;
  }

 private:
  bool IsIpv4Mapped() const;

  alignas(8) uint8_t bytes_[kSize] = {};
};

}  // namespace mcr
