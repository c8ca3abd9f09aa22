#include "output.h"

#include "frame_output.h"
#include "socket_output.h"

namespace mcr {

std::unique_ptr<Output> OpenOutput(const OutputSpec& spec, int ifindex, uint32_t counter_slot,
                                   const OutputContext& context, std::string* error) {
  if (spec.egress == EgressKind::kSocket) return SocketOutput::Open(spec, ifindex, counter_slot, error);
  bool not_ethernet = false;
  std::unique_ptr<FrameOutput> frame = FrameOutput::Open(spec, ifindex, counter_slot, context, &not_ethernet, error);
  if (frame) return frame;
  if (!not_ethernet) return nullptr;
  if (spec.egress == EgressKind::kAuto && spec.source != SourceChoice::kPreserve) {
    error->clear();
    return SocketOutput::Open(spec, ifindex, counter_slot, error);
  }
  *error = "interface " + spec.interface + " has no Ethernet header, so it cannot take frames" +
           (spec.source == SourceChoice::kPreserve ? " (source_address = \"preserve\" needs them)"
                                                   : "; use egress = \"socket\"");
  return nullptr;
}

}  // namespace mcr
