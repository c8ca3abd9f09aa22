#include "bpf_filter.h"

namespace mcr {
namespace {

constexpr uint32_t kAccept = 0x40000;  // snap length: the whole frame, jumbo included
constexpr uint32_t kEtherTypeOffset = 12;
constexpr uint32_t kIpv4ProtocolOffset = 14 + 9;
constexpr uint32_t kIpv4DstOffset = 14 + 16;
constexpr uint32_t kShortestJudgedFrame = kIpv4DstOffset + 4;
constexpr uint32_t kIpv6NextHeaderOffset = 14 + 6;
constexpr uint32_t kIpv6DstFirstByteOffset = 14 + 24;

sock_filter Stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter Jump(uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, jt, jf, k}; }

}  // namespace

// Jump offsets count instructions after the jump; the comments give absolute indexes.
std::vector<sock_filter> BuildIngressFilter(const std::vector<uint32_t>& destinations) {
  std::vector<sock_filter> p;
  p.push_back(Stmt(BPF_LD | BPF_H | BPF_ABS, kEtherTypeOffset));  // [0]
  p.push_back(Jump(0x0800, 9, 0));                                // [1] IPv4 -> [11]
  p.push_back(Jump(0x8100, 6, 0));                                // [2] 802.1Q -> [9]
  p.push_back(Jump(0x88a8, 5, 0));                                // [3] 802.1ad -> [9]
  p.push_back(Jump(0x86dd, 0, 5));                                // [4] IPv6 -> [5], else [10]
  // IPv6 multicast UDP only, to be counted as `ipv6`: ND, MLD and other ICMPv6 to
  // ff02::/16 are link chatter on every IPv6 segment and stay in the kernel. A frame too
  // short for these loads is dropped by the kernel (an out-of-range load returns 0).
  p.push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv6DstFirstByteOffset));  // [5]
  p.push_back(Jump(0xff, 0, 3));                                  // [6] multicast -> [7], else [10]
  p.push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv6NextHeaderOffset));  // [7]
  p.push_back(Jump(17, 0, 1));                                    // [8] UDP -> [9], else [10]
  p.push_back(Stmt(BPF_RET | BPF_K, kAccept));                    // [9]
  p.push_back(Stmt(BPF_RET | BPF_K, 0));                          // [10]
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_LEN, 0));                 // [11]
  p.push_back(sock_filter{BPF_JMP | BPF_JGE | BPF_K, 1, 0, kShortestJudgedFrame});  // [12] -> [14], else [13]
  p.push_back(Stmt(BPF_RET | BPF_K, kAccept));                    // [13] too short: user space counts it
  if (destinations.size() > kMaxFilteredDestinations) {
    p.push_back(Stmt(BPF_RET | BPF_K, kAccept));
    return p;
  }
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kIpv4DstOffset));    // [14]
  // "jeq A, next, skip; ret accept": two instructions each and only short jumps, so the
  // chain can grow to the instruction limit.
  for (uint32_t destination : destinations) {
    p.push_back(Jump(destination, 0, 1));
    p.push_back(Stmt(BPF_RET | BPF_K, kAccept));
  }
  p.push_back(Stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0000000));       // T0
  p.push_back(Jump(0xe0000000, 0, 3));                            // T1 multicast -> T2, else T5
  p.push_back(Stmt(BPF_LD | BPF_B | BPF_ABS, kIpv4ProtocolOffset));  // T2
  p.push_back(Jump(17, 0, 1));                                    // T3 UDP -> T4, else T5
  p.push_back(Stmt(BPF_RET | BPF_K, kAccept));                    // T4
  p.push_back(Stmt(BPF_RET | BPF_K, 0));                          // T5
  return p;
}

}  // namespace mcr
