// The AF_INET sockets of the data plane, opened by the control plane:
//  - an output socket per rule output: UDP, bound to its interface, connected to its
//    destination, non-blocking (a full buffer is a counted drop, never a stall);
//  - a membership socket per joined group: it exists only so the kernel sends IGMP
//    joins and programs the NIC's multicast filter; it is never bound and carries a
//    drop-all filter, so it can never queue data;
//  - a catcher per unicast input: bound to the address and port with a drop-all filter,
//    so the kernel does not answer relayed unicast with ICMP port-unreachable.
#pragma once

#include <cstdint>
#include <string>

#include "fd.h"
#include "specs.h"

namespace mcr {

Fd OpenOutputSocket(const OutputSpec& output, int ifindex, std::string* error);
Fd OpenMembershipSocket(int ifindex, uint32_t group, uint32_t source, std::string* error);
Fd OpenUnicastCatcher(uint32_t address, uint16_t port, std::string* error);

bool IsMulticast(uint32_t address);
std::string AddressText(uint32_t address);

}  // namespace mcr
