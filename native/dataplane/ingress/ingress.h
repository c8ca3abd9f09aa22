// Everything that receives on one input interface: one PacketRing per worker, all in
// one fanout group, sharing one filter built from the destinations the interface's
// rules want. Owned by the control plane; each worker reads only its own ring.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
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

  // Steering (fanout_program.h): the flow to (destination, port) from source (any when
  // unspecified) goes to `worker`. Counted like destinations. Only with two or more
  // workers; UpdateSteering installs the program.
  void Steer(const IpAddress& destination, uint16_t port, const IpAddress& source, uint32_t worker);
  void Unsteer(const IpAddress& destination, uint16_t port, const IpAddress& source);
  bool steering_stale() const { return steering_stale_; }
  bool UpdateSteering(std::string* error);

  int ifindex() const { return ifindex_; }
  PacketRing* ring(uint32_t worker) const { return rings_[worker].get(); }
  size_t ring_count() const { return rings_.size(); }

 private:
  explicit Ingress(int ifindex) : ifindex_(ifindex) {}

  int ifindex_;
  std::vector<std::unique_ptr<PacketRing>> rings_;
  std::map<IpAddress, int> destinations_;
  bool filter_stale_ = false;
  struct Steering {
    uint32_t worker = 0;
    int refs = 0;
  };
  std::map<std::tuple<IpAddress, uint16_t, IpAddress>, Steering> steering_;
  bool steering_stale_ = false;
};

}  // namespace mcr
