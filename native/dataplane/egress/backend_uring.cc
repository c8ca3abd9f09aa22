// The io_uring backend. Each flush prepares one send per queued datagram, submits them
// all with one io_uring_enter, and reaps every completion before returning, because
// the data lives in a ring block that is handed back right after. MSG_DONTWAIT makes
// io_uring complete a send to a full socket at once with -EAGAIN (a counted drop)
// instead of parking it until there is room.
//
// user_data: a send carries its OutgoingMessage pointer (aligned, low bit 0); a poll
// carries (fd << 1) | 1.
#include <liburing.h>
#include <poll.h>

#include <cstring>

#include <cerrno>
#include <unordered_set>

#include "backend.h"
#include "send_result.h"

namespace mcr {
namespace {

constexpr uint64_t kPollTag = 1;

uint64_t PollData(int fd) { return (static_cast<uint64_t>(fd) << 1) | kPollTag; }

class UringBackend final : public Backend {
 public:
  ~UringBackend() override {
    // A ring that failed to set up has ring_fd 0: "exiting" it would close stdin.
    if (initialized_) io_uring_queue_exit(&ring_);
  }

  bool Init(unsigned entries, std::string* error) {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 4;  // room for poll completions beside a full batch
    const int result = io_uring_queue_init_params(entries, &ring_, &params);
    if (result < 0) {
      *error = std::string("io_uring is not available: ") + strerror(-result) +
               (result == -EPERM ? " (kernel.io_uring_disabled, or a seccomp policy)" : "");
      return false;
    }
    initialized_ = true;
    return true;
  }

  const char* name() const override { return "io_uring"; }

  void Flush(std::vector<SendQueue*>* dirty, CounterMemory* counters, uint32_t worker) override {
    unsigned in_flight = 0;
    for (SendQueue* queue : *dirty) {
      for (uint32_t i = 0; i < queue->count; ++i) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        if (sqe == nullptr) {
          // The submission queue is full: push what we have and reap it first.
          in_flight -= Complete(in_flight, counters, worker);
          sqe = io_uring_get_sqe(&ring_);
        }
        const OutgoingMessage& message = queue->messages[i];
        // One buffer: a plain send, which skips the kernel's msghdr copy.
        if (message.iov_count == 1 && message.control_size == 0) {
          const iovec& only = queue->iov(message, 0);
          io_uring_prep_send(sqe, queue->fd, only.iov_base, only.iov_len, MSG_DONTWAIT);
        } else {
          io_uring_prep_sendmsg(sqe, queue->fd, &queue->headers[i].msg_hdr, MSG_DONTWAIT);
        }
        io_uring_sqe_set_data64(sqe, reinterpret_cast<uint64_t>(&message));
        ++in_flight;
      }
      queue->Clear();
    }
    dirty->clear();
    while (in_flight > 0) in_flight -= Complete(in_flight, counters, worker);
  }

  void Wait(const std::vector<int>& fds, int timeout_ms) override {
    for (int fd : fds) {
      if (armed_.count(fd) != 0) continue;
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      if (sqe == nullptr) break;
      io_uring_prep_poll_add(sqe, fd, POLLIN);
      io_uring_sqe_set_data64(sqe, PollData(fd));
      armed_.insert(fd);
    }
    __kernel_timespec timeout{timeout_ms / 1000, static_cast<long long>(timeout_ms % 1000) * 1000000};
    io_uring_cqe* cqe = nullptr;
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &timeout, nullptr);
    Reap(nullptr, 0);
  }

  void Forget(int fd) override {
    if (armed_.erase(fd) == 0) return;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    if (sqe == nullptr) return;
    io_uring_prep_poll_remove(sqe, PollData(fd));
    io_uring_sqe_set_data64(sqe, 0);
    io_uring_submit(&ring_);
  }

 private:
  // Submits and waits for at least one completion; returns how many sends completed.
  unsigned Complete(unsigned in_flight, CounterMemory* counters, uint32_t worker) {
    io_uring_submit_and_wait(&ring_, in_flight > 0 ? 1 : 0);
    return Reap(counters, worker);
  }

  // Handles every completion that is ready. Sends are counted; polls are disarmed.
  unsigned Reap(CounterMemory* counters, uint32_t worker) {
    unsigned sends = 0;
    unsigned seen = 0;
    unsigned head;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const uint64_t data = cqe->user_data;
      if ((data & kPollTag) != 0) {
        const int fd = static_cast<int>(data >> 1);
        armed_.erase(fd);
        if (cqe->res > 0 && (cqe->res & POLLERR) != 0) ClearSocketError(fd);
      } else if (data != 0 && counters != nullptr) {
        RecordSend(counters, worker, *reinterpret_cast<const OutgoingMessage*>(data), cqe->res);
        ++sends;
      }
    }
    io_uring_cq_advance(&ring_, seen);
    return sends;
  }

  io_uring ring_{};
  bool initialized_ = false;
  std::unordered_set<int> armed_;
};

}  // namespace

std::unique_ptr<Backend> MakeUringBackend(unsigned entries, std::string* error) {
  auto backend = std::make_unique<UringBackend>();
  if (!backend->Init(entries, error)) return nullptr;
  return backend;
}

}  // namespace mcr
