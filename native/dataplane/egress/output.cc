#include "output.h"

#include "socket_output.h"

namespace mcr {

std::unique_ptr<Output> OpenOutput(const OutputSpec& spec, int ifindex, uint32_t counter_slot, std::string* error) {
  switch (spec.egress) {
    case EgressKind::kSocket: return SocketOutput::Open(spec, ifindex, counter_slot, error);
  }
  *error = "unknown egress kind for output " + spec.key;
  return nullptr;
}

}  // namespace mcr
