// One data plane worker: a thread that owns a backend (io_uring ring or plain
// syscalls), a flow table and its share of every ingress ring, and does ingress, demux,
// replication and egress in one loop with no hand-off to another thread. It learns of
// changes only through its CommandQueue, applied between ring blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <linux/if_packet.h>

#include "../core/flow_table.h"
#include "control/commands.h"
#include "counters.h"
#include "egress/backend.h"
#include "egress/output.h"
#include "health/rule_health.h"
#include "policy/flow_policy.h"

namespace mcr {

class PacketRing;

struct WorkerOutput {
  const Output* output = nullptr;
  SendQueue* queue = nullptr;  // the worker's queue for output->fd()
};

struct WorkerRule {
  std::vector<WorkerOutput> outputs;
  // The flow key this worker has in its table for each input (ifindex 0: none).
  std::vector<FlowKey> inputs;
  HealthSpec health_spec;
  bool home = false;
  std::unique_ptr<RuleHealth> health;  // null when the rule only relays
  std::shared_ptr<const FlowPolicy> policy;  // a reflector's flows only
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
  // Reads every ready block of every ring (a few per ring), sends what they hold in one
  // flush, and hands them back; false when none was ready.
  bool TakeTurn();
  void ProcessBlock(PacketRing& ring, void* block);
  void Replicate(const UdpDatagram& datagram, WorkerRule& rule);
  // Stream health (health/rule_health.h): whether a datagram of the rule that came on
  // `input` is relayed, and the analysis of those that are.
  bool Admit(WorkerRule& rule, uint32_t input, const UdpDatagram& datagram, uint64_t arrival_ns, uint64_t now_ns);
  // Silence and failover of the rules this worker is home for.
  void TickHealth(uint64_t now_ns);
  // Applying a kSetRule: the rule's flow keys, and its health state when its settings
  // (or its home) changed.
  void SetInputs(WorkerRule& rule, const std::vector<FlowKey>& inputs, uint32_t slot);
  void SetHealth(WorkerRule& rule, const Command& command);
  // A reflector flow's checks (policy/flow_policy.h): true when the datagram may go;
  // otherwise counted on the rule by reason. now_ns: the block's read time (one clock
  // read per block, not per datagram).
  bool Admitted(const UdpDatagram& datagram, const WorkerRule& rule, std::atomic<uint64_t>* rule_counters, uint64_t now_ns);
  void CountUnsent(PrepareResult result, uint32_t output_slot);
  // Seals every queued message and sends them all.
  void Flush();
  void ReadRingStatistics();
  void RebuildWaitList();
  // The worker's send queue for an output's descriptor, shared by every output that
  // writes to it (frame outputs on one interface); released when its last user goes.
  SendQueue* AcquireQueue(const Output& output);
  void ReleaseQueues(const WorkerRule& rule);

  uint32_t index_;
  int cpu_;
  std::unique_ptr<Backend> backend_;
  CounterMemory* counters_;
  std::atomic<uint64_t>* worker_counters_;
  CommandQueue commands_;
  FlowTable flows_;
  std::vector<std::unique_ptr<WorkerRule>> rules_;  // by rule slot
  std::vector<PacketRing*> rings_;
  struct SharedQueue {
    std::unique_ptr<SendQueue> queue;
    uint32_t users = 0;
  };
  std::unordered_map<int, SharedQueue> queues_;  // by descriptor
  std::vector<SendQueue*> dirty_;
  struct HeldBlock {
    PacketRing* ring;
    tpacket_block_desc* block;
  };
  std::vector<HeldBlock> held_;  // taken this turn, released after its flush
  std::vector<int> wait_fds_;
  std::vector<uint32_t> timed_rules_;  // slots of the rules whose silence this worker watches
  std::thread thread_;
};

}  // namespace mcr
