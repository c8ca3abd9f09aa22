// libFuzzer target: one untrusted frame through ParseFrame, then the flow-table lookup
// of what it parsed into, against rules the input itself shapes (frame_input.h).
// What it checks, beyond "no sanitizer report":
//  - parsing, IPv4 and IPv6, under each ParseOptions the I/O layer uses (UDP checksum
//    verified or not, no tag or one already stripped by the kernel): the verdict agrees
//    with an independent reading of the header layouts (reference_parser.h: accepted
//    exactly when the reference accepts); an accepted datagram's fields and
//    payload window match the bytes; a rejected one leaves *out untouched; the same
//    bytes give the same answer cut to the IP packet or with padding added, and a frame
//    cut inside the payload is never accepted;
//  - lookup: every Insert, Erase, Find and Lookup agrees with a brute-force reference
//    (reference_table.h), including a moved table and the table it was moved from.
// Frames are parsed from exactly-sized heap copies, so ASan sees any read past the end.
#include <cstring>
#include <memory>
#include <utility>

#include "../core/flow_table.h"
#include "../core/packet.h"
#include "frame_input.h"
#include "fuzz_check.h"
#include "reference_parser.h"
#include "reference_table.h"

namespace mcr::fuzz {
namespace {

// new[] of exactly len (+ zeroed padding) bytes: nothing after it that ASan would allow.
std::unique_ptr<uint8_t[]> HeapCopy(const uint8_t* data, size_t len, size_t padding = 0) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[len + padding]);
  if (len > 0) std::memcpy(copy.get(), data, len);
  if (padding > 0) std::memset(copy.get() + len, 0, padding);
  return copy;
}

// Values ParseFrame never writes together, to see whether a rejection touched *out.
const uint8_t kSentinelByte = 0;
UdpDatagram Sentinel() {
  UdpDatagram d;
  d.src = IpAddress::FromIpv4(0xdeadbeef);
  d.dst = IpAddress::FromIpv4(0xfeedface);
  d.src_port = 0xabcd;
  d.dst_port = 0xdcba;
  d.vlan_id = 0x1234;
  d.ttl = 0x5a;
  d.has_ip_options = true;
  d.payload = &kSentinelByte;
  d.payload_len = 0x7777;
  return d;
}

// Same fields, and the payload at the same offset from each frame's start.
bool SameDatagram(const UdpDatagram& a, const uint8_t* frame_a, const UdpDatagram& b,
                  const uint8_t* frame_b) {
  return a.src == b.src && a.dst == b.dst && a.src_port == b.src_port &&
         a.dst_port == b.dst_port && a.vlan_id == b.vlan_id && a.ttl == b.ttl &&
         a.has_ip_options == b.has_ip_options && a.payload_len == b.payload_len &&
         a.payload - frame_a == b.payload - frame_b;
}

void CheckFields(const uint8_t* f, size_t len, const Accepted& a, const UdpDatagram& d) {
  FUZZ_CHECK(d.payload >= f && d.payload <= f + len, "payload starts inside the frame");
  const size_t payload_at = static_cast<size_t>(d.payload - f);
  FUZZ_CHECK(d.payload_len <= len - payload_at, "payload ends inside the frame");
  const size_t udp_at = a.eth.ip_at + a.ip_header_len;
  FUZZ_CHECK(payload_at == udp_at + kUdpHeader, "payload right after the UDP header");
  FUZZ_CHECK(d.payload_len + kUdpHeader == a.udp_len, "payload length from UDP length");
  const uint8_t* h = f + a.eth.ip_at;
  if (a.eth.ipv6) {
    FUZZ_CHECK(d.src == IpAddress::FromIpv6Bytes(h + 8) && d.dst == IpAddress::FromIpv6Bytes(h + 24),
               "IPv6 addresses");
    FUZZ_CHECK(d.ttl == h[7], "hop limit");
    FUZZ_CHECK(d.has_ip_options == (a.extension_headers > 0), "extension headers flag");
  } else {
    FUZZ_CHECK(d.src == IpAddress::FromIpv4(Be32(h + 12)) && d.dst == IpAddress::FromIpv4(Be32(h + 16)),
               "addresses");
    FUZZ_CHECK(d.ttl == h[8], "ttl");
    FUZZ_CHECK(d.has_ip_options == (a.ip_header_len > kIpv4MinHeader), "options flag");
  }
  FUZZ_CHECK(d.src_port == Be16(f + udp_at) && d.dst_port == Be16(f + udp_at + 2), "ports");
  const uint16_t vlan = a.eth.tags == 0 ? kNoVlan : (a.eth.outer_tci & 0x0fff);
  FUZZ_CHECK(d.vlan_id == vlan, "VLAN id of the outer tag");
}

