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

PrepareResult FrameOutput::Enqueue(const UdpDatagram& datagram, SendQueue* queue) const {
  if (path_.waiting_for_neighbour) return PrepareResult::kNoNeighbour;
  if (datagram.payload_len > header_.max_payload()) return PrepareResult::kTooBig;
  // This output's open message in the queue, of datagrams this size: carry this one
  // too. Segments are cut at the first one's size, so only equal sizes join.
  OutgoingMessage* open = queue->Open(this);
  if (open != nullptr && open->segments < kMaxSegments && datagram.payload_len > 0 &&
      datagram.payload_len == open->payload_bytes / open->segments &&
      open->payload_bytes + datagram.payload_len <= kMaxSegmentedPayload) {
    queue->Add(*open, datagram.payload, datagram.payload_len);
    ++open->segments;
    open->payload_bytes += static_cast<uint32_t>(datagram.payload_len);
    next_id_.fetch_add(1, std::memory_order_relaxed);  // the kernel numbers each piece
    return PrepareResult::kSend;
  }
  OutgoingMessage& message = queue->Start(this, counter_slot());
  uint8_t* frame = message.header + kVirtioNetHeaderSize;
  const uint16_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const FrameHeaderResult header = header_.Build(datagram, id, UdpChecksumMode::kDeviceCompletes, frame,
                                                 SendQueue::kHeaderRoom - kVirtioNetHeaderSize);
  if (header.status != FrameHeaderStatus::kOk) {
    queue->Abandon();
    // The configuration refuses "preserve" across families and the header room fits
    // every header, so this means a bug; still a counted drop, never a bad frame.
    return header.status == FrameHeaderStatus::kTooBig ? PrepareResult::kTooBig : PrepareResult::kUnsendable;
  }
  message.header_size = static_cast<uint16_t>(kVirtioNetHeaderSize + header.size);
  queue->Add(message, message.header, message.header_size);
  queue->Add(message, datagram.payload, datagram.payload_len);
  message.segments = 1;
  message.payload_bytes = static_cast<uint32_t>(datagram.payload_len);
  return PrepareResult::kSend;
}

void FrameOutput::Seal(OutgoingMessage& message) const {
  uint8_t* frame = message.header + kVirtioNetHeaderSize;
  FrameHeaderResult header;
  header.status = FrameHeaderStatus::kOk;
  header.size = static_cast<uint8_t>(header_.header_size());
  header.csum_start = static_cast<uint8_t>(header_.udp_offset());
  header.csum_offset = 6;  // the UDP checksum field
  header.device_completes_checksum = true;
  uint16_t segment_size = 0;
  if (message.segments > 1) {
    segment_size = static_cast<uint16_t>(message.payload_bytes / message.segments);
    header_.Resize(frame, segment_size, message.payload_bytes);
  }
  WriteVirtioNetHeader(header, message.header, kVirtioNetHeaderSize, segment_size);
}

}  // namespace mcr
