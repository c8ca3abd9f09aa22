// Everything that receives on one input interface: one PacketRing per worker, all in
// one fanout group, sharing one filter built from the destinations the interface's
// rules want. Owned by the control plane; each worker reads only its own ring.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../../core/address.h"
#include "packet_ring.h"

namespace mcr {

class Ingress {
 public:
  static std::unique_ptr<Ingress> Open(int ifindex, uint32_t workers, const RingGeometry& geometry,
                                       std::string* error);

  // Destinations are counted: two rules on one group (different ports) share one entry.
  void AddDestination(const IpAddress& address);
  void RemoveDestination(const IpAddress& address);
  bool empty() const { return destinations_.empty(); }
  // The destinations changed since the filter was last attached.
  bool filter_stale() const { return filter_stale_; }
  // Rebuilds the kernel filter from the destinations and attaches it to every ring.
  bool UpdateFilter(std::string* error);

  int ifindex() const { return ifindex_; }
  PacketRing* ring(uint32_t worker) const { return rings_[worker].get(); }
  size_t ring_count() const { return rings_.size(); }

 private:
  explicit Ingress(int ifindex) : ifindex_(ifindex) {}

  int ifindex_;
  std::vector<std::unique_ptr<PacketRing>> rings_;
  std::map<IpAddress, int> destinations_;
  bool filter_stale_ = false;
};

}  // namespace mcr