// The same datagram must come out of the frame cut to the IP packet's end or with
// Ethernet padding after it; cut inside the UDP payload it must be refused.
void CheckLengthIndependence(const uint8_t* f, size_t len, const ParseOptions& options,
                             const Accepted& a, const UdpDatagram& d) {
  const size_t packet_end = a.eth.ip_at + a.ip_total_len;
  auto exact = HeapCopy(f, packet_end);
  UdpDatagram again = Sentinel();
  FUZZ_CHECK(ParseFrame(exact.get(), packet_end, options, &again) == ParseResult::kOk,
             "accepted when cut to the IP total length");
  FUZZ_CHECK(SameDatagram(d, f, again, exact.get()), "same datagram when cut");

  constexpr size_t kPadding = 64;
  auto padded = HeapCopy(f, len, kPadding);
  again = Sentinel();
  FUZZ_CHECK(ParseFrame(padded.get(), len + kPadding, options, &again) == ParseResult::kOk,
             "accepted with padding");
  FUZZ_CHECK(SameDatagram(d, f, again, padded.get()), "same datagram with padding");

  const size_t payload_end = a.eth.ip_at + a.ip_header_len + a.udp_len;
  auto short_copy = HeapCopy(f, payload_end - 1);
  again = Sentinel();
  FUZZ_CHECK(ParseFrame(short_copy.get(), payload_end - 1, options, &again) != ParseResult::kOk,
             "refused when cut inside the UDP datagram");
}

void CheckParse(const uint8_t* f, size_t len, const ParseOptions& options, ParseResult result,
                const UdpDatagram& d) {
  FUZZ_CHECK(static_cast<size_t>(result) < kParseResultCount, "result in range");
  const char* name = ParseResultName(result);
  FUZZ_CHECK(name != nullptr && std::strcmp(name, "unknown") != 0, "result has a name");

  UdpDatagram again = Sentinel();
  FUZZ_CHECK(ParseFrame(f, len, options, &again) == result, "deterministic");

  Accepted a;
  const bool accept = ReferenceAccepts(f, len, options, &a);
  FUZZ_CHECK(accept == (result == ParseResult::kOk), "verdict agrees with the reference");
  if (result != ParseResult::kOk) {
    const UdpDatagram untouched = Sentinel();
    FUZZ_CHECK(SameDatagram(d, f, untouched, f) && d.payload == untouched.payload,
               "a rejected frame leaves *out untouched");
    return;
  }
  FUZZ_CHECK(SameDatagram(d, f, again, f), "deterministic fields");
  CheckFields(f, len, a, d);
  CheckLengthIndependence(f, len, options, a, d);
}

// The datagram the rules are shaped around: the parsed one, or for a refused frame
// whatever its first bytes say, so lookups are exercised on every input.
struct Probe {
  uint32_t ifindex;
  IpAddress dst;
  uint16_t dst_port;
  IpAddress src;
};

// The same address with its last four bytes XORed with `by`: another address of the
// same family (for IPv4, another IPv4 address), unless by is 0.
IpAddress Tweaked(const IpAddress& address, uint32_t by) {
  uint8_t bytes[IpAddress::kSize];
  std::memcpy(bytes, address.bytes(), sizeof bytes);
  for (size_t i = 0; i < 4; ++i) bytes[12 + i] = static_cast<uint8_t>(bytes[12 + i] ^ (by >> (24 - 8 * i)));
  return IpAddress::FromIpv6Bytes(bytes);
}

Probe ProbeFor(const uint8_t* f, size_t len, bool parsed, const UdpDatagram& d,
               uint32_t ifindex) {
  if (parsed) return {ifindex, d.dst, d.dst_port, d.src};
  // A refused frame: its first bytes as addresses, IPv6 when the first byte is odd, so
  // lookups see both families.
  uint8_t head[34] = {};
  std::memcpy(head, f, len < sizeof head ? len : sizeof head);
  if ((head[0] & 1) != 0) {
    return {ifindex, IpAddress::FromIpv6Bytes(head), Be16(head + 16), IpAddress::FromIpv6Bytes(head + 18)};
  }
  return {ifindex, IpAddress::FromIpv4(Be32(head)), Be16(head + 4), IpAddress::FromIpv4(Be32(head + 6))};
}

