#include "ingress.h"

#include "bpf_filter.h"
#include "fanout_program.h"

#include <algorithm>

namespace mcr {

std::unique_ptr<Ingress> Ingress::Open(int ifindex, uint32_t workers, const RingGeometry& geometry,
                                       std::string* error) {
  std::unique_ptr<Ingress> ingress(new Ingress(ifindex));
  int fanout_id = -1;
  // Each ring starts with a drop-all filter, and only gets the real one (UpdateFilter)
  // once all of them are in the group: a frame can never reach two workers.
  for (uint32_t worker = 0; worker < workers; ++worker) {
    std::unique_ptr<PacketRing> ring = PacketRing::Open(ifindex, geometry, error);
    // With several workers the group runs mcr's own program (fanout_program.h), so that
    // a rule's inputs can be steered to one worker; with one there is nothing to choose.
    if (!ring || !ring->JoinFanout(fanout_id, workers > 1, error)) return nullptr;
    fanout_id = ring->fanout_id();
    ingress->rings_.push_back(std::move(ring));
  }
  if (workers > 1 && !ingress->rings_.front()->SetFanoutProgram(BuildFanoutProgram({}), error)) return nullptr;
  return ingress;
}

void Ingress::Steer(const IpAddress& destination, uint16_t port, const IpAddress& source, uint32_t worker) {
  Steering& steering = steering_[std::make_tuple(destination, port, source)];
  if (steering.refs++ == 0 || steering.worker != worker) steering_stale_ = true;
  steering.worker = worker;
}

void Ingress::Unsteer(const IpAddress& destination, uint16_t port, const IpAddress& source) {
  auto found = steering_.find(std::make_tuple(destination, port, source));
  if (found != steering_.end() && --found->second.refs <= 0) {
    steering_.erase(found);
    steering_stale_ = true;
  }
}

bool Ingress::UpdateSteering(std::string* error) {
  if (rings_.size() < 2) {
    steering_stale_ = false;
    return true;
  }
  std::vector<SteeredFlow> flows;
  for (const auto& entry : steering_) {
    flows.push_back(SteeredFlow{std::get<0>(entry.first), std::get<1>(entry.first), std::get<2>(entry.first),
                                entry.second.worker});
  }
  if (flows.size() > kMaxSteeredFlows) {
    *error = "too many inputs of rules with several inputs on one interface: " + std::to_string(flows.size()) +
             ", at most " + std::to_string(kMaxSteeredFlows);
    return false;
  }
  // The program belongs to the group: setting it on one ring sets it for all.
  if (!rings_.front()->SetFanoutProgram(BuildFanoutProgram(flows), error)) return false;
  steering_stale_ = false;
  return true;
}

void Ingress::AddDestination(const IpAddress& address) {
  if (++destinations_[address] == 1) filter_stale_ = true;
}

void Ingress::RemoveDestination(const IpAddress& address) {
  auto found = destinations_.find(address);
  if (found != destinations_.end() && --found->second <= 0) {
    destinations_.erase(found);
    filter_stale_ = true;
  }
}

bool Ingress::UpdateFilter(std::string* error) {
  // Each family's destinations are compared in their own section (see bpf_filter.h).
  std::vector<uint32_t> ipv4;
  std::vector<Ipv6Destination> ipv6;
  for (const auto& entry : destinations_) {
    if (entry.first.is_ipv4()) {
      ipv4.push_back(entry.first.ipv4());
    } else {
      Ipv6Destination bytes;
      std::copy(entry.first.bytes(), entry.first.bytes() + IpAddress::kSize, bytes.begin());
      ipv6.push_back(bytes);
    }
  }
  const std::vector<sock_filter> program = BuildIngressFilter(ipv4, ipv6);
  for (const auto& ring : rings_) {
    if (!ring->SetFilter(program, error)) return false;
  }
  filter_stale_ = false;
  return true;
}

}  // namespace mcr
