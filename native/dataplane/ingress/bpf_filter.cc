#include "bpf_filter.h"

namespace mcr {
namespace {

constexpr uint32_t kAccept = 0x40000;  // snap length: the whole frame, jumbo included
constexpr uint32_t kEtherTypeOffset = 12;
constexpr uint32_t kIpv4ProtocolOffset = 14 + 9;
constexpr uint32_t kIpv4DstOffset = 14 + 16;
constexpr uint32_t kShortestIpv4Judged = kIpv4DstOffset + 4;
constexpr uint32_t kIpv6NextHeaderOffset = 14 + 6;
constexpr uint32_t kIpv6DstOffset = 14 + 24;
constexpr uint32_t kShortestIpv6Judged = kIpv6DstOffset + 16;
// What the fixed parts of the program take, with room to spare: the EtherType dispatch
// and each family's length check and multicast tail.
constexpr size_t kFixedInstructions = 32;
constexpr size_t kPerIpv4Destination = 2;
constexpr size_t kPerIpv6Destination = 9;

sock_filter Stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter Jump(uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, jt, jf, k}; }
sock_filter AtLeast(uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{BPF_JMP | BPF_JGE | BPF_K, jt, jf, k}; }

uint32_t Word(const Ipv6Destination& address, size_t i) {
  return (uint32_t{address[4 * i]} << 24) | (uint32_t{address[4 * i + 1]} << 16) |
         (uint32_t{address[4 * i + 2]} << 8) | uint32_t{address[4 * i + 3]};
}

// The IPv4 section: every path ends in a return. "jeq A, next, skip; ret accept": two
// instructions a destination and only short jumps, so the chain can grow to the limit.
void AppendIpv4(const std::vector<uint32_t>& destinations, std::vector<sock_filter>* p) {
  p->push_back(Stmt(BPF_LD | BPF_W | BPF_LEN, 0));
  p->push_back(AtLeast(kShortestIpv4Judged, 1, 0));              // long enough -> skip the accept
  p->push_back(Stmt(BPF_RET | BPF_K, kAccept));                   // too short: user space counts it
  if (destinations.size() > kMaxFilteredDestinations) {
    p->push_back(Stmt(BPF_RET | BPF_K, kAccept));
    return;
  }
  p->push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kIpv4DstOffset));
  for (uint32_t destination : destinations) {
    p->push_back(Jump(destination, 0, 1));
    p->push_back(Stmt(BPF_RET | BPF_K, kAccept));
  }
  p->push_back(Stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0000000));      // T0
  p->push_back(Jump(0xe0000000, 0, 3));                           // T1 multicast -> T2, else T5
  p->push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv4ProtocolOffset));  // T2
  p->push_back(Jump(17, 0, 1));                                   // T3 UDP -> T4, else T5
  p->push_back(Stmt(BPF_RET | BPF_K, kAccept));                   // T4
  p->push_back(Stmt(BPF_RET | BPF_K, 0));                         // T5
}

// The IPv6 section, the same shape: each destination is four word compares, any of
// which skips to the next destination; all four equal accept.
void AppendIpv6(const std::vector<Ipv6Destination>& destinations, size_t room, std::vector<sock_filter>* p) {
  p->push_back(Stmt(BPF_LD | BPF_W | BPF_LEN, 0));
  p->push_back(AtLeast(kShortestIpv6Judged, 1, 0));
  p->push_back(Stmt(BPF_RET | BPF_K, kAccept));                   // too short: truncated
  if (destinations.size() * kPerIpv6Destination > room) {
    p->push_back(Stmt(BPF_RET | BPF_K, kAccept));
    return;
  }
  for (const Ipv6Destination& destination : destinations) {
    for (uint8_t i = 0; i < 4; ++i) {
      p->push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kIpv6DstOffset + 4u * i));
      // A mismatch skips the rest of this destination's compares and its accept.
      p->push_back(Jump(Word(destination, i), 0, static_cast<uint8_t>(7 - 2 * i)));
    }
    p->push_back(Stmt(BPF_RET | BPF_K, kAccept));
  }
  p->push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv6DstOffset));   // T0 first byte
  p->push_back(Jump(0xff, 0, 3));                                 // T1 multicast -> T2, else T5
  p->push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv6NextHeaderOffset));  // T2
  p->push_back(Jump(17, 0, 1));                                   // T3 UDP -> T4, else T5
  p->push_back(Stmt(BPF_RET | BPF_K, kAccept));                   // T4
  p->push_back(Stmt(BPF_RET | BPF_K, 0));                         // T5
}

}  // namespace

// Jump offsets count instructions after the jump; the comments give absolute indexes.
// The IPv6 section sits after the IPv4 one, which may be thousands of instructions
// long: it is reached by an unconditional jump (BPF_JA takes a 32-bit offset; the
// conditional jumps' 8-bit ones could not get there).
std::vector<sock_filter> BuildIngressFilter(const std::vector<uint32_t>& ipv4_destinations,
                                            const std::vector<Ipv6Destination>& ipv6_destinations) {
  std::vector<sock_filter> p;
  p.push_back(Stmt(BPF_LD | BPF_H | BPF_ABS, kEtherTypeOffset));  // [0]
  p.push_back(Jump(0x0800, 6, 0));                                // [1] IPv4 -> [8]
  p.push_back(Jump(0x8100, 3, 0));                                // [2] 802.1Q -> [6]
  p.push_back(Jump(0x88a8, 2, 0));                                // [3] 802.1ad -> [6]
  p.push_back(Jump(0x86dd, 0, 2));                                // [4] IPv6 -> [5], else [7]
  const size_t to_ipv6 = p.size();
  p.push_back(Stmt(BPF_JMP | BPF_JA, 0));                         // [5] -> the IPv6 section
  p.push_back(Stmt(BPF_RET | BPF_K, kAccept));                    // [6]
  p.push_back(Stmt(BPF_RET | BPF_K, 0));                          // [7]
  AppendIpv4(ipv4_destinations, &p);                              // [8]...
  p[to_ipv6].k = static_cast<uint32_t>(p.size() - to_ipv6 - 1);
  const size_t used = kFixedInstructions + (ipv4_destinations.size() > kMaxFilteredDestinations
                                                ? 0
                                                : ipv4_destinations.size() * kPerIpv4Destination);
  AppendIpv6(ipv6_destinations, used < BPF_MAXINSNS ? BPF_MAXINSNS - used : 0, &p);
  return p;
}

}  // namespace mcr
