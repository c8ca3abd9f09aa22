#include "worker.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <utility>

#include "../core/packet.h"
#include "ingress/packet_ring.h"

namespace mcr {
namespace {

// Blocks taken from one ring in one turn, so one busy interface cannot starve the
// others or delay commands for long. A turn sends once for all the blocks it took, so
// many small blocks do not each cost a submission.
constexpr int kBlocksPerTurn = 4;
constexpr int kIdleWaitMs = 100;
constexpr uint64_t kStatisticsIntervalNs = 100'000'000;
// How often silence is looked for while a rule has an input timeout: a stall (and a
// failover) is noticed within its timeout plus this.
constexpr int kHealthTickMs = 5;
constexpr uint64_t kHealthTickNs = uint64_t{kHealthTickMs} * 1'000'000;

// A flow table entry holds the rule slot and, in its top bits, which of the rule's inputs
// the key is (a rule with several inputs has one entry per input).
constexpr uint32_t kInputShift = 28;
constexpr uint32_t kSlotMask = (1u << kInputShift) - 1;
uint32_t FlowValue(uint32_t slot, uint32_t input) { return slot | (input << kInputShift); }

// The worker counter each parser outcome lands in: the one with the outcome's name
// (kOk has none; the worker decides between matched and no_match). A lookup by name, not
// an offset: outcomes added later have their counters at the end of the block.
constexpr WorkerCounter CounterForResult(size_t result) {
  if (result == static_cast<size_t>(ParseResult::kOk)) return kMatched;
  return static_cast<WorkerCounter>(CounterIndex(kWorkerCounterNames, kWorkerCounterCount, kParseResultNames[result]));
}

template <size_t... Results>
constexpr std::array<WorkerCounter, sizeof...(Results)> CountersForResults(std::index_sequence<Results...>) {
  return {CounterForResult(Results)...};
}

constexpr std::array<WorkerCounter, kParseResultCount> kCounterForResult =
    CountersForResults(std::make_index_sequence<kParseResultCount>{});

constexpr bool EveryResultHasACounter() {
  for (WorkerCounter counter : kCounterForResult) {
    if (counter >= kWorkerCounterCount) return false;
  }
  return true;
}
static_assert(EveryResultHasACounter(),
              "a ParseResult has no worker counter of its name: add it to src/counter-list.js");

// How many datagrams a parsed frame holds: 1, or for a segmentation frame its UDP
// payload cut in segment_size pieces (its checksum is the kernel's partial one).
uint32_t SegmentsOf(UdpDatagram& datagram, uint16_t segment_size) {
  if (segment_size == 0 || datagram.payload_len <= segment_size) return 1;
  datagram.udp_checksum_complete = false;
  return static_cast<uint32_t>((datagram.payload_len + segment_size - 1) / segment_size);
}

const IpAddress kLimitedBroadcast = IpAddress::FromIpv4(0xffffffffu);

bool IsBroadcastFrame(const RingFrame& frame, const UdpDatagram& datagram) {
  if (!datagram.dst.is_ipv4() || datagram.dst.IsMulticast() || frame.length < 6) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (frame.data[i] != 0xff) return false;
  }
  return true;
}

uint64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

Worker::Worker(uint32_t index, int cpu, std::unique_ptr<Backend> backend, CounterMemory* counters, uint32_t max_rules)
    : index_(index),
      cpu_(cpu),
      backend_(std::move(backend)),
      counters_(counters),
      worker_counters_(counters->Worker(index)),
      rules_(max_rules) {}

Worker::~Worker() { Stop(); }

void Worker::Start() { thread_ = std::thread([this] { Run(); }); }

void Worker::Stop() {
  if (!thread_.joinable()) return;
  Command stop;
  stop.kind = Command::Kind::kStop;
  commands_.Push(std::move(stop));
  thread_.join();
}

void Worker::Run() {
  if (cpu_ >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  pthread_setname_np(pthread_self(), ("mcr-worker-" + std::to_string(index_)).substr(0, 15).c_str());
  RebuildWaitList();
  uint64_t next_statistics = NowNs() + kStatisticsIntervalNs;
  uint64_t next_health = 0;
  for (;;) {
    if (commands_.HasPending() && !ApplyCommands()) return;
    const bool worked = TakeTurn();
    const uint64_t now = NowNs();
    if (now >= next_statistics) {
      ReadRingStatistics();
      next_statistics = now + kStatisticsIntervalNs;
    }
    if (!timed_rules_.empty() && now >= next_health) {
      TickHealth(now);
      next_health = now + kHealthTickNs;
    }
    if (!worked) backend_->Wait(wait_fds_, timed_rules_.empty() ? kIdleWaitMs : kHealthTickMs);
  }
}

bool Worker::TakeTurn() {
  held_.clear();
  for (PacketRing* ring : rings_) {
    for (int i = 0; i < kBlocksPerTurn; ++i) {
      tpacket_block_desc* block = ring->ReadyBlock();
      if (block == nullptr) break;
      ring->Advance();
      ProcessBlock(*ring, block);
      held_.push_back(HeldBlock{ring, block});
    }
  }
  if (held_.empty()) return false;
  // Queued payloads point into the blocks: send them all, then hand the blocks back.
  Flush();
  for (const HeldBlock& held : held_) held.ring->ReleaseBlock(held.block);
  return true;
}

void Worker::ProcessBlock(PacketRing& ring, void* raw_block) {
  auto* block = static_cast<tpacket_block_desc*>(raw_block);
  std::atomic<uint64_t>* c = worker_counters_;
  const uint32_t ifindex = static_cast<uint32_t>(ring.ifindex());
  const uint64_t now = NowNs();
  uint64_t malformed = 0;
  ring.ForEachFrame(
      block,
      [&](const RingFrame& frame) {
        Bump(c[kRxFrames]);
        Bump(c[kRxBytes], frame.length);
        UdpDatagram datagram;
        ParseOptions options;
        options.verify_udp_checksum = !frame.checksum_settled;
        options.stripped_vlan_tags = frame.vlan_offloaded ? 1 : 0;
        const ParseResult result = ParseFrame(frame.data, frame.length, options, &datagram);
        datagram.udp_checksum_complete = !frame.checksum_partial;
        if (result != ParseResult::kOk) {
          Bump(c[kCounterForResult[static_cast<size_t>(result)]]);
          return;
        }
        // A tag means the frame belongs to a VLAN interface, not to this one: rules for
        // VLAN traffic are written on the VLAN interface (eth0.100).
        if (frame.vlan_offloaded || datagram.vlan_id != kNoVlan) {
          Bump(c[kVlanTagged]);
          return;
        }
        // A segmentation frame carries several datagrams of one flow: each counts as a
        // frame received and goes out as a datagram of its own.
        const uint32_t segments = SegmentsOf(datagram, frame.segment_size);
        if (segments > 1) Bump(c[kRxFrames], segments - 1);
        uint32_t found = flows_.Lookup(ifindex, datagram.dst, datagram.dst_port, datagram.src);
        // A directed broadcast (to this segment's x.y.z.255, sent to every station) is
        // taken by the rule of the limited broadcast, which stands for both.
        if (found == FlowTable::kNoSlot && IsBroadcastFrame(frame, datagram)) {
          found = flows_.Lookup(ifindex, kLimitedBroadcast, datagram.dst_port, datagram.src);
        }
        const uint32_t slot = found == FlowTable::kNoSlot ? found : found & kSlotMask;
        const uint32_t input = found == FlowTable::kNoSlot ? 0 : found >> kInputShift;
        WorkerRule* rule = slot < rules_.size() ? rules_[slot].get() : nullptr;
        if (rule == nullptr) {
          Bump(c[kNoMatch], segments);
          return;
        }
        Bump(c[kMatched], segments);
        std::atomic<uint64_t>* rule_counters = counters_->Rule(index_, slot);
        Bump(rule_counters[kRulePackets], segments);
        Bump(rule_counters[kRuleBytes], datagram.payload_len);
        if (segments == 1) {
          if (Admitted(datagram, *rule, rule_counters, now) && Admit(*rule, input, datagram, frame.timestamp_ns, now)) {
            Replicate(datagram, *rule);
          }
          return;
        }
        UdpDatagram piece = datagram;
        for (size_t at = 0; at < datagram.payload_len; at += frame.segment_size) {
          piece.payload = datagram.payload + at;
          piece.payload_len = std::min<size_t>(frame.segment_size, datagram.payload_len - at);
          if (Admitted(piece, *rule, rule_counters, now) && Admit(*rule, input, piece, frame.timestamp_ns, now)) {
            Replicate(piece, *rule);
          }
        }
      },
      &malformed);
  Bump(c[kTruncated], malformed);
  Bump(c[kBatches]);
}

bool Worker::Admitted(const UdpDatagram& datagram, const WorkerRule& rule, std::atomic<uint64_t>* rule_counters,
                      uint64_t now_ns) {
  if (!rule.policy) return true;
  switch (rule.policy->Check(datagram, now_ns)) {
    case PolicyVerdict::kPass:
      return true;
    case PolicyVerdict::kSourceDenied:
      Bump(rule_counters[kRuleSourceDenied]);
      return false;
    case PolicyVerdict::kLoopSuppressed:
      Bump(rule_counters[kRuleLoopSuppressed]);
      return false;
    case PolicyVerdict::kRateLimited:
      Bump(rule_counters[kRuleRateLimited]);
      return false;
  }
  return false;
}

void Worker::Replicate(const UdpDatagram& datagram, WorkerRule& rule) {
  for (const WorkerOutput& target : rule.outputs) {
    SendQueue& queue = *target.queue;
    // A full queue sends everything pending, all queues at once: one io_uring
    // submission, and per queue the order of datagrams is kept.
    if (queue.full()) Flush();
    const PrepareResult result = target.output->Enqueue(datagram, &queue);
    if (result != PrepareResult::kSend) {
      CountUnsent(result, target.output->counter_slot());
      continue;
    }
    if (!queue.dirty) {
      queue.dirty = true;
      dirty_.push_back(&queue);
    }
  }
}

bool Worker::Admit(WorkerRule& rule, uint32_t input, const UdpDatagram& datagram, uint64_t arrival_ns,
                   uint64_t now_ns) {
  if (!rule.health) return input == 0;
  return rule.health->Admit(input, datagram.payload, datagram.payload_len, arrival_ns, now_ns);
}

void Worker::TickHealth(uint64_t now_ns) {
  for (uint32_t slot : timed_rules_) {
    WorkerRule* rule = rules_[slot].get();
    if (rule == nullptr || !rule->health) continue;
    // A single input's flow may land on any worker: count what all of them received.
    uint64_t received = 0;
    for (uint32_t w = 0; w < counters_->workers(); ++w) {
      received += counters_->Rule(w, slot)[kRulePackets].load(std::memory_order_relaxed);
    }
    rule->health->Tick(now_ns, received);
  }
}

void Worker::SetInputs(WorkerRule& rule, const std::vector<FlowKey>& inputs, uint32_t slot) {
  const size_t count = std::max(rule.inputs.size(), inputs.size());
  rule.inputs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const FlowKey next = i < inputs.size() ? inputs[i] : FlowKey{};
    if (rule.inputs[i] == next) continue;
    if (rule.inputs[i].ifindex != 0) flows_.Erase(rule.inputs[i]);
    if (next.ifindex != 0) flows_.Insert(next, FlowValue(slot, static_cast<uint32_t>(i)));
    rule.inputs[i] = next;
  }
  rule.inputs.resize(inputs.size());
}

void Worker::SetHealth(WorkerRule& rule, const Command& command) {
  const bool changed = !rule.health != !command.health.active() || rule.health_spec != command.health ||
                       rule.home != command.home;
  if (changed) {
    rule.health_spec = command.health;
    rule.home = command.home;
    rule.health.reset();
    if (command.health.active()) {
      HealthCounters view;
      view.rule = counters_->Rule(index_, command.rule_slot);
      for (uint32_t i = 0; i < kMaxRuleInputs; ++i) view.paths[i] = counters_->Path(index_, command.rule_slot, i);
      rule.health = std::make_unique<RuleHealth>(command.health, command.home, view, NowNs());
    }
  }
  timed_rules_.erase(std::remove(timed_rules_.begin(), timed_rules_.end(), command.rule_slot), timed_rules_.end());
  if (rule.health && rule.health->timed()) timed_rules_.push_back(command.rule_slot);
}

void Worker::Flush() {
  for (SendQueue* queue : dirty_) {
    for (uint32_t i = 0; i < queue->count; ++i) queue->messages[i].output->Seal(queue->messages[i]);
    queue->Bind();
  }
  backend_->Flush(&dirty_, counters_, index_);
}

void Worker::CountUnsent(PrepareResult result, uint32_t output_slot) {
  std::atomic<uint64_t>* out = counters_->Output(index_, output_slot);
  switch (result) {
    case PrepareResult::kTooBig:
      Bump(worker_counters_[kTooBig]);
      Bump(out[kOutTooBig]);
      return;
    case PrepareResult::kNoNeighbour:
      Bump(worker_counters_[kNeighbourWait]);
      Bump(out[kOutNeighbourWait]);
      return;
    case PrepareResult::kUnsendable:
    case PrepareResult::kSend:
      Bump(worker_counters_[kUnsendable]);
      return;
  }
}

void Worker::ReadRingStatistics() {
  for (PacketRing* ring : rings_) {
    uint64_t drops = 0;
    uint64_t freezes = 0;
    if (ring->ReadStatistics(&drops, &freezes)) {
      Bump(worker_counters_[kRingDrops], drops);
      Bump(worker_counters_[kRingFreezes], freezes);
    }
  }
}

bool Worker::ApplyCommands() {
  std::deque<Command> batch = commands_.TakeAll();
  bool keep_running = true;
  uint64_t last = 0;
  for (Command& command : batch) {
    if (command.kind == Command::Kind::kStop) keep_running = false;
    else Apply(command);
    last = command.sequence;
  }
  RebuildWaitList();
  if (last != 0) commands_.MarkApplied(last);
  return keep_running;
}

void Worker::Apply(Command& command) {
  switch (command.kind) {
    case Command::Kind::kAttachRing:
      rings_.push_back(command.ring);
      break;
    case Command::Kind::kDetachRing:
      backend_->Forget(command.ring->fd());
      ReadRingStatistics();  // count its last drops before it goes
      rings_.erase(std::remove(rings_.begin(), rings_.end(), command.ring), rings_.end());
      break;
    case Command::Kind::kSetRule: {
      if (command.rule_slot >= rules_.size()) break;
      std::unique_ptr<WorkerRule>& rule = rules_[command.rule_slot];
      if (!rule) rule = std::make_unique<WorkerRule>();
      SetInputs(*rule, command.inputs, command.rule_slot);
      SetHealth(*rule, command);
      // Acquire before releasing, so a queue kept across the change is never freed.
      std::vector<WorkerOutput> next;
      next.reserve(command.outputs.size());
      for (const Output* output : command.outputs) next.push_back(WorkerOutput{output, AcquireQueue(*output)});
      ReleaseQueues(*rule);
      rule->outputs = std::move(next);
      rule->policy = std::move(command.policy);
      break;
    }
    case Command::Kind::kRemoveRule:
      if (command.rule_slot >= rules_.size() || !rules_[command.rule_slot]) break;
      SetInputs(*rules_[command.rule_slot], {}, command.rule_slot);
      timed_rules_.erase(std::remove(timed_rules_.begin(), timed_rules_.end(), command.rule_slot), timed_rules_.end());
      ReleaseQueues(*rules_[command.rule_slot]);
      rules_[command.rule_slot].reset();
      break;
    case Command::Kind::kStop:
      break;
  }
}

SendQueue* Worker::AcquireQueue(const Output& output) {
  SharedQueue& shared = queues_[output.fd()];
  if (!shared.queue) shared.queue = std::make_unique<SendQueue>(output.fd(), output.writes_headers());
  ++shared.users;
  return shared.queue.get();
}

void Worker::ReleaseQueues(const WorkerRule& rule) {
  for (const WorkerOutput& target : rule.outputs) {
    auto found = queues_.find(target.queue->fd);
    if (found != queues_.end() && --found->second.users == 0) queues_.erase(found);
  }
}

void Worker::RebuildWaitList() {
  wait_fds_.clear();
  wait_fds_.push_back(commands_.wake_fd());
  for (PacketRing* ring : rings_) wait_fds_.push_back(ring->fd());
  held_.reserve(rings_.size() * kBlocksPerTurn);
  // Every queue can be dirty at once; reserving here keeps the packet path free of
  // allocations.
  dirty_.reserve(queues_.size());
}

}  // namespace mcr
