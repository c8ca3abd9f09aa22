// Messages from the control plane to one worker. The worker alone mutates its flow
// table and rule list; everything it is told arrives here, is applied between two ring
// blocks, and is acknowledged by sequence number so the control plane knows when a
// removed socket or ring is no longer in use and may be closed.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "../../core/flow_table.h"
#include "specs.h"

namespace mcr {

class FlowPolicy;
class Output;
class PacketRing;

struct Command {
  enum class Kind : uint8_t { kAttachRing, kDetachRing, kSetRule, kRemoveRule, kStop };
  Kind kind = Kind::kStop;
  uint64_t sequence = 0;
  PacketRing* ring = nullptr;  // attach/detach: owned by the control plane
  // set/remove rule: the flow key of each input, in the rule's order; ifindex 0 for an
  // input this worker must not take (not attached, or another worker's to take).
  std::vector<FlowKey> inputs;
  uint32_t rule_slot = 0;
  // set rule: the rule's health settings, and whether this worker is its home (watches
  // its inputs' silence and, for several inputs, decides what is relayed).
  HealthSpec health;
  bool home = false;
  // set rule: the complete new output list (owned by the control plane, which keeps
  // each open until the workers acknowledge a later command). Commands are applied
  // between blocks, when every send queue is empty, so swapping lists loses nothing; an
  // output kept across a change is the same object, with its socket and counter slot.
  std::vector<const Output*> outputs;
  // set rule: a reflector flow's checks (null for an ordinary rule), shared with the
  // control plane and the other workers.
  std::shared_ptr<const FlowPolicy> policy;
};

class CommandQueue {
 public:
  CommandQueue() : wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~CommandQueue() {
    if (wake_ >= 0) close(wake_);
  }
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  bool valid() const { return wake_ >= 0; }
  int wake_fd() const { return wake_; }

  uint64_t Push(Command command) {
    uint64_t sequence;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sequence = ++last_pushed_;
      command.sequence = sequence;
      queue_.push_back(std::move(command));
      pending_.store(true, std::memory_order_release);
    }
    const uint64_t one = 1;
    (void)!write(wake_, &one, sizeof one);
    return sequence;
  }

  // Worker side: a cheap check on every loop turn, then take everything at once.
  bool HasPending() const { return pending_.load(std::memory_order_acquire); }
  std::deque<Command> TakeAll() {
    uint64_t drained;
    (void)!read(wake_, &drained, sizeof drained);
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.store(false, std::memory_order_relaxed);
    return std::exchange(queue_, {});
  }

  void MarkApplied(uint64_t sequence) { applied_.store(sequence, std::memory_order_release); }
  uint64_t applied() const { return applied_.load(std::memory_order_acquire); }

 private:
  int wake_;
  std::mutex mutex_;
  std::deque<Command> queue_;
  uint64_t last_pushed_ = 0;
  std::atomic<bool> pending_{false};
  std::atomic<uint64_t> applied_{0};
};

}  // namespace mcr
