// Tests for the pure parts of a reflector's policy: the token bucket (a table of rates,
// bursts and clock steps, long runs against the ideal count, a clock that goes
// backwards), the loop window (fresh, expired, full tables, no allocation per call) and
// address prefixes (both families, boundaries, an IPv4 prefix never holding IPv6).
#include <cstdint>
#include <vector>

#include "../core/address_prefix.h"
#include "../core/digest_window.h"
#include "../core/token_bucket.h"
#include "harness.h"

namespace mcr::test {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;
constexpr uint64_t kStart = 5 * kSecond;

// How many of `count` datagrams, one every gap_ns from kStart, the bucket lets through.
uint64_t Passed(uint32_t rate, uint32_t burst, uint64_t count, uint64_t gap_ns) {
  TokenBucket bucket(rate, burst, kStart);
  uint64_t passed = 0;
  for (uint64_t i = 0; i < count; ++i) passed += bucket.Take(kStart + i * gap_ns) ? 1 : 0;
  return passed;
}

TEST("a token bucket lets a burst through at once, then the rate") {
  struct Case {
    uint32_t rate, burst;
    uint64_t count, gap_ns, want;
  };
  const Case cases[] = {
      {1000, 2000, 100000, 50'000, 2000 + 5000},  // 20,000 pps for 5 s: burst + 5 s of rate
      {1000, 1, 3, 0, 1},                        // three at one instant, room for one
      {10, 10, 10, 0, 10},                        // exactly the burst
      {1, 1, 4, kSecond, 4},                      // one a second at one a second: all
      {1, 1, 4, kSecond / 2, 2},                  // two a second at one a second: half
      {200, 400, 400, 0, 400},                    // the example
  };
  for (const Case& c : cases) {
    const uint64_t got = Passed(c.rate, c.burst, c.count, c.gap_ns);
    // Where the last datagram lands against a refill moves the count by one.
    CHECK_MSG(got + 1 >= c.want && got <= c.want + 1, "rate " << c.rate << " burst " << c.burst << " got " << got << " want " << c.want);
  }
}

TEST("a token bucket refills to its burst and no further, and ignores a clock going backwards") {
  TokenBucket bucket(100, 50, kStart);
  for (int i = 0; i < 50; ++i) CHECK(bucket.Take(kStart));
  CHECK(!bucket.Take(kStart));
  CHECK_EQ(bucket.Tokens(kStart + kSecond / 10), uint64_t{10});  // 100 pps for 0.1 s
  CHECK_EQ(bucket.Tokens(kStart + 3600 * kSecond), uint64_t{50});  // an hour later: full, not 360,000
  CHECK_EQ(bucket.Tokens(kStart), uint64_t{50});  // an older reading adds and removes nothing
}

TEST("a token bucket at the largest burst and rate does not overflow") {
  TokenBucket bucket(TokenBucket::kMaxBurst, TokenBucket::kMaxBurst, 0);
  CHECK_EQ(bucket.Tokens(~uint64_t{0} / 2), uint64_t{TokenBucket::kMaxBurst});
  TokenBucket zero(0, 0, 0);  // 0 means 1
  CHECK(zero.Take(0));
  CHECK(!zero.Take(0));
  CHECK(zero.Take(kSecond));
}

TEST("a datagram digest changes with its sender, destination and every payload byte") {
  const IpAddress a = IpAddress::FromIpv4(0x0a3c000a);
  const IpAddress b = IpAddress::FromIpv4(0x0a3c000b);
  const IpAddress group = IpAddress::FromIpv4(0xe00000fb);
  std::vector<uint8_t> payload(37, 0x5a);
  const uint64_t base = DatagramDigest(a, 5353, group, 5353, payload.data(), payload.size());
  CHECK_EQ(DatagramDigest(a, 5353, group, 5353, payload.data(), payload.size()), base);
  CHECK(DatagramDigest(b, 5353, group, 5353, payload.data(), payload.size()) != base);
  CHECK(DatagramDigest(a, 5354, group, 5353, payload.data(), payload.size()) != base);
  CHECK(DatagramDigest(a, 5353, group, 1900, payload.data(), payload.size()) != base);
  CHECK(DatagramDigest(a, 5353, group, 5353, payload.data(), payload.size() - 1) != base);
  for (size_t i = 0; i < payload.size(); ++i) {
    payload[i] ^= 1;
    CHECK_MSG(DatagramDigest(a, 5353, group, 5353, payload.data(), payload.size()) != base, "byte " << i);
    payload[i] ^= 1;
  }
  CHECK(DatagramDigest(a, 5353, group, 5353, nullptr, 0) != base);
}

TEST("the loop window holds a digest for the window, then forgets it") {
  DigestWindow window(64);
  const uint64_t ms = 1'000'000;
  CHECK(!window.Contains(42, kStart, 200 * ms));
  window.Record(42, kStart, 200 * ms);
  CHECK(window.Contains(42, kStart, 200 * ms));
  CHECK(window.Contains(42, kStart + 199 * ms, 200 * ms));
  CHECK(!window.Contains(42, kStart + 200 * ms, 200 * ms));
  CHECK(!window.Contains(43, kStart, 200 * ms));
  window.Record(42, kStart + 500 * ms, 200 * ms);  // recorded again: fresh again
  CHECK(window.Contains(42, kStart + 600 * ms, 200 * ms));
}

TEST("a full loop window overwrites its oldest entries, never refuses or allocates") {
  DigestWindow window(16);
  const uint64_t window_ns = kSecond;
  const size_t before = AllocationCount();
  // 1,000 distinct digests within one window, into 16 slots.
  for (uint64_t i = 0; i < 1000; ++i) window.Record(i * 0x9e3779b97f4a7c15ull, kStart + i, window_ns);
  CHECK_EQ(AllocationCount(), before);
  CHECK(window.Contains(999 * 0x9e3779b97f4a7c15ull, kStart + 1000, window_ns));  // the newest is kept
  size_t held = 0;
  for (uint64_t i = 0; i < 1000; ++i) held += window.Contains(i * 0x9e3779b97f4a7c15ull, kStart + 1000, window_ns) ? 1 : 0;
  CHECK(held <= window.capacity());
  CHECK_EQ(window.capacity(), size_t{16});
}

TEST("address prefixes contain what they should, in both families") {
  IpAddress net, v6net, inside, outside, v6inside, v6outside;
  CHECK(IpAddress::Parse("192.168.10.0", &net));
  CHECK(IpAddress::Parse("192.168.10.255", &inside));
  CHECK(IpAddress::Parse("192.168.11.0", &outside));
  CHECK(IpAddress::Parse("fd00::", &v6net));
  CHECK(IpAddress::Parse("fdff:1::2", &v6inside));
  CHECK(IpAddress::Parse("fe80::1", &v6outside));
  AddressPrefix p24, p0, p32, v6p8, v6p0;
  CHECK(AddressPrefix::Make(net, 24, &p24));
  CHECK(AddressPrefix::Make(net, 0, &p0));
  CHECK(AddressPrefix::Make(inside, 32, &p32));
  CHECK(AddressPrefix::Make(v6net, 8, &v6p8));
  CHECK(AddressPrefix::Make(v6net, 0, &v6p0));
  CHECK(!AddressPrefix::Make(net, 33, &p0));
  CHECK(!AddressPrefix::Make(v6net, 129, &v6p0));
  CHECK(p24.Contains(net) && p24.Contains(inside) && !p24.Contains(outside));
  CHECK(p32.Contains(inside) && !p32.Contains(net));
  CHECK(p0.Contains(outside));
  CHECK(!p0.Contains(v6inside));  // 0.0.0.0/0 is every IPv4 address, not every address
  CHECK(v6p8.Contains(v6inside) && !v6p8.Contains(v6outside) && !v6p8.Contains(inside));
  CHECK(v6p0.Contains(v6outside) && !v6p0.Contains(inside));  // ::/0 is every IPv6 address, not IPv4
}

}  // namespace
}  // namespace mcr::test
