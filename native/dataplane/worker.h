// One data plane worker: a thread that owns a backend (io_uring ring or plain
// syscalls), a flow table and its share of every ingress ring, and does ingress, demux,
// replication and egress in one loop with no hand-off to another thread. It learns of
// changes only through its CommandQueue, applied between ring blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../core/flow_table.h"
#include "backend.h"
#include "commands.h"
#include "counters.h"

namespace mcr {

class PacketRing;

struct WorkerRule {
  std::vector<std::unique_ptr<OutputQueue>> outputs;
};

class Worker {
 public:
  Worker(uint32_t index, int cpu, std::unique_ptr<Backend> backend, CounterMemory* counters, uint32_t max_rules);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();
  // Sends kStop and joins the thread.
  void Stop();

  CommandQueue& commands() { return commands_; }
  const char* backend_name() const { return backend_->name(); }

 private:
  void Run();
  bool ApplyCommands();  // false once told to stop
  void Apply(Command& command);
  void ProcessBlock(PacketRing& ring, void* block);
  void ReadRingStatistics();
  void RebuildWaitList();

  uint32_t index_;
  int cpu_;
  std::unique_ptr<Backend> backend_;
  CounterMemory* counters_;
  std::atomic<uint64_t>* worker_counters_;
  CommandQueue commands_;
  FlowTable flows_;
  std::vector<std::unique_ptr<WorkerRule>> rules_;  // by rule slot
  std::vector<PacketRing*> rings_;
  std::vector<OutputQueue*> dirty_;
  size_t total_outputs_ = 0;
  std::vector<int> wait_fds_;
  std::thread thread_;
};

}  // namespace mcr
