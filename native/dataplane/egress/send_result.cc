#include "send_result.h"

#include <sys/socket.h>

#include <cerrno>

namespace mcr {

void RecordSend(CounterMemory* counters, uint32_t worker, const OutgoingMessage& message, long result) {
  std::atomic<uint64_t>* out = counters->Output(worker, message.counter_slot);
  if (result >= 0) {
    Bump(out[kOutPackets]);
    Bump(out[kOutBytes], message.iov[message.iov_count - 1].iov_len);
  } else if (result == -EAGAIN || result == -ENOBUFS) {
    Bump(out[kOutDrops]);
    Bump(counters->Worker(worker)[kEgressFull]);
  } else {
    Bump(out[kOutErrors]);
    Bump(counters->Worker(worker)[kEgressErrors]);
  }
}

void ClearSocketError(int fd) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
}

}  // namespace mcr
