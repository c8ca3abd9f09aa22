// The fallback backend: sendmmsg per output, poll() to sleep.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "backend.h"

namespace mcr {

void RecordSend(CounterMemory* counters, uint32_t worker, const OutputQueue& queue, long result) {
  std::atomic<uint64_t>* out = counters->Output(worker, queue.slot);
  if (result >= 0) {
    Bump(out[kOutPackets]);
    Bump(out[kOutBytes], static_cast<uint64_t>(result));
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

namespace {

class SyscallBackend final : public Backend {
 public:
  const char* name() const override { return "syscalls"; }

  void Flush(std::vector<OutputQueue*>* dirty, CounterMemory* counters, uint32_t worker) override {
    for (OutputQueue* queue : *dirty) {
      SendAll(queue, counters, worker);
      queue->count = 0;
      queue->dirty = false;
    }
    dirty->clear();
  }

  void Wait(const std::vector<int>& fds, int timeout_ms) override {
    polls_.resize(fds.size());
    for (size_t i = 0; i < fds.size(); ++i) polls_[i] = pollfd{fds[i], POLLIN, 0};
    if (poll(polls_.data(), polls_.size(), timeout_ms) <= 0) return;
    for (const pollfd& entry : polls_) {
      if ((entry.revents & POLLERR) != 0) ClearSocketError(entry.fd);
    }
  }

  void Forget(int) override {}

 private:
  static void SendAll(OutputQueue* queue, CounterMemory* counters, uint32_t worker) {
    uint32_t next = 0;
    while (next < queue->count) {
      const int sent = sendmmsg(queue->fd, &queue->messages[next], queue->count - next, MSG_DONTWAIT);
      if (sent > 0) {
        for (int i = 0; i < sent; ++i) RecordSend(counters, worker, *queue, queue->messages[next + i].msg_len);
        next += static_cast<uint32_t>(sent);
        continue;
      }
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == ENOBUFS) {
        // The buffer is full now; the rest of this batch would find it full too.
        for (; next < queue->count; ++next) RecordSend(counters, worker, *queue, -err);
        return;
      }
      // One datagram failed (e.g. ECONNREFUSED from an earlier ICMP error): count it and
      // go on with the next one.
      RecordSend(counters, worker, *queue, -err);
      ++next;
    }
  }

  std::vector<pollfd> polls_;
};

}  // namespace

std::unique_ptr<Backend> MakeSyscallBackend() { return std::make_unique<SyscallBackend>(); }

}  // namespace mcr
