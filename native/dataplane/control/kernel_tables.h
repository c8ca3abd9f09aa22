// What the kernel knows about the way out of an interface, asked for on the
// control-plane thread: an interface's link type, hardware address and MTU; its
// primary address of a family; the next hop toward a destination (routing table); that
// hop's link-layer address (neighbour table); and a request that the kernel resolve it
// (ARP or neighbour discovery). A frame output is built from these, since it bypasses
// the kernel's own routing and neighbour code. Each call is synchronous and bounded
// (a netlink request waits at most a few hundred ms); none ever runs on a worker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "../../core/address.h"

namespace mcr {

struct LinkFacts {
  bool ethernet = false;  // ARPHRD_ETHER: frames start with a 14-byte Ethernet header
  uint8_t mac[6] = {};
  uint32_t mtu = 0;
};

// False with *error when the interface cannot be asked (gone, or no permission).
bool QueryLink(int ifindex, LinkFacts* out, std::string* error);

// The interface's first address of the family: for IPv6, a global one unless
// link_scope (the destination is link-scope, so a link-local source is the right one).
// False when the interface has none of that family.
bool PrimaryAddress(int ifindex, IpFamily family, bool link_scope, IpAddress* out);

// The directed broadcast of the interface's first IPv4 subnet (its address with every
// host bit set: 10.1.2.255 for 10.1.2.3/24); false when it has no IPv4 address. A /31 or
// /32 has no broadcast: the limited broadcast is used.
bool DirectedBroadcast(int ifindex, IpAddress* out);

// The neighbour a unicast destination is reached through from ifindex: the route's
// gateway, or the destination itself when it is on-link. False with *error when no
// route leads out of that interface.
bool NextHop(const IpAddress& destination, int ifindex, IpAddress* hop, std::string* error);

enum class NeighbourState : uint8_t {
  kResolved,    // *mac holds the hop's address (reachable, stale, or being re-probed)
  kUnresolved,  // no entry yet, or resolution in progress
  kFailed,      // the kernel tried and got no answer
};

NeighbourState LookupNeighbour(const IpAddress& hop, int ifindex, uint8_t mac[6]);

// Asks the kernel to resolve hop now (or to re-confirm a stale entry), as if a packet
// were waiting for it; the answer arrives later as a neighbour event. Best effort.
void RequestResolution(const IpAddress& hop, int ifindex);

// The same questions, each asked of the kernel once per view: a refresh after a burst
// of link, address or neighbour events re-resolves every frame output, and most of
// them share an interface (and its MAC, MTU and address). Make one per pass.
class KernelView {
 public:
  bool Link(int ifindex, LinkFacts* out, std::string* error);
  bool Address(int ifindex, IpFamily family, bool link_scope, IpAddress* out);

 private:
  struct LinkAnswer {
    bool ok = false;
    LinkFacts facts;
    std::string error;
  };
  struct AddressAnswer {
    bool ok = false;
    IpAddress address;
  };
  std::map<int, LinkAnswer> links_;
  std::map<std::tuple<int, IpFamily, bool>, AddressAnswer> addresses_;
};

}  // namespace mcr
