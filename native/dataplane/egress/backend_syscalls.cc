// The fallback backend: sendmmsg per output, poll() to sleep.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "backend.h"
#include "send_result.h"

namespace mcr {
namespace {

class SyscallBackend final : public Backend {
 public:
  const char* name() const override { return "syscalls"; }

  void Flush(std::vector<SendQueue*>* dirty, CounterMemory* counters, uint32_t worker) override {
    for (SendQueue* queue : *dirty) {
      SendAll(queue, counters, worker);
      queue->Clear();
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
  static void SendAll(SendQueue* queue, CounterMemory* counters, uint32_t worker) {
    const auto message = [queue](uint32_t i) -> const OutgoingMessage& { return queue->messages[i]; };
    uint32_t next = 0;
    while (next < queue->count) {
      const int sent = sendmmsg(queue->fd, &queue->headers[next], queue->count - next, MSG_DONTWAIT);
      if (sent > 0) {
        for (uint32_t i = next; i < next + static_cast<uint32_t>(sent); ++i) {
          RecordSend(counters, worker, message(i), queue->headers[i].msg_len);
        }
        next += static_cast<uint32_t>(sent);
        continue;
      }
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == ENOBUFS) {
        // The buffer is full now; the rest of this batch would find it full too.
        for (; next < queue->count; ++next) RecordSend(counters, worker, message(next), -err);
        return;
      }
      // One datagram failed (e.g. ECONNREFUSED from an earlier ICMP error): count it and
      // go on with the next one.
      RecordSend(counters, worker, message(next), -err);
      ++next;
    }
  }

  std::vector<pollfd> polls_;
};

}  // namespace

std::unique_ptr<Backend> MakeSyscallBackend() { return std::make_unique<SyscallBackend>(); }

}  // namespace mcr
