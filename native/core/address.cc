// IpAddress (see address.h): construction, classification, text. Parsing and
// formatting go through inet_pton/inet_ntop, which are pure and already implement every
// RFC 4291 form and RFC 5952's compression rules.
#include "address.h"

#include <arpa/inet.h>

namespace mcr {
namespace {

// ::ffff:0:0/96
constexpr uint8_t kIpv4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

IpAddress IpAddress::FromIpv4(uint32_t host_order) {
  const uint8_t four[4] = {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
                           static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
  return FromIpv4Bytes(four);
}

IpAddress IpAddress::FromIpv4Bytes(const uint8_t* four) {
  IpAddress address;
  std::memcpy(address.bytes_, kIpv4MappedPrefix, sizeof kIpv4MappedPrefix);
  std::memcpy(address.bytes_ + 12, four, 4);
  return address;
}

IpAddress IpAddress::FromIpv6Bytes(const uint8_t* sixteen) {
  IpAddress address;
  std::memcpy(address.bytes_, sixteen, kSize);
  return address;
}

bool IpAddress::Parse(const char* text, IpAddress* out) {
  if (text == nullptr) return false;
  uint8_t buffer[kSize] = {};
  if (inet_pton(AF_INET, text, buffer) == 1) {
    *out = FromIpv4Bytes(buffer);
    return true;
  }
  if (inet_pton(AF_INET6, text, buffer) == 1) {
    *out = FromIpv6Bytes(buffer);
    return true;
  }
  return false;
}

bool IpAddress::IsIpv4Mapped() const {
  return std::memcmp(bytes_, kIpv4MappedPrefix, sizeof kIpv4MappedPrefix) == 0;
}

uint32_t IpAddress::ipv4() const {
  if (!is_ipv4()) return 0;
  return (uint32_t{bytes_[12]} << 24) | (uint32_t{bytes_[13]} << 16) | (uint32_t{bytes_[14]} << 8) |
         uint32_t{bytes_[15]};
}

bool IpAddress::IsUnspecified() const {
  static constexpr uint8_t kZero[kSize] = {};
  if (is_ipv4()) return ipv4() == 0;
  return std::memcmp(bytes_, kZero, kSize) == 0;
}

bool IpAddress::IsMulticast() const {
  if (is_ipv4()) return (bytes_[12] & 0xf0) == 0xe0;  // 224.0.0.0/4
  return bytes_[0] == 0xff;                            // ff00::/8
}

MulticastScope IpAddress::multicast_scope() const {
  if (!IsMulticast()) return MulticastScope::kNone;
  if (is_ipv4()) {
    if (bytes_[12] == 224 && bytes_[13] == 0 && bytes_[14] == 0) return MulticastScope::kLink;
    if (bytes_[12] == 239) return MulticastScope::kAdmin;
    return MulticastScope::kGlobal;
  }
  // The low nibble of the second byte. Values without a name (6, 7, 9-13) are
  // unassigned scopes; they are passed through as numbers.
  return static_cast<MulticastScope>(bytes_[1] & 0x0f);
}

bool IpAddress::IsLinkScope() const {
  if (is_ipv4()) {
    return (bytes_[12] == 169 && bytes_[13] == 254) || multicast_scope() == MulticastScope::kLink;
  }
  if (bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80) return true;  // fe80::/10
  const MulticastScope scope = multicast_scope();
  return scope == MulticastScope::kInterface || scope == MulticastScope::kLink;
}

void IpAddress::Format(char* text, size_t size) const {
  if (size == 0) return;
  char buffer[kTextSize] = {};
  const bool ok = is_ipv4() ? inet_ntop(AF_INET, bytes_ + 12, buffer, sizeof buffer) != nullptr
                            : inet_ntop(AF_INET6, bytes_, buffer, sizeof buffer) != nullptr;
  if (!ok) buffer[0] = '\0';
  const size_t length = std::strlen(buffer);
  const size_t copied = length < size ? length : size - 1;
  std::memcpy(text, buffer, copied);
  text[copied] = '\0';
}

std::string IpAddress::ToString() const {
  char text[kTextSize];
  Format(text, sizeof text);
  return text;
}

uint64_t IpAddress::Hash() const {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, bytes_, sizeof high);
  std::memcpy(&low, bytes_ + 8, sizeof low);
  return Mix64(high ^ Mix64(low + 0x9e3779b97f4a7c15ULL));
}

}  // namespace mcr
