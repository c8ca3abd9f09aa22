// Everything a frame output bakes into its header template, looked up from the kernel
// for one output on one interface: the interface's MAC and MTU, the source address
// (the interface's, a configured one, or the sender's), and the destination MAC (from
// the group, or the unicast next hop's from the neighbour table). Control-plane thread
// only. Resolving again and comparing is how a change (a new MAC, MTU, address or next
// hop) is noticed: the output is then replaced.
#pragma once

#include <string>

#include "../../core/frame_header.h"
#include "../control/kernel_tables.h"
#include "../control/specs.h"

namespace mcr {

struct FramePath {
  FrameHeaderSpec header;
  // The unicast next hop has no MAC yet: datagrams are counted drops while the kernel
  // resolves it (RequestResolution has been sent).
  bool waiting_for_neighbour = false;
};

bool operator==(const FramePath& a, const FramePath& b);
inline bool operator!=(const FramePath& a, const FramePath& b) { return !(a == b); }

enum class PathOutcome : uint8_t {
  kFrame,       // *path is usable
  kNotEthernet, // the interface has no Ethernet header: a socket output is needed
  kError,       // *error says why (no address to send from, no route...)
};

PathOutcome ResolveFramePath(const OutputSpec& spec, int ifindex, KernelView* kernel, FramePath* path,
                             std::string* error);

}  // namespace mcr
