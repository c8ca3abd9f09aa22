#include "frame_output.h"

namespace mcr {

std::unique_ptr<FrameOutput> FrameOutput::Open(const OutputSpec& spec, int ifindex, uint32_t counter_slot,
                                               const OutputContext& context, bool* not_ethernet, std::string* error) {
  FramePath path;
  const PathOutcome outcome = ResolveFramePath(spec, ifindex, context.kernel, &path, error);
  *not_ethernet = outcome == PathOutcome::kNotEthernet;
  if (outcome != PathOutcome::kFrame) return nullptr;
  FrameHeaderTemplate header;
  if (const char* why = FrameHeaderTemplate::Make(path.header, &header)) {
    *error = std::string("output ") + spec.key + ": " + why;
    return nullptr;
  }
  std::shared_ptr<FrameChannel> channel = context.channels->Get(ifindex, error);
  if (!channel) return nullptr;
  return std::unique_ptr<FrameOutput>(new FrameOutput(std::move(channel), path, header, counter_slot));
}

bool FrameOutput::Outdated(const OutputSpec& spec, int ifindex, KernelView* kernel) const {
  FramePath now;
  std::string ignored;
  // Anything that stops it resolving (the address went away...) also needs a reopen,
  // which then reports why.
  return ResolveFramePath(spec, ifindex, kernel, &now, &ignored) != PathOutcome::kFrame || now != path_;
}

PrepareResult FrameOutput::Prepare(const UdpDatagram& datagram, OutgoingMessage* message,
                                   uint8_t* header_room) const {
  if (path_.waiting_for_neighbour) return PrepareResult::kNoNeighbour;
  // The sender's checksum, when it is known to be complete, gives the payload's sum in
  // a few adds; otherwise (a local sender's partial checksum) the payload is summed.
  const UdpChecksumMode mode =
      datagram.udp_checksum_complete ? UdpChecksumMode::kAdjustIncoming : UdpChecksumMode::kSumPayload;
  const uint16_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const FrameHeaderResult header = header_.Build(datagram, id, mode, header_room, SendQueue::kHeaderRoom);
  switch (header.status) {
    case FrameHeaderStatus::kOk: break;
    case FrameHeaderStatus::kTooBig: return PrepareResult::kTooBig;
    // The configuration refuses "preserve" across families and the header room fits
    // every header, so these mean a bug; still a counted drop, never a bad frame.
    case FrameHeaderStatus::kFamilyMismatch:
    case FrameHeaderStatus::kBufferTooSmall: return PrepareResult::kUnsendable;
  }
  message->iov[0] = iovec{header_room, header.size};
  message->iov[1] = iovec{const_cast<uint8_t*>(datagram.payload), datagram.payload_len};
  message->iov_count = 2;
  message->counter_slot = counter_slot();
  return PrepareResult::kSend;
}

}  // namespace mcr
