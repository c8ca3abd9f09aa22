// Tests for IpAddress: literals of both families (valid and not), canonical text,
// family, multicast scope and link-scope classification, as tables of cases; and the
// representation details the flow table relies on (equality, hashing, "any").
#include <string>

#include "../core/address.h"
#include "harness.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, IpFamily family) {
  return os << (family == IpFamily::kIpv4 ? "IPv4" : "IPv6");
}
inline std::ostream& operator<<(std::ostream& os, MulticastScope scope) {
  return os << static_cast<int>(scope);
}

namespace test {
namespace {

struct LiteralCase {
  const char* text;
  const char* canonical;  // null: must not parse
  IpFamily family;
};

TEST("address literals of both families parse to their canonical text, and malformed ones do not") {
  const LiteralCase cases[] = {
      {"239.1.1.1", "239.1.1.1", IpFamily::kIpv4},
      {"0.0.0.0", "0.0.0.0", IpFamily::kIpv4},
      {"255.255.255.255", "255.255.255.255", IpFamily::kIpv4},
      {"ff0e::1:1", "ff0e::1:1", IpFamily::kIpv6},
      {"FF0E:0:0:0:0:0:1:1", "ff0e::1:1", IpFamily::kIpv6},
      {"ff02:0000:0000:0000:0000:0000:0000:00fb", "ff02::fb", IpFamily::kIpv6},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", IpFamily::kIpv6},  // first run on a tie
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", IpFamily::kIpv6},  // one zero group stays
      {"::", "::", IpFamily::kIpv6},
      {"::1", "::1", IpFamily::kIpv6},
      {"fe80::1", "fe80::1", IpFamily::kIpv6},
      // The mapped form is the IPv4 address itself: one flow, one key.
      {"::ffff:192.0.2.1", "192.0.2.1", IpFamily::kIpv4},
      {"1.2.3", nullptr, IpFamily::kIpv4},
      {"1.2.3.4.5", nullptr, IpFamily::kIpv4},
      {"256.1.1.1", nullptr, IpFamily::kIpv4},
      {"239.1.1.1 ", nullptr, IpFamily::kIpv4},
      {"", nullptr, IpFamily::kIpv4},
      {"ff0e::1::1", nullptr, IpFamily::kIpv6},
      {"ff0e:1:2:3:4:5:6:7:8", nullptr, IpFamily::kIpv6},
      {"12345::1", nullptr, IpFamily::kIpv6},
      {"fe80::1%eth0", nullptr, IpFamily::kIpv6},  // a zone is the caller's to resolve
      {"g::1", nullptr, IpFamily::kIpv6},
  };
  for (const LiteralCase& c : cases) {
    IpAddress address;
    const bool parsed = IpAddress::Parse(c.text, &address);
    CHECK_MSG(parsed == (c.canonical != nullptr), "\"" << c.text << "\"");
    if (!parsed || c.canonical == nullptr) continue;
    CHECK_MSG(address.ToString() == c.canonical, "\"" << c.text << "\" -> " << address.ToString());
    CHECK_MSG(address.family() == c.family, "\"" << c.text << "\"");
  }
  IpAddress untouched = IpAddress::FromIpv4(0x01020304);
  CHECK(!IpAddress::Parse(nullptr, &untouched));
  CHECK(!IpAddress::Parse("nonsense", &untouched));
  CHECK_EQ(untouched.ToString(), std::string("1.2.3.4"));
}

struct ClassCase {
  const char* text;
  bool multicast;
  MulticastScope scope;
  bool link_scope;
  bool unspecified;
};

TEST("addresses are classified as multicast with their scope, link-scope, or unspecified") {
  const ClassCase cases[] = {
      {"224.0.0.251", true, MulticastScope::kLink, true, false},  // mDNS
      {"224.0.1.129", true, MulticastScope::kGlobal, false, false},
      {"239.255.255.250", true, MulticastScope::kAdmin, false, false},  // SSDP
      {"232.1.2.3", true, MulticastScope::kGlobal, false, false},
      {"10.0.0.1", false, MulticastScope::kNone, false, false},
      {"169.254.7.7", false, MulticastScope::kNone, true, false},
      {"0.0.0.0", false, MulticastScope::kNone, false, true},
      {"ff02::fb", true, MulticastScope::kLink, true, false},
      {"ff01::1", true, MulticastScope::kInterface, true, false},
      {"ff05::1:3", true, MulticastScope::kSite, false, false},
      {"ff08::1", true, MulticastScope::kOrganization, false, false},
      {"ff0e::1:1", true, MulticastScope::kGlobal, false, false},
      {"ff3e::8000:1", true, MulticastScope::kGlobal, false, false},  // SSM range keeps its scope
      {"ff00::1", true, MulticastScope::kNone, false, false},         // scope 0 is reserved
      {"fe80::1", false, MulticastScope::kNone, true, false},
      {"febf::1", false, MulticastScope::kNone, true, false},
      {"fec0::1", false, MulticastScope::kNone, false, false},
      {"2001:db8::7", false, MulticastScope::kNone, false, false},
      {"::", false, MulticastScope::kNone, false, true},
  };
  for (const ClassCase& c : cases) {
    IpAddress address;
    CHECK_MSG(IpAddress::Parse(c.text, &address), c.text);
    CHECK_MSG(address.IsMulticast() == c.multicast, c.text);
    CHECK_MSG(address.multicast_scope() == c.scope, c.text << " scope " << static_cast<int>(address.multicast_scope()));
    CHECK_MSG(address.IsLinkScope() == c.link_scope, c.text);
    CHECK_MSG(address.IsUnspecified() == c.unspecified, c.text);
  }
}

TEST("an IPv4 address reads back in host order and as its four wire bytes") {
  const IpAddress address = IpAddress::FromIpv4(0xc0000201);
  CHECK(address.is_ipv4());
  CHECK_EQ(address.ipv4(), 0xc0000201u);
  CHECK_EQ(address.ipv4_bytes()[0], 192);
  CHECK_EQ(address.ipv4_bytes()[3], 1);
  const uint8_t wire[4] = {192, 0, 2, 1};
  CHECK(IpAddress::FromIpv4Bytes(wire) == address);
  IpAddress v6;
  CHECK(IpAddress::Parse("2001:db8::1", &v6));
  CHECK_EQ(v6.ipv4(), 0u);
  CHECK(IpAddress::FromIpv6Bytes(v6.bytes()) == v6);
}

TEST("the unspecified default differs from IPv4 0.0.0.0, and equal addresses hash equal") {
  const IpAddress any;
  const IpAddress zero4 = IpAddress::FromIpv4(0);
  CHECK(any != zero4);
  CHECK(any.IsUnspecified() && zero4.IsUnspecified());
  CHECK_EQ(any.family(), IpFamily::kIpv6);
  IpAddress a;
  IpAddress b;
  CHECK(IpAddress::Parse("ff0e::1", &a));
  CHECK(IpAddress::Parse("FF0E:0::0:1", &b));
  CHECK(a == b);
  CHECK_EQ(a.Hash(), b.Hash());
  CHECK(a.Hash() != any.Hash());
  CHECK(IpAddress::FromIpv4(1).Hash() != IpAddress::FromIpv4(2).Hash());
  CHECK(any < a);
}

TEST("Format truncates to the buffer it is given and always terminates it") {
  IpAddress address;
  CHECK(IpAddress::Parse("2001:db8:1234:5678:9abc:def0:1234:5678", &address));
  char small[8];
  address.Format(small, sizeof small);
  CHECK_EQ(std::string(small), std::string("2001:db"));
  char none[1] = {'x'};
  address.Format(none, sizeof none);
  CHECK_EQ(none[0], '\0');
  address.Format(nullptr, 0);  // no room at all: writes nothing
}

}  // namespace
}  // namespace test
}  // namespace mcr
