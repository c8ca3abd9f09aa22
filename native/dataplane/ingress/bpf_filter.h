// Builds the classic BPF program attached to each ingress socket, so unrelated traffic
// on a busy segment costs no ring space and no wake-ups. What reaches user space:
//  - every IPv4 or IPv6 frame to one of the interface's rule destinations, whatever it
//    carries: the worker counts non-UDP, fragments, extension-header trouble and
//    malformed frames each by reason, which a kernel filter could not;
//  - UDP to any other multicast group of either family (IPv6: UDP right after the fixed
//    header): counted as no_match, which shows an operator that a segment floods groups
//    nobody asked for (a NIC's multicast filter and IGMP/MLD snooping normally keep
//    these away, so this costs little);
//  - frames too short to read the destination from (counted as truncated);
//  - VLAN-tagged frames (counted and dropped: rules for them go on the VLAN interface).
// Dropped in the kernel: other EtherTypes (ARP, LLDP...), unicast to other addresses,
// and non-UDP multicast to other groups: IGMP, PIM, and ICMPv6 (neighbour discovery,
// MLD, router advertisements), the chatter of every IPv6 link. Pure: builds
// instructions only.
#pragma once

#include <linux/filter.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcr {

// Past this many distinct IPv4 destinations the program would exceed the kernel's limit
// (BPF_MAXINSNS, two instructions per destination); the filter then accepts all IPv4
// and user space does the sorting.
inline constexpr size_t kMaxFilteredDestinations = 1800;

using Ipv6Destination = std::array<uint8_t, 16>;

// IPv6 destinations take nine instructions each (four 32-bit compares); they get what
// the IPv4 ones leave of the limit, and past that the filter accepts all IPv6.
std::vector<sock_filter> BuildIngressFilter(const std::vector<uint32_t>& ipv4_destinations,
                                            const std::vector<Ipv6Destination>& ipv6_destinations = {});

}  // namespace mcr
