#include "ingress.h"

#include "bpf_filter.h"

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
    if (!ring || !ring->JoinFanout(fanout_id, error)) return nullptr;
    fanout_id = ring->fanout_id();
    ingress->rings_.push_back(std::move(ring));
  }
  return ingress;
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
