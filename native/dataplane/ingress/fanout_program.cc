#include "fanout_program.h"

#include <algorithm>

namespace mcr {
namespace {

// Offsets from the network header (SKF_NET_OFF).
constexpr uint32_t kNet = static_cast<uint32_t>(SKF_NET_OFF);
constexpr uint32_t kIpv4Src = 12;
constexpr uint32_t kIpv4Dst = 16;
constexpr uint32_t kIpv6Src = 8;
constexpr uint32_t kIpv6Dst = 24;
constexpr uint32_t kIpv6Ports = 40;  // UDP right after the fixed header
// Knuth's multiplicative hash: spreads flows that differ in a few bits over the workers.
constexpr uint32_t kGolden = 0x9E3779B1u;

sock_filter Stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter Load(uint16_t size, uint32_t offset) { return Stmt(BPF_LD | size | BPF_ABS, kNet + offset); }
// Jump to the end of the current entry when not equal (patched once the entry is built).
constexpr uint8_t kToEntryEnd = 0xff;
sock_filter NotEqualSkip(uint32_t k) { return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 0, kToEntryEnd, k}; }

uint32_t Word(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}

// Compares the 4 (IPv4) or 16 (IPv6) bytes of an address at `offset`.
void CompareAddress(std::vector<sock_filter>* entry, const IpAddress& address, uint32_t offset) {
  if (address.is_ipv4()) {
    entry->push_back(Load(BPF_W, offset));
    entry->push_back(NotEqualSkip(address.ipv4()));
    return;
  }
  for (uint32_t word = 0; word < 4; ++word) {
    entry->push_back(Load(BPF_W, offset + word * 4));
    entry->push_back(NotEqualSkip(Word(address.bytes() + word * 4)));
  }
}

// One flow: its address (and source) and destination port; a match returns its worker.
// For IPv4, X holds the header length (so the UDP header is at X).
void AppendEntry(std::vector<sock_filter>* program, const SteeredFlow& flow) {
  std::vector<sock_filter> entry;
  const bool v4 = flow.destination.is_ipv4();
  CompareAddress(&entry, flow.destination, v4 ? kIpv4Dst : kIpv6Dst);
  if (!flow.source.IsUnspecified()) CompareAddress(&entry, flow.source, v4 ? kIpv4Src : kIpv6Src);
  if (v4) entry.push_back(Stmt(BPF_LD | BPF_H | BPF_IND, kNet + 2));
  else entry.push_back(Load(BPF_H, kIpv6Ports + 2));
  entry.push_back(NotEqualSkip(flow.port));
  entry.push_back(Stmt(BPF_RET | BPF_K, flow.worker));
  for (size_t i = 0; i < entry.size(); ++i) {
    if (entry[i].jf == kToEntryEnd) entry[i].jf = static_cast<uint8_t>(entry.size() - i - 1);
  }
  program->insert(program->end(), entry.begin(), entry.end());
}

// A ^= the word at offset (X is scratch).
void XorWord(std::vector<sock_filter>* p, uint32_t offset) {
  p->push_back(Stmt(BPF_MISC | BPF_TAX, 0));
  p->push_back(Load(BPF_W, offset));
  p->push_back(Stmt(BPF_ALU | BPF_XOR | BPF_X, 0));
}

// The hash of the flow: addresses and ports (M[0]) mixed, the high half returned.
void AppendHash(std::vector<sock_filter>* p) {
  p->push_back(Stmt(BPF_MISC | BPF_TAX, 0));
  p->push_back(Stmt(BPF_LD | BPF_MEM, 0));
  p->push_back(Stmt(BPF_ALU | BPF_XOR | BPF_X, 0));
  p->push_back(Stmt(BPF_ALU | BPF_MUL | BPF_K, kGolden));
  p->push_back(Stmt(BPF_ALU | BPF_RSH | BPF_K, 16));
  p->push_back(Stmt(BPF_RET | BPF_A, 0));
}

std::vector<SteeredFlow> OfFamily(const std::vector<SteeredFlow>& flows, bool v4) {
  std::vector<SteeredFlow> out;
  for (const SteeredFlow& flow : flows) {
    if (flow.destination.is_ipv4() == v4) out.push_back(flow);
  }
  // A source-specific flow before the any-source one of the same destination.
  std::stable_sort(out.begin(), out.end(), [](const SteeredFlow& a, const SteeredFlow& b) {
    return !a.source.IsUnspecified() && b.source.IsUnspecified();
  });
  return out;
}

}  // namespace

std::vector<sock_filter> BuildFanoutProgram(const std::vector<SteeredFlow>& flows) {
  std::vector<sock_filter> v4;
  // X = the IPv4 header length; the UDP ports are at X.
  v4.push_back(Load(BPF_B, 0));
  v4.push_back(Stmt(BPF_ALU | BPF_AND | BPF_K, 0x0f));
  v4.push_back(Stmt(BPF_ALU | BPF_LSH | BPF_K, 2));
  v4.push_back(Stmt(BPF_MISC | BPF_TAX, 0));
  for (const SteeredFlow& flow : OfFamily(flows, true)) AppendEntry(&v4, flow);
  v4.push_back(Stmt(BPF_LD | BPF_W | BPF_IND, kNet));  // both ports
  v4.push_back(Stmt(BPF_ST, 0));
  v4.push_back(Load(BPF_W, kIpv4Src));
  XorWord(&v4, kIpv4Dst);
  AppendHash(&v4);

  std::vector<sock_filter> v6;
  for (const SteeredFlow& flow : OfFamily(flows, false)) AppendEntry(&v6, flow);
  v6.push_back(Load(BPF_W, kIpv6Ports));
  v6.push_back(Stmt(BPF_ST, 0));
  v6.push_back(Load(BPF_W, kIpv6Src));
  for (uint32_t offset = kIpv6Src + 4; offset < kIpv6Dst + 16; offset += 4) XorWord(&v6, offset);
  AppendHash(&v6);

  // The IP version picks the block. Anything else runs the IPv4 block: harmless, its
  // value picks some worker whose filter then drops the frame.
  std::vector<sock_filter> program;
  program.push_back(Load(BPF_B, 0));                                   // [0]
  program.push_back(Stmt(BPF_ALU | BPF_RSH | BPF_K, 4));               // [1]
  program.push_back(sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 4});  // [2] IPv4 -> [5]
  program.push_back(sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 6});  // [3] IPv6 -> [4], else [5]
  // [4] IPv6: over the IPv4 block and its guard (too far for a conditional jump's 8 bits).
  program.push_back(Stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(v4.size() + 1)));
  program.insert(program.end(), v4.begin(), v4.end());  // [5...]: returns
  program.push_back(Stmt(BPF_RET | BPF_K, 0));          // guard, never reached
  program.insert(program.end(), v6.begin(), v6.end());
  return program;
}

}  // namespace mcr
