// The classic BPF program that picks a worker for each frame of one input interface
// (PACKET_FANOUT_CBPF). It replaces the kernel's flow hash so that some flows can be
// steered: every input of a rule with several inputs must reach that rule's home worker,
// where its failover or merge decision is made, though the inputs are different flows,
// often on different interfaces. Other frames are hashed on their addresses and ports,
// so each flow stays on one worker as before. It owns the program's layout only.
//
// The kernel runs it with the packet's network header at hand; loads are relative to it
// (SKF_NET_OFF), so the link layer (and any VLAN tag) does not matter. The program's
// value, modulo the number of workers in the group, is the worker: sockets join the
// group in worker order.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "../../core/address.h"

namespace mcr {

struct SteeredFlow {
  IpAddress destination;
  uint16_t port = 0;  // host order
  IpAddress source;   // unspecified: any
  uint32_t worker = 0;
};

// At most this many steered flows per interface: each costs a few instructions and a
// classic BPF program holds 4,096 (BPF_MAXINSNS).
inline constexpr size_t kMaxSteeredFlows = 256;

// The program for these flows (source-specific ones are tried first). flows.size() must
// not exceed kMaxSteeredFlows.
std::vector<sock_filter> BuildFanoutProgram(const std::vector<SteeredFlow>& flows);

}  // namespace mcr
