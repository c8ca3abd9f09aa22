// How a worker sends and sleeps. Two implementations with one contract:
//  - io_uring: every datagram of a block, for every output, goes out in one
//    io_uring_enter; the worker sleeps on the ring.
//  - syscalls: sendmmsg per send queue, poll() to sleep. Used where io_uring is disabled
//    (kernel.io_uring_disabled, container seccomp, RHEL 9's default) or when asked for.
// Either way a send that finds its socket buffer full is dropped and counted at once:
// the loop never blocks on a slow output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../counters.h"
#include "send_queue.h"

namespace mcr {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Sends every message in the dirty queues (sealed and bound: SendQueue::Bind), counts
  // each outcome against its message's counter slot, and empties them. When it returns
  // no send refers to ring memory any more.
  virtual void Flush(std::vector<SendQueue*>* dirty, CounterMemory* counters, uint32_t worker) = 0;
  // Sleeps until one of fds is readable, or timeout_ms passes.
  virtual void Wait(const std::vector<int>& fds, int timeout_ms) = 0;
  // fd is about to be closed by its owner: drop any interest in it.
  virtual void Forget(int fd) = 0;
};

std::unique_ptr<Backend> MakeSyscallBackend();
// Null, with *error saying why, when io_uring cannot be used here.
std::unique_ptr<Backend> MakeUringBackend(unsigned entries, std::string* error);

}  // namespace mcr