FlowKey KeyFor(const RuleSpec& spec, const Probe& p) {
  const uint32_t tweak = spec.tweak;
  FlowKey key;
  key.ifindex = (spec.shape & kSameInterface) ? p.ifindex : p.ifindex + 1 + tweak % 3;
  key.dst = (spec.shape & kSameGroup) ? p.dst : Tweaked(p.dst, tweak + 1);
  key.dst_port = (spec.shape & kSamePort) ? p.dst_port
                                           : static_cast<uint16_t>(p.dst_port ^ (tweak + 1));
  switch (spec.source()) {
    case SourceChoice::kSame: key.src = p.src; break;
    case SourceChoice::kOther: key.src = Tweaked(p.src, (tweak << 8) | 1); break;
    case SourceChoice::kAny:
    case SourceChoice::kAnyToo: key.src = FlowTable::kAnySource; break;
  }
  return key;
}

uint32_t SlotFor(const RuleSpec& spec) {
  return spec.slot == 0xffff ? FlowTable::kNoSlot : spec.slot;
}

void CheckTableMatches(const FlowTable& table, const ReferenceTable& ref, const Probe& p) {
  FUZZ_CHECK(table.size() == ref.size(), "size");
  for (const ReferenceTable::Entry& entry : ref.entries()) {
    FUZZ_CHECK(table.Find(entry.key) == entry.slot, "Find of a present key");
  }
  // The probe's own question, and its neighbours: any source, another source, another
  // interface.
  const IpAddress sources[] = {p.src, FlowTable::kAnySource, Tweaked(p.src, 1)};
  const uint32_t interfaces[] = {p.ifindex, p.ifindex + 1};
  for (uint32_t ifindex : interfaces) {
    for (const IpAddress& src : sources) {
      FUZZ_CHECK(table.Lookup(ifindex, p.dst, p.dst_port, src) ==
                     ref.Lookup(ifindex, p.dst, p.dst_port, src),
                 "Lookup agrees with the brute-force reference");
    }
  }
}

void CheckLookup(const FrameInput& in, const Probe& probe) {
  FlowTable table;
  ReferenceTable ref;
  for (const RuleSpec& spec : in.rules) {
    const FlowKey key = KeyFor(spec, probe);
    const uint32_t slot = SlotFor(spec);
    FUZZ_CHECK(table.Insert(key, slot) == ref.Insert(key, slot), "Insert agrees");
    if (spec.shape & kInsertTwice) {
      const uint32_t other = slot == FlowTable::kNoSlot ? 0 : slot + 1;
      FUZZ_CHECK(table.Insert(key, other) == ref.Insert(key, other), "second Insert agrees");
    }
  }
  for (const RuleSpec& spec : in.rules) {
    if (!(spec.shape & kEraseAfterInserts)) continue;
    const FlowKey key = KeyFor(spec, probe);
    FUZZ_CHECK(table.Erase(key) == ref.Erase(key), "Erase agrees");
  }
  CheckTableMatches(table, ref, probe);

  // A table handed to a worker by move must answer the same; the one left behind must
  // be empty and still usable.
  FlowTable moved(std::move(table));
  CheckTableMatches(moved, ref, probe);
  ReferenceTable empty;
  CheckTableMatches(table, empty, probe);
  FlowKey key;
  key.ifindex = probe.ifindex;
  key.dst = probe.dst;
  key.dst_port = probe.dst_port;
  FUZZ_CHECK(table.Insert(key, 7) == FlowInsertResult::kInserted && table.Find(key) == 7,
             "a moved-from table takes inserts again");
}

}  // namespace
}  // namespace mcr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcr;
  using namespace mcr::fuzz;
  const FrameInput in = DecodeFrameInput(data, size);
  auto frame = HeapCopy(in.frame, in.frame_len);
  if (in.control & kRepairChecksum) RepairChecksums(frame.get(), in.frame_len);

  // The defaults (everything verified) first: their datagram drives the lookups.
  UdpDatagram datagram = Sentinel();
  const ParseResult result = ParseFrame(frame.get(), in.frame_len, &datagram);
  CheckParse(frame.get(), in.frame_len, ParseOptions{}, result, datagram);
  ParseOptions unverified;
  unverified.verify_udp_checksum = false;
  ParseOptions one_stripped;
  one_stripped.stripped_vlan_tags = 1;
  for (const ParseOptions& options : {unverified, one_stripped}) {
    UdpDatagram other = Sentinel();
    CheckParse(frame.get(), in.frame_len, options, ParseFrame(frame.get(), in.frame_len, options, &other), other);
  }
  if (in.frame_len == 0) {
    UdpDatagram none = Sentinel();
    FUZZ_CHECK(ParseFrame(nullptr, 0, &none) == result, "a null empty frame");
  }

  const uint32_t ifindex = (in.control & kSecondInterface) ? 2 : 1;
  const Probe probe = ProbeFor(frame.get(), in.frame_len, result == ParseResult::kOk,
                               datagram, ifindex);
  CheckLookup(in, probe);
  return 0;
}
