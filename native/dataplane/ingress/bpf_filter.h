// Builds the classic BPF program attached to each ingress socket, so unrelated traffic
// on a busy segment costs no ring space and no wake-ups. What reaches user space:
//  - every IPv4 frame to one of the interface's rule destinations, whatever it carries:
//    the worker counts non-UDP, fragments and malformed frames each by reason, which a
//    kernel filter could not;
//  - UDP to any other multicast group: counted as no_match, which shows an operator
//    that a segment floods groups nobody asked for (a NIC's multicast filter and IGMP
//    snooping normally keep these away, so this costs little);
//  - frames too short to read the IPv4 destination from (counted as truncated);
//  - VLAN-tagged frames (counted and dropped: rules for them go on the VLAN interface);
//  - untagged IPv6 UDP to a multicast address (counted as ipv6: a stream mcr cannot
//    relay should be visible, not silently ignored).
// Dropped in the kernel: other EtherTypes (ARP, LLDP...), other IPv6 (unicast, and
// ICMPv6 ND/MLD to multicast), IPv4 unicast to other addresses, and non-UDP IPv4
// multicast such as IGMP and PIM. Pure: builds instructions only.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcr {

// Past this many distinct destinations the program would exceed the kernel's limit
// (BPF_MAXINSNS); the filter then accepts all IPv4 and user space does the sorting.
inline constexpr size_t kMaxFilteredDestinations = 1800;

std::vector<sock_filter> BuildIngressFilter(const std::vector<uint32_t>& destinations);

}  // namespace mcr
