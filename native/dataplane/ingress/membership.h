// The sockets an input needs besides its rings, opened by the control plane:
//  - a membership socket per joined (interface, group, source): it exists only so the
//    kernel sends IGMP or MLD reports and programs the NIC's multicast filter; it is
//    never bound and carries a drop-all filter, so it can never queue data;
//  - a catcher per unicast input: bound to the address and port with a drop-all filter,
//    so the kernel does not answer relayed unicast with ICMP port-unreachable.
// Both families go through the protocol-independent calls (MCAST_JOIN_GROUP and
// MCAST_JOIN_SOURCE_GROUP name the interface by index, so interfaces without an address
// of the family can join too).
#pragma once

#include <cstdint>
#include <string>

#include "../../core/address.h"
#include "../fd.h"

namespace mcr {

// source unspecified: any-source join (IGMPv2/MLDv1 style); else source-specific.
Fd OpenMembershipSocket(int ifindex, const IpAddress& group, const IpAddress& source, std::string* error);
// ifindex scopes a link-local IPv6 address; unused otherwise.
Fd OpenUnicastCatcher(const IpAddress& address, uint16_t port, int ifindex, std::string* error);

}  // namespace mcr
