#include "frame_path.h"

#include <cstring>

#include "../control/kernel_tables.h"

namespace mcr {
namespace {

const IpAddress kLimitedBroadcast = IpAddress::FromIpv4(0xffffffffu);

// Fills the destination MAC: the group's own, or the next hop's from the neighbour
// table (asking the kernel to resolve it when it has none).
bool ResolveDestinationMac(const OutputSpec& spec, int ifindex, FramePath* path, std::string* error) {
  if (MulticastMac(spec.group, &path->header.dst_mac)) return true;
  // Broadcasts (limited, or the directed one of this segment) go to every station.
  if (spec.directed || spec.group == kLimitedBroadcast) {
    path->header.dst_mac.fill(0xff);
    return true;
  }
  IpAddress hop;
  if (!NextHop(spec.group, ifindex, &hop, error)) return false;
  uint8_t mac[6] = {};
  const NeighbourState state = LookupNeighbour(hop, ifindex, mac);
  if (state == NeighbourState::kResolved) {
    std::memcpy(path->header.dst_mac.data(), mac, sizeof mac);
    return true;
  }
  // Unresolved or failed: ask (again); the answer comes back as a neighbour event.
  RequestResolution(hop, ifindex);
  path->waiting_for_neighbour = true;
  return true;
}

bool ResolveSource(const OutputSpec& spec, int ifindex, KernelView* kernel, FramePath* path, std::string* error) {
  FrameHeaderSpec& header = path->header;
  switch (spec.source) {
    case SourceChoice::kPreserve:
      header.source = SourcePolicy::kPreserve;
      return true;
    case SourceChoice::kAddress:
      header.src = spec.source_address;
      return true;
    case SourceChoice::kInterface:
      if (kernel->Address(ifindex, header.family, spec.group.IsLinkScope(), &header.src)) return true;
      *error = "interface " + spec.interface + " has no " +
               (header.family == IpFamily::kIpv4 ? "IPv4" : "IPv6") +
               " address to send from; set source_address, or source_address = \"preserve\"";
      return false;
  }
  return false;
}

}  // namespace

bool operator==(const FramePath& a, const FramePath& b) {
  const FrameHeaderSpec& x = a.header;
  const FrameHeaderSpec& y = b.header;
  return a.waiting_for_neighbour == b.waiting_for_neighbour && x.dst_mac == y.dst_mac && x.src_mac == y.src_mac &&
         x.family == y.family && x.source == y.source && x.src == y.src && x.src_port == y.src_port &&
         x.dst == y.dst && x.dst_port == y.dst_port && x.ttl == y.ttl && x.dscp == y.dscp &&
         x.dont_fragment == y.dont_fragment && x.mtu == y.mtu;
}

PathOutcome ResolveFramePath(const OutputSpec& spec, int ifindex, KernelView* kernel, FramePath* path,
                             std::string* error) {
  LinkFacts link;
  if (!kernel->Link(ifindex, &link, error)) return PathOutcome::kError;
  if (!link.ethernet) return PathOutcome::kNotEthernet;
  *path = FramePath{};
  FrameHeaderSpec& header = path->header;
  std::memcpy(header.src_mac.data(), link.mac, sizeof link.mac);
  header.mtu = link.mtu;
  header.family = spec.group.family();
  header.dst = spec.group;
  if (spec.directed && !DirectedBroadcast(ifindex, &header.dst)) {
    *error = "interface " + spec.interface + " has no IPv4 address, so no directed broadcast to send to";
    return PathOutcome::kError;
  }
  header.dst_port = spec.port;
  // A fixed source port: the destination port, as a UDP socket relay bound to it would
  // send from (receivers that answer the sender reach the relay's port, not a random one).
  header.src_port = spec.port;
  header.ttl = spec.ttl;
  header.dscp = spec.dscp;
  if (!ResolveSource(spec, ifindex, kernel, path, error)) return PathOutcome::kError;
  if (!ResolveDestinationMac(spec, ifindex, path, error)) return PathOutcome::kError;
  return PathOutcome::kFrame;
}

}  // namespace mcr
