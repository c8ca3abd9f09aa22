#include "send_result.h"

#include "output.h"

#include <sys/socket.h>

#include <cerrno>

namespace mcr {

void RecordSend(CounterMemory* counters, uint32_t worker, const OutgoingMessage& message, long result) {
  std::atomic<uint64_t>* out = counters->Output(worker, message.counter_slot);
  const uint64_t datagrams = message.segments;
  if (result >= 0) {
    Bump(out[kOutPackets], datagrams);
    Bump(out[kOutBytes], message.payload_bytes);
  } else if (result == -EAGAIN || result == -ENOBUFS) {
    Bump(out[kOutDrops], datagrams);
    Bump(counters->Worker(worker)[kEgressFull], datagrams);
  } else {
    Bump(out[kOutErrors], datagrams);
    Bump(counters->Worker(worker)[kEgressErrors], datagrams);
    if (message.output != nullptr) message.output->SendFailed(message, static_cast<int>(-result));
  }
}

void ClearSocketError(int fd) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
}

}  // namespace mcr
